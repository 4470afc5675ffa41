//! WebSockets terminated in a worker: the Rust half of `js/websocket.js`.
//!
//! A socket the worker accepted (the server end of a `WebSocketPair` whose client end went out in a 101
//! response) is an id-keyed entry in the isolate's state (`IsolateState::websockets`). The isolate owns the
//! entry; the HTTP server owns the TCP connection and the framing and only sees a [`WebSocketConnection`]: two
//! channels and a shared counter.
//!
//! - worker → client: `host.wsSend` / `host.wsClose` push [`ToClient`] frames into a bounded channel. The channel
//!   holds at most [`TO_CLIENT_FRAMES`] frames and [`TO_CLIENT_BYTES`] bytes (a frame is always accepted while
//!   the queue is under the byte budget, so one message may be larger). `send()` is synchronous in the Workers
//!   API, so a client that does not read cannot push back on the worker; instead, once the queue is over either
//!   bound, the socket is failed: the server closes the connection with 1008 and the worker gets an `error`
//!   event and a `close` event (1006, `wasClean` false). Memory per socket is therefore bounded.
//! - client → worker: the server pushes [`FromClient`] events into a small bounded channel; a local task of the
//!   isolate receives them and enters the isolate to call `internal.webSocketEvent(id, ...)`. While the worker is
//!   busy the channel fills and the server stops reading the TCP socket (TCP backpressure).
//! - The channel from the server ending without a `Close` is an abnormal closure: the worker sees 1006.
//!
//! The invocation that returned the 101 stays in flight (JS side: its `Invocation` is released by the final
//! `close` event), so a reload drains the old isolate only once its sockets are closed.
//!
//! Durable Objects' hibernatable sockets (`ctx.acceptWebSocket(ws, tags)`) are entries like any other, marked
//! with a [`Hibernation`] record: the owning object's address, tags and serialized attachment live here, not in
//! the object's JS instance. The receive task still hands every event to `internal.webSocketEvent`; for a marked
//! entry the JS side (websocket.js) makes a `WebSocket` wrapper for the id and calls the object's
//! `webSocketMessage/Close/Error` handlers, rebuilding the object first when it was evicted (durable_objects.js).
//! So an object can be dropped from memory while its sockets stay open; they live as long as the isolate (a
//! replaced isolate is kept while it has open sockets). An object's automatic response
//! (`setWebSocketAutoResponse`) is answered in [`receive`] without entering JS.
//!
//! A 101 coming back from a Durable Object stub's `fetch` carries the object's [`WebSocketConnection`] across
//! threads; the calling isolate parks it (`IsolateState::forwarded`) until the caller returns that response
//! (`host.respondForwardedWebSocket`), and the HTTP server then pumps frames between the client and the
//! object's isolate, on whichever thread that lives.

use crate::host::bytes_of;
use crate::isolate::{HttpResponse, IntoJsArray, IsolateInner, ResponseBody, WeakIsolate};
use bytes::Bytes;
use rquickjs::function::{Func, Opt};
use rquickjs::{Array, Ctx, Function, Object, TypedArray, Value};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// Frames the worker may have queued for a client before the socket is failed.
pub const TO_CLIENT_FRAMES: usize = 1024;
/// Bytes the worker may have queued for a client before the socket is failed.
pub const TO_CLIENT_BYTES: usize = 16 << 20;
/// Client events waiting for the isolate before the server stops reading the socket.
const FROM_CLIENT_EVENTS: usize = 16;

/// One WebSocket message.
#[derive(Debug, Clone, PartialEq)]
pub enum WsMessage {
    Text(String),
    Binary(Bytes),
}

impl WsMessage {
    fn len(&self) -> usize {
        match self {
            WsMessage::Text(t) => t.len(),
            WsMessage::Binary(b) => b.len(),
        }
    }
}

/// What the worker sends to the client.
#[derive(Debug, Clone, PartialEq)]
pub enum ToClient {
    Message(WsMessage),
    /// A close frame; `code` `None` is a close frame without a body (the peer sees 1005).
    Close {
        code: Option<u16>,
        reason: String,
    },
}

/// What the connection delivers to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum FromClient {
    Message(WsMessage),
    /// The closing handshake finished (`was_clean`), or the connection ended (1006).
    Close {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// An `error` event (a `close` follows).
    Error(String),
}

struct Shared {
    queued_bytes: AtomicUsize,
    overflowed: AtomicBool,
    overflow: tokio::sync::Notify,
}

/// The server's side of a worker-terminated WebSocket (carried by a 101 response).
pub struct WebSocketConnection {
    to_client: mpsc::Receiver<ToClient>,
    from_client: mpsc::Sender<FromClient>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for WebSocketConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebSocketConnection")
    }
}

impl WebSocketConnection {
    /// The next frame for the client; `None` once the worker side is gone (the isolate was dropped, or the
    /// socket overflowed: see [`WebSocketConnection::overflowed`]).
    pub async fn recv(&mut self) -> Option<ToClient> {
        let frame = self.to_client.recv().await?;
        if let ToClient::Message(m) = &frame {
            self.shared
                .queued_bytes
                .fetch_sub(m.len(), Ordering::Relaxed);
        }
        Some(frame)
    }

    /// True when the worker queued more than the client read (see the module docs).
    pub fn overflowed(&self) -> bool {
        self.shared.overflowed.load(Ordering::Relaxed)
    }

    /// Completes when the socket overflowed; the server then drops the connection even while a write to the
    /// client is stuck.
    pub async fn overflow(&self) {
        self.shared.overflow.notified().await
    }

    /// Delivers an event to the worker, waiting while the worker is behind. False when the worker side is gone.
    pub async fn deliver(&self, event: FromClient) -> bool {
        self.from_client.send(event).await.is_ok()
    }

    /// Fails the socket before it was ever connected: the worker gets an `error` event with `message`, then
    /// `close` 1006.
    pub fn fail(self, message: &str) {
        let _ = self
            .from_client
            .try_send(FromClient::Error(message.to_string()));
    }
}

/// A socket's entry in its isolate.
pub(crate) struct SocketEntry {
    /// `None` after the worker sent its close frame or the queue overflowed.
    to_client: Option<mpsc::Sender<ToClient>>,
    shared: Arc<Shared>,
    receiver: AbortHandle,
    /// Set for a Durable Object's hibernatable socket (`ctx.acceptWebSocket`).
    hibernation: Option<Hibernation>,
    /// The last event was received: the socket is no longer listed by `getWebSockets()`.
    closing: bool,
}

/// What a hibernatable socket keeps outside its object's JS instance, so the object can be evicted and rebuilt
/// while the socket stays open.
pub(crate) struct Hibernation {
    /// The owning object: `(class, id, name)`.
    object: (String, String, Option<String>),
    tags: Vec<String>,
    /// The serialized attachment (`ws.serializeAttachment`).
    attachment: Option<Vec<u8>>,
    /// When the automatic response was last sent on this socket (ms since the epoch).
    auto_response_at: Option<f64>,
}

/// A Durable Object's automatic response (`ctx.setWebSocketAutoResponse`): `(request, response)`.
pub(crate) type AutoResponse = (String, String);

impl Drop for SocketEntry {
    fn drop(&mut self) {
        self.receiver.abort();
    }
}

fn upgrade(weak: &WeakIsolate) -> Rc<IsolateInner> {
    weak.upgrade()
        .expect("host function called on a dropped isolate")
}

/// Queues `frame` for the client of socket `id`. False when the socket is gone or was failed.
fn push(inner: &IsolateInner, id: u64, frame: ToClient) -> bool {
    let mut state = inner.state.borrow_mut();
    let Some(entry) = state.websockets.get_mut(&id) else {
        return false;
    };
    let Some(tx) = entry.to_client.as_ref() else {
        return false;
    };
    let closing = matches!(frame, ToClient::Close { .. });
    let len = match &frame {
        ToClient::Message(m) => m.len(),
        ToClient::Close { .. } => 0,
    };
    let over_budget = entry.shared.queued_bytes.load(Ordering::Relaxed) > TO_CLIENT_BYTES;
    let sent = !over_budget && tx.try_send(frame).is_ok();
    if sent {
        entry.shared.queued_bytes.fetch_add(len, Ordering::Relaxed);
        if closing {
            entry.to_client = None;
        }
        return true;
    }
    if !tx.is_closed() {
        // The client is not reading: fail the socket (the server sees the channel end and the flag).
        entry.shared.overflowed.store(true, Ordering::Relaxed);
        entry.shared.overflow.notify_one();
        tracing::warn!(worker = %inner.bundle.name, "WebSocket send buffer overflowed (the client is not reading); closing the connection");
    }
    entry.to_client = None;
    false
}

/// Answers `text` without waking the object when it is the object's automatic-response request. True when
/// answered.
fn auto_respond(inner: &IsolateInner, id: u64, text: &str) -> bool {
    let response = {
        let state = inner.state.borrow();
        let Some(h) = state
            .websockets
            .get(&id)
            .and_then(|e| e.hibernation.as_ref())
        else {
            return false;
        };
        let key = (h.object.0.clone(), h.object.1.clone());
        match state.auto_responses.get(&key) {
            Some((request, response)) if request == text => response.clone(),
            _ => return false,
        }
    };
    if push(inner, id, ToClient::Message(WsMessage::Text(response))) {
        let mut state = inner.state.borrow_mut();
        if let Some(h) = state
            .websockets
            .get_mut(&id)
            .and_then(|e| e.hibernation.as_mut())
        {
            h.auto_response_at = Some(corral_storage::clock::now_ms() as f64);
        }
    }
    true
}

/// Receives the client's events for socket `id` and delivers each by entering the isolate.
async fn receive(weak: WeakIsolate, id: u64, mut rx: mpsc::Receiver<FromClient>) {
    loop {
        let event = rx.recv().await;
        let Some(inner) = weak.upgrade() else { return };
        if let Some(FromClient::Message(WsMessage::Text(text))) = &event {
            if auto_respond(&inner, id, text) {
                continue;
            }
        }
        let (event, last) = match event {
            Some(e @ FromClient::Close { .. }) => (e, true),
            Some(e) => (e, false),
            None => (
                FromClient::Close {
                    code: 1006,
                    reason: "WebSocket disconnected without sending Close frame.".into(),
                    was_clean: false,
                },
                true,
            ),
        };
        let overflowed = {
            let mut state = inner.state.borrow_mut();
            let entry = state.websockets.get_mut(&id);
            let overflowed = entry
                .as_ref()
                .is_some_and(|e| e.shared.overflowed.load(Ordering::Relaxed));
            if let (Some(entry), true) = (entry, last) {
                entry.closing = true;
            }
            overflowed
        };
        let _ = inner.enter(|ctx| {
            let internal = inner
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            let dispatch: Function = internal.get("webSocketEvent")?;
            let id = id as f64;
            if overflowed && last {
                dispatch.call::<_, ()>((
                    id,
                    "error",
                    "WebSocket send buffer overflowed: the client is not reading fast enough.",
                ))?;
            }
            match event {
                FromClient::Message(WsMessage::Text(text)) => {
                    dispatch.call::<_, ()>((id, "message", text))
                }
                FromClient::Message(WsMessage::Binary(bytes)) => {
                    let buffer = rquickjs::ArrayBuffer::new(ctx.clone(), bytes.to_vec())?;
                    dispatch.call::<_, ()>((id, "message", buffer))
                }
                FromClient::Close {
                    code,
                    reason,
                    was_clean,
                } => dispatch.call::<_, ()>((id, "close", code, reason, was_clean)),
                FromClient::Error(message) => dispatch.call::<_, ()>((id, "error", message)),
            }
        });
        if last {
            let entry = inner.state.borrow_mut().websockets.remove(&id);
            // Dropping the entry aborts this task; it ends here anyway.
            drop(entry);
            return;
        }
    }
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    {
        let weak = weak.clone();
        host.set(
            "respondWebSocket",
            Func::from(
                move |invocation: f64, status_text: String, headers: Vec<String>| -> f64 {
                    let inner = upgrade(&weak);
                    let (to_client_tx, to_client_rx) = mpsc::channel(TO_CLIENT_FRAMES);
                    let (from_client_tx, from_client_rx) = mpsc::channel(FROM_CLIENT_EVENTS);
                    let shared = Arc::new(Shared {
                        queued_bytes: AtomicUsize::new(0),
                        overflowed: AtomicBool::new(false),
                        overflow: tokio::sync::Notify::new(),
                    });
                    let id = inner.state.borrow_mut().next_id();
                    let task = tokio::task::spawn_local(receive(weak.clone(), id, from_client_rx));
                    inner.state.borrow_mut().websockets.insert(
                        id,
                        SocketEntry {
                            to_client: Some(to_client_tx),
                            shared: shared.clone(),
                            receiver: task.abort_handle(),
                            hibernation: None,
                            closing: false,
                        },
                    );
                    let mut flat = headers.into_iter();
                    let mut pairs = Vec::new();
                    while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                        pairs.push((k, v));
                    }
                    let response = HttpResponse {
                        status: 101,
                        status_text: (!status_text.is_empty()).then_some(status_text),
                        headers: pairs,
                        body: ResponseBody::WebSocket(WebSocketConnection {
                            to_client: to_client_rx,
                            from_client: from_client_tx,
                            shared,
                        }),
                    };
                    inner.finish_response(invocation as u64, Ok(response));
                    id as f64
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsSend",
            Func::from(move |id: f64, data: Value<'js>| -> rquickjs::Result<bool> {
                let message = if let Some(s) = data.as_string() {
                    WsMessage::Text(s.to_string()?)
                } else {
                    let array = TypedArray::<u8>::from_value(data)?;
                    WsMessage::Binary(Bytes::from(bytes_of(&array)))
                };
                Ok(push(&upgrade(&weak), id as u64, ToClient::Message(message)))
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsClose",
            Func::from(move |id: f64, code: f64, reason: String| -> bool {
                let code = (code > 0.0).then_some(code as u16);
                push(&upgrade(&weak), id as u64, ToClient::Close { code, reason })
            }),
        )?;
    }
    register_forwarding(host, weak.clone())?;
    register_hibernation(host, weak)
}

/// A 101 response that came back from a Durable Object stub: the caller can only return it.
fn register_forwarding<'js>(host: &Object<'js>, weak: WeakIsolate) -> rquickjs::Result<()> {
    let weak2 = weak.clone();
    host.set(
        "respondForwardedWebSocket",
        Func::from(
            move |ctx: Ctx<'js>,
                  invocation: f64,
                  handle: f64,
                  status_text: String,
                  headers: Vec<String>|
                  -> rquickjs::Result<()> {
                let inner = upgrade(&weak2);
                let conn = inner.state.borrow_mut().forwarded.remove(&(handle as u64));
                let Some(conn) = conn else {
                    return Err(rquickjs::Exception::throw_type(
                        &ctx,
                        "Can't return WebSocket that was already used in a response.",
                    ));
                };
                let mut flat = headers.into_iter();
                let mut pairs = Vec::new();
                while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                    pairs.push((k, v));
                }
                let response = HttpResponse {
                    status: 101,
                    status_text: (!status_text.is_empty()).then_some(status_text),
                    headers: pairs,
                    body: ResponseBody::WebSocket(conn),
                };
                inner.finish_response(invocation as u64, Ok(response));
                Ok(())
            },
        ),
    )?;
    host.set(
        "wsDropForwarded",
        Func::from(move |handle: f64| {
            if let Some(inner) = weak.upgrade() {
                let conn = inner.state.borrow_mut().forwarded.remove(&(handle as u64));
                drop(conn);
            }
        }),
    )?;
    Ok(())
}

fn with_hibernation<R>(
    weak: &WeakIsolate,
    id: f64,
    f: impl FnOnce(&mut Hibernation) -> R,
) -> Option<R> {
    let inner = upgrade(weak);
    let mut state = inner.state.borrow_mut();
    state
        .websockets
        .get_mut(&(id as u64))
        .and_then(|e| e.hibernation.as_mut())
        .map(f)
}

/// The Durable Object hibernation API's host half: sockets' owning object, tags, attachments, listing, and the
/// automatic response.
fn register_hibernation<'js>(host: &Object<'js>, weak: WeakIsolate) -> rquickjs::Result<()> {
    {
        let weak = weak.clone();
        host.set(
            "wsHibernate",
            Func::from(
                move |id: f64,
                      target: Vec<Option<String>>,
                      tags: Vec<String>,
                      attachment: Opt<TypedArray<'js, u8>>| {
                    let inner = upgrade(&weak);
                    let mut state = inner.state.borrow_mut();
                    let Some(entry) = state.websockets.get_mut(&(id as u64)) else {
                        return;
                    };
                    let mut t = target.into_iter();
                    let class = t.next().flatten().unwrap_or_default();
                    let object = t.next().flatten().unwrap_or_default();
                    let name = t.next().flatten();
                    entry.hibernation = Some(Hibernation {
                        object: (class, object, name),
                        tags,
                        attachment: attachment.0.map(|a| bytes_of(&a)),
                        auto_response_at: None,
                    });
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsObject",
            Func::from(
                move |ctx: Ctx<'js>, id: f64| -> rquickjs::Result<Option<Array<'js>>> {
                    let target = with_hibernation(&weak, id, |h| h.object.clone());
                    target.map(|t| t.into_js_array(&ctx)).transpose()
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsList",
            Func::from(
                move |class: String, object: String, tag: Option<String>| -> Vec<f64> {
                    let inner = upgrade(&weak);
                    let state = inner.state.borrow();
                    let mut ids: Vec<u64> = state
                        .websockets
                        .iter()
                        .filter(|(_, e)| !e.closing)
                        .filter(|(_, e)| {
                            e.hibernation.as_ref().is_some_and(|h| {
                                h.object.0 == class
                                    && h.object.1 == object
                                    && tag.as_ref().is_none_or(|t| h.tags.contains(t))
                            })
                        })
                        .map(|(id, _)| *id)
                        .collect();
                    ids.sort_unstable();
                    ids.into_iter().map(|id| id as f64).collect()
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsTags",
            Func::from(move |id: f64| -> Vec<String> {
                with_hibernation(&weak, id, |h| h.tags.clone()).unwrap_or_default()
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsSetAttachment",
            Func::from(move |id: f64, bytes: Opt<TypedArray<'js, u8>>| {
                let bytes = bytes.0.map(|a| bytes_of(&a));
                with_hibernation(&weak, id, |h| h.attachment = bytes);
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsGetAttachment",
            Func::from(
                move |ctx: Ctx<'js>, id: f64| -> rquickjs::Result<Option<TypedArray<'js, u8>>> {
                    let bytes = with_hibernation(&weak, id, |h| h.attachment.clone()).flatten();
                    bytes
                        .map(|b| TypedArray::<u8>::new(ctx.clone(), b))
                        .transpose()
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "wsAutoResponseAt",
            Func::from(move |id: f64| -> Option<f64> {
                with_hibernation(&weak, id, |h| h.auto_response_at).flatten()
            }),
        )?;
    }
    host.set(
        "wsSetAutoResponse",
        Func::from(
            move |class: String, object: String, pair: Opt<Vec<String>>| {
                let inner = upgrade(&weak);
                let mut state = inner.state.borrow_mut();
                match pair.0 {
                    Some(p) if p.len() == 2 => {
                        let mut p = p.into_iter();
                        let pair = (p.next().unwrap_or_default(), p.next().unwrap_or_default());
                        state.auto_responses.insert((class, object), pair);
                    }
                    _ => {
                        state.auto_responses.remove(&(class, object));
                    }
                }
            },
        ),
    )?;
    Ok(())
}
