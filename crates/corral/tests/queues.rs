//! Queues through the real binary: batching by size and by time, ack/retry precedence, retry delays, the
//! dead-letter queue, back-pressure, the `corral queues` command, metrics, and at-least-once delivery across a
//! `kill -9` in the middle of a batch.

mod common;

use common::{Corral, WorkerDir};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A worker that produces to `jobs` and consumes `jobs` and `jobs-dlq`, recording every delivery in KV
/// (`delivery/<queue>/<body.n>/<attempts>`) and each batch's size (`batch/<queue>/<seq>`).
const WORKER: &str = r#"
let batches = 0;
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/send") {
      const n = Number(url.searchParams.get("n"));
      const opts = {};
      if (url.searchParams.has("delay")) opts.delaySeconds = Number(url.searchParams.get("delay"));
      try { await env.JOBS.send({ n, mode: url.searchParams.get("mode") ?? "ok" }, opts); }
      catch (e) { return new Response(`${e.name}: ${e.message}`, { status: 503 }); }
      return new Response("sent");
    }
    if (url.pathname === "/send-many") {
      const from = Number(url.searchParams.get("from") ?? 0);
      const count = Number(url.searchParams.get("count"));
      const mode = url.searchParams.get("mode") ?? "ok";
      const all = Array.from({ length: count }, (_, i) => ({ body: { n: from + i, mode } }));
      for (let i = 0; i < all.length; i += 100) await env.JOBS.sendBatch(all.slice(i, i + 100));
      return new Response("sent");
    }
    if (url.pathname === "/limits") {
      const out = {};
      const attempt = async (name, fn) => { try { await fn(); out[name] = "ok"; } catch (e) { out[name] = `${e.name}: ${e.message}`; } };
      await attempt("big", () => env.JOBS.send("x".repeat(130000), { contentType: "text" }));
      await attempt("delay", () => env.JOBS.send(1, { delaySeconds: 43201 }));
      await attempt("type", () => env.JOBS.send(1, { contentType: "xml" }));
      await attempt("text", () => env.JOBS.send(1, { contentType: "text" }));
      await attempt("batch101", () => env.JOBS.sendBatch(Array.from({ length: 101 }, () => ({ body: 1 }))));
      await attempt("batchBytes", () => env.JOBS.sendBatch(Array.from({ length: 3 }, () => ({ body: "y".repeat(100000), contentType: "text" }))));
      await attempt("fn", () => env.JOBS.send(() => 1, { contentType: "v8" }));
      return Response.json(out);
    }
    if (url.pathname === "/batches") {
      const page = await env.STATE.list({ prefix: `batch/${url.searchParams.get("queue")}/` });
      const sizes = [];
      for (const k of page.keys) sizes.push(Number(await env.STATE.get(k.name)));
      return Response.json(sizes);
    }
    if (url.pathname === "/deliveries") {
      const out = [];
      let cursor;
      do {
        const page = await env.STATE.list({ prefix: url.searchParams.get("prefix") ?? "delivery/", cursor });
        out.push(...page.keys.map((k) => k.name));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return Response.json(out);
    }
    return new Response("not found", { status: 404 });
  },
  async queue(batch, env) {
    const seq = batches++;
    await env.STATE.put(`batch/${batch.queue}/${String(seq).padStart(4, "0")}`, String(batch.messages.length));
    let fail = false;
    for (const m of batch.messages) {
      const { n, mode } = m.body;
      await env.STATE.put(`delivery/${batch.queue}/${String(n).padStart(4, "0")}/${m.attempts}`, m.id);
      if (batch.queue === "jobs-dlq") continue;
      switch (mode) {
        case "ack-then-retry": m.ack(); m.retry(); break;
        case "retry-then-ack": if (m.attempts === 1) { m.retry(); m.ack(); } break;
        case "retry-later": if (m.attempts === 1) m.retry({ delaySeconds: 30 }); break;
        case "retry-all": if (m.attempts === 1) { if (n % 2 === 0) m.ack(); batch.retryAll(); } break;
        case "ack-then-throw": if (m.attempts === 1) { if (n % 2 === 0) m.ack(); fail = true; } break;
        case "always-throw": fail = true; break;
        case "hang-once": if (m.attempts === 1 && n < 10) await new Promise(() => {}); break;
      }
    }
    if (fail) throw new Error("consumer failed on purpose");
  },
};
"#;

fn config(batch_size: u32, timeout: f64, extra: &str) -> String {
    format!(
        r#"
name = "queues"
main = "src/index.js"
compatibility_date = "2025-01-01"
kv_namespaces = [{{ binding = "STATE", id = "state" }}]

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.consumers]]
queue = "jobs"
max_batch_size = {batch_size}
max_batch_timeout = {timeout}
max_retries = 2
dead_letter_queue = "jobs-dlq"
{extra}

[[queues.consumers]]
queue = "jobs-dlq"
max_batch_timeout = 0.05
"#
    )
}

fn worker(batch_size: u32, timeout: f64, extra: &str) -> WorkerDir {
    WorkerDir::new(&[
        ("wrangler.toml", &config(batch_size, timeout, extra)),
        ("src/index.js", WORKER),
    ])
}

fn start(dir: &WorkerDir, data: &std::path::Path, extra: &[&str]) -> Corral {
    let mut args = vec!["--data-dir", data.to_str().unwrap(), "--unsafe-test-clock"];
    args.extend_from_slice(extra);
    Corral::dev(dir.path(), &args)
}

fn get_text(server: &Corral, path: &str) -> (u16, String) {
    common::get(&server.url(path))
}

fn deliveries(server: &Corral, prefix: &str) -> Vec<String> {
    let (status, body) = get_text(server, &format!("/deliveries?prefix={prefix}"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Waits until `deliveries(prefix)` has at least `n` entries.
fn wait_deliveries(server: &Corral, prefix: &str, n: usize) -> Vec<String> {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let d = deliveries(server, prefix);
        if d.len() >= n || Instant::now() > end {
            return d;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn advance_clock(server: &Corral, ms: u64) {
    let r = common::client()
        .post(server.url(&format!("/cdn-cgi/corral/clock/advance?ms={ms}")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

fn batch_sizes(server: &Corral, queue: &str) -> Vec<usize> {
    let (_, body) = get_text(server, &format!("/batches?queue={queue}"));
    serde_json::from_str(&body).unwrap()
}

#[test]
fn batches_fill_by_size_and_flush_by_time() {
    let dir = worker(5, 5.0, "max_concurrency = 1");
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path(), &[]);
    assert_eq!(get_text(&server, "/send-many?count=10").0, 200);
    // Two full batches of 5, without waiting for the 5 s timeout.
    let d = wait_deliveries(&server, "delivery/jobs/", 10);
    assert_eq!(d.len(), 10, "{d:?}");
    assert_eq!(batch_sizes(&server, "jobs"), [5, 5]);

    // Three messages do not fill a batch: nothing until the batch timeout passes on the clock.
    assert_eq!(get_text(&server, "/send-many?from=100&count=3").0, 200);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(deliveries(&server, "delivery/jobs/01").len(), 0);
    advance_clock(&server, 5_000);
    let d = wait_deliveries(&server, "delivery/jobs/01", 3);
    assert_eq!(
        d,
        [
            "delivery/jobs/0100/1",
            "delivery/jobs/0101/1",
            "delivery/jobs/0102/1"
        ]
    );
    assert_eq!(batch_sizes(&server, "jobs"), [5, 5, 3]);
}

#[test]
fn ack_and_retry_precedence_and_retry_delay() {
    let dir = worker(10, 0.05, "max_concurrency = 1");
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path(), &[]);
    // First explicit call on a message wins.
    get_text(&server, "/send?n=1&mode=ack-then-retry");
    get_text(&server, "/send?n=2&mode=retry-then-ack");
    let d = wait_deliveries(&server, "delivery/jobs/000", 3);
    assert_eq!(
        d,
        [
            "delivery/jobs/0001/1",
            "delivery/jobs/0002/1",
            "delivery/jobs/0002/2"
        ]
    );
    // retryAll: messages acked explicitly stay acked, the rest come back.
    get_text(&server, "/send-many?from=10&count=4&mode=retry-all");
    let d = wait_deliveries(&server, "delivery/jobs/001", 6);
    assert_eq!(
        d,
        [
            "delivery/jobs/0010/1",
            "delivery/jobs/0011/1",
            "delivery/jobs/0011/2",
            "delivery/jobs/0012/1",
            "delivery/jobs/0013/1",
            "delivery/jobs/0013/2"
        ]
    );
    // A throwing handler retries everything not explicitly acked.
    get_text(&server, "/send-many?from=20&count=4&mode=ack-then-throw");
    let d = wait_deliveries(&server, "delivery/jobs/002", 6);
    assert_eq!(d.len(), 6, "{d:?}");
    assert!(d.contains(&"delivery/jobs/0021/2".to_string()));
    assert!(!d.contains(&"delivery/jobs/0020/2".to_string()));
    assert!(server.log().contains("consumer failed on purpose"));
    // retry({delaySeconds: 30}) is honoured on the clock.
    get_text(&server, "/send?n=30&mode=retry-later");
    wait_deliveries(&server, "delivery/jobs/0030", 1);
    std::thread::sleep(Duration::from_millis(300));
    advance_clock(&server, 20_000);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(deliveries(&server, "delivery/jobs/0030").len(), 1);
    advance_clock(&server, 11_000);
    assert_eq!(
        wait_deliveries(&server, "delivery/jobs/0030", 2),
        ["delivery/jobs/0030/1", "delivery/jobs/0030/2"]
    );
    // A delayed send is invisible until its delay passes.
    get_text(&server, "/send?n=40&delay=60");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(deliveries(&server, "delivery/jobs/0040").len(), 0);
    advance_clock(&server, 61_000);
    assert_eq!(wait_deliveries(&server, "delivery/jobs/0040", 1).len(), 1);
}

#[test]
fn messages_past_max_retries_go_to_the_dead_letter_queue() {
    let dir = worker(10, 0.05, "");
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path(), &[]);
    get_text(&server, "/send?n=7&mode=always-throw");
    // max_retries = 2: delivered 3 times, then moved to jobs-dlq.
    let d = wait_deliveries(&server, "delivery/jobs/0007", 3);
    assert_eq!(
        d,
        [
            "delivery/jobs/0007/1",
            "delivery/jobs/0007/2",
            "delivery/jobs/0007/3"
        ]
    );
    let dlq = wait_deliveries(&server, "delivery/jobs-dlq/", 1);
    assert_eq!(dlq, ["delivery/jobs-dlq/0007/1"]);
    let (_, metrics) = get_text(&server, "/cdn-cgi/corral/metrics");
    assert!(
        metrics.contains("corral_queue_dead_lettered_total{queue=\"jobs\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("corral_queue_retried_total{queue=\"jobs\"} 2"));
    assert!(metrics.contains("corral_queue_depth{queue=\"jobs\"} 0"));
}

#[test]
fn producer_limits_and_back_pressure() {
    let dir = WorkerDir::new(&[
        (
            "wrangler.toml",
            r#"
name = "producer"
main = "src/index.js"
compatibility_date = "2025-01-01"
kv_namespaces = [{ binding = "STATE", id = "state" }]
[[queues.producers]]
binding = "JOBS"
queue = "jobs"
"#,
        ),
        ("src/index.js", WORKER),
    ]);
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path(), &["--queue-max-backlog", "5"]);
    let (_, body) = get_text(&server, "/limits");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["big"].as_str().unwrap().starts_with("RangeError"), "{v}");
    assert!(v["delay"].as_str().unwrap().starts_with("TypeError"), "{v}");
    assert!(v["type"].as_str().unwrap().starts_with("TypeError"), "{v}");
    assert!(v["text"].as_str().unwrap().starts_with("TypeError"), "{v}");
    assert!(
        v["batch101"].as_str().unwrap().starts_with("RangeError"),
        "{v}"
    );
    assert!(
        v["batchBytes"].as_str().unwrap().starts_with("RangeError"),
        "{v}"
    );
    assert!(v["fn"].as_str().unwrap().contains("DataCloneError"), "{v}");
    for n in 0..5 {
        assert_eq!(get_text(&server, &format!("/send?n={n}")).0, 200);
    }
    let (status, body) = get_text(&server, "/send?n=5");
    assert_eq!(status, 503);
    assert!(body.contains("back-pressure"), "{body}");
    assert!(body.contains("limit is 5"), "{body}");
    // The CLI sees the five waiting messages.
    let out = Corral::run(&[
        "queues",
        "list",
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("jobs "))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(line.split_whitespace().nth(1), Some("5"), "{text}");
}

#[test]
fn the_cli_sends_and_redrives_the_dead_letter_queue() {
    let dir = worker(10, 0.05, "");
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let server = start(&dir, data.path(), &[]);
    let out = Corral::run(&["queues", "send", "jobs", r#"{"n": 50}"#, "--data-dir", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(wait_deliveries(&server, "delivery/jobs/0050", 1).len(), 1);
    let bad = Corral::run(&["queues", "send", "jobs", "not json", "--data-dir", d]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--content-type text"));
    // Messages parked in a dead-letter queue nobody consumes move back with `redrive`.
    let parked = Corral::run(&["queues", "send", "parked", r#"{"n": 60}"#, "--data-dir", d]);
    assert!(parked.status.success());
    let moved = Corral::run(&["queues", "redrive", "parked", "jobs", "--data-dir", d]);
    assert!(String::from_utf8_lossy(&moved.stdout).contains("moved 1 message(s)"));
    assert_eq!(wait_deliveries(&server, "delivery/jobs/0060", 1).len(), 1);
    Corral::run(&["queues", "send", "parked", "1", "--data-dir", d]);
    let purged = Corral::run(&["queues", "purge", "parked", "--data-dir", d]);
    assert!(String::from_utf8_lossy(&purged.stdout).contains("deleted 1 message(s)"));
}

#[test]
fn a_batch_in_flight_at_kill_9_is_delivered_again_and_nothing_is_lost() {
    let dir = worker(10, 0.05, "max_concurrency = 2");
    let data = tempfile::tempdir().unwrap();
    {
        let server = start(&dir, data.path(), &[]);
        assert_eq!(
            get_text(&server, "/send-many?count=50&mode=hang-once").0,
            200
        );
        // Messages 10..49 are processed; the batch holding 0..9 hangs in the handler at message 0.
        let d = wait_deliveries(&server, "delivery/jobs/", 41);
        assert_eq!(d.len(), 41, "{d:?}");
        assert!(d.contains(&"delivery/jobs/0000/1".to_string()));
        // kill -9 while that batch is in flight (dropping the server sends SIGKILL).
    }
    let server = start(&dir, data.path(), &[]);
    let d = wait_deliveries(&server, "delivery/jobs/", 51);
    let mut unique: Vec<&str> = d.iter().map(|k| &k[..k.rfind('/').unwrap()]).collect();
    unique.dedup();
    assert_eq!(unique.len(), 50, "every message delivered: {d:?}");
    for k in &d {
        let n: u32 = k["delivery/jobs/".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if n >= 10 {
            assert!(
                k.ends_with("/1"),
                "acked message {n} was delivered again: {k}"
            );
        }
    }
    for n in 0..10 {
        assert!(
            d.contains(&format!("delivery/jobs/{n:04}/2")),
            "in-flight message {n} redelivered: {d:?}"
        );
    }
}
