//! Host functions behind the Node.js compatibility modules (`js/node/*.js`) that JS does poorly:
//!
//! - `host.pbkdf2(hash, password, salt, iterations, keylen)` → `ArrayBuffer` of `keylen` bytes (PBKDF2 with
//!   HMAC-`hash`, `hash` one of `"SHA-1"`, `"SHA-256"`, `"SHA-384"`, `"SHA-512"`). Used by `node:crypto`
//!   (`pbkdf2`, `pbkdf2Sync`) and by Web Crypto's PBKDF2 `deriveBits` (the SCRAM-SHA-256 auth of Postgres
//!   drivers derives its key with 4096 iterations; in JS that would cost tens of milliseconds of CPU).

use hmac::{Hmac, Mac};
use rquickjs::function::Func;
use rquickjs::{ArrayBuffer, Ctx, Exception, Object, TypedArray};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

/// Iterations above this are refused (Node's limit is 2^31 - 1; this keeps one call within a CPU budget).
const MAX_ITERATIONS: f64 = 10_000_000.0;

fn pbkdf2_with<M>(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8])
where
    M: Mac + hmac::digest::KeyInit + Clone,
{
    let prf = <M as hmac::digest::KeyInit>::new_from_slice(password).expect("any key length");
    for (i, block) in out
        .chunks_mut(<M as hmac::digest::OutputSizeUser>::output_size())
        .enumerate()
    {
        let mut mac = prf.clone();
        mac.update(salt);
        mac.update(&(i as u32 + 1).to_be_bytes());
        let mut u = mac.finalize().into_bytes();
        let mut acc = u.clone();
        for _ in 1..iterations {
            let mut mac = prf.clone();
            mac.update(&u);
            u = mac.finalize().into_bytes();
            for (a, b) in acc.iter_mut().zip(u.iter()) {
                *a ^= b;
            }
        }
        block.copy_from_slice(&acc[..block.len()]);
    }
}

/// PBKDF2-HMAC; `None` for an unknown hash name.
pub fn pbkdf2(
    hash: &str,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    keylen: usize,
) -> Option<Vec<u8>> {
    let mut out = vec![0u8; keylen];
    match hash {
        "SHA-1" => pbkdf2_with::<Hmac<Sha1>>(password, salt, iterations, &mut out),
        "SHA-256" => pbkdf2_with::<Hmac<Sha256>>(password, salt, iterations, &mut out),
        "SHA-384" => pbkdf2_with::<Hmac<Sha384>>(password, salt, iterations, &mut out),
        "SHA-512" => pbkdf2_with::<Hmac<Sha512>>(password, salt, iterations, &mut out),
        _ => return None,
    }
    Some(out)
}

pub(crate) fn register<'js>(_ctx: &Ctx<'js>, host: &Object<'js>) -> rquickjs::Result<()> {
    host.set(
        "pbkdf2",
        Func::from(
            |ctx: Ctx<'js>,
             hash: String,
             password: TypedArray<'js, u8>,
             salt: TypedArray<'js, u8>,
             iterations: f64,
             keylen: f64|
             -> rquickjs::Result<ArrayBuffer<'js>> {
                if !(1.0..=MAX_ITERATIONS).contains(&iterations) {
                    return Err(Exception::throw_range(
                        &ctx,
                        &format!("PBKDF2 iterations must be between 1 and {MAX_ITERATIONS}, got {iterations}"),
                    ));
                }
                if !(0.0..=(1u64 << 30) as f64).contains(&keylen) {
                    return Err(Exception::throw_range(&ctx, "PBKDF2 key length is out of range"));
                }
                let password = crate::host::bytes_of(&password);
                let salt = crate::host::bytes_of(&salt);
                let out = pbkdf2(&hash, &password, &salt, iterations as u32, keylen as usize)
                    .ok_or_else(|| Exception::throw_type(&ctx, &format!("Unsupported PBKDF2 digest: {hash}")))?;
                ArrayBuffer::new(ctx, out)
            },
        ),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn pbkdf2_matches_rfc_6070_and_7914_vectors() {
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        // RFC 6070 (SHA-1), 4096 iterations.
        assert_eq!(
            hex(super::pbkdf2("SHA-1", b"password", b"salt", 4096, 20).unwrap()),
            "4b007901b765489abead49d926f721d065a429c1"
        );
        // RFC 7914 section 11 (SHA-256), 1 iteration, 64 bytes.
        assert_eq!(
            hex(super::pbkdf2("SHA-256", b"passwd", b"salt", 1, 64).unwrap()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
        assert!(super::pbkdf2("MD5", b"a", b"b", 1, 16).is_none());
    }
}
