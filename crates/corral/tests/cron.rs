//! Cron Triggers through the real binary: `[triggers] crons` fire at the right minute on the (test) storage clock,
//! expressions fire independently, a throwing handler is logged and does not stop later firings, a reload picks
//! up changed crons, `corral serve` fires them too, wrangler's dev route fires the handler by hand (also the
//! service-worker syntax's "scheduled" listeners), and a bad expression is a config error naming its key.

mod common;

use common::{Corral, WorkerDir};
use serde_json::Value;
use std::time::{Duration, Instant};

const MINUTE: i64 = 60_000;

/// Records each scheduled event in module state (one isolate in `corral dev`); `GET /` returns them.
const RECORDER: &str = r#"
const fired = [];
export default {
  async scheduled(controller, env, ctx) {
    fired.push({ cron: controller.cron, time: controller.scheduledTime, type: controller.type });
    ctx.waitUntil(new Promise((r) => setTimeout(r, 5)));
    if (controller.cron === "throw" || (controller.cron === "* * * * *" && fired.length === 1)) {
      throw new Error("cron boom " + fired.length);
    }
  },
  fetch() { return Response.json(fired); },
};
"#;

fn worker(name: &str, crons: &[&str], source: &str) -> WorkerDir {
    let list: Vec<String> = crons.iter().map(|c| format!("{c:?}")).collect();
    let toml = format!(
        "name = \"{name}\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n\n[triggers]\ncrons = [{}]\n",
        list.join(", ")
    );
    WorkerDir::new(&[("wrangler.toml", &toml), ("src/index.js", source)])
}

fn start(dir: &WorkerDir, data: &tempfile::TempDir) -> Corral {
    let server = Corral::dev(
        dir.path(),
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--unsafe-test-clock",
        ],
    );
    // The scheduler computes its first fire times from the clock when it starts.
    assert!(
        server.wait_for_log("cron triggers:", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    server
}

/// Moves the server's clock forward by `ms` and returns its new time.
fn advance(server: &Corral, ms: i64) -> i64 {
    let r = common::client()
        .post(server.url(&format!("/cdn-cgi/corral/clock/advance?ms={ms}")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().unwrap().trim().parse().unwrap()
}

/// Moves the clock to `target` (it only moves forward).
fn advance_to(server: &Corral, target: i64) {
    let now = advance(server, 0);
    assert!(target >= now, "cannot move the clock back");
    advance(server, target - now);
}

/// The first time after the minute holding `now` whose minute-of-hour satisfies `matches`.
fn next_minute(now: i64, matches: impl Fn(i64) -> bool) -> i64 {
    let mut t = now - now.rem_euclid(MINUTE) + MINUTE;
    while !matches(t / MINUTE % 60) {
        t += MINUTE;
    }
    t
}

fn fired(server: &Corral) -> Vec<(String, i64)> {
    let (status, body) = common::get(&server.url("/"));
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["type"], "scheduled");
            (
                e["cron"].as_str().unwrap().to_string(),
                e["time"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Waits until a firing of `cron` at `time` shows up.
fn wait_fired(server: &Corral, cron: &str, time: i64) -> Vec<(String, i64)> {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let all = fired(server);
        if all.iter().any(|(c, t)| c == cron && *t == time) {
            return all;
        }
        assert!(
            Instant::now() < end,
            "{cron} did not fire for {time}; fired: {all:?}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Gives the scheduler (polling every 25 ms) time to act.
fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn fires_at_the_right_minute_once() {
    let dir = worker("every-five", &["*/5 * * * *"], RECORDER);
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, &data);
    let now = advance(&server, 0);
    let due = next_minute(now, |m| m % 5 == 0);

    advance_to(&server, due - 1_500);
    settle();
    assert!(
        !fired(&server).iter().any(|(_, t)| *t >= due),
        "fired early: {:?}",
        fired(&server)
    );

    advance_to(&server, due + 1_000);
    wait_fired(&server, "*/5 * * * *", due);
    settle();
    let at_due: Vec<_> = fired(&server)
        .into_iter()
        .filter(|(_, t)| *t == due)
        .collect();
    assert_eq!(at_due.len(), 1, "{at_due:?}");

    // The next one is five minutes later, not sooner.
    advance_to(&server, due + 5 * MINUTE - 1_000);
    settle();
    assert!(!fired(&server).iter().any(|(_, t)| *t > due));
    advance_to(&server, due + 5 * MINUTE + 10);
    wait_fired(&server, "*/5 * * * *", due + 5 * MINUTE);

    // A jump over several fire times fires once, not in a burst.
    let before = fired(&server).len();
    advance(&server, 30 * MINUTE);
    settle();
    assert_eq!(fired(&server).len(), before + 1, "{:?}", fired(&server));

    let log = server.log();
    assert!(log.contains("scheduled event ran in"), "{log}");
    assert!(log.contains("outcome=\"ok\""), "{log}");
    assert!(log.contains("cron=\"*/5 * * * *\""), "{log}");
}

#[test]
fn two_expressions_fire_independently() {
    let dir = worker("two", &["13 * * * *", "47 * * * *"], RECORDER);
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, &data);
    let now = advance(&server, 0);
    let at13 = next_minute(now, |m| m == 13);
    let at47 = next_minute(now, |m| m == 47);
    let (first, first_cron, second, second_cron) = if at13 < at47 {
        (at13, "13 * * * *", at47, "47 * * * *")
    } else {
        (at47, "47 * * * *", at13, "13 * * * *")
    };
    advance_to(&server, first + 500);
    let all = wait_fired(&server, first_cron, first);
    settle();
    assert_eq!(fired(&server), all);
    assert!(!all.iter().any(|(c, _)| c == second_cron), "{all:?}");

    advance_to(&server, second + 500);
    wait_fired(&server, second_cron, second);
    settle();
    let all = fired(&server);
    assert_eq!(all.iter().filter(|(c, _)| c == first_cron).count(), 1);
    assert_eq!(all.iter().filter(|(c, _)| c == second_cron).count(), 1);
}

#[test]
fn throwing_handler_is_logged_and_the_next_firing_still_happens() {
    let dir = worker("thrower", &["* * * * *"], RECORDER);
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, &data);
    let now = advance(&server, 0);
    let first = next_minute(now, |_| true);
    advance_to(&server, first + 100);
    wait_fired(&server, "* * * * *", first);
    assert!(
        server.wait_for_log("outcome=\"exception\"", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    let log = server.log();
    assert!(
        log.contains("Uncaught (in scheduled): Error: cron boom 1"),
        "{log}"
    );
    assert!(log.contains("index.js"), "the stack is logged: {log}");
    assert!(
        log.contains("worker=thrower") || log.contains("worker=\"thrower\""),
        "{log}"
    );

    advance_to(&server, first + MINUTE + 100);
    let all = wait_fired(&server, "* * * * *", first + MINUTE);
    assert!(all.iter().any(|(_, t)| *t == first), "{all:?}");
    assert!(server.wait_for_log("outcome=\"ok\"", Duration::from_secs(5)));
}

#[test]
fn reload_picks_up_changed_crons() {
    let dir = worker("reloading", &["13 * * * *"], RECORDER);
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, &data);
    dir.write(
        "wrangler.toml",
        "name = \"reloading\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n\n[triggers]\ncrons = [\"47 * * * *\"]\n",
    );
    assert!(
        server.wait_for_log("\"47 * * * *\" next at", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let now = advance(&server, 0);
    let at13 = next_minute(now, |m| m == 13);
    let at47 = next_minute(now, |m| m == 47);
    advance_to(&server, at13.max(at47) + 500);
    // The reload made a new isolate: its module state only has the new cron's firing.
    let all = wait_fired(&server, "47 * * * *", at47);
    settle();
    let log = server.log();
    assert!(!log.contains("cron=\"13 * * * *\""), "{log}");
    assert_eq!(all.len(), 1, "{all:?}");
}

#[test]
fn serve_fires_crons_too() {
    // Observed through KV: under `corral serve` the request may land on another thread's isolate.
    let toml = "name = \"served\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n\
                kv_namespaces = [{ binding = \"LOG\", id = \"log\" }]\n\n[triggers]\ncrons = [\"*/10 * * * *\"]\n";
    let source = r#"
export default {
  async scheduled(controller, env) {
    await env.LOG.put("fired:" + controller.scheduledTime, controller.cron);
  },
  async fetch(request, env) {
    const { keys } = await env.LOG.list({ prefix: "fired:" });
    return new Response(keys.map((k) => k.name).join(","));
  },
};
"#;
    let dir = WorkerDir::new(&[("wrangler.toml", toml), ("src/index.js", source)]);
    let data = tempfile::tempdir().unwrap();
    let server = Corral::serve(
        &[dir.path()],
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--unsafe-test-clock",
            "--threads",
            "2",
        ],
    );
    assert!(server.wait_for_log("cron triggers:", Duration::from_secs(10)));
    let now = advance(&server, 0);
    let due = next_minute(now, |m| m % 10 == 0);
    advance_to(&server, due + 200);
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = served_get(&server, "/");
        assert_eq!(status, 200, "{body}");
        if body.split(',').any(|k| k == format!("fired:{due}")) {
            break;
        }
        assert!(Instant::now() < end, "{body}\n{}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    // The dev route is not part of `corral serve`: the worker answers it.
    let (status, body) = served_get(&server, "/cdn-cgi/handler/scheduled");
    assert_eq!(status, 200);
    assert_ne!(body, "Ran scheduled event");
}

fn served_get(server: &Corral, path: &str) -> (u16, String) {
    let r = common::client()
        .get(server.url(path))
        .header("host", "served.localhost")
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

#[test]
fn dev_route_fires_the_handler_by_hand() {
    let source = RECORDER;
    let dir = WorkerDir::script("by-hand", source);
    let data = tempfile::tempdir().unwrap();
    let server = Corral::dev(dir.path(), &["--data-dir", data.path().to_str().unwrap()]);

    let (status, body) =
        common::get(&server.url("/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*&time=1700000000000"));
    assert_eq!((status, body.as_str()), (200, "Ran scheduled event"));
    assert_eq!(
        fired(&server),
        vec![("*/5 * * * *".to_string(), 1_700_000_000_000)]
    );

    // Both optional: cron defaults to "" and time to now; the legacy route works too.
    let before = advance_free_now();
    let (status, body) = common::get(&server.url("/__scheduled"));
    assert_eq!((status, body.as_str()), (200, "Ran scheduled event"));
    let (status, _) =
        common::get(&server.url("/cdn-cgi/handler/scheduled?cron=0%203%20*%20*%20MON"));
    assert_eq!(status, 200);
    let all = fired(&server);
    assert_eq!(all[1].0, "");
    assert!(all[1].1 >= before && all[1].1 < before + 60_000, "{all:?}");
    assert_eq!(all[2].0, "0 3 * * MON");

    // A throw answers 500 with the error.
    let (status, body) = common::get(&server.url("/cdn-cgi/handler/scheduled?cron=throw"));
    assert_eq!(status, 500);
    assert!(body.contains("Error: cron boom 4"), "{body}");

    let (status, _) = common::get(&server.url("/cdn-cgi/handler/scheduled?time=soon"));
    assert_eq!(status, 400);
}

#[test]
fn service_worker_scheduled_listeners_run() {
    let source = r#"
const fired = [];
addEventListener("scheduled", (event) => {
  fired.push(event.cron + "@" + event.scheduledTime);
  event.waitUntil(new Promise((r) => setTimeout(r, 5)));
});
addEventListener("fetch", (event) => event.respondWith(new Response(fired.join(","))));
"#;
    let dir = WorkerDir::script("sw-cron", source);
    let data = tempfile::tempdir().unwrap();
    let server = Corral::dev(dir.path(), &["--data-dir", data.path().to_str().unwrap()]);
    let (status, body) =
        common::get(&server.url("/cdn-cgi/handler/scheduled?cron=*/7+*+*+*+*&time=1700000000000"));
    assert_eq!((status, body.as_str()), (200, "Ran scheduled event"));
    let (status, body) = common::get(&server.url("/"));
    assert_eq!((status, body.as_str()), (200, "*/7 * * * *@1700000000000"));
}

/// The real clock (the dev-route test runs without the test clock).
fn advance_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn bad_cron_is_a_config_error_naming_the_key() {
    let dir = worker("bad", &["*/5 * * * *", "0 25 * * *"], RECORDER);
    let out = Corral::run(&["dev", dir.path().to_str().unwrap(), "--port", "0"]);
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("triggers.crons[1]"), "{text}");
    assert!(text.contains("0 25 * * *"), "{text}");
    assert!(text.contains("fix: write five fields"), "{text}");
}
