//! End-to-end tests of Workers KV: a real `corral dev` serving a worker with a KV binding, the `corral kv`
//! command line on the same data, expirations through the test clock, durability across `kill -9`, and the
//! link-shortener example.
//!
//! Most tests share one server (started on first use); tests that move the clock or kill the server start
//! their own.

mod common;

use common::{client, Corral, WorkerDir};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const WRANGLER_TOML: &str = r#"
name = "kvtest"
main = "src/index.js"
compatibility_date = "2026-08-01"
kv_namespaces = [
  { binding = "KV", id = "test-ns" },
  { binding = "OTHER", id = "other-ns" },
]
"#;

const WORKER_JS: &str = r##"
const json = (v, status = 200) => Response.json(v, { status });

async function caught(promiseOrFn) {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
    return null;
  } catch (e) {
    return { ctor: e.constructor.name, message: String(e.message) };
  }
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function readAll(stream) {
  const reader = stream.getReader();
  const parts = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(...value);
  }
  return new Uint8Array(parts);
}

// `count` chunks of `size` bytes then one of `last` bytes, made as they are read.
function lazyStream(count, size, last) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < count) controller.enqueue(new Uint8Array(size));
      else if (i === count) controller.enqueue(new Uint8Array(last));
      else controller.close();
      i++;
    },
  });
}

const scenarios = {
  async types(env) {
    const kv = env.KV;
    await kv.put("t:str", "héllo");
    await kv.put("t:json", JSON.stringify({ a: [1, 2], b: "x" }));
    await kv.put("t:ab", new Uint8Array([0, 1, 2, 255]).buffer);
    const big = new Uint8Array([9, 8, 7, 6, 5, 4]);
    await kv.put("t:view", big.subarray(2, 5));
    await kv.put("t:empty", "");
    await kv.put("t:num", 42);
    const streamValue = await kv.get("t:str", "stream");
    const out = {
      text: await kv.get("t:str"),
      textType: await kv.get("t:str", "text"),
      textOpts: await kv.get("t:str", { type: "text", cacheTtl: 60 }),
      json: await kv.get("t:json", "json"),
      jsonOpts: await kv.get("t:json", { type: "json" }),
      arrayBuffer: hex(await kv.get("t:ab", "arrayBuffer")),
      isArrayBuffer: (await kv.get("t:ab", "arrayBuffer")) instanceof ArrayBuffer,
      view: hex(await kv.get("t:view", "arrayBuffer")),
      strAsBytes: hex(await kv.get("t:str", "arrayBuffer")),
      isStream: streamValue instanceof ReadableStream,
      stream: new TextDecoder().decode(await readAll(streamValue)),
      empty: await kv.get("t:empty"),
      num: await kv.get("t:num"),
      missing: await kv.get("t:missing"),
      missingJson: await kv.get("t:missing", "json"),
      missingWithMeta: await kv.getWithMetadata("t:missing"),
      withMetaNoMeta: await kv.getWithMetadata("t:str"),
    };
    await kv.put("t:meta", "v", { metadata: { owner: "ann", n: 1 } });
    out.withMeta = await kv.getWithMetadata("t:meta");
    out.withMetaJson = await kv.getWithMetadata("t:json", "json");
    out.withMetaAb = hex((await kv.getWithMetadata("t:ab", { type: "arrayBuffer" })).value);
    await kv.put("t:meta", "v2");
    out.metaReplaced = await kv.getWithMetadata("t:meta");
    await kv.delete("t:str");
    await kv.delete("t:never-existed");
    out.deleted = await kv.get("t:str");
    await kv.put("case", "lower");
    await kv.put("CASE", "upper");
    out.caseSensitive = [await kv.get("case"), await kv.get("CASE")];
    // Namespaces are separate.
    await env.OTHER.put("t:json", "other");
    out.otherNs = await env.OTHER.get("t:json");
    out.sameNs = await kv.get("t:json");
    out.tag = Object.prototype.toString.call(kv);
    return out;
  },

  async bulk(env) {
    const kv = env.KV;
    await kv.put("b:1", "one", { metadata: { i: 1 } });
    await kv.put("b:2", JSON.stringify({ two: 2 }));
    await kv.put("b:3", "3");
    const text = await kv.get(["b:1", "b:2", "b:missing"]);
    const jsonMap = await kv.get(["b:2", "b:3", "b:missing"], "json");
    const withMeta = await kv.getWithMetadata(["b:1", "b:2", "b:missing"]);
    const withMetaJson = await kv.getWithMetadata(["b:2"], { type: "json" });
    const many = [];
    for (let i = 0; i < 101; i++) many.push("b:" + i);
    return {
      isMap: text instanceof Map,
      text: [...text],
      json: [...jsonMap],
      withMeta: [...withMeta],
      withMetaJson: [...withMetaJson],
      hundred: (await kv.get(many.slice(0, 100))).size,
      tooMany: await caught(kv.get(many)),
      none: await caught(kv.get([])),
      badType: await caught(kv.get(["b:1"], "arrayBuffer")),
      badStreamType: await caught(kv.get(["b:1"], { type: "stream" })),
      notJson: await caught(kv.get(["b:1", "b:2"], "json")),
      emptyKey: await caught(kv.get(["b:1", ""])),
    };
  },

  async errors(env, params) {
    const kv = env.KV;
    const now = Number(params.get("now"));
    const long = "x".repeat(513);
    const multibyte = "é".repeat(257); // 514 bytes
    return {
      getEmpty: await caught(kv.get("")),
      getDot: await caught(kv.get(".")),
      putDotDot: await caught(kv.put("..", "v")),
      deleteDot: await caught(kv.delete(".")),
      getLong: await caught(kv.get(long)),
      putLong: await caught(kv.put(long, "v")),
      deleteLong: await caught(kv.delete(long)),
      withMetaLong: await caught(kv.getWithMetadata(long)),
      putMultibyte: await caught(kv.put(multibyte, "v")),
      maxKeyOk: await caught(kv.put("k".repeat(512), "v")),
      ttlNan: await caught(kv.put("k", "v", { expirationTtl: "nan" })),
      ttlZero: await caught(kv.put("k", "v", { expirationTtl: 0 })),
      ttl30: await caught(kv.put("k", "v", { expirationTtl: 30 })),
      ttl60: await caught(kv.put("k:ttl60", "v", { expirationTtl: 60 })),
      expNan: await caught(kv.put("k", "v", { expiration: "nan" })),
      expPast: await caught(kv.put("k", "v", { expiration: 1000 })),
      expSoon: await caught(kv.put("k", "v", { expiration: now + 30 })),
      expOk: await caught(kv.put("k:exp", "v", { expiration: now + 120 })),
      metaBig: await caught(kv.put("k", "v", { metadata: { key: "x".repeat(1024 - 10 + 1) } })),
      metaMax: await caught(kv.put("k:meta", "v", { metadata: { key: "x".repeat(1024 - 10) } })),
      valueBig: await caught(kv.put("k", new Uint8Array(25 * 1024 * 1024 + 1))),
      streamBig: await caught(
        kv.put("k", lazyStream(25, 1024 * 1024, 1)),
      ),
      cacheTtl10: await caught(kv.get("k", { cacheTtl: 10 })),
      cacheTtlNan: await caught(kv.get("k", { cacheTtl: "nope" })),
      cacheTtl30: await caught(kv.get("k", { cacheTtl: 30 })),
      badType: await caught(kv.get("k", "blob")),
      badValue: await caught(kv.put("k", {})),
      nullValue: await caught(kv.put("k", null)),
      listLimit: await caught(kv.list({ limit: 1001 })),
      listLimitMax: await caught(kv.list({ limit: 1000 })),
      listPrefixLong: await caught(kv.list({ prefix: long })),
      listBadCursor: await caught(kv.list({ cursor: "!!!" })),
      valueLimitsKept: await kv.get("k"),
    };
  },

  async order(env) {
    const names = ["b", "a", "B", "é", "z", "Z", "ab", "日本", "a\u{10000}", "~", "A", "aé", "a b", "😀"];
    await Promise.all(names.map((n) => env.KV.put("o:" + n, "v")));
    const page = await env.KV.list({ prefix: "o:" });
    return { names: page.keys.map((k) => k.name.slice(2)), complete: page.list_complete, hasCursor: "cursor" in page, cacheStatus: page.cacheStatus };
  },

  async fill(env, params) {
    const prefix = params.get("prefix");
    const n = Number(params.get("n"));
    for (let i = 0; i < n; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 100); j++) {
        batch.push(env.KV.put(`${prefix}${String(j).padStart(5, "0")}`, "v", j % 2 ? { metadata: { j } } : undefined));
      }
      await Promise.all(batch);
    }
    return { n };
  },

  async list(env, params) {
    const opts = {};
    for (const k of ["prefix", "cursor"]) if (params.has(k)) opts[k] = params.get(k);
    if (params.has("limit")) opts.limit = Number(params.get("limit"));
    return env.KV.list(opts);
  },

  async get(env, params) {
    return env.KV.getWithMetadata(params.get("key"));
  },

  async put(env, params) {
    const opts = {};
    if (params.has("ttl")) opts.expirationTtl = Number(params.get("ttl"));
    if (params.has("expiration")) opts.expiration = Number(params.get("expiration"));
    if (params.has("metadata")) opts.metadata = JSON.parse(params.get("metadata"));
    await env.KV.put(params.get("key"), params.get("value"), opts);
    return { ok: true };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    if (url.pathname === "/stream-put") {
      // No body: an empty stream.
      const body = request.body ?? new ReadableStream({ start: (c) => c.close() });
      await env.KV.put(params.get("key"), body);
      return json({ ok: true });
    }
    if (url.pathname === "/stream-get") {
      const stream = await env.KV.get(params.get("key"), "stream");
      return stream === null ? new Response("missing", { status: 404 }) : new Response(stream);
    }
    const name = url.pathname.slice(1);
    const scenario = scenarios[name];
    if (!scenario) return new Response("no route", { status: 404 });
    try {
      return json(await scenario(env, params));
    } catch (e) {
      return json({ thrown: { ctor: e.constructor.name, message: String(e.message), stack: e.stack } }, 500);
    }
  },
};
"##;

struct Shared {
    dir: WorkerDir,
    server: Corral,
}

/// The server most tests share (its data lives in the default `.corral/` of the worker directory).
fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = worker_dir();
        let server = Corral::dev(dir.path(), &["--unsafe-test-clock"]);
        Shared { dir, server }
    })
}

fn worker_dir() -> WorkerDir {
    WorkerDir::new(&[
        ("wrangler.toml", WRANGLER_TOML),
        ("src/index.js", WORKER_JS),
    ])
}

fn call(server: &Corral, path: &str) -> Value {
    let r = client().get(server.url(path)).send().unwrap();
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {status} {text}"));
    assert_eq!(status, 200, "{path}: {v:#}\nlog:\n{}", server.log());
    v
}

fn advance(server: &Corral, ms: i64) -> i64 {
    let r = client()
        .post(server.url(&format!("/cdn-cgi/corral/clock/advance?ms={ms}")))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().unwrap().trim().parse().unwrap()
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn err(ctor: &str, message: &str) -> Value {
    json!({ "ctor": ctor, "message": message })
}

fn kv_cli(args: &[&str]) -> std::process::Output {
    let mut all = vec!["kv"];
    all.extend_from_slice(args);
    Corral::run(&all)
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "corral kv failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

// ----------------------------------------------------------------------------------------------- tests

#[test]
fn every_method_and_type() {
    let v = call(&shared().server, "/types");
    let expected = json!({
        "text": "héllo",
        "textType": "héllo",
        "textOpts": "héllo",
        "json": { "a": [1, 2], "b": "x" },
        "jsonOpts": { "a": [1, 2], "b": "x" },
        "arrayBuffer": "000102ff",
        "isArrayBuffer": true,
        "view": "070605",
        "strAsBytes": "68c3a96c6c6f",
        "isStream": true,
        "stream": "héllo",
        "empty": "",
        "num": "42",
        "missing": null,
        "missingJson": null,
        "missingWithMeta": { "value": null, "metadata": null, "cacheStatus": null },
        "withMetaNoMeta": { "value": "héllo", "metadata": null, "cacheStatus": null },
        "withMeta": { "value": "v", "metadata": { "owner": "ann", "n": 1 }, "cacheStatus": null },
        "withMetaJson": { "value": { "a": [1, 2], "b": "x" }, "metadata": null, "cacheStatus": null },
        "withMetaAb": "000102ff",
        "metaReplaced": { "value": "v2", "metadata": null, "cacheStatus": null },
        "deleted": null,
        "caseSensitive": ["lower", "upper"],
        "otherNs": "other",
        "sameNs": "{\"a\":[1,2],\"b\":\"x\"}",
        "tag": "[object KvNamespace]",
    });
    assert_eq!(v, expected, "{v:#}");
}

#[test]
fn bulk_get() {
    let v = call(&shared().server, "/bulk");
    let expected = json!({
        "isMap": true,
        "text": [["b:1", "one"], ["b:2", "{\"two\":2}"], ["b:missing", null]],
        "json": [["b:2", { "two": 2 }], ["b:3", 3], ["b:missing", null]],
        "withMeta": [
            ["b:1", { "value": "one", "metadata": { "i": 1 } }],
            ["b:2", { "value": "{\"two\":2}", "metadata": null }],
            ["b:missing", null]
        ],
        "withMetaJson": [["b:2", { "value": { "two": 2 }, "metadata": null }]],
        "hundred": 100,
        "tooMany": err("Error", "KV GET_BULK failed: 400 You can request a maximum of 100 keys"),
        "none": err("Error", "KV GET_BULK failed: 400 You must request a minimum of 1 key"),
        "badType": err("Error", "KV GET_BULK failed: 400 \"arrayBuffer\" is not a valid type. Use \"json\" or \"text\""),
        "badStreamType": err("Error", "KV GET_BULK failed: 400 \"stream\" is not a valid type. Use \"json\" or \"text\""),
        "notJson": err("Error", "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value"),
        "emptyKey": err("TypeError", "Key name cannot be empty."),
    });
    assert_eq!(v, expected, "{v:#}");
}

#[test]
fn limits_and_error_messages() {
    let server = &shared().server;
    let now_s = advance(server, 0) / 1000;
    let v = call(server, &format!("/errors?now={now_s}"));
    let too_long = |op: &str, n: usize| {
        err(
            "Error",
            &format!(
                "KV {op} failed: 414 UTF-8 encoded length of {n} exceeds key length limit of 512."
            ),
        )
    };
    let expected = json!({
        "getEmpty": err("TypeError", "Key name cannot be empty."),
        "getDot": err("TypeError", "\".\" is not allowed as a key name."),
        "putDotDot": err("TypeError", "\"..\" is not allowed as a key name."),
        "deleteDot": err("TypeError", "\".\" is not allowed as a key name."),
        "getLong": too_long("GET", 513),
        "putLong": too_long("PUT", 513),
        "deleteLong": too_long("DELETE", 513),
        "withMetaLong": too_long("GET", 513),
        "putMultibyte": too_long("PUT", 514),
        "maxKeyOk": null,
        "ttlNan": err("Error", "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."),
        "ttlZero": err("Error", "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."),
        "ttl30": err("Error", "KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60."),
        "ttl60": null,
        "expNan": err("Error", "KV PUT failed: 400 Invalid expiration of 0. Please specify integer greater than the current number of seconds since the UNIX epoch."),
        "expPast": err("Error", "KV PUT failed: 400 Invalid expiration of 1000. Please specify integer greater than the current number of seconds since the UNIX epoch."),
        "expSoon": err("Error", &format!("KV PUT failed: 400 Invalid expiration of {}. Expiration times must be at least 60 seconds in the future.", now_s + 30)),
        "expOk": null,
        "metaBig": err("Error", "KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024."),
        "metaMax": null,
        "valueBig": err("Error", "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400."),
        "streamBig": err("Error", "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400."),
        "cacheTtl10": err("Error", "KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30."),
        "cacheTtlNan": err("Error", "KV GET failed: 400 Invalid cache_ttl of 0. Cache TTL must be at least 30."),
        "cacheTtl30": null,
        "badType": err("TypeError", "Unknown response type. Possible types are \"text\", \"arrayBuffer\", \"json\", and \"stream\"."),
        "badValue": err("TypeError", "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."),
        "nullValue": err("TypeError", "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."),
        "listLimit": err("Error", "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000."),
        "listLimitMax": null,
        "listPrefixLong": too_long("GET", 513),
        "listBadCursor": err("Error", "KV GET failed: 400 Invalid cursor"),
        "valueLimitsKept": null,
    });
    assert_eq!(v, expected, "{v:#}");
}

#[test]
fn list_orders_keys_by_utf8_bytes() {
    let v = call(&shared().server, "/order");
    let mut names = vec![
        "b",
        "a",
        "B",
        "é",
        "z",
        "Z",
        "ab",
        "日本",
        "a\u{10000}",
        "~",
        "A",
        "aé",
        "a b",
        "😀",
    ];
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(
        v,
        json!({ "names": names, "complete": true, "hasCursor": false, "cacheStatus": null })
    );
    // UTF-16 order (what a JS sort gives) differs from UTF-8 byte order for astral characters.
    assert!(names.iter().position(|n| *n == "a\u{10000}") > names.iter().position(|n| *n == "aé"));
}

#[test]
fn list_paginates_2500_keys_with_cursor() {
    let server = &shared().server;
    call(server, "/fill?prefix=p:&n=2500");
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = "/list?prefix=p:".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        let page = call(server, &path);
        pages += 1;
        for k in page["keys"].as_array().unwrap() {
            let name = k["name"].as_str().unwrap().to_string();
            let j: usize = name[2..].parse().unwrap();
            if j % 2 == 1 {
                assert_eq!(k["metadata"], json!({ "j": j }), "{k}");
            } else {
                assert!(k.get("metadata").is_none(), "{k}");
            }
            assert!(k.get("expiration").is_none());
            seen.push(name);
        }
        if page["list_complete"] == json!(true) {
            assert!(page.get("cursor").is_none(), "no cursor on the last page");
            break;
        }
        assert!(page["cursor"].is_string(), "{page}");
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..2500).map(|j| format!("p:{j:05}")).collect();
    assert_eq!(seen, expected);

    // A smaller limit, and a page size changing between calls.
    let page = call(server, "/list?prefix=p:&limit=7");
    assert_eq!(page["keys"].as_array().unwrap().len(), 7);
    assert_eq!(page["list_complete"], json!(false));
    let c = page["cursor"].as_str().unwrap();
    let page = call(
        server,
        &format!("/list?prefix=p:&limit=3&cursor={}", enc(c)),
    );
    let names: Vec<&str> = page["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["p:00007", "p:00008", "p:00009"]);
    // limit 0 means the default (workerd sends only a positive limit).
    let page = call(server, "/list?prefix=p:&limit=0");
    assert_eq!(page["keys"].as_array().unwrap().len(), 1000);
}

#[test]
fn stream_put_and_get() {
    let server = &shared().server;
    let body: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let r = client()
        .post(server.url("/stream-put?key=s:big"))
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().unwrap());
    let r = client()
        .get(server.url("/stream-get?key=s:big"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let got = r.bytes().unwrap();
    assert_eq!(got.len(), body.len());
    assert!(got.as_ref() == body.as_slice(), "bytes differ");
    // An empty stream stores an empty value.
    let r = client()
        .post(server.url("/stream-put?key=s:empty"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        call(server, "/get?key=s:empty"),
        json!({ "value": "", "metadata": null, "cacheStatus": null })
    );
}

#[test]
fn cli_and_worker_share_the_data() {
    let shared = shared();
    let server = &shared.server;
    let config = shared.dir.path().to_str().unwrap();

    // The CLI writes (while the server runs), the worker reads.
    stdout(&kv_cli(&[
        "put",
        "cli:one",
        "from the shell",
        "--binding",
        "KV",
        "--config",
        config,
    ]));
    stdout(&kv_cli(&[
        "put",
        "cli:meta",
        "m",
        "--binding",
        "KV",
        "--config",
        config,
        "--ttl",
        "3600",
        "--metadata",
        r#"{"by": "cli"}"#,
    ]));
    let file = shared.dir.path().join("payload.bin");
    std::fs::write(&file, "file bytes").unwrap();
    stdout(&kv_cli(&[
        "put",
        "cli:file",
        "--path",
        file.to_str().unwrap(),
        "--binding",
        "KV",
        "--config",
        config,
    ]));
    assert_eq!(
        call(server, "/get?key=cli:one"),
        json!({ "value": "from the shell", "metadata": null, "cacheStatus": null })
    );
    assert_eq!(
        call(server, "/get?key=cli:meta")["metadata"],
        json!({ "by": "cli" })
    );
    assert_eq!(
        call(server, "/get?key=cli:file")["value"],
        json!("file bytes")
    );
    let listed = call(server, "/list?prefix=cli:meta");
    let expiration = listed["keys"][0]["expiration"].as_i64().unwrap();
    let now_s = advance(server, 0) / 1000;
    assert!(
        (now_s + 3590..=now_s + 3601).contains(&expiration),
        "{listed}"
    );

    // The worker writes, the CLI reads.
    call(
        server,
        &format!(
            "/put?key=w:one&value={}&metadata={}",
            enc("from the worker"),
            enc(r#"{"x":1}"#)
        ),
    );
    assert_eq!(
        stdout(&kv_cli(&[
            "get",
            "w:one",
            "--binding",
            "KV",
            "--config",
            config
        ])),
        "from the worker"
    );
    let list: Value = serde_json::from_str(&stdout(&kv_cli(&[
        "list",
        "--prefix",
        "w:",
        "--binding",
        "KV",
        "--config",
        config,
    ])))
    .unwrap();
    assert_eq!(list, json!([{ "name": "w:one", "metadata": { "x": 1 } }]));

    // A namespace id and an explicit data dir need no binding.
    let data_dir = shared.dir.path().join(".corral");
    assert_eq!(
        stdout(&kv_cli(&[
            "get",
            "w:one",
            "--namespace-id",
            "test-ns",
            "--data-dir",
            data_dir.to_str().unwrap(),
        ])),
        "from the worker"
    );
    assert_eq!(
        std::fs::metadata(data_dir.join("kv/test-ns.sqlite"))
            .map(|m| m.is_file())
            .ok(),
        Some(true)
    );

    // Delete from the CLI.
    stdout(&kv_cli(&[
        "delete",
        "cli:one",
        "--binding",
        "KV",
        "--config",
        config,
    ]));
    assert_eq!(call(server, "/get?key=cli:one")["value"], Value::Null);
    let out = kv_cli(&["get", "cli:one", "--binding", "KV", "--config", config]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));

    // Errors name the problem.
    let out = kv_cli(&["list", "--config", config, "--binding", "NOPE"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no KV namespace is bound as `NOPE`"));
    let out = kv_cli(&[
        "put",
        "k",
        "v",
        "--config",
        config,
        "--binding",
        "KV",
        "--ttl",
        "5",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Expiration TTL must be at least 60"));
    let out = kv_cli(&["put", "", "v", "--config", config, "--binding", "KV"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Key name cannot be empty."));
}

#[test]
fn cli_needs_a_binding_when_several_exist() {
    let dir = worker_dir();
    let config = dir.path().to_str().unwrap();
    let out = kv_cli(&["get", "k", "--config", config]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("several KV namespaces (KV, OTHER)"), "{err}");
    assert!(err.contains("--binding"), "{err}");
}

#[test]
fn expiration_follows_the_test_clock() {
    let dir = worker_dir();
    let server = Corral::dev(dir.path(), &["--unsafe-test-clock"]);
    let now_s = advance(&server, 0) / 1000;
    call(&server, "/put?key=e:ttl&value=a&ttl=60");
    call(
        &server,
        &format!("/put?key=e:abs&value=b&expiration={}", now_s + 150),
    );
    call(&server, "/put?key=e:keep&value=c");
    let page = call(&server, "/list?prefix=e:");
    let keys = page["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "{page}");
    assert_eq!(keys[0]["name"], "e:abs");
    assert_eq!(keys[0]["expiration"], json!(now_s + 150));
    assert!(keys[1].get("expiration").is_none());
    let ttl_exp = keys[2]["expiration"].as_i64().unwrap();
    assert!((now_s + 60..=now_s + 61).contains(&ttl_exp), "{page}");

    advance(&server, 61_000);
    assert_eq!(call(&server, "/get?key=e:ttl")["value"], Value::Null);
    assert_eq!(call(&server, "/get?key=e:abs")["value"], "b");
    let names: Vec<Value> = call(&server, "/list?prefix=e:")["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].clone())
        .collect();
    assert_eq!(names, [json!("e:abs"), json!("e:keep")]);

    advance(&server, 90_000);
    assert_eq!(call(&server, "/get?key=e:abs")["value"], Value::Null);
    let page = call(&server, "/list?prefix=e:");
    assert_eq!(page["keys"], json!([{ "name": "e:keep" }]));
    // An expiration in the past of the moved clock is refused with the clock's time.
    let r = client()
        .get(server.url(&format!("/put?key=e:x&value=v&expiration={}", now_s + 100)))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r
        .text()
        .unwrap()
        .contains("Please specify integer greater than the current number"));

    // Without the flag the clock endpoint is an ordinary request to the worker.
    drop(server);
    let plain = Corral::dev(dir.path(), &[]);
    let r = client()
        .post(plain.url("/cdn-cgi/corral/clock/advance?ms=1000"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn acknowledged_puts_survive_kill_9() {
    let dir = worker_dir();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    const N: usize = 300;
    {
        let server = Corral::dev(dir.path(), &["--data-dir", data_dir]);
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let url = server.url("");
                std::thread::spawn(move || {
                    let c = client();
                    for i in (t..N).step_by(4) {
                        let r = c
                            .get(format!("{url}/put?key=d:{i:04}&value=value-{i}"))
                            .send()
                            .unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // Dropping the server sends SIGKILL: no clean shutdown, no checkpoint.
    }
    assert!(Path::new(data_dir).join("kv/test-ns.sqlite").exists());
    let server = Corral::dev(dir.path(), &["--data-dir", data_dir]);
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/list?prefix=d:&limit=100".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        let page = call(&server, &path);
        seen += page["keys"].as_array().unwrap().len();
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, N);
    for i in [0, 1, N / 2, N - 1] {
        assert_eq!(
            call(&server, &format!("/get?key=d:{i:04}"))["value"],
            json!(format!("value-{i}"))
        );
    }
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

#[test]
fn link_shortener_example() {
    let data = tempfile::tempdir().unwrap();
    let server = Corral::dev(
        &example("link-shortener"),
        &["--data-dir", data.path().to_str().unwrap()],
    );
    let c = client();
    let r = c
        .post(server.url("/links"))
        .body(r#"{"url": "https://example.com/a/page?x=1"}"#)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    let code = created["code"].as_str().unwrap().to_string();
    assert_eq!(created["url"], "https://example.com/a/page?x=1");
    assert!(created["short"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{code}")));

    for _ in 0..3 {
        let r = c.get(server.url(&format!("/{code}"))).send().unwrap();
        assert_eq!(r.status().as_u16(), 302);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            "https://example.com/a/page?x=1"
        );
    }
    // Visits are counted after the redirect is sent (waitUntil): poll briefly.
    let mut stats = Value::Null;
    for _ in 0..50 {
        let text = c
            .get(server.url(&format!("/{code}/stats")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        stats = serde_json::from_str(&text).unwrap();
        if stats["visits"] == json!(3) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(stats["visits"], json!(3), "{stats}");
    assert_eq!(stats["url"], "https://example.com/a/page?x=1");
    assert!(stats["created"].is_string());

    let list: Value =
        serde_json::from_str(&c.get(server.url("/links")).send().unwrap().text().unwrap()).unwrap();
    assert_eq!(
        list["links"],
        json!([{ "code": code, "url": "https://example.com/a/page?x=1" }])
    );

    let r = c
        .post(server.url("/links"))
        .body(r#"{"url": "ftp://nope"}"#)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        c.get(server.url("/zzzzzzz"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let r = c.delete(server.url(&format!("/{code}"))).send().unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        c.get(server.url(&format!("/{code}")))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    // The data is where the README says.
    assert!(data.path().join("kv/links.sqlite").exists());
}
