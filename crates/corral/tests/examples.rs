//! The examples in `examples/` run under `corral dev` and answer their documented routes.

mod common;

use common::{client, get, Corral};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Status, headers (lower-cased names) and parsed JSON body.
fn send(req: reqwest::blocking::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, headers, body)
}

#[test]
fn hello_example() {
    let server = Corral::dev(&example("hello"), &[]);
    assert!(
        server.ready_line.contains("hello ready"),
        "{}",
        server.ready_line
    );
    let (status, body) = get(&server.url("/some/path?name=corral"));
    assert_eq!(status, 200);
    assert_eq!(body, "Hello, corral! You asked for /some/path\n");
    let (status, body) = get(&server.url("/"));
    assert_eq!(
        (status, body.as_str()),
        (200, "Hello, world! You asked for /\n")
    );
}

#[test]
fn json_api_example() {
    let server = Corral::dev(&example("json-api"), &[]);
    let c = client();
    let todos = server.url("/todos");

    let (status, _, body) = send(c.get(server.url("/")));
    assert_eq!(status, 200);
    assert!(body["routes"].as_array().unwrap().len() >= 4, "{body}");

    let (status, _, body) = send(c.get(&todos));
    assert_eq!((status, body), (200, json!({"todos": [], "count": 0})));

    let (status, headers, created) = send(
        c.post(&todos)
            .header("content-type", "application/json")
            .body(r#"{"title":"  buy milk  "}"#),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(created["title"], "buy milk");
    assert_eq!(created["done"], false);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(headers["location"], format!("/todos/{id}").as_str());

    let (status, _, second) = send(
        c.post(&todos)
            .header("content-type", "application/json")
            .body(r#"{"title":"write tests","done":true}"#),
    );
    assert_eq!(status, 201);
    assert_ne!(second["id"], created["id"]);

    let (status, _, body) = send(c.get(server.url(&format!("/todos/{id}"))));
    assert_eq!((status, &body), (200, &created));

    let (status, _, body) = send(c.get(&todos));
    assert_eq!(status, 200);
    assert_eq!(body["count"], 2);
    let (_, _, body) = send(c.get(server.url("/todos?done=true")));
    assert_eq!(body["count"], 1);
    assert_eq!(body["todos"][0]["title"], "write tests");

    let (status, _, body) = send(
        c.patch(server.url(&format!("/todos/{id}")))
            .header("content-type", "application/json")
            .body(r#"{"done":true}"#),
    );
    assert_eq!(status, 200);
    assert_eq!(body["done"], true);
    assert_eq!(body["title"], "buy milk");

    // Validation: 400 with the problems listed.
    for bad in [
        r#"{"title":""}"#,
        r#"{"title":42}"#,
        r#"{"done":true}"#,
        r#"{"title":"x","done":"yes"}"#,
        r#"{"title":"x","extra":1}"#,
        r#"["not","an","object"]"#,
    ] {
        let (status, _, body) = send(
            c.post(&todos)
                .header("content-type", "application/json")
                .body(bad),
        );
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["status"], 400, "{body}");
    }
    let (status, _, body) = send(
        c.post(&todos)
            .header("content-type", "application/json")
            .body("{oops"),
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "The body is not valid JSON.");
    let (status, _, body) = send(c.post(&todos).body("title=x"));
    assert_eq!(status, 415, "{body}");

    // Unknown paths and ids are 404, wrong methods 405 with Allow; all JSON.
    let (status, headers, body) = send(c.get(server.url("/todos/999")));
    assert_eq!(status, 404);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body["error"]["status"], 404);
    let (status, _, body) = send(c.get(server.url("/nowhere")));
    assert_eq!((status, &body["error"]["status"]), (404, &json!(404)));
    let (status, headers, body) = send(c.put(&todos));
    assert_eq!(status, 405, "{body}");
    assert_eq!(headers["allow"], "GET, POST");
    assert_eq!(body["error"]["status"], 405);

    let (status, _, body) = send(c.delete(server.url(&format!("/todos/{id}"))));
    assert_eq!((status, body), (204, Value::Null));
    let (status, _, _) = send(c.get(server.url(&format!("/todos/{id}"))));
    assert_eq!(status, 404);
    let (status, _, _) = send(c.delete(server.url(&format!("/todos/{id}"))));
    assert_eq!(status, 404);
    let (_, _, body) = send(c.get(&todos));
    assert_eq!(body["count"], 1);
}

/// GETs `path` over a raw socket and returns the de-chunked body with the time each piece arrived.
fn read_streamed(server: &Corral, path: &str) -> (String, String, Vec<(Instant, String)>) {
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let mut pieces = Vec::new();
    let mut tmp = [0u8; 4096];
    loop {
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                raw.extend_from_slice(&tmp[..n]);
                pieces.push((Instant::now(), raw.len()));
            }
        }
    }
    let text = String::from_utf8(raw).unwrap();
    let head_end = text.find("\r\n\r\n").expect(&text) + 4;
    let head = text[..head_end].to_string();
    assert!(
        head.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    // De-chunk, remembering when each chunk's bytes had arrived.
    let mut body = String::new();
    let mut chunks = Vec::new();
    let mut at = head_end;
    loop {
        let nl = at + text[at..].find("\r\n").expect("chunk size line");
        let size = usize::from_str_radix(text[at..nl].trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        let data = &text[nl + 2..nl + 2 + size];
        let end = nl + 2 + size;
        let when = pieces.iter().find(|(_, len)| *len >= end).unwrap().0;
        body.push_str(data);
        chunks.push((when, data.to_string()));
        at = end + 2;
    }
    (head, body, chunks)
}

#[test]
fn streaming_example() {
    let server = Corral::dev(&example("streaming"), &[]);
    let (status, body) = get(&server.url("/"));
    assert_eq!(status, 200);
    assert!(
        body.contains("/count") && body.contains("/events"),
        "{body}"
    );

    let (head, body, chunks) = read_streamed(&server, "/count?n=4&delay=250");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "1\n2\n3\n4\n");
    let first = chunks.iter().find(|(_, d)| d.contains("1\n")).unwrap().0;
    let last = chunks.iter().find(|(_, d)| d.contains("4\n")).unwrap().0;
    assert!(
        last - first >= Duration::from_millis(600),
        "the count was not streamed: {:?}",
        chunks
            .iter()
            .map(|(t, d)| (*t - first, d))
            .collect::<Vec<_>>()
    );

    let (head, body, chunks) = read_streamed(&server, "/events?n=3&delay=250");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    let events: Vec<&str> = body.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 4, "{body}");
    for (i, event) in events[..3].iter().enumerate() {
        assert!(event.starts_with("event: tick\ndata: {"), "{event}");
        let data: Value = serde_json::from_str(event.split("data: ").nth(1).unwrap()).unwrap();
        assert_eq!(data["n"], i + 1);
    }
    assert_eq!(events[3], "event: done\ndata: {\"total\":3}");
    let first = chunks[0].0;
    let last = chunks.last().unwrap().0;
    assert!(last - first >= Duration::from_millis(400), "{body}");

    let r = client()
        .post(server.url("/upper"))
        .body("hello, streams")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().unwrap(), "HELLO, STREAMS");
    let big = "all work and no play\n".repeat(50_000);
    let r = client()
        .post(server.url("/upper"))
        .body(big.clone())
        .send()
        .unwrap();
    assert!(r.text().unwrap() == big.to_uppercase());

    let r = client().get(server.url("/upper")).send().unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn counter_example() {
    let data = tempfile::tempdir().unwrap();
    let args = ["--data-dir", data.path().to_str().unwrap()];
    let c = client();
    {
        let server = Corral::dev(&example("counter"), &args);
        let (status, _, body) = send(c.post(server.url("/visits/increment")));
        assert_eq!((status, body), (200, json!({"name": "visits", "value": 1})));
        let (_, _, body) = send(c.post(server.url("/visits/increment?by=5")));
        assert_eq!(body["value"], 6);
        let (_, _, body) = send(c.post(server.url("/other/increment")));
        assert_eq!(body["value"], 1);
        let (status, _, body) = send(c.post(server.url("/visits/increment?by=x")));
        assert_eq!(status, 400, "{body}");
    }
    // Killed and restarted on the same data directory: the counts are still there.
    let server = Corral::dev(&example("counter"), &args);
    let (_, _, body) = send(c.get(server.url("/visits")));
    assert_eq!(body, json!({"name": "visits", "value": 6}));
    let (_, _, body) = send(c.post(server.url("/visits/reset")));
    assert_eq!(body["value"], 0);
}

#[test]
fn chat_room_example() {
    type Ws = tungstenite::WebSocket<TcpStream>;
    let data = tempfile::tempdir().unwrap();
    let server = Corral::dev(
        &example("chat-room"),
        &["--data-dir", data.path().to_str().unwrap()],
    );
    let (status, page) = get(&server.url("/"));
    assert_eq!(status, 200);
    assert!(page.contains("/ws"), "{page}");
    let (status, _) = get(&server.url("/room/lobby/ws"));
    assert_eq!(status, 426);
    let join = |name: &str| -> Ws {
        let stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let url = format!("ws://{}/room/lobby/ws?name={name}", server.addr);
        tungstenite::client::client(url.as_str(), stream)
            .unwrap_or_else(|e| panic!("{e}\nlog:\n{}", server.log()))
            .0
    };
    let next = |ws: &mut Ws| -> Value {
        loop {
            match ws.read().unwrap() {
                tungstenite::Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                tungstenite::Message::Close(f) => panic!("closed: {f:?}"),
                _ => continue,
            }
        }
    };
    let mut ann = join("ann");
    assert_eq!(next(&mut ann), json!({"type": "history", "messages": []}));
    assert_eq!(next(&mut ann), json!({"type": "joined", "name": "ann"}));
    let mut bob = join("bob");
    assert_eq!(next(&mut bob)["type"], "history");
    assert_eq!(next(&mut bob), json!({"type": "joined", "name": "bob"}));
    assert_eq!(next(&mut ann), json!({"type": "joined", "name": "bob"}));

    ann.send(tungstenite::Message::text("hello bob")).unwrap();
    for ws in [&mut ann, &mut bob] {
        let m = next(ws);
        assert_eq!(
            (m["type"].as_str(), m["name"].as_str(), m["text"].as_str()),
            (Some("message"), Some("ann"), Some("hello bob")),
            "{m}"
        );
    }
    bob.close(None).unwrap();
    assert_eq!(next(&mut ann), json!({"type": "left", "name": "bob"}));

    // A late joiner gets the history.
    let mut cy = join("cy");
    let history = next(&mut cy);
    assert_eq!(history["messages"][0]["text"], "hello bob", "{history}");
}

/// Polls `path` until `done(status, body)` holds (or 20 s pass); returns the last answer.
fn poll(server: &Corral, path: &str, done: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, body) = send(client().get(server.url(path)));
        if done(status, &body) || Instant::now() > end {
            return (status, body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn queue_payments_example() {
    let data = tempfile::tempdir().unwrap();
    let args = ["--data-dir", data.path().to_str().unwrap()];
    let c = client();
    {
        let server = Corral::dev(&example("queue-payments"), &args);
        let pay = |body: Value| {
            send(
                c.post(server.url("/payments"))
                    .header("content-type", "application/json")
                    .body(body.to_string()),
            )
        };
        // p-1's first delivery charges it and then throws: the batch is delivered again. p-1 is also submitted
        // twice (two messages for one payment).
        let (status, _, body) =
            pay(json!({"paymentId": "p-1", "amount": 1250, "simulateCrash": true}));
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["status"], "queued");
        assert_eq!(pay(json!({"paymentId": "p-1", "amount": 1250})).0, 202);
        assert_eq!(pay(json!({"paymentId": "p-2", "amount": 500})).0, 202);
        assert_eq!(pay(json!({"paymentId": "p-3", "amount": -5})).0, 400);
        let (status, _, _) = send(c.post(server.url("/payments")).body("{oops"));
        assert_eq!(status, 400);

        let (_, p1) = poll(&server, "/payments/p-1", |_, b| {
            b["status"] == "charged" && b["deliveries"].as_u64().unwrap_or(0) >= 3
        });
        assert_eq!(p1["status"], "charged", "{p1}\n{}", server.log());
        // Delivered at least three times (the crashed attempt, its redelivery, the duplicate submission), by two
        // distinct messages; charged once.
        assert!(p1["deliveries"].as_u64().unwrap() >= 3, "{p1}");
        assert_eq!(p1["messages"].as_array().unwrap().len(), 2, "{p1}");
        let (_, p2) = poll(&server, "/payments/p-2", |_, b| b["status"] == "charged");
        assert_eq!(p2["status"], "charged", "{p2}");
        assert!(server.log().contains("simulated crash after charging p-1"));
        // Everything acked: nothing left to deliver, and the ledger counts each payment once.
        let (_, metrics) = get(&server.url("/cdn-cgi/corral/metrics"));
        assert!(
            metrics.contains("corral_queue_depth{queue=\"payments\"} 0"),
            "{metrics}"
        );
        let (_, _, ledger) = send(c.get(server.url("/ledger")));
        assert_eq!(ledger, json!({"total": 1750, "charged": 2}));
        let (status, _, _) = send(c.get(server.url("/payments/nope")));
        assert_eq!(status, 404);
    }
    // Restarted on the same data directory: no message is delivered again, the ledger is unchanged.
    let server = Corral::dev(&example("queue-payments"), &args);
    std::thread::sleep(Duration::from_millis(1500));
    let (_, _, ledger) = send(c.get(server.url("/ledger")));
    assert_eq!(ledger, json!({"total": 1750, "charged": 2}));
}

#[test]
fn queue_pipeline_example() {
    let data = tempfile::tempdir().unwrap();
    let server = Corral::dev(
        &example("queue-pipeline"),
        &["--data-dir", data.path().to_str().unwrap()],
    );
    let c = client();
    let job = |text: &str| -> String {
        let (status, _, body) = send(c.post(server.url("/jobs")).body(text.to_string()));
        assert_eq!(status, 202, "{body}");
        body["id"].as_str().unwrap().to_string()
    };
    let first = job("  Hello,\n\n   queued   world  ");
    let poison = job("bad\u{1}input");
    let more: Vec<String> = (0..12).map(|i| job(&format!("job  number {i}"))).collect();

    let (status, body) = poll(&server, &format!("/results/{first}"), |s, _| s == 200);
    assert_eq!(status, 200, "{body}\n{}", server.log());
    assert_eq!(body["status"], "done");
    assert_eq!(body["normalized"], "Hello, queued world");
    assert_eq!(body["words"], 3);
    for (i, id) in more.iter().enumerate() {
        let (status, body) = poll(&server, &format!("/results/{id}"), |s, _| s == 200);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["normalized"], format!("job number {i}"));
    }
    // The poison message: delivered 3 times (max_retries = 2), then dead-lettered and recorded as failed.
    let (status, body) = poll(&server, &format!("/results/{poison}"), |s, _| s == 422);
    assert_eq!((status, &body["status"]), (422, &json!("failed")), "{body}");
    let (_, metrics) = get(&server.url("/cdn-cgi/corral/metrics"));
    assert!(
        metrics.contains("corral_queue_dead_lettered_total{queue=\"ingest\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("corral_queue_retried_total{queue=\"ingest\"} 2"));
    assert!(metrics.contains("corral_queue_acked_total{queue=\"results\"} 13"));
    let (status, _, _) = send(c.get(server.url("/results/nope")));
    assert_eq!(status, 404);
}
