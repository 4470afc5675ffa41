//! Outbound TCP sockets for `connect()` from `cloudflare:sockets` (`js/sockets.js`) and the Hyperdrive binding
//! (`js/hyperdrive.js`).
//!
//! A worker reaches only the local Hyperdrive endpoints (`Services::hyperdrive`) and the entries of
//! `Services::socket_allowlist` (bound private services, `--unsafe-allow-connect HOST:PORT`); anything else is
//! refused, with a log line saying how to allow it.
//!
//! | function | result |
//! |---|---|
//! | `host.socketConnect(hostname, port, tls)` | `Promise<[id, remoteAddress, localAddress]>`; `tls` is `"off"`, `"on"` or `"starttls"`; throws `Error` synchronously for a destination that is not allowed |
//! | `host.socketRead(id)` | `Promise<Uint8Array \| undefined>`: the next bytes (at most 64 KiB), `undefined` at end of stream |
//! | `host.socketWrite(id, bytes)` | `Promise<undefined>` once the bytes are handed to the kernel |
//! | `host.socketShutdown(id)` | `Promise<undefined>`: half-closes the write side (FIN) |
//! | `host.socketClose(id)` | closes both directions now; operations in flight reject |
//! | `host.socketStartTls(id, hostname)` | `Promise<[newId, remoteAddress, localAddress]>`: the same connection after a TLS handshake; `id` is gone |
//! | `host.hyperdriveInfo(id)` | `{host, port, user, password, database}` of the config's local endpoint, or `null` |
//!
//! Reads happen only when the JS `ReadableStream` pulls, and a write settles only when the kernel took the
//! bytes, so the streams' queues (small, see `sockets.js`) are the only buffering: a peer that stops reading
//! stalls the worker's writer, and a worker that stops reading stops the peer through TCP flow control.
//! Errors reject with a `TypeError` carrying the text; `sockets.js` rewraps them.

use crate::host::{bytes_of, settle, spawn_promise, upgrade};
use crate::isolate::WeakIsolate;
use rquickjs::function::Func;
use rquickjs::{Array, Ctx, Exception, Object, Promise, TypedArray, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{watch, Mutex};

/// Bytes read from the socket per `socketRead`.
const READ_CHUNK: usize = 64 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}
type Conn = Box<dyn Io>;

/// One open socket of an isolate. Each half sits behind its own lock (one read and one write may be in flight at
/// once); `closed` tells operations in flight to give up.
struct Slot {
    reader: Rc<Mutex<Option<ReadHalf<Conn>>>>,
    writer: Rc<Mutex<Option<WriteHalf<Conn>>>>,
    closed: watch::Sender<bool>,
}

impl Slot {
    fn new(conn: Conn) -> Slot {
        let (r, w) = tokio::io::split(conn);
        Slot {
            reader: Rc::new(Mutex::new(Some(r))),
            writer: Rc::new(Mutex::new(Some(w))),
            closed: watch::channel(false).0,
        }
    }
}

/// The sockets of one isolate, owned by its host functions (dropped with the isolate).
#[derive(Default)]
struct Table {
    next: u64,
    slots: HashMap<u64, Slot>,
}

impl Table {
    fn insert(&mut self, slot: Slot) -> u64 {
        self.next += 1;
        self.slots.insert(self.next, slot);
        self.next
    }
}

type Shared = Rc<RefCell<Table>>;

/// Whether `hostname:port` is a destination workers may connect to; `Err` says how to allow it.
pub(crate) fn check_allowed(
    services: &crate::Services,
    hostname: &str,
    port: u16,
) -> Result<(), String> {
    let host = hostname
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let hyperdrive = services.hyperdrive.lock().expect("hyperdrive endpoints");
    if hyperdrive
        .values()
        .any(|e| e.port == port && e.host.eq_ignore_ascii_case(&host))
    {
        return Ok(());
    }
    drop(hyperdrive);
    let allow = services.socket_allowlist.lock().expect("socket allowlist");
    let wanted = (host.as_str(), port);
    if allow.iter().any(|entry| {
        split_host_port(entry)
            .is_some_and(|(h, p)| p == wanted.1 && h.eq_ignore_ascii_case(wanted.0))
    }) {
        return Ok(());
    }
    Err(format!(
        "connect() to {hostname}:{port} is not allowed: corral's workers may connect only to Hyperdrive \
         endpoints and allowed services (run corral with --unsafe-allow-connect {hostname}:{port} to allow it)"
    ))
}

/// `"host:port"` / `"[v6]:port"` → (host without brackets, port).
fn split_host_port(entry: &str) -> Option<(&str, u16)> {
    let (host, port) = entry.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port.parse().ok()?))
}

fn tls_config() -> Arc<tokio_rustls::rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<tokio_rustls::rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("TLS protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

async fn tls_handshake<S>(hostname: &str, stream: S) -> Result<Conn, String>
where
    S: AsyncRead + AsyncWrite + Unpin + 'static,
{
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(
        hostname
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    )
    .map_err(|_| format!("TLS: invalid server name {hostname:?}"))?;
    let connector = tokio_rustls::TlsConnector::from(tls_config());
    let tls = connector
        .connect(name, stream)
        .await
        .map_err(|e| format!("TLS handshake with {hostname} failed: {e}"))?;
    Ok(Box::new(tls))
}

fn addresses(stream: &TcpStream) -> (String, String) {
    let remote = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let local = stream
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    (remote, local)
}

fn opened_settle(id: u64, remote: String, local: String) -> crate::host::Settle {
    settle(move |ctx| {
        let a = Array::new(ctx.clone())?;
        a.set(0, id as f64)?;
        a.set(1, remote)?;
        a.set(2, local)?;
        Ok(a.into_value())
    })
}

fn closed_error() -> String {
    "The socket is closed.".to_string()
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    let table: Shared = Rc::default();
    {
        let weak = weak.clone();
        let table = table.clone();
        host.set(
            "socketConnect",
            Func::from(
                move |ctx: Ctx<'js>,
                      hostname: String,
                      port: f64,
                      tls: String|
                      -> rquickjs::Result<Promise<'js>> {
                    if !(1.0..=65535.0).contains(&port) || port.fract() != 0.0 {
                        return Err(Exception::throw_range(
                            &ctx,
                            &format!(
                                "The port must be an integer between 1 and 65535, got {port}."
                            ),
                        ));
                    }
                    let port = port as u16;
                    let inner = upgrade(&weak);
                    if let Err(message) = check_allowed(&inner.bundle.services, &hostname, port) {
                        inner.log("warn", &message);
                        return Err(Exception::throw_message(&ctx, &message));
                    }
                    let table = table.clone();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let target = if hostname.contains(':') && !hostname.starts_with('[') {
                            format!("[{hostname}]:{port}")
                        } else {
                            format!("{hostname}:{port}")
                        };
                        let stream = TcpStream::connect(&target)
                            .await
                            .map_err(|e| format!("connect() to {target} failed: {e}"))?;
                        let _ = stream.set_nodelay(true);
                        let (remote, local) = addresses(&stream);
                        let conn: Conn = if tls == "on" {
                            tls_handshake(&hostname, stream).await?
                        } else {
                            Box::new(stream)
                        };
                        let id = table.borrow_mut().insert(Slot::new(conn));
                        Ok(opened_settle(id, remote, local))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        let table = table.clone();
        host.set(
            "socketRead",
            Func::from(
                move |ctx: Ctx<'js>, id: f64| -> rquickjs::Result<Promise<'js>> {
                    let found = table
                        .borrow()
                        .slots
                        .get(&(id as u64))
                        .map(|s| (s.reader.clone(), s.closed.subscribe()));
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let Some((reader, mut closed)) = found else {
                            return Err(closed_error());
                        };
                        let mut guard = reader.lock().await;
                        let Some(half) = guard.as_mut() else {
                            return Err(closed_error());
                        };
                        let mut buf = vec![0u8; READ_CHUNK];
                        let n = tokio::select! {
                            r = half.read(&mut buf) => r.map_err(|e| format!("Network connection lost: {e}"))?,
                            _ = closed.wait_for(|c| *c) => return Err(closed_error()),
                        };
                        if n == 0 {
                            return Ok(settle(|ctx| Ok(Value::new_undefined(ctx.clone()))));
                        }
                        buf.truncate(n);
                        Ok(settle(move |ctx| {
                            TypedArray::<u8>::new(ctx.clone(), buf).map(|a| a.into_value())
                        }))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        let table = table.clone();
        host.set(
            "socketWrite",
            Func::from(
                move |ctx: Ctx<'js>,
                      id: f64,
                      bytes: TypedArray<'js, u8>|
                      -> rquickjs::Result<Promise<'js>> {
                    let data = bytes_of(&bytes);
                    let found = table
                        .borrow()
                        .slots
                        .get(&(id as u64))
                        .map(|s| (s.writer.clone(), s.closed.subscribe()));
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let Some((writer, mut closed)) = found else {
                            return Err(closed_error());
                        };
                        let mut guard = writer.lock().await;
                        let Some(half) = guard.as_mut() else {
                            return Err(closed_error());
                        };
                        tokio::select! {
                            r = async { half.write_all(&data).await?; half.flush().await } =>
                                r.map_err(|e| format!("Network connection lost: {e}"))?,
                            _ = closed.wait_for(|c| *c) => return Err(closed_error()),
                        }
                        Ok(settle(|ctx| Ok(Value::new_undefined(ctx.clone()))))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        let table = table.clone();
        host.set(
            "socketShutdown",
            Func::from(
                move |ctx: Ctx<'js>, id: f64| -> rquickjs::Result<Promise<'js>> {
                    let found = table
                        .borrow()
                        .slots
                        .get(&(id as u64))
                        .map(|s| s.writer.clone());
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        if let Some(writer) = found {
                            if let Some(half) = writer.lock().await.as_mut() {
                                let _ = half.shutdown().await;
                            }
                        }
                        Ok(settle(|ctx| Ok(Value::new_undefined(ctx.clone()))))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let table = table.clone();
        host.set(
            "socketClose",
            Func::from(move |id: f64| {
                let slot = table.borrow_mut().slots.remove(&(id as u64));
                if let Some(slot) = slot {
                    // Operations in flight give up (and drop their halves); the connection closes when the
                    // last half is dropped.
                    let _ = slot.closed.send(true);
                }
            }),
        )?;
    }
    {
        let weak = weak.clone();
        let table = table.clone();
        host.set(
            "socketStartTls",
            Func::from(
                move |ctx: Ctx<'js>, id: f64, hostname: String| -> rquickjs::Result<Promise<'js>> {
                    let slot = table.borrow_mut().slots.remove(&(id as u64));
                    let table = table.clone();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let Some(slot) = slot else {
                            return Err(closed_error());
                        };
                        let reader = slot.reader.lock().await.take();
                        let writer = slot.writer.lock().await.take();
                        let (Some(reader), Some(writer)) = (reader, writer) else {
                            return Err(closed_error());
                        };
                        let conn = reader.unsplit(writer);
                        let conn = tls_handshake(&hostname, conn).await?;
                        let id = table.borrow_mut().insert(Slot::new(conn));
                        Ok(opened_settle(id, String::new(), String::new()))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    host.set(
        "hyperdriveInfo",
        Func::from(
            move |ctx: Ctx<'js>, id: String| -> rquickjs::Result<Value<'js>> {
                let inner = upgrade(&weak);
                let endpoint = inner
                    .bundle
                    .services
                    .hyperdrive
                    .lock()
                    .expect("hyperdrive endpoints")
                    .get(&id)
                    .cloned();
                let Some(e) = endpoint else {
                    return Ok(Value::new_null(ctx));
                };
                let o = Object::new(ctx)?;
                o.set("host", e.host)?;
                o.set("port", e.port)?;
                o.set("user", e.user)?;
                o.set("password", e.password)?;
                o.set("database", e.database)?;
                Ok(o.into_value())
            },
        ),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_and_hyperdrive_endpoints() {
        let services = crate::Services::new(corral_storage::Storage::temporary());
        assert!(check_allowed(&services, "127.0.0.1", 5432).is_err());
        services
            .socket_allowlist
            .lock()
            .unwrap()
            .push("127.0.0.1:5432".into());
        services
            .socket_allowlist
            .lock()
            .unwrap()
            .push("[::1]:7".into());
        assert!(check_allowed(&services, "127.0.0.1", 5432).is_ok());
        assert!(check_allowed(&services, "::1", 7).is_ok());
        assert!(check_allowed(&services, "127.0.0.1", 5433).is_err());
        services.hyperdrive.lock().unwrap().insert(
            "cfg".into(),
            crate::HyperdriveEndpoint {
                host: "localhost".into(),
                port: 6543,
                user: "u".into(),
                password: "p".into(),
                database: "d".into(),
            },
        );
        assert!(check_allowed(&services, "LOCALHOST", 6543).is_ok());
        let err = check_allowed(&services, "example.com", 443).unwrap_err();
        assert!(
            err.contains("--unsafe-allow-connect example.com:443"),
            "{err}"
        );
    }
}
