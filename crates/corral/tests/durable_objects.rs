//! Durable Objects through the real binary: ids, stubs (fetch and JS RPC), storage (key-value, SQL, transactions),
//! the input and output gates under concurrency, alarms (with the test clock), and durability across `kill -9`.

mod common;

use common::{Corral, WorkerDir};
use serde_json::{json, Value};
use std::time::Duration;

const CONFIG: &str = r#"
name = "objects"
main = "src/index.js"
compatibility_date = "2025-01-01"

[[durable_objects.bindings]]
name = "LAB"
class_name = "Lab"

[[durable_objects.bindings]]
name = "LEGACY"
class_name = "Legacy"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Lab"]
new_classes = ["Legacy"]
"#;

const WORKER: &str = r#"
import { DurableObject, RpcTarget } from "cloudflare:workers";

export class Lab extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.ready = false;
    ctx.blockConcurrencyWhile(async () => {
      await new Promise((r) => setTimeout(r, 20));
      this.ready = true;
      this.boots = ((await ctx.storage.get("boots")) ?? 0) + 1;
      await ctx.storage.put("boots", this.boots);
    });
  }
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/increment") {
      const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
      await this.ctx.storage.put("n", n);
      return new Response(String(n));
    }
    if (url.pathname === "/echo") {
      return new Response(await request.text(), {
        status: 201,
        statusText: "Made",
        headers: { "x-object": this.ctx.id.toString(), "x-name": String(this.ctx.id.name) },
      });
    }
    if (url.pathname === "/ready") return new Response(String(this.ready));
    return new Response("object 404", { status: 404 });
  }
  async increment(by) {
    const n = ((await this.ctx.storage.get("n")) ?? 0) + by;
    await this.ctx.storage.put("n", n);
    return n;
  }
  count() { return this.ctx.storage.get("n"); }
  echo(value) { return value; }
  whoami() { return { id: this.ctx.id.toString(), name: this.ctx.id.name, ready: this.ready }; }
  fail(kind) {
    if (kind === "range") throw new RangeError("out of range");
    if (kind === "custom") { const e = new Error("custom failure"); e.name = "PaymentError"; throw e; }
    return Promise.reject(new TypeError("async failure"));
  }
  returnsFunction() { return () => 1; }
  async storageSuite() {
    const s = this.ctx.storage;
    const out = {};
    await s.deleteAll();
    await s.put("a", 1);
    await s.put({ b: { nested: [1, 2] }, c: new Date(5), d: new Map([["k", 1n]]), "é": "accent", B: "upper" });
    out.single = await s.get("a");
    out.missing = await s.get("nope");
    const many = await s.get(["a", "b", "nope"]);
    out.many = [...many.keys()];
    out.nested = (await s.get("b")).nested;
    out.date = (await s.get("c")) instanceof Date;
    out.map = (await s.get("d")).get("k") === 1n;
    out.listAll = [...(await s.list()).keys()];
    out.listPrefix = [...(await s.list({ prefix: "b" })).keys()];
    out.listRange = [...(await s.list({ start: "a", end: "c" })).keys()];
    out.listAfter = [...(await s.list({ startAfter: "a", limit: 2 })).keys()];
    out.listReverse = [...(await s.list({ reverse: true, limit: 2 })).keys()];
    out.deleteOne = await s.delete("a");
    out.deleteAgain = await s.delete("a");
    out.deleteMany = await s.delete(["b", "c", "nope"]);
    try { await s.get(Array.from({ length: 129 }, (_, i) => "k" + i)); out.tooMany = "no error"; }
    catch (e) { out.tooMany = e.name; }
    try { await s.put("x", undefined); out.undef = "no error"; } catch (e) { out.undef = e.name; }
    try { await s.put("f", () => 1); out.fn = "no error"; } catch (e) { out.fn = e.name; }
    try { await s.list({ start: "a", startAfter: "b" }); out.both = "no error"; } catch (e) { out.both = e.name; }
    try { await s.put("k".repeat(2049), 1); out.bigKey = "no error"; } catch (e) { out.bigKey = `${e.name}: ${e.message}`; }
    try { await s.put("v", "x".repeat(3 * 1024 * 1024)); out.bigValue = "no error"; } catch (e) { out.bigValue = e.name; }
    await s.deleteAll();
    out.afterDeleteAll = (await s.list()).size;
    return out;
  }
  async transactions() {
    const s = this.ctx.storage;
    const out = {};
    await s.put("t", 1);
    try {
      await s.transaction(async (txn) => { await txn.put("t", 2); throw new Error("abort"); });
    } catch (e) { out.thrown = e.message; }
    out.afterThrow = await s.get("t");
    await s.transaction(async (txn) => { await txn.put("t", 3); txn.rollback(); });
    out.afterRollback = await s.get("t");
    out.committed = await s.transaction(async (txn) => { await txn.put("t", 4); return "ok"; });
    out.afterCommit = await s.get("t");
    try { s.transactionSync(() => { s.sql.exec("CREATE TABLE IF NOT EXISTS tx (v)"); s.sql.exec("INSERT INTO tx VALUES (1)"); throw new Error("sync abort"); }); }
    catch (e) { out.syncThrown = e.message; }
    s.sql.exec("CREATE TABLE IF NOT EXISTS tx (v)");
    out.syncRows = s.sql.exec("SELECT count(*) AS n FROM tx").one().n;
    out.syncResult = s.transactionSync(() => { s.sql.exec("INSERT INTO tx VALUES (2)"); return 7; });
    out.syncRowsAfter = s.sql.exec("SELECT count(*) AS n FROM tx").one().n;
    return out;
  }
  sqlSuite() {
    const sql = this.ctx.storage.sql;
    const out = {};
    sql.exec("DROP TABLE IF EXISTS people");
    sql.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)");
    const ins = sql.exec("INSERT INTO people (name, score, data) VALUES (?, ?, ?), (?, ?, ?)", "ada", 1.5, new Uint8Array([1, 2]), "bob", 2, null);
    out.rowsWritten = ins.rowsWritten;
    const cur = sql.exec("SELECT id, name, score, data FROM people ORDER BY id");
    out.columns = cur.columnNames;
    const rows = cur.toArray();
    out.names = rows.map((r) => r.name);
    out.blob = Array.from(rows[0].data);
    out.nullBlob = rows[1].data;
    out.score = rows[0].score;
    out.raw = sql.exec("SELECT name FROM people ORDER BY id").raw().toArray();
    out.iterated = [...sql.exec("SELECT id FROM people ORDER BY id")].map((r) => r.id);
    out.one = sql.exec("SELECT name FROM people WHERE id = ?", 2).one().name;
    try { sql.exec("SELECT * FROM people WHERE id = 99").one(); } catch (e) { out.oneNone = e.message; }
    try { sql.exec("SELECT * FROM people").one(); } catch (e) { out.oneMany = e.message; }
    try { sql.exec("SELEC nonsense"); } catch (e) { out.syntax = e.message; }
    try { sql.exec("BEGIN TRANSACTION"); } catch (e) { out.begin = e.message; }
    try { sql.exec("SELECT * FROM _cf_KV"); } catch (e) { out.hidden = e.message; }
    out.size = sql.databaseSize > 0;
    out.bigint = sql.exec("SELECT 9007199254740993 AS big").one().big === 9007199254740993n;
    return out;
  }
  async setAlarmIn(ms) {
    await this.ctx.storage.setAlarm(Date.now() + ms);
    return this.ctx.storage.getAlarm();
  }
  async alarmState() {
    return { fired: (await this.ctx.storage.get("alarms")) ?? [], alarm: await this.ctx.storage.getAlarm() };
  }
  async failAlarms(times) { await this.ctx.storage.put("failAlarms", times); }
  async alarm(info) {
    const fired = (await this.ctx.storage.get("alarms")) ?? [];
    fired.push(info);
    await this.ctx.storage.put("alarms", fired);
    const fail = (await this.ctx.storage.get("failAlarms")) ?? 0;
    if (fail > 0) {
      await this.ctx.storage.put("failAlarms", fail - 1);
      throw new Error("alarm handler failed on purpose");
    }
  }
  async deleteTheAlarm() { await this.ctx.storage.deleteAlarm(); return this.ctx.storage.getAlarm(); }
}

export class Legacy extends DurableObject {
  sqlAvailable() {
    try { this.ctx.storage.sql; return true; } catch (e) { return e.message; }
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "main";
    const stub = env.LAB.getByName(name);
    const rpc = async (method, ...args) => {
      try { return Response.json({ ok: await stub[method](...args) }); }
      catch (e) { return Response.json({ error: { name: e.name, message: e.message, range: e instanceof RangeError, type: e instanceof TypeError } }); }
    };
    switch (url.pathname) {
      case "/ids": {
        const a = env.LAB.idFromName("x");
        const b = env.LAB.idFromName("x");
        const u = env.LAB.newUniqueId();
        let bad;
        try { env.LAB.idFromString("zz"); } catch (e) { bad = `${e.name}: ${e.message}`; }
        return Response.json({
          named: a.toString(), same: a.equals(b), name: a.name, unique: u.toString(),
          uniqueDiffers: !u.equals(env.LAB.newUniqueId()), roundTrip: env.LAB.idFromString(a.toString()).equals(a), bad,
          otherNamespace: env.LEGACY.idFromName("x").toString() !== a.toString(),
        });
      }
      case "/increment": return stub.fetch("https://object/increment");
      case "/echo": return stub.fetch("https://object/echo", { method: "POST", body: await request.text() });
      case "/ready": return stub.fetch("https://object/ready");
      case "/rpc/increment": return rpc("increment", Number(url.searchParams.get("by") ?? 1));
      case "/rpc/count": return rpc("count");
      case "/rpc/whoami": return rpc("whoami");
      case "/rpc/fail": return rpc("fail", url.searchParams.get("kind"));
      case "/rpc/missing": return rpc("noSuchMethod");
      case "/rpc/function-result": return rpc("returnsFunction");
      case "/rpc/function-arg": return rpc("echo", () => 1);
      case "/rpc/echo": {
        const value = { n: 1, s: "two", list: [1, "x", null], when: new Date(86400000), map: new Map([["a", new Set([1])]]), big: 12n, bytes: new Uint8Array([9, 8]), undef: undefined, nan: NaN };
        value.self = value;
        const back = await stub.echo(value);
        return Response.json({
          n: back.n, s: back.s, list: back.list, when: back.when instanceof Date && back.when.getTime(),
          map: back.map instanceof Map && back.map.get("a") instanceof Set && back.map.get("a").has(1),
          big: back.big === 12n, bytes: back.bytes instanceof Uint8Array && Array.from(back.bytes),
          undef: "undef" in back && back.undef === undefined, nan: Number.isNaN(back.nan), cycle: back.self === back,
        });
      }
      case "/storage": return rpc("storageSuite");
      case "/transactions": return rpc("transactions");
      case "/sql": return rpc("sqlSuite");
      case "/alarm/set": return rpc("setAlarmIn", Number(url.searchParams.get("ms")));
      case "/alarm/state": return rpc("alarmState");
      case "/alarm/fail": return rpc("failAlarms", Number(url.searchParams.get("times")));
      case "/alarm/delete": return rpc("deleteTheAlarm");
      case "/legacy/sql": return Response.json({ ok: await env.LEGACY.getByName("l").sqlAvailable() });
    }
    return new Response("not found", { status: 404 });
  },
};
"#;

fn worker() -> WorkerDir {
    WorkerDir::new(&[("wrangler.toml", CONFIG), ("src/index.js", WORKER)])
}

fn start(dir: &WorkerDir, data: &std::path::Path) -> Corral {
    Corral::dev(
        dir.path(),
        &["--data-dir", data.to_str().unwrap(), "--unsafe-test-clock"],
    )
}

fn json_get(server: &Corral, path: &str) -> Value {
    let (status, body) = common::get(&server.url(path));
    assert_eq!(status, 200, "{path}: {body}\nlog:\n{}", server.log());
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn advance_clock(server: &Corral, ms: u64) {
    let r = common::client()
        .post(server.url(&format!("/cdn-cgi/corral/clock/advance?ms={ms}")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Polls `path` until `done` holds (alarms fire on the server's own schedule).
fn wait_for(server: &Corral, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let end = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let v = json_get(server, path);
        if done(&v) || std::time::Instant::now() > end {
            return v;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ids_are_64_hex_digits_and_stable_per_name() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let named = {
        let server = start(&dir, data.path());
        let v = json_get(&server, "/ids");
        let named = v["named"].as_str().unwrap().to_string();
        assert_eq!(named.len(), 64);
        assert!(named.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(v["same"], true);
        assert_eq!(v["name"], "x");
        assert_eq!(v["unique"].as_str().unwrap().len(), 64);
        assert_eq!(v["uniqueDiffers"], true);
        assert_eq!(v["roundTrip"], true);
        assert_eq!(v["otherNamespace"], true);
        assert_eq!(
            v["bad"],
            "TypeError: Invalid Durable Object ID: must be 64 hex digits"
        );
        named
    };
    let server = start(&dir, data.path());
    assert_eq!(json_get(&server, "/ids")["named"], named.as_str());
}

#[test]
fn stub_fetch_reaches_the_object_with_status_headers_and_body() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let r = common::client()
        .post(server.url("/echo?name=e1"))
        .body("hello object")
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["x-name"], "e1");
    assert_eq!(r.headers()["x-object"].len(), 64);
    assert_eq!(r.text().unwrap(), "hello object");
    // blockConcurrencyWhile in the constructor holds events until it finishes.
    assert_eq!(common::get(&server.url("/ready?name=fresh")).1, "true");
}

#[test]
fn rpc_clones_arguments_and_results_and_propagates_errors() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let v = json_get(&server, "/rpc/echo");
    assert_eq!(
        v,
        json!({"n": 1, "s": "two", "list": [1, "x", null], "when": 86400000, "map": true, "big": true,
               "bytes": [9, 8], "undef": true, "nan": true, "cycle": true})
    );
    let who = json_get(&server, "/rpc/whoami?name=w1");
    assert_eq!(who["ok"]["name"], "w1");
    assert_eq!(who["ok"]["ready"], true);
    let e = json_get(&server, "/rpc/fail?kind=range");
    assert_eq!(
        e["error"],
        json!({"name": "RangeError", "message": "out of range", "range": true, "type": false})
    );
    let e = json_get(&server, "/rpc/fail?kind=custom");
    assert_eq!(e["error"]["name"], "PaymentError");
    assert_eq!(e["error"]["message"], "custom failure");
    let e = json_get(&server, "/rpc/fail?kind=async");
    assert_eq!(e["error"]["name"], "TypeError");
    assert_eq!(e["error"]["message"], "async failure");
    let e = json_get(&server, "/rpc/missing");
    assert_eq!(e["error"]["name"], "TypeError");
    assert_eq!(
        e["error"]["message"],
        "The RPC receiver does not implement the method \"noSuchMethod\"."
    );
    let e = json_get(&server, "/rpc/function-result");
    assert_eq!(e["error"]["name"], "TypeError", "{e}");
    let e = json_get(&server, "/rpc/function-arg");
    assert_eq!(e["error"]["name"], "TypeError", "{e}");
}

#[test]
fn storage_key_value_api() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let v = json_get(&server, "/storage?name=kv");
    assert_eq!(
        v["ok"],
        json!({
            "single": 1, "many": ["a", "b"], "nested": [1, 2], "date": true, "map": true,
            "listAll": ["B", "a", "b", "c", "d", "é"],
            "listPrefix": ["b"], "listRange": ["a", "b"], "listAfter": ["b", "c"],
            "listReverse": ["é", "d"],
            "deleteOne": true, "deleteAgain": false, "deleteMany": 2,
            "tooMany": "RangeError", "undef": "TypeError", "fn": "DataCloneError", "both": "TypeError",
            "bigKey": "RangeError: Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.",
            "bigValue": "RangeError",
            "afterDeleteAll": 0
        }),
        "{v}"
    );
}

#[test]
fn transactions_commit_and_roll_back() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let v = json_get(&server, "/transactions?name=tx");
    assert_eq!(
        v["ok"],
        json!({
            "thrown": "abort", "afterThrow": 1, "afterRollback": 1, "committed": "ok", "afterCommit": 4,
            "syncThrown": "sync abort", "syncRows": 0, "syncResult": 7, "syncRowsAfter": 1
        }),
        "{v}"
    );
}

#[test]
fn sql_api_cursor_and_errors() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let v = json_get(&server, "/sql?name=sql");
    let ok = &v["ok"];
    assert_eq!(ok["rowsWritten"], 2, "{v}");
    assert_eq!(ok["columns"], json!(["id", "name", "score", "data"]));
    assert_eq!(ok["names"], json!(["ada", "bob"]));
    assert_eq!(ok["blob"], json!([1, 2]));
    assert_eq!(ok["nullBlob"], Value::Null);
    assert_eq!(ok["score"], 1.5);
    assert_eq!(ok["raw"], json!([["ada"], ["bob"]]));
    assert_eq!(ok["iterated"], json!([1, 2]));
    assert_eq!(ok["one"], "bob");
    assert_eq!(
        ok["oneNone"],
        "Expected exactly one result from SQL query, but got no results."
    );
    assert_eq!(
        ok["oneMany"],
        "Expected exactly one result from SQL query, but got multiple results."
    );
    assert!(
        ok["syntax"].as_str().unwrap().contains("syntax error"),
        "{v}"
    );
    assert!(ok["begin"]
        .as_str()
        .unwrap()
        .contains("state.storage.transaction()"));
    assert!(ok["hidden"].as_str().unwrap().contains("SQLITE_AUTH"));
    assert_eq!(ok["size"], true);
    assert_eq!(ok["bigint"], true);
    let legacy = json_get(&server, "/legacy/sql");
    assert!(
        legacy["ok"]
            .as_str()
            .unwrap()
            .contains("new_sqlite_classes"),
        "{legacy}"
    );
}

fn concurrent_gets(server: &Corral, path: &str, n: usize) {
    let url = server.url(path);
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || common::get(&url).0)
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
}

#[test]
fn one_hundred_concurrent_increments_give_exactly_one_hundred() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    concurrent_gets(&server, "/increment?name=race-fetch", 100);
    assert_eq!(
        common::get(&server.url("/increment?name=race-fetch")).1,
        "101"
    );
    concurrent_gets(&server, "/rpc/increment?name=race-rpc", 100);
    assert_eq!(json_get(&server, "/rpc/count?name=race-rpc")["ok"], 100);
}

#[test]
fn one_instance_per_object_across_server_threads() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = Corral::serve(
        &[dir.path()],
        &[
            "--threads",
            "2",
            "--data-dir",
            data.path().to_str().unwrap(),
        ],
    );
    let url = server.url("/rpc/increment?name=threads");
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                common::client()
                    .get(&url)
                    .header("host", "objects.localhost")
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    let body = common::client()
        .get(server.url("/rpc/count?name=threads"))
        .header("host", "objects.localhost")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(body, r#"{"ok":100}"#);
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    {
        let server = start(&dir, data.path());
        for i in 1..=50 {
            assert_eq!(
                common::get(&server.url("/increment?name=durable")).1,
                i.to_string()
            );
            assert_eq!(
                json_get(&server, "/rpc/increment?name=durable-rpc&by=2")["ok"],
                2 * i
            );
        }
        // Dropping the server sends SIGKILL: no shutdown, no flush.
    }
    let server = start(&dir, data.path());
    assert_eq!(common::get(&server.url("/increment?name=durable")).1, "51");
    assert_eq!(json_get(&server, "/rpc/count?name=durable-rpc")["ok"], 100);
}

#[test]
fn alarms_fire_when_due_and_retry_with_backoff() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    let server = start(&dir, data.path());
    let set = json_get(&server, "/alarm/set?name=al&ms=60000");
    assert!(set["ok"].as_f64().unwrap() > 0.0, "{set}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        json_get(&server, "/alarm/state?name=al")["ok"]["fired"],
        json!([]),
        "not due yet"
    );
    advance_clock(&server, 61_000);
    let v = wait_for(&server, "/alarm/state?name=al", |v| {
        v["ok"]["fired"].as_array().is_some_and(|a| !a.is_empty()) && v["ok"]["alarm"].is_null()
    });
    assert_eq!(
        v["ok"],
        json!({"fired": [{"isRetry": false, "retryCount": 0}], "alarm": null})
    );

    // A throwing handler is retried: 2 s, then 4 s later (on the test clock).
    json_get(&server, "/alarm/fail?name=al2&times=2");
    json_get(&server, "/alarm/set?name=al2&ms=0");
    wait_for(&server, "/alarm/state?name=al2", |v| {
        v["ok"]["fired"].as_array().is_some_and(|a| a.len() == 1)
    });
    advance_clock(&server, 2_100);
    wait_for(&server, "/alarm/state?name=al2", |v| {
        v["ok"]["fired"].as_array().is_some_and(|a| a.len() == 2)
    });
    advance_clock(&server, 4_100);
    let v = wait_for(&server, "/alarm/state?name=al2", |v| {
        v["ok"]["fired"].as_array().is_some_and(|a| a.len() == 3) && v["ok"]["alarm"].is_null()
    });
    assert_eq!(
        v["ok"]["fired"],
        json!([
            {"isRetry": false, "retryCount": 0},
            {"isRetry": true, "retryCount": 1},
            {"isRetry": true, "retryCount": 2}
        ])
    );
    assert_eq!(v["ok"]["alarm"], Value::Null);
    assert!(server.log().contains("alarm handler failed on purpose"));

    let v = json_get(&server, "/alarm/set?name=al3&ms=100000");
    assert!(v["ok"].is_number());
    assert_eq!(
        json_get(&server, "/alarm/delete?name=al3")["ok"],
        Value::Null
    );
}

#[test]
fn an_alarm_due_while_the_server_was_down_fires_after_restart() {
    let dir = worker();
    let data = tempfile::tempdir().unwrap();
    {
        let server = start(&dir, data.path());
        json_get(&server, "/alarm/set?name=restart&ms=1500");
        // killed (SIGKILL) before it is due
    }
    std::thread::sleep(Duration::from_millis(1600));
    let server = start(&dir, data.path());
    let v = wait_for(&server, "/alarm/state?name=restart", |v| {
        v["ok"]["fired"].as_array().is_some_and(|a| !a.is_empty())
    });
    assert_eq!(
        v["ok"]["fired"],
        json!([{"isRetry": false, "retryCount": 0}])
    );
}
