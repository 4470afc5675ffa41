//! Password authentication: SCRAM-SHA-256 as a client (towards the origin) and as a server (towards clients of
//! the standalone pooler), and Postgres' MD5 scheme.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// PBKDF2-HMAC-SHA-256 with one output block (SCRAM's `Hi`).
pub fn hi(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mac = HmacSha256::new_from_slice(password).expect("any key length");
    let mut m = mac.clone();
    m.update(salt);
    m.update(&1u32.to_be_bytes());
    let mut u: [u8; 32] = m.finalize().into_bytes().into();
    let mut out = u;
    for _ in 1..iterations {
        let mut m = mac.clone();
        m.update(&u);
        u = m.finalize().into_bytes().into();
        for (o, x) in out.iter_mut().zip(u.iter()) {
            *o ^= x;
        }
    }
    out
}

/// A random printable nonce.
pub fn nonce() -> String {
    let mut b = [0u8; 18];
    getrandom::getrandom(&mut b).expect("random bytes");
    B64.encode(b)
}

/// Postgres' MD5 password answer: `md5` + md5hex(md5hex(password + user) + salt).
pub fn md5_password(user: &str, password: &str, salt: &[u8]) -> String {
    use md5::Md5;
    let inner = format!(
        "{:x}",
        Md5::digest([password.as_bytes(), user.as_bytes()].concat())
    );
    let outer = Md5::digest([inner.as_bytes(), salt].concat());
    format!("md5{outer:x}")
}

/// The client side of one SCRAM-SHA-256 exchange.
pub struct ScramClient {
    password: String,
    client_nonce: String,
    client_first_bare: String,
    /// Set by `server_first`: the server signature we expect in the final message.
    expected_server_signature: Option<[u8; 32]>,
}

impl ScramClient {
    pub fn new(password: &str) -> ScramClient {
        let client_nonce = nonce();
        ScramClient {
            password: password.to_string(),
            client_first_bare: format!("n=,r={client_nonce}"),
            client_nonce,
            expected_server_signature: None,
        }
    }

    /// The client-first message (gs2 header, no channel binding).
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// Answers the server-first message with the client-final message.
    pub fn server_first(&mut self, msg: &str) -> Result<String, String> {
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for part in msg.split(',') {
            match part.split_at_checked(2) {
                Some(("r=", v)) => nonce = Some(v.to_string()),
                Some(("s=", v)) => salt = B64.decode(v).ok(),
                Some(("i=", v)) => iterations = v.parse::<u32>().ok(),
                _ => {}
            }
        }
        let (Some(nonce), Some(salt), Some(iterations)) = (nonce, salt, iterations) else {
            return Err("malformed SCRAM server-first message".into());
        };
        if !nonce.starts_with(&self.client_nonce) || iterations == 0 {
            return Err("invalid SCRAM server nonce or iteration count".into());
        }
        let salted = hi(self.password.as_bytes(), &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = sha256(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{msg},{without_proof}", self.client_first_bare);
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature.iter())
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = hmac(&salted, b"Server Key");
        self.expected_server_signature = Some(hmac(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", B64.encode(proof)))
    }

    /// Checks the server-final message (the server proves it knew the password too).
    pub fn server_final(&self, msg: &str) -> Result<(), String> {
        let Some(v) = msg.strip_prefix("v=") else {
            return Err(format!("SCRAM authentication failed: {msg}"));
        };
        let got = B64
            .decode(v.trim())
            .map_err(|_| "malformed SCRAM server signature")?;
        match self.expected_server_signature {
            Some(expected) if expected[..] == got[..] => Ok(()),
            _ => Err("the origin's SCRAM server signature does not match".into()),
        }
    }
}

/// What a SCRAM server keeps of a password (never the password itself).
#[derive(Clone)]
pub struct ScramVerifier {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: [u8; 32],
    pub server_key: [u8; 32],
}

impl ScramVerifier {
    pub fn new(password: &str, iterations: u32) -> ScramVerifier {
        let mut salt = vec![0u8; 16];
        getrandom::getrandom(&mut salt).expect("random bytes");
        let salted = hi(password.as_bytes(), &salt, iterations);
        ScramVerifier {
            stored_key: sha256(&hmac(&salted, b"Client Key")),
            server_key: hmac(&salted, b"Server Key"),
            salt,
            iterations,
        }
    }
}

/// The server side of one SCRAM-SHA-256 exchange.
pub struct ScramServer<'a> {
    verifier: &'a ScramVerifier,
    client_first_bare: String,
    gs2_header: String,
    server_first: String,
    nonce: String,
}

impl<'a> ScramServer<'a> {
    /// Reads the client-first message; returns the server-first message to send.
    pub fn start(
        verifier: &'a ScramVerifier,
        client_first: &str,
    ) -> Result<(Self, String), String> {
        let (gs2, bare) = if let Some(rest) = client_first
            .strip_prefix("n,,")
            .or_else(|| client_first.strip_prefix("y,,"))
        {
            (&client_first[..3], rest)
        } else {
            return Err("SCRAM channel binding is not supported by this server".into());
        };
        let client_nonce = bare
            .split(',')
            .find_map(|p| p.strip_prefix("r="))
            .ok_or("malformed SCRAM client-first message")?;
        let nonce = format!("{client_nonce}{}", self::nonce());
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&verifier.salt),
            verifier.iterations
        );
        Ok((
            ScramServer {
                verifier,
                client_first_bare: bare.to_string(),
                gs2_header: gs2.to_string(),
                server_first: server_first.clone(),
                nonce,
            },
            server_first,
        ))
    }

    /// Checks the client-final message; returns the server-final message when the proof is right.
    pub fn finish(&self, client_final: &str) -> Result<String, String> {
        let (without_proof, proof) = client_final
            .rsplit_once(",p=")
            .ok_or("malformed SCRAM client-final message")?;
        let mut binding_ok = false;
        let mut nonce_ok = false;
        for part in without_proof.split(',') {
            if let Some(c) = part.strip_prefix("c=") {
                binding_ok = B64.decode(c).ok().as_deref() == Some(self.gs2_header.as_bytes());
            }
            if let Some(r) = part.strip_prefix("r=") {
                nonce_ok = r == self.nonce;
            }
        }
        if !binding_ok || !nonce_ok {
            return Err("SCRAM nonce or channel binding mismatch".into());
        }
        let proof = B64.decode(proof).map_err(|_| "malformed SCRAM proof")?;
        if proof.len() != 32 {
            return Err("malformed SCRAM proof".into());
        }
        let auth_message = format!(
            "{},{},{without_proof}",
            self.client_first_bare, self.server_first
        );
        let signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof
            .iter()
            .zip(signature.iter())
            .map(|(a, b)| a ^ b)
            .collect();
        if sha256(&client_key) != self.verifier.stored_key {
            return Err("password authentication failed".into());
        }
        let server_signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_client_and_server_agree() {
        let verifier = ScramVerifier::new("secret", 16);
        let mut client = ScramClient::new("secret");
        let (server, first) = ScramServer::start(&verifier, &client.client_first()).unwrap();
        let fin = client.server_first(&first).unwrap();
        let server_final = server.finish(&fin).unwrap();
        client.server_final(&server_final).unwrap();

        let mut wrong = ScramClient::new("nope");
        let (server, first) = ScramServer::start(&verifier, &wrong.client_first()).unwrap();
        let fin = wrong.server_first(&first).unwrap();
        assert!(server.finish(&fin).is_err());
    }

    #[test]
    fn md5_matches_postgres() {
        // md5(md5('passwordpostgres') || 'abcd'), as libpq computes it.
        let inner = format!("{:x}", <md5::Md5 as Digest>::digest(b"passwordpostgres"));
        let outer = format!(
            "md5{:x}",
            <md5::Md5 as Digest>::digest([inner.as_bytes(), b"abcd"].concat())
        );
        assert_eq!(md5_password("postgres", "password", b"abcd"), outer);
    }
}
