//! End-to-end tests of WebSockets in Durable Objects: sockets returned through a stub's `fetch`, the hibernation
//! API (`ctx.acceptWebSocket`, tags, attachments, `webSocketMessage/Close` handlers, automatic responses), and
//! eviction of idle objects (`CORRAL_OBJECT_IDLE_MS`) while their hibernated sockets stay open. A real `corral`
//! process and a real WebSocket client (tungstenite, sync).

mod common;

use common::{Corral, WorkerDir};
use serde_json::Value;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, WebSocket};

const CONFIG: &str = r#"
name = "rooms"
main = "src/index.js"
compatibility_date = "2025-01-01"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
"#;

const WORKER: &str = r#"
import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.boots = ((await ctx.storage.get("boots")) ?? 0) + 1;
      await ctx.storage.put("boots", this.boots);
      this.count = (await ctx.storage.get("count")) ?? 0;
    });
  }

  async fetch(request) {
    const url = new URL(request.url);
    const what = url.pathname.split("/")[3];
    if (what === "state") {
      return Response.json({
        boots: this.boots,
        count: this.count,
        sockets: this.ctx.getWebSockets().length,
        closes: (await this.ctx.storage.get("closes")) ?? [],
        errors: (await this.ctx.storage.get("errors")) ?? [],
      });
    }
    if (what === "limits") {
      const out = {};
      const attempt = (key, fn) => { try { fn(); out[key] = "no error"; } catch (e) { out[key] = `${e.name}: ${e.message}`; } };
      attempt("tooManyTags", () => this.ctx.acceptWebSocket(new WebSocketPair()[1], ["0","1","2","3","4","5","6","7","8","9","10"]));
      attempt("longTag", () => this.ctx.acceptWebSocket(new WebSocketPair()[1], ["x".repeat(257)]));
      attempt("tenTags", () => this.ctx.acceptWebSocket(new WebSocketPair()[1], ["0","1","2","3","4","5","6","7","8","9"]));
      attempt("afterAccept", () => { const s = new WebSocketPair()[1]; s.accept(); this.ctx.acceptWebSocket(s); });
      attempt("bigAttachment", () => new WebSocketPair()[1].serializeAttachment("x".repeat(3000)));
      attempt("getTagsPlain", () => this.ctx.getTags(new WebSocketPair()[1]));
      return Response.json(out);
    }
    if (request.headers.get("upgrade") !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    if (url.searchParams.get("mode") === "plain") {
      server.accept();
      server.addEventListener("message", (e) => server.send(e.data));
    } else {
      this.ctx.acceptWebSocket(server, url.searchParams.getAll("tag"));
      server.serializeAttachment({ user: url.searchParams.get("user") ?? "anon" });
      server.send("welcome " + server.deserializeAttachment().user);
    }
    return new Response(null, { status: 101, webSocket: client, headers: { "x-room": this.ctx.id.name ?? "?" } });
  }

  async webSocketMessage(ws, message) {
    if (typeof message !== "string") {
      ws.send(message);
      return;
    }
    const [cmd, arg] = message.split(" ");
    switch (cmd) {
      case "whoami":
        ws.send(JSON.stringify({ user: ws.deserializeAttachment().user, boots: this.boots, count: this.count }));
        break;
      case "rename":
        ws.serializeAttachment({ user: arg });
        ws.send("renamed");
        break;
      case "tags":
        ws.send(JSON.stringify(this.ctx.getTags(ws)));
        break;
      case "count":
        ws.send(String(this.ctx.getWebSockets(arg).length));
        break;
      case "broadcast":
        for (const other of this.ctx.getWebSockets(arg)) other.send(`from ${ws.deserializeAttachment().user}`);
        break;
      case "incr":
        this.count++;
        await this.ctx.storage.put("count", this.count);
        ws.send(String(this.count));
        break;
      case "auto":
        this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
        ws.send("auto set");
        break;
      case "auto-at":
        ws.send(String(this.ctx.getWebSocketAutoResponseTimestamp(ws) instanceof Date));
        break;
      case "close":
        ws.close(4000, "bye " + ws.deserializeAttachment().user);
        break;
      default:
        ws.send("echo " + message);
    }
  }

  async webSocketClose(ws, code, reason, wasClean) {
    const closes = (await this.ctx.storage.get("closes")) ?? [];
    closes.push({ code, reason, wasClean, user: ws.deserializeAttachment().user, state: ws.readyState });
    await this.ctx.storage.put("closes", closes);
  }

  async webSocketError(ws, error) {
    const errors = (await this.ctx.storage.get("errors")) ?? [];
    errors.push(String(error));
    await this.ctx.storage.put("errors", errors);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/ignore") {
      // A 101 from the object that this worker does not return: the object's socket is closed (1006).
      const r = await env.ROOM.getByName("ign").fetch("http://x/room/ign/ws?user=ghost", { headers: { upgrade: "websocket" } });
      let accept = "no error";
      try { r.webSocket.accept(); } catch (e) { accept = e.name; }
      return new Response(`${r.status} ${r.webSocket instanceof WebSocket} ${accept}`);
    }
    const m = url.pathname.match(/^\/room\/([^/]+)\//);
    if (m) return env.ROOM.getByName(m[1]).fetch(request);
    return new Response("not found", { status: 404 });
  },
};
"#;

type Ws = WebSocket<TcpStream>;

fn worker() -> WorkerDir {
    WorkerDir::new(&[("wrangler.toml", CONFIG), ("src/index.js", WORKER)])
}

/// Objects idle for 200 ms are evicted in every server these tests start.
fn idle_knob() {
    std::env::set_var("CORRAL_OBJECT_IDLE_MS", "200");
}

fn dev(dir: &WorkerDir, data: &std::path::Path) -> Corral {
    idle_knob();
    Corral::dev(dir.path(), &["--data-dir", data.to_str().unwrap()])
}

fn connect(server: &Corral, path: &str) -> Ws {
    let stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let url = format!("ws://{}{}", server.addr, path);
    let (ws, response) = tungstenite::client::client(url.as_str(), stream)
        .unwrap_or_else(|e| panic!("handshake with {url} failed: {e}\nlog:\n{}", server.log()));
    assert_eq!(response.status().as_u16(), 101);
    ws
}

fn read(ws: &mut Ws) -> Message {
    loop {
        match ws.read().unwrap() {
            Message::Frame(_) | Message::Pong(_) => continue,
            m => return m,
        }
    }
}

fn text(ws: &mut Ws) -> String {
    match read(ws) {
        Message::Text(t) => t.as_str().to_string(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn ask(ws: &mut Ws, message: &str) -> String {
    ws.send(Message::text(message)).unwrap();
    text(ws)
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn state(server: &Corral, room: &str) -> Value {
    let (status, body) = common::get(&server.url(&format!("/room/{room}/state")));
    assert_eq!(status, 200, "{body}\nlog:\n{}", server.log());
    json(&body)
}

fn wait_state(server: &Corral, room: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let s = state(server, room);
        if pred(&s) {
            return s;
        }
        if Instant::now() > end {
            panic!("condition not reached; state: {s}\nlog:\n{}", server.log());
        }
        std::thread::sleep(Duration::from_millis(30));
    }
}

#[test]
fn websocket_through_a_stub_echoes_text_and_binary() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = dev(&dir, data.path());
    let stream = TcpStream::connect(server.addr).unwrap();
    let url = format!("ws://{}/room/plain/ws?mode=plain", server.addr);
    let (mut ws, response) = tungstenite::client::client(url.as_str(), stream).unwrap();
    assert_eq!(response.status().as_u16(), 101);
    assert_eq!(response.headers()["x-room"], "plain");
    assert_eq!(ask(&mut ws, "hello"), "hello");
    ws.send(Message::binary(vec![1u8, 2, 3, 250])).unwrap();
    assert_eq!(read(&mut ws), Message::binary(vec![1u8, 2, 3, 250]));
    // A socket accepted with accept() keeps its object in memory past the idle time.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(ask(&mut ws, "still here"), "still here");
    assert_eq!(state(&server, "plain")["boots"], 1);

    // A WebSocket from a stub that the worker does not return is closed for the object.
    let (status, body) = common::get(&server.url("/ignore"));
    assert_eq!((status, body.as_str()), (200, "101 true TypeError"));
    let s = wait_state(&server, "ign", |s| {
        s["closes"].as_array().is_some_and(|c| !c.is_empty())
    });
    assert_eq!(s["closes"][0]["code"], 1006, "{s}");
    assert_eq!(s["closes"][0]["user"], "ghost", "{s}");

    // Hibernatable: text and binary reach webSocketMessage.
    let mut ws = connect(&server, "/room/hib/ws?user=ann");
    assert_eq!(text(&mut ws), "welcome ann");
    assert_eq!(ask(&mut ws, "hi"), "echo hi");
    ws.send(Message::binary(vec![9u8, 8, 7])).unwrap();
    assert_eq!(read(&mut ws), Message::binary(vec![9u8, 8, 7]));
}

#[test]
fn a_plain_request_to_a_websocket_route_is_426_and_limits_have_cloudflare_errors() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = dev(&dir, data.path());
    let (status, _) = common::get(&server.url("/room/x/ws"));
    assert_eq!(status, 426);
    let (status, body) = common::get(&server.url("/room/x/limits"));
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(
        v["tooManyTags"],
        "Error: a Hibernatable WebSocket cannot have more than 10 tags"
    );
    assert!(
        v["longTag"]
            .as_str()
            .unwrap()
            .contains("is longer than the max tag length (256 characters)"),
        "{v}"
    );
    assert_eq!(v["tenTags"], "no error");
    assert!(
        v["afterAccept"]
            .as_str()
            .unwrap()
            .contains("already accepted via `accept()`"),
        "{v}"
    );
    assert!(
        v["bigAttachment"]
            .as_str()
            .unwrap()
            .contains("cannot be larger than 2048 bytes"),
        "{v}"
    );
    assert!(
        v["getTagsPlain"].as_str().unwrap().starts_with("TypeError"),
        "{v}"
    );
}

#[test]
fn hibernation_handlers_get_messages_and_closes() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = dev(&dir, data.path());

    // Server-initiated close: the client sees the code and reason; the handler sees the completed handshake.
    let mut ws = connect(&server, "/room/closes/ws?user=bob");
    assert_eq!(text(&mut ws), "welcome bob");
    ws.send(Message::text("close")).unwrap();
    match read(&mut ws) {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 4000);
            assert_eq!(frame.reason.as_str(), "bye bob");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    let _ = ws.flush();

    // Client-initiated close.
    let mut ws = connect(&server, "/room/closes/ws?user=cy");
    assert_eq!(text(&mut ws), "welcome cy");
    ws.close(Some(CloseFrame {
        code: CloseCode::from(3003),
        reason: "client leaves".into(),
    }))
    .unwrap();
    while let Ok(m) = ws.read() {
        if matches!(m, Message::Close(_)) {
            break;
        }
    }

    // A dropped connection: 1006, not clean.
    let mut ws = connect(&server, "/room/closes/ws?user=dee");
    assert_eq!(text(&mut ws), "welcome dee");
    drop(ws);

    let s = wait_state(&server, "closes", |s| {
        s["closes"].as_array().is_some_and(|c| c.len() == 3)
    });
    let closes = s["closes"].as_array().unwrap();
    let find = |user: &str| {
        closes
            .iter()
            .find(|c| c["user"] == user)
            .unwrap_or_else(|| panic!("no close for {user}: {s}"))
    };
    assert_eq!(find("bob")["code"], 4000);
    assert_eq!(find("bob")["reason"], "bye bob");
    assert_eq!(find("bob")["wasClean"], true);
    assert_eq!(find("cy")["code"], 3003);
    assert_eq!(find("cy")["reason"], "client leaves");
    assert_eq!(find("cy")["wasClean"], true);
    assert_eq!(find("cy")["state"], 3);
    assert_eq!(find("dee")["code"], 1006);
    assert_eq!(find("dee")["wasClean"], false);
    assert_eq!(s["sockets"], 0, "{s}");
}

#[test]
fn tags_get_websockets_and_auto_response() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = dev(&dir, data.path());
    let mut a = connect(&server, "/room/tags/ws?user=a&tag=red&tag=all");
    assert_eq!(text(&mut a), "welcome a");
    let mut b = connect(&server, "/room/tags/ws?user=b&tag=blue&tag=all");
    assert_eq!(text(&mut b), "welcome b");
    let mut c = connect(&server, "/room/tags/ws?user=c&tag=red");
    assert_eq!(text(&mut c), "welcome c");

    assert_eq!(ask(&mut a, "tags"), r#"["red","all"]"#);
    assert_eq!(ask(&mut a, "count red"), "2");
    assert_eq!(ask(&mut a, "count all"), "2");
    assert_eq!(ask(&mut a, "count blue"), "1");
    assert_eq!(ask(&mut a, "count none"), "0");
    assert_eq!(ask(&mut a, "count"), "3");

    b.send(Message::text("broadcast red")).unwrap();
    assert_eq!(text(&mut a), "from b");
    assert_eq!(text(&mut c), "from b");

    // The automatic response answers without waking the object.
    assert_eq!(ask(&mut a, "auto"), "auto set");
    assert_eq!(ask(&mut b, "ping"), "pong");
    assert_eq!(ask(&mut b, "auto-at"), "true");
    assert_eq!(ask(&mut c, "auto-at"), "false");
}

#[test]
fn attachments_and_state_survive_eviction() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = dev(&dir, data.path());
    let mut a = connect(&server, "/room/evict/ws?user=first&tag=t");
    assert_eq!(text(&mut a), "welcome first");
    let mut b = connect(&server, "/room/evict/ws?user=second");
    assert_eq!(text(&mut b), "welcome second");
    assert_eq!(ask(&mut a, "rename zoe"), "renamed");
    assert_eq!(ask(&mut a, "incr"), "1");
    assert_eq!(ask(&mut a, "incr"), "2");
    let before = json(&ask(&mut a, "whoami"));
    assert_eq!(before["user"], "zoe");
    let boots = before["boots"].as_u64().unwrap();

    // Idle for longer than the idle time: the object is evicted; the sockets stay open.
    std::thread::sleep(Duration::from_millis(800));
    let after = json(&ask(&mut a, "whoami"));
    assert_eq!(after["user"], "zoe", "{after}");
    assert_eq!(after["count"], 2, "{after}");
    assert!(
        after["boots"].as_u64().unwrap() > boots,
        "the constructor did not run again: {after}"
    );
    // The rebuilt instance sees both sockets with their tags and attachments.
    assert_eq!(ask(&mut a, "count"), "2");
    assert_eq!(ask(&mut a, "count t"), "1");
    assert_eq!(ask(&mut a, "tags"), r#"["t"]"#);
    a.send(Message::text("broadcast")).unwrap();
    assert_eq!(text(&mut a), "from zoe");
    assert_eq!(text(&mut b), "from zoe");
    assert_eq!(json(&ask(&mut b, "whoami"))["user"], "second");
}

#[test]
fn objects_on_both_threads_serve_websockets() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    idle_knob();
    let server = Corral::serve(
        &[dir.path()],
        &[
            "--threads",
            "2",
            "--data-dir",
            data.path().to_str().unwrap(),
        ],
    );
    let connect_host = |path: &str| -> Ws {
        let stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let request = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://rooms.localhost:{}{}",
            server.addr.port(),
            path
        ))
        .unwrap();
        let (ws, response) = tungstenite::client::client(request, stream)
            .unwrap_or_else(|e| panic!("handshake failed: {e}\nlog:\n{}", server.log()));
        assert_eq!(response.status().as_u16(), 101);
        ws
    };
    // Eight rooms, two connections each (each connection lands on either thread): objects live on both threads
    // and most sockets cross threads.
    let mut sockets = Vec::new();
    for room in 0..8 {
        for user in 0..2 {
            let mut ws = connect_host(&format!("/room/r{room}/ws?user=u{room}-{user}"));
            assert_eq!(text(&mut ws), format!("welcome u{room}-{user}"));
            sockets.push((room, user, ws));
        }
    }
    for (room, user, ws) in sockets.iter_mut() {
        assert_eq!(ask(ws, "hi"), "echo hi");
        ws.send(Message::binary(vec![*room as u8, *user as u8]))
            .unwrap();
        assert_eq!(read(ws), Message::binary(vec![*room as u8, *user as u8]));
        assert_eq!(ask(ws, "count"), "2");
    }
    // After an eviction, broadcasts still reach both sockets of each room.
    std::thread::sleep(Duration::from_millis(700));
    for pair in sockets.chunks_mut(2) {
        let [(room, _, a), (_, _, b)] = pair else {
            unreachable!()
        };
        a.send(Message::text("broadcast")).unwrap();
        let expected = format!("from u{room}-0");
        assert_eq!(text(a), expected);
        assert_eq!(text(b), expected);
        assert!(json(&ask(b, "whoami"))["boots"].as_u64().unwrap() >= 2);
    }
    // Plain sockets through stubs on both threads.
    for room in 0..4 {
        let mut ws = connect_host(&format!("/room/p{room}/ws?mode=plain"));
        assert_eq!(ask(&mut ws, "plain"), "plain");
    }
}
