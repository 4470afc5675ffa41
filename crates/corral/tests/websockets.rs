//! End-to-end WebSocket tests: a real `corral dev` process, a real WebSocket client (tungstenite, sync) on a
//! real TCP connection. The worker below echoes, closes on request, and records the events it saw; `/stats`
//! shows them (corral dev runs one isolate, so module state is shared by all requests).

mod common;

use common::{client, get, Corral, WorkerDir};
use serde_json::Value;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, WebSocket};

const WORKER_JS: &str = r#"
const closes = [];
const errors = [];
let opened = 0;
let lastUpgrade = null;

function socket(request, onMessage) {
  lastUpgrade = request.headers.get("upgrade");
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  opened++;
  server.addEventListener("message", (e) => onMessage(server, e));
  server.addEventListener("close", (e) => closes.push({ code: e.code, reason: e.reason, wasClean: e.wasClean }));
  server.addEventListener("error", (e) => errors.push(e.message));
  return { client, server };
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/echo": {
        const { client } = socket(request, (ws, e) => {
          if (e.data === "close-me") ws.close(4001, "server says bye");
          else if (e.data === "flood") {
            const chunk = new Uint8Array(1 << 20);
            for (let i = 0; i < 64; i++) ws.send(chunk);
          }
          else ws.send(e.data);
        });
        return new Response(null, { status: 101, webSocket: client, headers: { "x-socket": "yes" } });
      }
      case "/greet": {
        const { client, server } = socket(request, () => {});
        server.send("welcome");
        server.send(new Uint8Array([7, 8, 9]));
        server.close(1000, "that is all");
        return new Response(null, { status: 101, webSocket: client });
      }
      case "/bad-return": {
        const [client] = Object.values(new WebSocketPair());
        client.accept();
        return new Response(null, { status: 101, webSocket: client });
      }
      case "/stats":
        return Response.json({ opened, closes, errors, lastUpgrade });
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
"#;

type Ws = WebSocket<TcpStream>;

fn worker() -> (WorkerDir, Corral) {
    let dir = WorkerDir::script("sockets", WORKER_JS);
    let server = Corral::dev(dir.path(), &[]);
    (dir, server)
}

fn connect(server: &Corral, path: &str) -> Ws {
    let stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let url = format!("ws://{}{}", server.addr, path);
    let (ws, response) = tungstenite::client::client(url.as_str(), stream)
        .unwrap_or_else(|e| panic!("handshake with {url} failed: {e}"));
    assert_eq!(response.status().as_u16(), 101);
    ws
}

fn stats(server: &Corral) -> Value {
    let (status, body) = get(&server.url("/stats"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Polls `/stats` until `pred` holds (or fails with the last stats).
fn wait_stats(server: &Corral, pred: impl Fn(&Value) -> bool) -> Value {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let s = stats(server);
        if pred(&s) {
            return s;
        }
        if Instant::now() > end {
            panic!("condition not reached; stats: {s}\nlog:\n{}", server.log());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read(ws: &mut Ws) -> Message {
    loop {
        match ws.read().unwrap() {
            Message::Frame(_) => continue,
            m => return m,
        }
    }
}

fn has_close(s: &Value, code: u64, clean: bool) -> bool {
    s["closes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == code && c["wasClean"] == clean)
}

#[test]
fn echo_text_binary_and_ping() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    ws.send(Message::text("hello")).unwrap();
    assert_eq!(read(&mut ws), Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255])).unwrap();
    assert_eq!(read(&mut ws), Message::binary(vec![0u8, 1, 2, 255]));
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .unwrap();
    assert_eq!(
        read(&mut ws),
        Message::Pong(b"are you there".to_vec().into())
    );
    ws.send(Message::text("ünïcödé ✓")).unwrap();
    assert_eq!(read(&mut ws), Message::text("ünïcödé ✓"));
    let s = stats(&server);
    assert_eq!(s["lastUpgrade"], "websocket", "{s}");
    assert_eq!(s["opened"], 1);
}

#[test]
fn response_headers_and_messages_sent_before_the_response() {
    let (_dir, server) = worker();
    let stream = TcpStream::connect(server.addr).unwrap();
    let url = format!("ws://{}/echo", server.addr);
    let (_ws, response) = tungstenite::client::client(url.as_str(), stream).unwrap();
    assert_eq!(response.headers()["x-socket"], "yes");

    let mut ws = connect(&server, "/greet");
    assert_eq!(read(&mut ws), Message::text("welcome"));
    assert_eq!(read(&mut ws), Message::binary(vec![7u8, 8, 9]));
    match read(&mut ws) {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1000);
            assert_eq!(frame.reason.as_str(), "that is all");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[test]
fn server_initiated_close_with_code_and_reason() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    ws.send(Message::text("close-me")).unwrap();
    match read(&mut ws) {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 4001);
            assert_eq!(frame.reason.as_str(), "server says bye");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // tungstenite answered the close; the worker's close event reports the completed handshake.
    let _ = ws.flush();
    let s = wait_stats(&server, |s| has_close(s, 4001, true));
    assert_eq!(s["closes"][0]["reason"], "server says bye", "{s}");
}

#[test]
fn client_close_delivers_close_event_to_the_worker() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    ws.send(Message::text("ping")).unwrap();
    assert_eq!(read(&mut ws), Message::text("ping"));
    ws.close(Some(CloseFrame {
        code: CloseCode::from(3001),
        reason: "client bye".into(),
    }))
    .unwrap();
    // The server answers the close.
    loop {
        match ws.read() {
            Ok(Message::Close(frame)) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(3001));
            }
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let s = wait_stats(&server, |s| has_close(s, 3001, true));
    assert_eq!(s["closes"][0]["reason"], "client bye", "{s}");
}

#[test]
fn vanished_client_is_close_1006_not_clean() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    ws.send(Message::text("x")).unwrap();
    assert_eq!(read(&mut ws), Message::text("x"));
    ws.get_ref().shutdown(std::net::Shutdown::Both).unwrap();
    drop(ws);
    let s = wait_stats(&server, |s| has_close(s, 1006, false));
    assert_eq!(s["closes"].as_array().unwrap().len(), 1, "{s}");
}

#[test]
fn websocket_response_without_upgrade_request() {
    let (_dir, server) = worker();
    let r = client().get(server.url("/echo")).send().unwrap();
    assert_eq!(r.status().as_u16(), 426);
    let text = r.text().unwrap();
    assert!(text.contains("Upgrade: websocket"), "{text}");
    let s = wait_stats(&server, |s| has_close(s, 1006, false));
    let errors = s["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("the request was not a WebSocket upgrade")),
        "{s}"
    );
    assert!(server.log().contains("not a WebSocket upgrade"));
    // A plain request to the same worker still works.
    assert_eq!(get(&server.url("/stats")).0, 200);
}

#[test]
fn returning_an_accepted_websocket_is_an_error() {
    let (_dir, server) = worker();
    let r = client().get(server.url("/bad-return")).send().unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(
        server.wait_for_log(
            "Can't return WebSocket in a Response after calling accept().",
            Duration::from_secs(5)
        ),
        "{}",
        server.log()
    );
}

#[test]
fn fifty_concurrent_sockets() {
    let (_dir, server) = worker();
    let mut sockets: Vec<Ws> = (0..50).map(|_| connect(&server, "/echo")).collect();
    for (i, ws) in sockets.iter_mut().enumerate() {
        ws.send(Message::text(format!("socket {i}"))).unwrap();
    }
    for (i, ws) in sockets.iter_mut().enumerate() {
        assert_eq!(read(ws), Message::text(format!("socket {i}")));
    }
    assert_eq!(stats(&server)["opened"], 50);
    // Threads talking at once, too.
    let addr = server.addr;
    let handles: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, mut ws)| {
            std::thread::spawn(move || {
                for j in 0..20 {
                    let text = format!("{i}/{j}");
                    ws.send(Message::text(text.clone())).unwrap();
                    assert_eq!(read(&mut ws), Message::text(text));
                }
                ws.close(None).unwrap();
                while ws.read().is_ok() {}
                let _ = addr;
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    wait_stats(&server, |s| s["closes"].as_array().unwrap().len() == 50);
}

#[test]
fn one_mebibyte_messages() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    let big: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    ws.send(Message::binary(big.clone())).unwrap();
    match read(&mut ws) {
        Message::Binary(b) => assert!(b[..] == big[..], "binary echo differs"),
        other => panic!("{other:?}"),
    }
    let text = "abcdefghij".repeat(1 << 17);
    ws.send(Message::text(text.clone())).unwrap();
    match read(&mut ws) {
        Message::Text(t) => assert_eq!(t.len(), text.len()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn open_socket_survives_a_reload() {
    let (dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    ws.send(Message::text("before")).unwrap();
    assert_eq!(read(&mut ws), Message::text("before"));
    dir.write(
        "src/index.js",
        &WORKER_JS.replace("else ws.send(e.data);", "else ws.send(`v2 ${e.data}`);"),
    );
    assert!(
        server.wait_for_log("reloaded", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    // New connections get the new version; the open one keeps its isolate.
    let mut fresh = connect(&server, "/echo");
    fresh.send(Message::text("new")).unwrap();
    assert_eq!(read(&mut fresh), Message::text("v2 new"));
    ws.send(Message::text("after")).unwrap();
    assert_eq!(read(&mut ws), Message::text("after"));
}

#[test]
fn worker_outpacing_the_client_is_disconnected_not_buffered() {
    let (_dir, server) = worker();
    let mut ws = connect(&server, "/echo");
    // 64 MiB in one go is over the 16 MiB queue bound: the socket is failed instead of buffering it all.
    ws.send(Message::text("flood")).unwrap();
    let s = wait_stats(&server, |s| has_close(s, 1006, false));
    let errors = s["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap().contains("send buffer overflowed")),
        "{s}"
    );
    assert!(server.log().contains("WebSocket send buffer overflowed"));
    // The client sees at most the frames that were queued, then the end of the connection.
    let mut frames = 0;
    loop {
        match ws.read() {
            Ok(Message::Binary(_)) => frames += 1,
            Ok(Message::Close(frame)) => {
                if let Some(f) = frame {
                    assert_eq!(u16::from(f.code), 1008);
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(frames < 64, "{frames} frames");
    // The worker and server are fine afterwards.
    let mut again = connect(&server, "/echo");
    again.send(Message::text("still here")).unwrap();
    assert_eq!(read(&mut again), Message::text("still here"));
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

#[test]
fn websocket_echo_example() {
    let server = Corral::dev(&example("websocket-echo"), &[]);
    let (status, page) = get(&server.url("/"));
    assert_eq!(status, 200);
    assert!(page.contains("new WebSocket(url)"), "{page}");
    let (status, _) = get(&server.url("/ws"));
    assert_eq!(status, 426);
    let mut ws = connect(&server, "/ws");
    ws.send(Message::text("hi")).unwrap();
    assert_eq!(read(&mut ws), Message::text("echo: hi"));
    ws.send(Message::binary(vec![1u8, 2, 3])).unwrap();
    assert_eq!(read(&mut ws), Message::binary(vec![1u8, 2, 3]));
    ws.send(Message::text("/close")).unwrap();
    match read(&mut ws) {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1000),
        other => panic!("{other:?}"),
    }
    // Sends tungstenite's reply to the close; the worker's close event follows.
    let _ = ws.flush();
    assert!(server.wait_for_log("socket closed: 1000", Duration::from_secs(5)));
}
