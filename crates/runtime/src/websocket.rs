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
//! Durable Objects hibernation will plug in here: the entry's receive task is the only place that decides
//! *where* an event goes (today `internal.webSocketEvent`, which dispatches to the `WebSocket`'s listeners).
//! A hibernatable socket would be accepted through `state.acceptWebSocket(ws)`; its [`WebSocketConnection`]
//! side and this entry's sender would move from the isolate to the object's long-lived actor record (outside
//! any isolate), and the receive task would, per event, get-or-create the object's isolate and call the
//! object's `webSocketMessage/Close/Error` handlers with a fresh JS `WebSocket` wrapper for the same id. Because
//! the JS side only ever refers to a socket by id, dropping the JS objects (or the whole isolate) does not close
//! the TCP connection as long as the entry is kept elsewhere.

use crate::host::bytes_of;
use crate::isolate::{HttpResponse, IsolateInner, ResponseBody, WeakIsolate};
use bytes::Bytes;
use rquickjs::function::Func;
use rquickjs::{Ctx, Function, Object, TypedArray, Value};
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
}

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

/// Receives the client's events for socket `id` and delivers each by entering the isolate.
async fn receive(weak: WeakIsolate, id: u64, mut rx: mpsc::Receiver<FromClient>) {
    loop {
        let event = rx.recv().await;
        let Some(inner) = weak.upgrade() else { return };
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
        let overflowed = inner
            .state
            .borrow()
            .websockets
            .get(&id)
            .is_some_and(|e| e.shared.overflowed.load(Ordering::Relaxed));
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
    host.set(
        "wsClose",
        Func::from(move |id: f64, code: f64, reason: String| -> bool {
            let code = (code > 0.0).then_some(code as u16);
            push(&upgrade(&weak), id as u64, ToClient::Close { code, reason })
        }),
    )?;
    Ok(())
}
