//! End-to-end tests of the runtime core through the real binary: limits, live reload, bad config and bad HTTP.

mod common;

use common::{client, get, raw, Corral, WorkerDir};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const LIMITED: &str = r#"
let hits = 0;
export default {
  async fetch(request) {
    const url = new URL(request.url);
    hits++;
    switch (url.pathname) {
      case "/loop": for (;;) {}
      case "/loop-async": await null; for (;;) {}
      case "/bomb": { const keep = []; for (;;) keep.push(new Array(1 << 16).fill(hits)); }
      case "/slow": await new Promise((r) => setTimeout(r, 300)); return new Response("slow done");
      default: return new Response(`ok ${hits}`);
    }
  },
};
"#;

fn limited_worker(name: &str) -> WorkerDir {
    let toml = format!(
        "name = \"{name}\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n[limits]\ncpu_ms = 200\nmemory_mb = 32\n"
    );
    WorkerDir::new(&[("wrangler.toml", &toml), ("src/index.js", LIMITED)])
}

#[test]
fn infinite_loop_gets_503_and_the_worker_recovers() {
    let w = limited_worker("looper");
    let server = Corral::dev(w.path(), &[]);
    let started = Instant::now();
    let (status, body) = get(&server.url("/loop"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("exceeded CPU time limit"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        server.wait_for_log("cpu_ms", Duration::from_secs(2)),
        "{}",
        server.log()
    );
    assert!(server.log().contains("looper"));
    let (status, body) = get(&server.url("/loop-async"));
    assert_eq!(status, 503, "{body}");
    // A fresh isolate serves the next request.
    let (status, body) = get(&server.url("/"));
    assert_eq!((status, body.as_str()), (200, "ok 1"));
}

#[test]
fn memory_bomb_gets_503_and_the_worker_recovers() {
    let w = limited_worker("bomber");
    let server = Corral::dev(w.path(), &[]);
    let (status, body) = get(&server.url("/bomb"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("memory"), "{body}");
    assert!(
        server.wait_for_log("memory_mb", Duration::from_secs(2)),
        "{}",
        server.log()
    );
    let (status, _) = get(&server.url("/"));
    assert_eq!(status, 200);
}

#[test]
fn a_looping_tenant_does_not_stall_others_beyond_its_cpu_limit() {
    let looper = limited_worker("looper");
    let other = WorkerDir::script(
        "other",
        "export default { fetch() { return new Response('other'); } }",
    );
    let server = Corral::serve(&[looper.path(), other.path()], &["--threads", "1"]);
    let url = server.url("/loop");
    let looping = std::thread::spawn(move || {
        client()
            .get(url)
            .header("host", "looper.localhost")
            .send()
            .unwrap()
            .status()
            .as_u16()
    });
    std::thread::sleep(Duration::from_millis(20));
    let started = Instant::now();
    let r = client()
        .get(server.url("/"))
        .header("host", "other.localhost")
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), "other");
    // Worst case the other tenant waits for the looper's 200 ms CPU limit, never longer.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(looping.join().unwrap(), 503);
}

#[test]
fn slow_top_level_is_refused_at_startup_with_the_limit_named() {
    let w = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"slowstart\"\nmain = \"index.js\"\n",
        ),
        (
            "index.js",
            "const end = Date.now() + 2000; while (Date.now() < end) {}\nexport default {};\n",
        ),
    ]);
    let out = Corral::run(&["dev", &w.path().display().to_string(), "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("Script startup exceeded CPU time limit."),
        "{stderr}"
    );
}

#[test]
fn bad_config_names_file_key_and_fix() {
    let w = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"w\"\nmain = \"index.js\"\n[limits]\ncpu_ms = \"lots\"\n",
        ),
        ("index.js", "export default {}"),
    ]);
    let out = Corral::run(&["dev", &w.path().display().to_string(), "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("wrangler.toml"), "{stderr}");
    assert!(stderr.contains("limits.cpu_ms"), "{stderr}");

    let w = WorkerDir::new(&[("wrangler.toml", "name = \"w\"\n")]);
    let out = Corral::run(&["dev", &w.path().display().to_string(), "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("key `main`") && stderr.contains("fix:"),
        "{stderr}"
    );

    let w = WorkerDir::new(&[("wrangler.jsonc", "{ \"name\": \"w\", \"main\": 3 }")]);
    let out = Corral::run(&["dev", &w.path().display().to_string(), "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrangler.jsonc") && stderr.contains("key `main`"),
        "{stderr}"
    );
}

#[test]
fn syntax_error_names_file_and_line() {
    let w = WorkerDir::script(
        "broken",
        "export default {\n  fetch() {\n    return new Response(;\n  }\n};\n",
    );
    let out = Corral::run(&["dev", &w.path().display().to_string(), "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("src/index.js:3"), "{stderr}");
    assert!(stderr.contains("SyntaxError"), "{stderr}");
}

#[test]
fn malformed_and_oversized_requests_get_4xx_without_reaching_js() {
    let w = WorkerDir::script(
        "counter",
        "let n = 0; export default { fetch() { n++; return new Response(String(n)); } }",
    );
    let server = Corral::dev(w.path(), &[]);
    let reply = raw(server.addr, b"GARBAGE\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    let reply = raw(
        server.addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(40 * 1024)
    );
    let reply = raw(server.addr, big.as_bytes());
    assert!(reply.starts_with("HTTP/1.1 431"), "{reply}");
    let long_url = format!(
        "GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "a".repeat(17 * 1024)
    );
    let reply = raw(server.addr, long_url.as_bytes());
    assert!(
        reply.starts_with("HTTP/1.1 414") || reply.starts_with("HTTP/1.1 431"),
        "{reply}"
    );
    // None of these reached the worker.
    assert_eq!(get(&server.url("/")).1, "1");
}

#[test]
fn reload_swaps_version_keeps_in_flight_requests_and_survives_bad_saves() {
    let v = |n: u32| {
        format!(
            "export default {{ async fetch(req) {{\n  if (new URL(req.url).pathname === '/slow') {{ console.log('slow request started on v{n}'); await new Promise(r => setTimeout(r, 400)); }}\n  return new Response('v{n}');\n}} }};\n"
        )
    };
    let w = WorkerDir::script("reloader", &v(1));
    let server = Corral::dev(w.path(), &[]);
    assert_eq!(get(&server.url("/")).1, "v1");

    // A request in flight during the reload finishes on the old version.
    let slow_url = server.url("/slow");
    let slow = std::thread::spawn(move || get(&slow_url));
    assert!(
        server.wait_for_log("slow request started on v1", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    w.write("src/index.js", &v(2));
    assert!(
        server.wait_for_log("reloaded in", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert_eq!(get(&server.url("/")).1, "v2");
    assert_eq!(slow.join().unwrap(), (200, "v1".to_string()));

    // A syntax error keeps v2 serving and is reported with file:line.
    w.write(
        "src/index.js",
        "export default {\n  fetch() { return new Response(; }\n};\n",
    );
    assert!(
        server.wait_for_log("reload failed", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert!(server.log().contains("src/index.js:2"), "{}", server.log());
    assert_eq!(get(&server.url("/")).1, "v2");

    // So does a throw at top level.
    w.write(
        "src/index.js",
        "throw new Error('top-level boom');\nexport default {};\n",
    );
    assert!(
        server.wait_for_log("top-level boom", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert_eq!(get(&server.url("/")).1, "v2");

    // And the next good save recovers.
    w.write("src/index.js", &v(3));
    let end = Instant::now() + Duration::from_secs(5);
    while get(&server.url("/")).1 != "v3" {
        assert!(
            Instant::now() < end,
            "v3 never served; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn no_request_fails_during_reloads_under_load() {
    let v = |n: u32| format!("export default {{ fetch() {{ return new Response('v{n}'); }} }};\n");
    let w = WorkerDir::script("busy", &v(0));
    let server = Corral::dev(w.path(), &[]);
    let url = server.url("/");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let c = client();
                let (mut ok, mut failed) = (0u32, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match c.get(&url).send() {
                        Ok(r) if r.status() == 200 => ok += 1,
                        Ok(r) => failed.push(format!("status {}", r.status())),
                        Err(e) => failed.push(e.to_string()),
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    for n in 1..=10 {
        w.write("src/index.js", &v(n));
        std::thread::sleep(Duration::from_millis(60));
    }
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for t in workers {
        let (ok, failed) = t.join().unwrap();
        assert!(
            failed.is_empty(),
            "failed requests during reload: {failed:?}"
        );
        total += ok;
    }
    assert!(total > 50, "only {total} requests went through");
    assert_eq!(get(&url).1, "v10");
}

#[test]
fn serve_routes_by_pattern_and_by_name_localhost() {
    let a = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"site\"\nmain = \"i.js\"\nroutes = [\"example.com/*\"]\n",
        ),
        (
            "i.js",
            "export default { fetch() { return new Response('site'); } }",
        ),
    ]);
    let b = WorkerDir::new(&[
        ("wrangler.toml", "name = \"api\"\nmain = \"i.js\"\nroutes = [{ pattern = \"example.com/api/*\", zone_name = \"example.com\" }]\n"),
        ("i.js", "export default { fetch() { return new Response('api'); } }"),
    ]);
    let c = WorkerDir::script(
        "plain",
        "export default { fetch() { return new Response('plain'); } }",
    );
    let server = Corral::serve(&[a.path(), b.path(), c.path()], &[]);
    let ask = |host: &str, path: &str| {
        let r = client()
            .get(server.url(path))
            .header("host", host)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(ask("example.com", "/"), (200, "site".into()));
    assert_eq!(ask("example.com", "/api/users"), (200, "api".into()));
    assert_eq!(ask("plain.localhost", "/"), (200, "plain".into()));
    assert_eq!(ask("nobody.localhost", "/").0, 404);
}

#[test]
fn exceptions_give_500_with_stack_in_log_and_a_plain_body_in_production() {
    let w = WorkerDir::script(
        "thrower",
        "export default { fetch() { throw new TypeError('kaboom'); } }",
    );
    let server = Corral::serve(&[w.path()], &[]);
    let r = client()
        .get(server.url("/"))
        .header("host", "thrower.localhost")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let body = r.text().unwrap();
    assert!(
        !body.contains("kaboom"),
        "production must not leak the message: {body}"
    );
    assert!(server.wait_for_log("TypeError: kaboom", Duration::from_secs(2)));
    assert!(server.log().contains("src/index.js:1"), "{}", server.log());
}

/// Logs what `request.signal` does: `/slow` waits up to 3 s or until the signal aborts, `/late` reads the signal
/// only after 400 ms, `/quick` answers after 50 ms, `/stream` sends one chunk and then nothing.
const SIGNAL_WORKER: &str = r#"
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const tag = url.searchParams.get("tag");
    const watch = () =>
      request.signal.addEventListener("abort", () => {
        const r = request.signal.reason;
        console.log(`abort seen ${tag}: ${r instanceof DOMException} ${r.name}: ${r.message}`);
      });
    ctx.waitUntil(scheduler.wait(600).then(() => console.log(`waitUntil done ${tag} aborted=${request.signal.aborted}`)));
    switch (url.pathname) {
      case "/slow": {
        watch();
        const aborted = new Promise((resolve) => request.signal.addEventListener("abort", resolve));
        console.log(`started ${tag}`);
        await Promise.race([scheduler.wait(3000), aborted]);
        console.log(`handler done ${tag} aborted=${request.signal.aborted}`);
        return new Response("slow");
      }
      case "/late": {
        console.log(`started ${tag}`);
        await scheduler.wait(400);
        console.log(`late ${tag} aborted=${request.signal.aborted} reason=${request.signal.reason?.name}`);
        return new Response("late");
      }
      case "/clone": {
        // Copies made before anyone read a signal; the original's signal is never read.
        const clone = request.clone();
        const copy = new Request(request);
        const detached = new Request(request, { signal: null });
        console.log(`started ${tag}`);
        const aborted = new Promise((resolve) => clone.signal.addEventListener("abort", resolve));
        await Promise.race([scheduler.wait(3000), aborted]);
        console.log(
          `clones ${tag} clone=${clone.signal.aborted} copy=${copy.signal.aborted} ` +
            `detached=${detached.signal.aborted} reason=${copy.signal.reason?.name}`,
        );
        return new Response("clone");
      }
      case "/quick": {
        watch();
        await scheduler.wait(50);
        return new Response("quick");
      }
      case "/stream": {
        watch();
        console.log(`started ${tag}`);
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("first chunk\n"));
          },
        });
        return new Response(body);
      }
    }
    return new Response("?", { status: 404 });
  },
};
"#;

fn signal_workers() -> (WorkerDir, WorkerDir) {
    let on = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"signal-on\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n\
             compatibility_flags = [\"enable_request_signal\"]\n",
        ),
        ("src/index.js", SIGNAL_WORKER),
    ]);
    let off = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"signal-off\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n",
        ),
        ("src/index.js", SIGNAL_WORKER),
    ]);
    (on, off)
}

/// Sends `GET path` for `host` on a fresh connection, waits until the worker logged `started`, reads `read`
/// bytes of the answer if asked, then closes the connection.
fn request_then_hang_up(server: &Corral, host: &str, path: &str, started: &str, read: usize) {
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    assert!(
        server.wait_for_log(started, Duration::from_secs(5)),
        "{}",
        server.log()
    );
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    while got.len() < read {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed first");
        got.extend_from_slice(&buf[..n]);
    }
    drop(s);
}

#[test]
fn request_signal_aborts_when_the_client_disconnects() {
    let (on, off) = signal_workers();
    let server = Corral::serve(&[on.path(), off.path()], &[]);
    let hurry = Duration::from_millis(2500); // less than /slow's 3 s: the abort, not the timer, ends the wait

    // The client hangs up while the handler awaits: the signal aborts with an AbortError, the handler stops
    // waiting, and waitUntil work still runs to the end.
    request_then_hang_up(
        &server,
        "signal-on.localhost",
        "/slow?tag=a",
        "started a",
        0,
    );
    assert!(
        server.wait_for_log(
            "abort seen a: true AbortError: The client has disconnected",
            hurry
        ),
        "{}",
        server.log()
    );
    assert!(server.wait_for_log("handler done a aborted=true", hurry));
    assert!(
        server.wait_for_log("waitUntil done a aborted=true", hurry),
        "{}",
        server.log()
    );

    // A handler that reads `signal` only after the client left finds it aborted.
    request_then_hang_up(
        &server,
        "signal-on.localhost",
        "/late?tag=c",
        "started c",
        0,
    );
    assert!(
        server.wait_for_log("late c aborted=true reason=AbortError", hurry),
        "{}",
        server.log()
    );

    // A streamed response whose client leaves mid-body aborts the signal, with no further write needed.
    request_then_hang_up(
        &server,
        "signal-on.localhost",
        "/stream?tag=d",
        "started d",
        1,
    );
    assert!(
        server.wait_for_log("abort seen d: true AbortError", hurry),
        "{}",
        server.log()
    );

    // The clones of a request and the requests made from it follow its signal (unless given `signal: null`).
    request_then_hang_up(
        &server,
        "signal-on.localhost",
        "/clone?tag=f",
        "started f",
        0,
    );
    assert!(
        server.wait_for_log(
            "clones f clone=true copy=true detached=false reason=AbortError",
            hurry
        ),
        "{}",
        server.log()
    );

    // Without `enable_request_signal` (Cloudflare gates it behind the flag), the signal never aborts.
    request_then_hang_up(
        &server,
        "signal-off.localhost",
        "/slow?tag=e",
        "started e",
        0,
    );
    assert!(
        server.wait_for_log("handler done e aborted=false", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert!(server.wait_for_log("waitUntil done e aborted=false", Duration::from_secs(2)));
    assert!(!server.log().contains("abort seen e"), "{}", server.log());
}

#[test]
fn request_signal_does_not_abort_when_the_request_completes() {
    let (on, _off) = signal_workers();
    let server = Corral::serve(&[on.path()], &[]);
    let answer = raw(
        server.addr,
        b"GET /quick?tag=b HTTP/1.1\r\nHost: signal-on.localhost\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.ends_with("quick"), "{answer}");
    // The connection is closed by now; waitUntil work after the response still sees a live signal.
    assert!(
        server.wait_for_log("waitUntil done b aborted=false", Duration::from_secs(3)),
        "{}",
        server.log()
    );
    assert!(!server.log().contains("abort seen b"), "{}", server.log());
}
