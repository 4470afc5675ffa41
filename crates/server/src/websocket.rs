//! The server side of worker-terminated WebSockets: completes the HTTP/1.1 upgrade for a 101 response that
//! carries a WebSocket, then pumps frames (tokio-tungstenite) between the TCP connection and the isolate's
//! socket (`corral_runtime::websocket`, which documents the channels and their bounds).

use crate::http::Body;
use base64::Engine;
use bytes::Bytes;
use corral_runtime::websocket::{FromClient, ToClient, WebSocketConnection, WsMessage};
use corral_runtime::{HttpResponse, ResponseBody};
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Largest message accepted from a client (Cloudflare's limit is 32 MiB).
const MAX_MESSAGE_BYTES: usize = 32 << 20;
/// How long a closing handshake may take before the connection is dropped (the worker then sees 1006).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);
const ABNORMAL: &str = "WebSocket disconnected without sending Close frame.";

/// A client's request to upgrade to a WebSocket, taken from the request before it goes to the worker.
pub struct Upgrade {
    key: String,
    on: hyper::upgrade::OnUpgrade,
}

impl Upgrade {
    /// `Some` when the request asks for a WebSocket (`Upgrade: websocket` and `Sec-WebSocket-Key`). The request's
    /// headers are left as they are: the worker sees `Upgrade: websocket` as a normal header.
    pub fn take<B>(req: &mut hyper::Request<B>) -> Option<Upgrade> {
        let headers = req.headers();
        let wants = headers
            .get_all(hyper::header::UPGRADE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("websocket"));
        let key = headers
            .get(hyper::header::SEC_WEBSOCKET_KEY)
            .and_then(|v| v.to_str().ok())?
            .trim()
            .to_string();
        if !wants || req.method() != hyper::Method::GET {
            return None;
        }
        Some(Upgrade {
            key,
            on: hyper::upgrade::on(req),
        })
    }
}

fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

fn text(status: u16, message: &str) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .header("upgrade", "websocket")
        .body(
            Full::new(Bytes::from(message.to_string()))
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .expect("static response")
}

/// Answers a worker's 101 response: completes the upgrade and starts the pump, or, when the request was not a
/// WebSocket upgrade, fails the worker's socket and answers 426.
pub fn respond(
    response: HttpResponse,
    upgrade: Option<Upgrade>,
    worker: &str,
) -> hyper::Response<Body> {
    let ResponseBody::WebSocket(conn) = response.body else {
        unreachable!("respond is only called for WebSocket responses")
    };
    let Some(upgrade) = upgrade else {
        let message = "The worker returned a 101 response with a WebSocket, but the request was not a \
                       WebSocket upgrade (it has no `Upgrade: websocket` and `Sec-WebSocket-Key` headers).";
        tracing::error!(worker, "{message}");
        conn.fail(message);
        return text(
            426,
            "Upgrade Required: this URL answers WebSocket requests only (send `Upgrade: websocket`).\n",
        );
    };
    let mut builder = hyper::Response::builder().status(101);
    for (k, v) in &response.headers {
        let skip = [
            "connection",
            "upgrade",
            "sec-websocket-accept",
            "content-length",
            "transfer-encoding",
        ];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            builder = builder.header(k.as_str(), v.as_str());
        }
    }
    let builder = builder
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-accept", accept_key(&upgrade.key));
    let worker = worker.to_string();
    tokio::task::spawn_local(async move {
        match upgrade.on.await {
            Ok(upgraded) => {
                let config = WebSocketConfig::default()
                    .max_message_size(Some(MAX_MESSAGE_BYTES))
                    .max_frame_size(Some(MAX_MESSAGE_BYTES));
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                pump(ws, conn).await;
            }
            Err(e) => {
                tracing::debug!(worker, "WebSocket upgrade failed: {e}");
                conn.fail(&format!("The WebSocket upgrade failed: {e}"));
            }
        }
    });
    builder
        .body(
            http_body_util::Empty::new()
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .unwrap_or_else(|e| {
            tracing::error!("worker returned an invalid WebSocket response: {e}");
            text(500, "Worker returned an invalid response.\n")
        })
}

fn abnormal() -> FromClient {
    FromClient::Close {
        code: 1006,
        reason: ABNORMAL.into(),
        was_clean: false,
    }
}

/// Moves frames both ways until the socket is closed (by either side) or the connection drops.
async fn pump<S>(mut ws: WebSocketStream<S>, mut conn: WebSocketConnection)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut closing: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    conn.deliver(FromClient::Message(WsMessage::Text(text.as_str().to_string()))).await;
                }
                Some(Ok(Message::Binary(bytes))) => {
                    conn.deliver(FromClient::Message(WsMessage::Binary(bytes))).await;
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.as_str().to_string()))
                        .unwrap_or((1005, String::new()));
                    conn.deliver(FromClient::Close { code, reason, was_clean: true }).await;
                    // tungstenite queued the reply to a client's close; reading on flushes it and sees the end.
                    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
                        while let Some(Ok(_)) = ws.next().await {}
                    })
                    .await;
                    return;
                }
                // Pings are answered by tungstenite; pongs and raw frames need nothing.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    conn.deliver(abnormal()).await;
                    return;
                }
            },
            frame = conn.recv(), if closing.is_none() => match frame {
                Some(ToClient::Message(message)) => {
                    let message = match message {
                        WsMessage::Text(text) => Message::text(text),
                        WsMessage::Binary(bytes) => Message::binary(bytes),
                    };
                    let sent = tokio::select! {
                        r = ws.send(message) => r.is_ok(),
                        _ = conn.overflow() => false,
                    };
                    if !sent {
                        conn.deliver(abnormal()).await;
                        return;
                    }
                }
                Some(ToClient::Close { code, reason }) => {
                    let frame = code.map(|c| CloseFrame { code: CloseCode::from(c), reason: reason.into() });
                    if ws.send(Message::Close(frame)).await.is_err() {
                        conn.deliver(abnormal()).await;
                        return;
                    }
                    closing = Some(Box::pin(tokio::time::sleep(CLOSE_TIMEOUT)));
                }
                None => {
                    // The worker side is gone: its queue overflowed, or its isolate was dropped.
                    let (code, reason) = if conn.overflowed() {
                        (1008, "The server's send buffer for this client overflowed.")
                    } else {
                        (1011, "The worker went away.")
                    };
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.send(Message::Close(Some(frame)))).await;
                    conn.deliver(abnormal()).await;
                    return;
                }
            },
            _ = async { closing.as_mut().expect("armed").await }, if closing.is_some() => {
                conn.deliver(abnormal()).await;
                return;
            }
        }
    }
}
