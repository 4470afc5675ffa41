//! The origin database: its connection string, and one authenticated connection to it (TCP or TLS, SCRAM-SHA-256,
//! MD5 or cleartext password).

use crate::auth;
use crate::proto::{self, Builder, Msg, MsgReader};
use bytes::Bytes;
use std::collections::HashSet;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// How to use TLS towards the origin (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// Try TLS, fall back to plain text if the server has none; no certificate check (libpq `allow`/`prefer`).
    Prefer,
    /// TLS required, no certificate check (libpq `require`).
    Require,
    /// TLS required, certificate checked against the web PKI roots or `sslrootcert` (`verify-ca`/`verify-full`).
    Verify,
}

/// A parsed `postgres://user:password@host:port/database?sslmode=...` connection string.
#[derive(Clone, PartialEq)]
pub struct OriginConfig {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
    pub sslmode: SslMode,
    /// A PEM file of CA certificates to trust (`sslrootcert`), for `Verify`.
    pub sslrootcert: Option<String>,
    pub connect_timeout: Duration,
}

impl fmt::Debug for OriginConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl OriginConfig {
    /// Parses a connection string; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<OriginConfig, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a postgres:// URL ({e})"))?;
        if url.scheme() != "postgres" && url.scheme() != "postgresql" {
            return Err(format!(
                "the scheme must be postgres:// or postgresql://, not {}://",
                url.scheme()
            ));
        }
        let decode = |v: &str| {
            url::form_urlencoded::parse(format!("x={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the connection string has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let user = decode(url.username());
        if user.is_empty() {
            return Err(
                "the connection string has no user (postgres://USER:PASSWORD@host/db)".into(),
            );
        }
        let password = url.password().map(decode).unwrap_or_default();
        let database = url.path().trim_start_matches('/');
        let database = if database.is_empty() {
            user.clone()
        } else {
            decode(database)
        };
        let mut sslmode = SslMode::Prefer;
        let mut sslrootcert = None;
        let mut connect_timeout = Duration::from_secs(10);
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "sslmode" => {
                    sslmode = match v.as_ref() {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" | "verify-full" => SslMode::Verify,
                        other => return Err(format!("unknown sslmode `{other}` (use disable, prefer, require, verify-ca or verify-full)")),
                    }
                }
                "sslrootcert" => sslrootcert = Some(v.into_owned()),
                "connect_timeout" => {
                    let secs: u64 = v
                        .parse()
                        .map_err(|_| format!("connect_timeout `{v}` is not a number of seconds"))?;
                    connect_timeout = Duration::from_secs(secs.max(1));
                }
                _ => {}
            }
        }
        Ok(OriginConfig {
            host,
            port: url.port().unwrap_or(5432),
            user,
            password,
            database,
            sslmode,
            sslrootcert,
            connect_timeout,
        })
    }

    /// The connection string without the password, for messages and logs.
    pub fn redacted(&self) -> String {
        format!(
            "postgres://{}@{}:{}/{}",
            self.user, self.host, self.port, self.database
        )
    }
}

/// A failure to connect to the origin: the message, and the origin's SQLSTATE when it answered with an error.
#[derive(Debug, Clone)]
pub struct OriginError {
    pub message: String,
    pub sqlstate: Option<String>,
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl OriginError {
    fn io(origin: &OriginConfig, e: impl fmt::Display) -> OriginError {
        OriginError {
            message: format!(
                "cannot reach the origin database at {}:{}: {e}",
                origin.host, origin.port
            ),
            sqlstate: None,
        }
    }
}

/// A TCP or TLS stream to the origin.
pub enum Stream {
    Tcp(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Tcp(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// One authenticated connection to the origin, ready for queries.
pub struct OriginConn {
    pub stream: Stream,
    pub reader: MsgReader,
    /// ParameterStatus values the origin sent at startup.
    pub params: Vec<(String, String)>,
    /// The backend's process id and secret key (for CancelRequest).
    pub backend_key: (i32, i32),
    /// Names (hashes) of the statements prepared on this connection by the pooler.
    pub prepared: HashSet<u64>,
    pub last_used: Instant,
    /// How long connecting and authenticating took.
    pub connect_latency: Duration,
}

impl OriginConn {
    /// Connects, negotiates TLS as the config asks, authenticates and waits for ReadyForQuery.
    pub async fn connect(origin: &OriginConfig) -> Result<OriginConn, OriginError> {
        let started = Instant::now();
        tokio::time::timeout(origin.connect_timeout, Self::connect_inner(origin))
            .await
            .map_err(|_| OriginError {
                message: format!(
                    "connecting to the origin database at {}:{} timed out after {} s",
                    origin.host,
                    origin.port,
                    origin.connect_timeout.as_secs()
                ),
                sqlstate: None,
            })?
            .map(|mut c| {
                c.connect_latency = started.elapsed();
                c
            })
    }

    async fn connect_inner(origin: &OriginConfig) -> Result<OriginConn, OriginError> {
        let mut tcp = TcpStream::connect((origin.host.as_str(), origin.port))
            .await
            .map_err(|e| OriginError::io(origin, e))?;
        tcp.set_nodelay(true).ok();
        let mut stream = if origin.sslmode == SslMode::Disable {
            Stream::Tcp(tcp)
        } else {
            let req = Builder::untagged().i32(proto::SSL_REQUEST).finish();
            tcp.write_all(&req)
                .await
                .map_err(|e| OriginError::io(origin, e))?;
            let mut answer = [0u8; 1];
            tokio::io::AsyncReadExt::read_exact(&mut tcp, &mut answer)
                .await
                .map_err(|e| OriginError::io(origin, e))?;
            match answer[0] {
                b'S' => Stream::Tls(Box::new(tls_connect(origin, tcp).await?)),
                _ if origin.sslmode == SslMode::Prefer => Stream::Tcp(tcp),
                _ => {
                    return Err(OriginError {
                        message: format!(
                            "the origin database at {}:{} does not support TLS, but the connection string asks for sslmode={}",
                            origin.host,
                            origin.port,
                            if origin.sslmode == SslMode::Require { "require" } else { "verify-full" }
                        ),
                        sqlstate: None,
                    })
                }
            }
        };
        let startup = Builder::untagged()
            .i32(proto::PROTOCOL_3)
            .cstr("user")
            .cstr(&origin.user)
            .cstr("database")
            .cstr(&origin.database)
            .cstr("client_encoding")
            .cstr("UTF8")
            .cstr("application_name")
            .cstr("corral-hyperdrive")
            .u8(0)
            .finish();
        stream
            .write_all(&startup)
            .await
            .map_err(|e| OriginError::io(origin, e))?;
        let mut reader = MsgReader::new();
        let mut params = Vec::new();
        let mut backend_key = (0, 0);
        let mut scram: Option<auth::ScramClient> = None;
        loop {
            let msg = reader
                .next(&mut stream)
                .await
                .map_err(|e| OriginError::io(origin, e))?
                .ok_or_else(|| {
                    OriginError::io(origin, "the server closed the connection during startup")
                })?;
            match msg.tag {
                b'R' => {
                    let mut b = msg.body();
                    let code = proto::take_i32(&mut b).map_err(|e| OriginError::io(origin, e))?;
                    let reply = match code {
                        0 => None,
                        3 => Some(password_message(&origin.password)),
                        5 => {
                            let salt = b.get(..4).ok_or_else(|| OriginError::io(origin, "bad MD5 salt"))?;
                            Some(password_message(&auth::md5_password(
                                &origin.user,
                                &origin.password,
                                salt,
                            )))
                        }
                        10 => {
                            let mechs = String::from_utf8_lossy(b);
                            if !mechs.split('\0').any(|m| m == "SCRAM-SHA-256") {
                                return Err(OriginError::io(origin, format!("the server offers no SASL mechanism we support ({mechs})")));
                            }
                            let client = auth::ScramClient::new(&origin.password);
                            let first = client.client_first();
                            scram = Some(client);
                            Some(
                                Builder::new(b'p')
                                    .cstr("SCRAM-SHA-256")
                                    .i32(first.len() as i32)
                                    .bytes(first.as_bytes())
                                    .finish(),
                            )
                        }
                        11 => {
                            let client = scram.as_mut().ok_or_else(|| OriginError::io(origin, "unexpected SASL message"))?;
                            let fin = client
                                .server_first(&String::from_utf8_lossy(b))
                                .map_err(|e| OriginError::io(origin, e))?;
                            Some(Builder::new(b'p').bytes(fin.as_bytes()).finish())
                        }
                        12 => {
                            let client = scram.as_ref().ok_or_else(|| OriginError::io(origin, "unexpected SASL message"))?;
                            client
                                .server_final(&String::from_utf8_lossy(b))
                                .map_err(|e| OriginError::io(origin, e))?;
                            None
                        }
                        other => {
                            return Err(OriginError {
                                message: format!("the origin asks for an authentication method corral does not support (code {other}); use scram-sha-256, md5 or password in pg_hba.conf"),
                                sqlstate: None,
                            })
                        }
                    };
                    if let Some(reply) = reply {
                        stream
                            .write_all(&reply)
                            .await
                            .map_err(|e| OriginError::io(origin, e))?;
                    }
                }
                b'S' => {
                    let mut b = msg.body();
                    if let (Ok(k), Ok(v)) = (proto::take_cstr(&mut b), proto::take_cstr(&mut b)) {
                        params.push((k.to_string(), v.to_string()));
                    }
                }
                b'K' => {
                    let mut b = msg.body();
                    backend_key = (
                        proto::take_i32(&mut b).unwrap_or(0),
                        proto::take_i32(&mut b).unwrap_or(0),
                    );
                }
                b'E' => {
                    return Err(OriginError {
                        message: format!(
                            "the origin database refused the connection: {}",
                            proto::describe_error(msg.body())
                        ),
                        sqlstate: Some(proto::error_code(msg.body())),
                    })
                }
                b'Z' => break,
                _ => {}
            }
        }
        Ok(OriginConn {
            stream,
            reader,
            params,
            backend_key,
            prepared: HashSet::new(),
            last_used: Instant::now(),
            connect_latency: Duration::ZERO,
        })
    }

    /// Whether the connection still looks usable: nothing unexpected to read (a FATAL message or end of stream
    /// from an origin that shut down) and no partial message buffered.
    pub fn looks_alive(&self) -> bool {
        if self.reader.has_buffered() {
            return false;
        }
        let mut b = [0u8; 1];
        matches!(self.stream.tcp().try_read(&mut b), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Runs a simple query; returns the rows (text values) and the final transaction status, or the error.
    pub async fn simple(
        &mut self,
        sql: &str,
    ) -> io::Result<Result<(Vec<Vec<Option<String>>>, u8), String>> {
        self.stream.write_all(&proto::simple_query(sql)).await?;
        let mut rows = Vec::new();
        let mut error = None;
        loop {
            let Some(msg) = self.reader.next(&mut self.stream).await? else {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "origin closed the connection",
                ));
            };
            match msg.tag {
                b'D' => rows.push(data_row(&msg)),
                b'E' => error = Some(proto::describe_error(msg.body())),
                b'Z' => {
                    let status = msg.body().first().copied().unwrap_or(b'I');
                    return Ok(match error {
                        Some(e) => Err(e),
                        None => Ok((rows, status)),
                    });
                }
                _ => {}
            }
        }
    }
}

fn password_message(p: &str) -> Bytes {
    Builder::new(b'p').cstr(p).finish()
}

/// The text values of a DataRow.
pub fn data_row(msg: &Msg) -> Vec<Option<String>> {
    let mut b = msg.body();
    let n = proto::take_i16(&mut b).unwrap_or(0);
    let mut out = Vec::new();
    for _ in 0..n {
        let Ok(len) = proto::take_i32(&mut b) else {
            break;
        };
        if len < 0 {
            out.push(None);
        } else {
            let len = (len as usize).min(b.len());
            out.push(Some(String::from_utf8_lossy(&b[..len]).into_owned()));
            b = &b[len..];
        }
    }
    out
}

async fn tls_connect(
    origin: &OriginConfig,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, OriginError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| OriginError::io(origin, e))?;
    let config = if origin.sslmode == SslMode::Verify {
        let mut roots = rustls::RootCertStore::empty();
        if let Some(path) = &origin.sslrootcert {
            use rustls::pki_types::pem::PemObject;
            let certs = rustls::pki_types::CertificateDer::pem_file_iter(path).map_err(|e| {
                OriginError::io(origin, format!("cannot read sslrootcert {path}: {e}"))
            })?;
            for c in certs.flatten() {
                roots.add(c).ok();
            }
        } else {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth()
    };
    let name = rustls::pki_types::ServerName::try_from(origin.host.clone())
        .map_err(|e| OriginError::io(origin, e))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| OriginError::io(origin, format!("TLS handshake failed: {e}")))
}

/// libpq's `sslmode=require`: encrypt, but do not check the certificate.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_connection_strings() {
        let o = OriginConfig::parse("postgres://app:p%40ss@db.example:6543/shop?sslmode=require")
            .unwrap();
        assert_eq!((o.user.as_str(), o.password.as_str()), ("app", "p@ss"));
        assert_eq!(
            (o.host.as_str(), o.port, o.database.as_str()),
            ("db.example", 6543, "shop")
        );
        assert_eq!(o.sslmode, SslMode::Require);
        let o = OriginConfig::parse("postgresql://app@localhost").unwrap();
        assert_eq!(
            (o.port, o.database.as_str(), o.sslmode),
            (5432, "app", SslMode::Prefer)
        );
        assert!(OriginConfig::parse("mysql://a@b/c").is_err());
        assert!(OriginConfig::parse("postgres://localhost/db").is_err());
        assert!(OriginConfig::parse("postgres://a@h/d?sslmode=bogus").is_err());
    }
}
