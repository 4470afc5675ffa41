//! End-to-end tests of the Web platform APIs as a Workers developer sees them: a real `corral dev` process
//! serving a worker whose routes each exercise one API, spoken to over HTTP.
//!
//! One server runs the big worker below for every test in this file (started on first use, killed when the
//! test binary exits), a second one runs the service-worker syntax, and a tiny std::net HTTP server in the
//! test process plays the upstream for outbound `fetch()`.

mod common;

use common::{client, raw, Corral, WorkerDir};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// ------------------------------------------------------------------------------------------- the worker

const WRANGLER_TOML: &str = r#"
name = "webapis"
main = "src/index.js"
compatibility_date = "2026-08-01"

[vars]
GREETING = "hello from vars"
CONFIG = { region = "eu", limits = { max = 5 }, tags = ["a", "b"] }
"#;

const DEV_VARS: &str = "API_SECRET=s3cr3t-value\nQUOTED=\"with spaces\"\n";

const MATH_JS: &str = r#"
import { OFFSET } from "./constants.js";
export { VERSION } from "../version.js";
export function add(a, b) {
  return a + b + OFFSET;
}
"#;
const CONSTANTS_JS: &str = "export const OFFSET = 100;\n";
const VERSION_JS: &str = "export const VERSION = \"1.2.3\";\n";
const DATA_JSON: &str = r#"{ "name": "fixture", "items": [1, 2, 3], "nested": { "ok": true } }"#;
const GREETING_TXT: &str = "Hello from a text module\nsecond line\n";

const WORKER_JS: &str = r##"
import { add, VERSION } from "./lib/math.js";
import data from "./data/fixture.json";
import greeting from "./greeting.txt";

const enc = new TextEncoder();
const dec = new TextDecoder();
let counter = 0;
const background = new Map();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (value, init) => Response.json(value, init);
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

function errorInfo(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return { name: e.name, ctor: e.constructor.name, message: String(e.message) };
  }
}

async function rejection(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, ctor: e.constructor.name, message: String(e.message) };
  }
}

function failDeeply(message) {
  throw new TypeError(message);
}

const routes = {
  // ------------------------------------------------------------------ Request
  async "/request/info"(request) {
    const url = new URL(request.url);
    return json({
      method: request.method,
      url: request.url,
      pathname: url.pathname,
      query: Object.fromEntries(url.searchParams),
      custom: request.headers.get("X-CUSTOM-header"),
      hasCustom: request.headers.has("x-custom-HEADER"),
      missing: request.headers.get("x-not-sent"),
      isRequest: request instanceof Request,
      headersAreHeaders: request.headers instanceof Headers,
      bodyUsed: request.bodyUsed,
      redirect: request.redirect,
      immutable: errorInfo(() => request.headers.set("x-new", "1")),
      bodyIsNull: request.body === null,
      text: request.method === "GET" || request.method === "HEAD" ? null : await request.text(),
    });
  },
  async "/request/json"(request) {
    const body = await request.json();
    return json({
      received: body,
      contentType: request.headers.get("content-type"),
      bodyUsed: request.bodyUsed,
      readAgain: await rejection(request.text()),
    });
  },
  async "/request/bad-json"(request) {
    return json({ error: await rejection(request.json()) });
  },
  async "/request/text"(request) {
    const text = await request.text();
    return json({ text, length: text.length });
  },
  async "/request/bytes"(request) {
    const buf = await request.arrayBuffer();
    const bytes = new Uint8Array(buf);
    return json({
      isArrayBuffer: buf instanceof ArrayBuffer,
      length: bytes.length,
      sum: bytes.reduce((a, b) => a + b, 0),
      first: bytes[0],
      last: bytes[bytes.length - 1],
    });
  },
  async "/request/form"(request) {
    const form = await request.formData();
    const out = {};
    for (const [key, value] of form) {
      let entry = value;
      if (typeof value !== "string") {
        entry = {
          isFile: value instanceof File,
          isBlob: value instanceof Blob,
          name: value.name,
          type: value.type,
          size: value.size,
        };
        if (value.type.startsWith("text/")) entry.text = await value.text();
        else entry.bytes = [...new Uint8Array(await value.arrayBuffer())];
      }
      (out[key] ??= []).push(entry);
    }
    return json(out);
  },
  async "/request/blob"(request) {
    const blob = await request.blob();
    return json({
      isBlob: blob instanceof Blob,
      type: blob.type,
      size: blob.size,
      slice: await blob.slice(2, 5).text(),
      cf: typeof request.cf,
    });
  },
  async "/request/clone"(request) {
    const copy = request.clone();
    const [a, b] = await Promise.all([request.text(), copy.text()]);
    return json({ a, b });
  },

  // ------------------------------------------------------------------ Response
  "/response/status"() {
    return new Response("short and stout", {
      status: 418,
      statusText: "Custom Teapot",
      headers: { "X-Powered-By": "corral-test" },
    });
  },
  "/response/json"() {
    return Response.json({ ok: true, list: [1, 2, 3], text: "ünïcödé" }, { status: 201, headers: { "x-extra": "yes" } });
  },
  "/response/redirect"(request, env, ctx, url) {
    const status = url.searchParams.has("status") ? Number(url.searchParams.get("status")) : undefined;
    return status === undefined
      ? Response.redirect("https://example.com/elsewhere?x=1")
      : Response.redirect("https://example.com/moved", status);
  },
  "/response/no-content"() {
    return new Response(null, { status: 204, headers: { "x-was": "empty" } });
  },
  async "/response/clone"() {
    const original = new Response("cloned body", { status: 202, headers: { "x-clone": "yes" } });
    const copy = original.clone();
    const text = await original.text();
    copy.headers.set("x-original-text", text);
    return copy;
  },
  async "/response/checks"() {
    const plain = new Response();
    const used = new Response("once");
    await used.text();
    const bytes = new Response(new Uint8Array([104, 105]));
    const blob = new Response(new Blob(["bl", "ob"], { type: "text/x-blob" }));
    const params = new Response(new URLSearchParams({ a: "1", b: "x y" }));
    const redirect = Response.redirect("https://example.com/r", 307);
    return json({
      defaults: { status: plain.status, ok: plain.ok, statusText: plain.statusText, body: plain.body },
      custom: (() => {
        const r = new Response("x", { status: 404, statusText: "Nope" });
        return { status: r.status, ok: r.ok, statusText: r.statusText };
      })(),
      nullBodyWithContent: errorInfo(() => new Response("x", { status: 204 })),
      statusTooLow: errorInfo(() => new Response("x", { status: 99 })),
      statusTooHigh: errorInfo(() => new Response("x", { status: 600 })),
      redirectBadStatus: errorInfo(() => Response.redirect("https://example.com/", 200)),
      redirectHeaders: { status: redirect.status, location: redirect.headers.get("location") },
      bodyUsed: used.bodyUsed,
      readTwice: await rejection(used.text()),
      cloneUsed: errorInfo(() => used.clone()),
      bytes: await bytes.text(),
      blob: { text: await blob.text(), type: blob.headers.get("content-type") },
      params: { text: await params.text(), type: params.headers.get("content-type") },
      jsonType: Response.json({}).headers.get("content-type"),
      textType: new Response("t").headers.get("content-type"),
    });
  },

  // ------------------------------------------------------------------ Headers
  "/headers/checks"() {
    const h = new Headers({ "Content-Type": "text/plain" });
    h.append("X-Multi", "a");
    h.append("x-multi", "b");
    h.set("X-Replace", "1");
    h.set("x-replace", "2");
    h.append("Set-Cookie", "a=1");
    h.append("set-cookie", "b=2");
    const fromPairs = new Headers([["A", "1"], ["a", "2"]]);
    const copy = new Headers(h);
    copy.delete("X-MULTI");
    return json({
      get: h.get("x-MULTI"),
      has: h.has("X-REPLACE"),
      replaced: h.get("x-replace"),
      missing: h.get("nope"),
      keys: [...h.keys()],
      entries: [...h],
      cookieGet: h.get("set-cookie"),
      getSetCookie: h.getSetCookie(),
      fromPairs: fromPairs.get("a"),
      copyIsIndependent: [copy.has("x-multi"), h.has("x-multi")],
      trimmed: new Headers({ "x-space": "  padded \t" }).get("x-space"),
      invalidName: errorInfo(() => h.set("bad name", "x")),
      invalidValue: errorInfo(() => h.set("x-bad", "a\nb")),
      forEach: (() => {
        const seen = [];
        new Headers({ B: "2", a: "1" }).forEach((value, key) => seen.push(`${key}=${value}`));
        return seen;
      })(),
    });
  },
  "/headers/cookies"() {
    const headers = new Headers({ "content-type": "text/plain" });
    headers.append("Set-Cookie", "session=abc123; Path=/; HttpOnly");
    headers.append("Set-Cookie", "theme=dark; Max-Age=3600");
    headers.append("X-List", "one");
    headers.append("X-List", "two");
    return new Response("cookies set", { headers });
  },
  "/headers/echo"(request) {
    return json(Object.fromEntries([...request.headers].filter(([k]) => k.startsWith("x-"))));
  },

  // ------------------------------------------------------------------ URL
  "/url"(request, env, ctx, url) {
    const u = new URL("https://user:pw@Example.COM:8080/a/./b/../c?x=1&y=two#frag");
    const rel = new URL("../d?q=ü", "https://example.com/a/b/c");
    const p = new URLSearchParams("b=2&a=1&a=3&sp=a+b&enc=%26%3D");
    const pGetAll = p.getAll("a");
    p.append("c", "x y&z");
    const appended = p.toString();
    p.sort();
    const edited = new URL("https://example.com/path?keep=1");
    edited.searchParams.set("added", "a b");
    edited.pathname = "/other path";
    edited.hash = "h";
    return json({
      href: u.href,
      origin: u.origin,
      protocol: u.protocol,
      host: u.host,
      hostname: u.hostname,
      port: u.port,
      pathname: u.pathname,
      search: u.search,
      hash: u.hash,
      username: u.username,
      password: u.password,
      relative: rel.href,
      defaultPort: new URL("https://example.com:443/").port,
      idn: new URL("https://münchen.example/").hostname,
      ipv6: new URL("http://[::1]:3000/").host,
      invalid: errorInfo(() => new URL("not a url")),
      canParse: [URL.canParse("https://ok.example/"), URL.canParse("nope")],
      getA: p.get("a"),
      getAll: pGetAll,
      space: p.get("sp"),
      decoded: p.get("enc"),
      has: [p.has("c"), p.has("zzz")],
      appended,
      sorted: p.toString(),
      fromObject: new URLSearchParams({ q: "a&b", n: "1" }).toString(),
      fromPairs: new URLSearchParams([["k", "v"], ["k", "w"]]).toString(),
      edited: edited.href,
      toJSON: JSON.stringify({ u: new URL("https://example.com/j") }),
      requestQuery: [...url.searchParams],
      requestSearch: url.search,
    });
  },

  // ------------------------------------------------------------------ encoding, base64, structuredClone
  "/encoding"() {
    const euro = enc.encode("€");
    const streaming = new TextDecoder();
    const part1 = streaming.decode(euro.slice(0, 2), { stream: true });
    const part2 = streaming.decode(euro.slice(2));
    const into = new Uint8Array(8);
    const encodeInto = enc.encodeInto("a€", into);
    return json({
      bytes: [...enc.encode("héllo €")],
      roundTrip: dec.decode(enc.encode("héllo € 😀")),
      encoding: [enc.encoding, dec.encoding],
      streamed: [part1, part2],
      encodeInto: { read: encodeInto.read, written: encodeInto.written, bytes: [...into.slice(0, 4)] },
      replacement: new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62])),
      bomStripped: new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])),
      fatal: errorInfo(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]))),
      fromBuffer: dec.decode(enc.encode("buffer").buffer),
      btoa: btoa("hello world"),
      atob: atob("aGVsbG8gd29ybGQ="),
      atobSpaces: atob(" aGVs bG8= "),
      latin1: btoa("\u00ff\u00fe"),
      atobBinary: [...atob("//4=")].map((c) => c.charCodeAt(0)),
      btoaBad: errorInfo(() => btoa("€")),
      atobBad: errorInfo(() => atob("abc*")),
    });
  },
  "/structured-clone"() {
    const source = {
      name: "root",
      when: new Date(0),
      tags: new Set(["a", "b"]),
      map: new Map([["k", 1]]),
      bytes: new Uint8Array([1, 2, 3]),
      nested: { arr: [1, { deep: true }] },
      re: /ab+c/gi,
      big: 10n,
    };
    source.self = source;
    const c = structuredClone(source);
    const err = structuredClone(new RangeError("boom"));
    return json({
      distinct: c !== source,
      selfRef: c.self === c,
      date: c.when instanceof Date && c.when.getTime() === 0 && c.when !== source.when,
      set: [...c.tags],
      map: [...c.map],
      bytes: [...c.bytes],
      bytesCopied: c.bytes.buffer !== source.bytes.buffer,
      nested: c.nested,
      nestedDistinct: c.nested !== source.nested,
      regexp: `${c.re.source}/${c.re.flags}`,
      bigint: c.big === 10n,
      error: { isRangeError: err instanceof RangeError, message: err.message },
      primitive: structuredClone("just a string"),
      fn: errorInfo(() => structuredClone({ f() {} })),
    });
  },

  // ------------------------------------------------------------------ timers, microtasks, abort, events
  async "/timers"() {
    const order = [];
    setTimeout(() => order.push("timeout 0"), 0);
    queueMicrotask(() => order.push("microtask"));
    Promise.resolve().then(() => order.push("promise"));
    order.push("sync");
    const cancelled = setTimeout(() => order.push("cancelled timeout ran!"), 10);
    clearTimeout(cancelled);
    const withArgs = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 5, "x", 42));
    let ticks = 0;
    await new Promise((resolve) => {
      const id = setInterval(() => {
        ticks++;
        if (ticks === 3) {
          clearInterval(id);
          resolve();
        }
      }, 10);
    });
    await sleep(60);
    const started = Date.now();
    await sleep(100);
    const slept = Date.now() - started;
    const awaitedMicrotask = await new Promise((resolve) => {
      queueMicrotask(() => resolve("ran"));
    });
    return json({ order, withArgs, ticks, slept, idType: typeof cancelled, awaitedMicrotask });
  },
  async "/abort"() {
    const c = new AbortController();
    const events = [];
    c.signal.addEventListener("abort", (e) => events.push(e.type));
    c.signal.onabort = () => events.push("onabort");
    const beforeAbort = c.signal.aborted;
    c.abort(new Error("custom reason"));
    c.abort(new Error("second abort is ignored"));
    const plain = new AbortController();
    plain.abort();
    const timeoutSignal = AbortSignal.timeout(50);
    const started = performance.now();
    await new Promise((resolve) => timeoutSignal.addEventListener("abort", resolve));
    const elapsed = performance.now() - started;
    const already = AbortSignal.abort();
    const anySource = new AbortController();
    const any = AbortSignal.any([anySource.signal, AbortSignal.timeout(10000)]);
    const anyBefore = any.aborted;
    anySource.abort("why");
    return json({
      beforeAbort,
      aborted: c.signal.aborted,
      reason: c.signal.reason.message,
      events,
      defaultReason: { name: plain.signal.reason.name, isDOMException: plain.signal.reason instanceof DOMException },
      timeout: {
        aborted: timeoutSignal.aborted,
        name: timeoutSignal.reason.name,
        isDOMException: timeoutSignal.reason instanceof DOMException,
        elapsed,
      },
      already: { aborted: already.aborted, name: already.reason.name },
      throwIfAborted: errorInfo(() => already.throwIfAborted()),
      notAborted: errorInfo(() => new AbortController().signal.throwIfAborted()),
      any: { before: anyBefore, after: any.aborted, reason: any.reason },
    });
  },
  "/events"() {
    const target = new EventTarget();
    const seen = [];
    const listener = (e) => seen.push(`fn:${e.type}:${e.target === target}`);
    target.addEventListener("ping", listener);
    target.addEventListener("ping", listener);
    target.addEventListener("ping", { handleEvent: (e) => seen.push(`object:${e.type}`) });
    target.addEventListener("ping", () => seen.push("once"), { once: true });
    target.dispatchEvent(new Event("ping"));
    target.dispatchEvent(new Event("ping"));
    target.removeEventListener("ping", listener);
    target.dispatchEvent(new Event("ping"));

    target.addEventListener("cancel-me", (e) => e.preventDefault());
    const cancelableResult = target.dispatchEvent(new Event("cancel-me", { cancelable: true }));
    const uncancelableResult = target.dispatchEvent(new Event("cancel-me"));

    const stops = [];
    target.addEventListener("stop", (e) => {
      stops.push(1);
      e.stopImmediatePropagation();
    });
    target.addEventListener("stop", () => stops.push(2));
    target.dispatchEvent(new Event("stop"));

    let detail = null;
    target.addEventListener("custom", (e) => (detail = e.detail));
    target.dispatchEvent(new CustomEvent("custom", { detail: { n: 1 } }));

    class Thing extends EventTarget {
      fire() {
        this.dispatchEvent(new Event("fired"));
      }
    }
    let fired = false;
    const thing = new Thing();
    thing.addEventListener("fired", () => (fired = true));
    thing.fire();

    const ac = new AbortController();
    let viaSignal = 0;
    target.addEventListener("sig", () => viaSignal++, { signal: ac.signal });
    target.dispatchEvent(new Event("sig"));
    ac.abort();
    target.dispatchEvent(new Event("sig"));

    const ev = new Event("x", { bubbles: true, cancelable: true });
    return json({
      seen,
      cancelableResult,
      uncancelableResult,
      stops,
      detail,
      fired,
      viaSignal,
      props: {
        type: ev.type,
        bubbles: ev.bubbles,
        cancelable: ev.cancelable,
        defaultPrevented: ev.defaultPrevented,
        timeStamp: typeof ev.timeStamp,
      },
      noType: errorInfo(() => new Event()),
    });
  },

  // ------------------------------------------------------------------ console, performance, navigator
  "/console"(request, env, ctx, url) {
    const marker = url.searchParams.get("marker");
    console.log("log line", marker, { nested: { n: 1 } }, [1, 2]);
    console.log("format %s=%d %j", marker, 42, { j: true });
    console.info("info line", marker);
    console.warn("warn line", marker);
    console.error("error line", marker);
    return new Response("logged");
  },
  async "/platform"() {
    const a = performance.now();
    await sleep(30);
    const b = performance.now();
    return json({
      userAgent: navigator.userAgent,
      nowType: typeof a,
      delta: b - a,
      timeOrigin: typeof performance.timeOrigin,
    });
  },

  // ------------------------------------------------------------------ crypto
  async "/crypto"() {
    const rnd = new Uint8Array(32);
    const returned = crypto.getRandomValues(rnd);
    const rnd2 = crypto.getRandomValues(new Uint8Array(32));
    const digests = {};
    for (const alg of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
      digests[alg] = hex(await crypto.subtle.digest(alg, enc.encode("abc")));
    }
    digests.empty = hex(await crypto.subtle.digest({ name: "SHA-256" }, new Uint8Array(0)));
    const hmac = {};
    const message = enc.encode("what do ya want for nothing?");
    for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
      const key = await crypto.subtle.importKey("raw", enc.encode("Jefe"), { name: "HMAC", hash }, false, [
        "sign",
        "verify",
      ]);
      const sig = await crypto.subtle.sign("HMAC", key, message);
      hmac[hash] = {
        sig: hex(sig),
        verify: await crypto.subtle.verify("HMAC", key, sig, message),
        tampered: await crypto.subtle.verify("HMAC", key, sig, enc.encode("what do ya want for nothing!")),
      };
    }
    const generated = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
    const gsig = await crypto.subtle.sign("HMAC", generated, enc.encode("x"));
    return json({
      sameArray: returned === rnd,
      nonZero: rnd.some((b) => b !== 0),
      differ: hex(rnd) !== hex(rnd2),
      uuids: [crypto.randomUUID(), crypto.randomUUID()],
      quota: errorInfo(() => crypto.getRandomValues(new Uint8Array(65537))),
      floats: errorInfo(() => crypto.getRandomValues(new Float32Array(4))),
      digests,
      hmac,
      generated: {
        type: generated.type,
        algorithm: generated.algorithm.name,
        hash: generated.algorithm.hash.name,
        usages: generated.usages,
        extractable: generated.extractable,
        sigLength: gsig.byteLength,
        verify: await crypto.subtle.verify("HMAC", generated, gsig, enc.encode("x")),
      },
      unknownDigest: await rejection(crypto.subtle.digest("MD6", enc.encode("abc"))),
      timingSafeEqual: {
        same: crypto.subtle.timingSafeEqual(enc.encode("same bytes"), enc.encode("same bytes")),
        different: crypto.subtle.timingSafeEqual(enc.encode("same bytes"), enc.encode("same bytez")),
        lengths: errorInfo(() => crypto.subtle.timingSafeEqual(enc.encode("a"), enc.encode("ab"))),
      },
    });
  },

  // ------------------------------------------------------------------ env, ctx, state, modules
  "/env"(request, env) {
    return json({
      greeting: env.GREETING,
      config: env.CONFIG,
      configType: typeof env.CONFIG,
      secret: env.API_SECRET,
      quoted: env.QUOTED,
      keys: Object.keys(env).sort(),
    });
  },
  "/wait-until"(request, env, ctx, url) {
    const token = url.searchParams.get("token");
    background.set(token, "pending");
    ctx.waitUntil(sleep(300).then(() => background.set(token, "done")));
    return new Response("scheduled");
  },
  "/wait-until/status"(request, env, ctx, url) {
    return new Response(background.get(url.searchParams.get("token")) ?? "unknown");
  },
  "/counter"() {
    counter++;
    return new Response(String(counter));
  },
  "/modules"() {
    return json({ sum: add(2, 3), version: VERSION, data, greeting, greetingType: typeof greeting });
  },
  "/throw"() {
    failDeeply("deliberate failure 7f3a");
  },
  async "/throw-async"() {
    await sleep(5);
    throw new RangeError("async failure 9c1e");
  },

  // ------------------------------------------------------------------ streams
  "/stream"(request, env, ctx, url) {
    const n = Number(url.searchParams.get("n") ?? 3);
    const gap = Number(url.searchParams.get("gap") ?? 300);
    let i = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        if (i > 0) await sleep(gap);
        controller.enqueue(enc.encode(`chunk ${i} produced at ${Date.now()}\n`));
        if (++i === n) controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
  "/stream-writer"(request, env, ctx) {
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    ctx.waitUntil(
      (async () => {
        for (let i = 0; i < 3; i++) {
          if (i > 0) await sleep(300);
          await writer.write(enc.encode(`event ${i} produced at ${Date.now()}\n`));
        }
        await writer.close();
      })(),
    );
    return new Response(readable, { headers: { "content-type": "text/plain" } });
  },
  "/upper"(request) {
    const upper = new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk.toUpperCase());
      },
    });
    const body = request.body.pipeThrough(new TextDecoderStream()).pipeThrough(upper).pipeThrough(new TextEncoderStream());
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
  async "/count-bytes"(request) {
    let chunks = 0;
    let bytes = 0;
    let sum = 0;
    const counter = new TransformStream({
      transform(chunk, controller) {
        chunks++;
        bytes += chunk.byteLength;
        for (const b of chunk) sum = (sum + b) % 1000000007;
        controller.enqueue(chunk);
      },
    });
    const sink = new WritableStream({ write() {} });
    await request.body.pipeThrough(counter).pipeTo(sink);
    return json({ chunks, bytes, sum });
  },
  async "/stream-utils"() {
    const [a, b] = new ReadableStream({
      start(c) {
        c.enqueue("x");
        c.enqueue("y");
        c.close();
      },
    }).tee();
    const read = async (s) => {
      const out = [];
      for await (const chunk of s) out.push(chunk);
      return out;
    };
    const fromResponse = new Response("body via stream").body.pipeThrough(new TextDecoderStream());
    return json({ a: await read(a), b: await read(b), text: (await read(fromResponse)).join("") });
  },

  "/stream-cancel"(request, env, ctx, url) {
    const token = url.searchParams.get("token");
    background.set(token, "streaming");
    let i = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        await sleep(50);
        controller.enqueue(enc.encode(`tick ${i++}\n`));
        if (i > 200) {
          background.set(token, "ran to the end");
          controller.close();
        }
      },
      cancel() {
        background.set(token, "cancelled");
      },
    });
    return new Response(stream);
  },
  "/stream-error"() {
    let step = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        if (step++ === 0) {
          controller.enqueue(enc.encode("partial data\n"));
          return;
        }
        await sleep(20);
        controller.error(new Error("stream broke 4e2b"));
      },
    });
    return new Response(stream);
  },
  async "/request/streamed-body"(request) {
    const reader = request.body.getReader();
    const times = [];
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      times.push(performance.now());
      text += dec.decode(value, { stream: true });
    }
    return json({ text, chunks: times.length, spanMs: times[times.length - 1] - times[0] });
  },
  "/timer-throw"() {
    setTimeout(() => {
      throw new Error("timer failure 3b7c");
    }, 0);
    return new Response("scheduled a throw");
  },
  "/unhandled-rejection"() {
    Promise.reject(new Error("unhandled rejection 8d2f"));
    return new Response("rejected a promise nobody handles");
  },
  async "/sleep"(request, env, ctx, url) {
    await sleep(Number(url.searchParams.get("ms")));
    return new Response("slept");
  },
  "/not-a-response"() {
    return "just a string";
  },

  // ------------------------------------------------------------------ outbound fetch
  async "/fetch/stream"(request, env, ctx, url) {
    const upstream = await fetch(`${url.searchParams.get("up")}/stream`);
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { "content-type": upstream.headers.get("content-type") },
    });
  },
  async "/fetch/stream-read"(request, env, ctx, url) {
    const upstream = await fetch(`${url.searchParams.get("up")}/stream`);
    const reader = upstream.body.getReader();
    const times = [];
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      times.push(performance.now());
      text += dec.decode(value, { stream: true });
    }
    return json({ status: upstream.status, ok: upstream.ok, chunks: times.length, spanMs: times[times.length - 1] - times[0], text });
  },
  async "/fetch/redirect"(request, env, ctx, url) {
    const mode = url.searchParams.get("mode");
    const up = url.searchParams.get("up");
    try {
      const r = await fetch(`${up}/redirect`, mode === "default" ? {} : { redirect: mode });
      return json({
        status: r.status,
        redirected: r.redirected,
        url: r.url,
        location: r.headers.get("location"),
        text: await r.text(),
      });
    } catch (e) {
      return json({ error: e.name, message: String(e.message) });
    }
  },
  async "/fetch/abort"(request, env, ctx, url) {
    const up = url.searchParams.get("up");
    const how = url.searchParams.get("how");
    const started = Date.now();
    try {
      let signal;
      if (how === "timeout") {
        signal = AbortSignal.timeout(150);
      } else {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 150);
        signal = controller.signal;
      }
      const r = await fetch(`${up}/slow`, { signal });
      return json({ unexpected: await r.text() });
    } catch (e) {
      return json({ name: e.name, isDOMException: e instanceof DOMException, elapsed: Date.now() - started });
    }
  },
  async "/fetch/post"(request, env, ctx, url) {
    const upstream = await fetch(`${url.searchParams.get("up")}/echo`, {
      method: "POST",
      body: request.body,
      headers: { "content-type": request.headers.get("content-type"), "x-forwarded-by": "corral-test" },
    });
    return json({ status: upstream.status, upstream: await upstream.json() });
  },
  async "/fetch/proxy"(request, env, ctx, url) {
    const target = new URL(`${url.searchParams.get("up")}/echo`);
    const upstream = await fetch(new Request(target, request));
    return json({ status: upstream.status, upstream: await upstream.json() });
  },
  async "/fetch/json"(request, env, ctx, url) {
    const upstream = await fetch(`${url.searchParams.get("up")}/echo`, {
      method: "PUT",
      body: JSON.stringify({ hello: "upstream" }),
      headers: { "content-type": "application/json" },
    });
    const echoed = await upstream.json();
    return json({ status: upstream.status, contentType: upstream.headers.get("content-type"), echoed });
  },
  "/fetch/passthrough"(request, env, ctx, url) {
    return fetch(`${url.searchParams.get("up")}/target`);
  },
  async "/fetch/rewrap"(request, env, ctx, url) {
    const upstream = await fetch(`${url.searchParams.get("up")}/target`);
    const immutable = errorInfo(() => upstream.headers.set("x-nope", "1"));
    const response = new Response(upstream.body, upstream);
    response.headers.set("x-added", "yes");
    response.headers.set("x-immutable-error", immutable ? immutable.name : "none");
    return response;
  },
  async "/fetch/upload-stream"(request, env, ctx, url) {
    let i = 0;
    const body = new ReadableStream({
      async pull(controller) {
        await sleep(10);
        if (i < 3) controller.enqueue(enc.encode(`part ${i++};`));
        else controller.close();
      },
    });
    const upstream = await fetch(`${url.searchParams.get("up")}/echo`, { method: "POST", body, duplex: "half" });
    return json(await upstream.json());
  },
  async "/fetch/upload-endless"(request, env, ctx, url) {
    // A body that never ends: it can only reach the upstream chunk by chunk.
    let n = 0;
    let cancelled;
    const wasCancelled = new Promise((resolve) => (cancelled = resolve));
    const body = new ReadableStream({
      async pull(controller) {
        if (n > 0) await sleep(50);
        controller.enqueue(enc.encode(`chunk ${n++};`));
      },
      cancel() {
        cancelled("cancelled");
      },
    });
    const started = Date.now();
    const answer = fetch(`${url.searchParams.get("up")}/first-chunk`, { method: "POST", body, duplex: "half" })
      .then((r) => r.text());
    const text = await Promise.race([answer, sleep(3000).then(() => "no answer in 3 s")]);
    const elapsed = Date.now() - started;
    const outcome = await Promise.race([wasCancelled, sleep(3000).then(() => "still pulled after 3 s")]);
    return json({ text, elapsed, outcome, pulls: n });
  },
  async "/fetch/upload-error"(request, env, ctx, url) {
    let pulls = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(enc.encode("partial"));
        else controller.error(new RangeError("the source broke"));
      },
    });
    try {
      const r = await fetch(`${url.searchParams.get("up")}/echo`, { method: "POST", body, duplex: "half" });
      return json({ unexpected: await r.text() });
    } catch (e) {
      return json({ error: `${e.name}: ${e.message}` });
    }
  },
  async "/fetch/redirect-stream"(request, env, ctx, url) {
    const body = new ReadableStream({ start(c) { c.enqueue(enc.encode("streamed")); c.close(); } });
    try {
      const r = await fetch(`${url.searchParams.get("up")}/redirect307`, { method: "POST", body, duplex: "half" });
      return json({ status: r.status, text: await r.text() });
    } catch (e) {
      return json({ error: `${e.name}: ${e.message}` });
    }
  },
  async "/fetch/redirect-post"(request, env, ctx, url) {
    const up = url.searchParams.get("up");
    const r302 = await fetch(`${up}/redirect`, { method: "POST", body: "dropped on 302" });
    const r307 = await fetch(`${up}/redirect307`, { method: "POST", body: "kept on 307" });
    return json({ after302: await r302.text(), after307: await r307.json() });
  },
  async "/fetch/cookies"(request, env, ctx, url) {
    const r = await fetch(`${url.searchParams.get("up")}/cookies`);
    return json({ getSetCookie: r.headers.getSetCookie(), get: r.headers.get("set-cookie") });
  },
  async "/fetch/abort-body"(request, env, ctx, url) {
    const controller = new AbortController();
    const r = await fetch(`${url.searchParams.get("up")}/drip`, { signal: controller.signal });
    const reader = r.body.getReader();
    const first = dec.decode((await reader.read()).value);
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(reader.read());
    return json({ status: r.status, first, error, elapsed: Date.now() - started });
  },
  async "/fetch/clone"(request, env, ctx, url) {
    const r = await fetch(`${url.searchParams.get("up")}/stream`);
    const copy = r.clone();
    const [a, b] = await Promise.all([r.text(), copy.text()]);
    return json({ a, b, copyStatus: copy.status });
  },
  async "/fetch/errors"(request, env, ctx, url) {
    const up = url.searchParams.get("up");
    return json({
      getWithBody: await rejection(fetch(`${up}/echo`, { method: "GET", body: "x" })),
      relativeRequest: errorInfo(() => new Request("/relative")),
      usedBody: await (async () => {
        const req = new Request(`${up}/echo`, { method: "POST", body: "once" });
        await req.text();
        return rejection(fetch(req));
      })(),
      badScheme: await rejection(fetch("ftp://example.com/file")),
      refused: await rejection(fetch(url.searchParams.get("closed"))),
      notFound: await (async () => {
        const r = await fetch(`${url.searchParams.get("up")}/missing`);
        return { status: r.status, ok: r.ok, text: await r.text() };
      })(),
    });
  },
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const route = routes[url.pathname];
    if (!route) return new Response(`no route ${url.pathname}`, { status: 404 });
    return route(request, env, ctx, url);
  },
};
"##;

// ------------------------------------------------------------------------------- the shared server

struct Shared {
    server: Corral,
    _dir: WorkerDir,
}

static SHARED: Mutex<Option<Shared>> = Mutex::new(None);

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

/// Statics are never dropped, so the shared `corral` is killed (and its directory removed) at process exit.
extern "C" fn stop_shared_server() {
    if let Ok(mut guard) = SHARED.try_lock() {
        drop(guard.take());
    }
}

fn lock_shared() -> std::sync::MutexGuard<'static, Option<Shared>> {
    SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The address of the shared `webapis` worker, started on first use.
fn addr() -> SocketAddr {
    let mut guard = lock_shared();
    if guard.is_none() {
        let dir = WorkerDir::new(&[
            ("wrangler.toml", WRANGLER_TOML),
            (".dev.vars", DEV_VARS),
            ("src/index.js", WORKER_JS),
            ("src/lib/math.js", MATH_JS),
            ("src/lib/constants.js", CONSTANTS_JS),
            ("src/version.js", VERSION_JS),
            ("src/data/fixture.json", DATA_JSON),
            ("src/greeting.txt", GREETING_TXT),
        ]);
        let server = Corral::dev(dir.path(), &[]);
        // SAFETY: `atexit` only stores the function pointer; the callback touches nothing but a static.
        unsafe {
            atexit(stop_shared_server);
        }
        *guard = Some(Shared { server, _dir: dir });
    }
    guard.as_ref().unwrap().server.addr
}

fn url(path: &str) -> String {
    format!("http://{}{}", addr(), path)
}

fn server_log() -> String {
    addr();
    lock_shared().as_ref().unwrap().server.log()
}

fn wait_for_log(needle: &str, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if server_log().contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// GETs `path` on the shared worker and parses the JSON answer.
fn get_json(path: &str) -> Value {
    let r = client().get(url(path)).send().unwrap();
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
}

fn post_json(path: &str, content_type: &str, body: Vec<u8>) -> Value {
    let r = client()
        .post(url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {path}: {e}: {text}"))
}

/// `{name, ...}` of an error the worker caught, or a panic naming what was expected.
fn error_name(v: &Value, what: &str) -> String {
    v.get("name")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: expected an error, got {v}"))
        .to_string()
}

// ------------------------------------------------------------------------ a tiny upstream HTTP server

/// A std::net HTTP/1.1 server for outbound `fetch()`: `/stream` (three chunks 300 ms apart), `/redirect`
/// (302 to `/target`), `/target`, `/slow` (answers after 5 s), `/echo` (JSON of what it received), `/first-chunk`
/// (answers with the first chunk of a chunked body, before the rest arrives).
fn upstream() -> SocketAddr {
    static UPSTREAM: OnceLock<SocketAddr> = OnceLock::new();
    *UPSTREAM.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                std::thread::spawn(move || {
                    let _ = serve_upstream(stream);
                });
            }
        });
        addr
    })
}

fn up_param() -> String {
    format!("up=http://{}", upstream())
}

struct UpRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn read_upstream_request(stream: &mut TcpStream) -> std::io::Result<UpRequest> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut tmp)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut fill = |rest: &mut Vec<u8>, want: usize| -> std::io::Result<()> {
        while rest.len() < want {
            let n = stream.read(&mut tmp)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            rest.extend_from_slice(&tmp[..n]);
        }
        Ok(())
    };
    let body = if let Some(len) = header("content-length") {
        let len: usize = len.parse().unwrap_or(0);
        fill(&mut rest, len)?;
        rest[..len].to_vec()
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        // `/first-chunk` answers once the first chunk is in, while the client is still sending.
        let first_chunk_only = path.starts_with("/first-chunk");
        let mut body = Vec::new();
        let mut at = 0;
        loop {
            let line_end = loop {
                if let Some(i) = find(&rest[at..], b"\r\n") {
                    break at + i;
                }
                let have = rest.len();
                fill(&mut rest, have + 1)?;
            };
            let size_text = String::from_utf8_lossy(&rest[at..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            fill(&mut rest, line_end + 2 + size + 2)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            at = line_end + 2 + size + 2;
            if first_chunk_only {
                break;
            }
        }
        body
    } else {
        Vec::new()
    };
    Ok(UpRequest {
        method,
        path,
        headers,
        body,
    })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    let _ = stream.write_all(&bytes);
}

fn serve_upstream(mut stream: TcpStream) -> std::io::Result<()> {
    let req = read_upstream_request(&mut stream)?;
    let path = req.path.split('?').next().unwrap_or("").to_string();
    match path.as_str() {
        "/stream" => {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: text/x-upstream\r\ntransfer-encoding: chunked\r\n\r\n",
            )?;
            for i in 0..3 {
                if i > 0 {
                    std::thread::sleep(Duration::from_millis(300));
                }
                let chunk = format!("up {i}\n");
                stream.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())?;
                stream.flush()?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        "/redirect" => respond(
            &mut stream,
            "302 Found",
            &[("location", "/target"), ("content-type", "text/plain")],
            b"redirecting",
        ),
        "/redirect307" => respond(
            &mut stream,
            "307 Temporary Redirect",
            &[("location", "/echo")],
            b"",
        ),
        "/cookies" => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\nset-cookie: a=1; Path=/\r\nset-cookie: b=2; Secure\r\ncontent-length: 2\r\n\r\nok",
            );
        }
        "/drip" => {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n6\r\nfirst\n\r\n",
            )?;
            stream.flush()?;
            std::thread::sleep(Duration::from_secs(5));
            stream.write_all(b"5\r\nlate\n\r\n0\r\n\r\n")?;
        }
        "/first-chunk" => {
            respond(&mut stream, "200 OK", &[], &req.body);
            // Reads on for 300 ms, so the client sees the answer before the connection goes away.
            let until = Instant::now() + Duration::from_millis(300);
            stream.set_read_timeout(Some(Duration::from_millis(50)))?;
            let mut sink = [0u8; 4096];
            while Instant::now() < until && !matches!(stream.read(&mut sink), Ok(0)) {}
        }
        "/target" => respond(
            &mut stream,
            "200 OK",
            &[("content-type", "text/plain")],
            format!("target reached via {}", req.method).as_bytes(),
        ),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(5));
            respond(&mut stream, "200 OK", &[], b"too late");
        }
        "/echo" => {
            let headers: serde_json::Map<String, Value> = req
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let body = json!({
                "method": req.method,
                "path": req.path,
                "headers": headers,
                "body": String::from_utf8_lossy(&req.body),
                "bodyLength": req.body.len(),
            });
            respond(
                &mut stream,
                "200 OK",
                &[("content-type", "application/json")],
                body.to_string().as_bytes(),
            );
        }
        _ => respond(
            &mut stream,
            "404 Not Found",
            &[("content-type", "text/plain")],
            b"upstream has no such page",
        ),
    }
    Ok(())
}

// --------------------------------------------------------------- reading a chunked answer as it arrives

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// A response read with a raw socket: its head, its de-chunked body, and when (Unix ms) each body byte
/// count was reached.
struct Timed {
    head: String,
    body: String,
    arrivals: Vec<(u128, usize)>,
    /// The terminating zero-size chunk arrived.
    complete: bool,
}

impl Timed {
    /// Unix ms at which the body first contained `needle` in full.
    fn arrival_of(&self, needle: &str) -> u128 {
        let end = self
            .body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {:?}", self.body))
            + needle.len();
        self.arrivals
            .iter()
            .find(|(_, len)| *len >= end)
            .map(|(t, _)| *t)
            .unwrap()
    }
}

/// GETs `path` with a raw socket and de-chunks the body incrementally, noting arrival times.
fn get_timed(addr: SocketAddr, path: &str) -> Timed {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let mut head: Option<String> = None;
    let mut body = Vec::new();
    let mut at = 0; // parse position in buf (after the head)
    let mut arrivals = Vec::new();
    let mut finished = false;
    while !finished {
        let n = match s.read(&mut tmp) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => panic!(
                "reading {path}: {e}; so far {:?}",
                String::from_utf8_lossy(&buf)
            ),
        };
        let now = unix_ms();
        buf.extend_from_slice(&tmp[..n]);
        if head.is_none() {
            match find(&buf, b"\r\n\r\n") {
                Some(i) => {
                    head = Some(String::from_utf8_lossy(&buf[..i]).into_owned());
                    at = i + 4;
                }
                None => continue,
            }
        }
        // De-chunk every complete chunk available.
        while let Some(nl) = find(&buf[at..], b"\r\n") {
            let size_text = String::from_utf8_lossy(&buf[at..at + nl]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .unwrap_or_else(|_| panic!("bad chunk size {size_text:?} (is it chunked?)"));
            let data_start = at + nl + 2;
            if size == 0 {
                finished = true;
                break;
            }
            if buf.len() < data_start + size + 2 {
                break;
            }
            body.extend_from_slice(&buf[data_start..data_start + size]);
            at = data_start + size + 2;
            arrivals.push((now, body.len()));
        }
    }
    let head =
        head.unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(&buf)));
    Timed {
        head,
        body: String::from_utf8(body).unwrap(),
        arrivals,
        complete: finished,
    }
}

/// The Unix ms a worker stamped into `"{label} produced at {ms}"`.
fn produced_at(body: &str, label: &str) -> u128 {
    let line = body
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("{label:?} not in {body:?}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

// ========================================================================================== the tests

#[test]
fn request_method_url_and_headers() {
    let r = client()
        .get(url("/request/info?a=1&b=two%20words&c=%E2%9C%93"))
        .header("X-Custom-Header", "custom value")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(v["method"], "GET");
    assert_eq!(
        v["url"],
        format!(
            "http://{}/request/info?a=1&b=two%20words&c=%E2%9C%93",
            addr()
        )
    );
    assert_eq!(v["pathname"], "/request/info");
    assert_eq!(v["query"], json!({"a": "1", "b": "two words", "c": "✓"}));
    assert_eq!(v["custom"], "custom value");
    assert_eq!(v["hasCustom"], true);
    assert_eq!(v["missing"], Value::Null);
    assert_eq!(v["isRequest"], true);
    assert_eq!(v["headersAreHeaders"], true);
    assert_eq!(v["bodyUsed"], false);
    assert_eq!(v["bodyIsNull"], true, "a GET request has a null body");
    assert_eq!(
        v["redirect"], "manual",
        "incoming requests have redirect manual"
    );
    assert_eq!(
        error_name(&v["immutable"], "setting an incoming request's header"),
        "TypeError"
    );

    for method in ["PUT", "PATCH", "DELETE", "OPTIONS"] {
        let r = client()
            .request(method.parse().unwrap(), url("/request/info"))
            .body(format!("{method} body"))
            .send()
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        assert_eq!(v["method"], method);
        assert_eq!(v["text"], format!("{method} body"));
    }

    // HEAD runs the handler but sends no body.
    let r = client().head(url("/request/info")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    assert_eq!(r.text().unwrap(), "");
}

#[test]
fn request_json_text_and_binary_bodies() {
    let v = post_json(
        "/request/json",
        "application/json",
        br#"{"name":"Ada","tags":["x","y"],"n":1.5,"nested":{"ok":true}}"#.to_vec(),
    );
    assert_eq!(
        v["received"],
        json!({"name": "Ada", "tags": ["x", "y"], "n": 1.5, "nested": {"ok": true}})
    );
    assert_eq!(v["contentType"], "application/json");
    assert_eq!(v["bodyUsed"], true);
    assert_eq!(
        error_name(&v["readAgain"], "reading a body twice"),
        "TypeError"
    );

    let v = post_json(
        "/request/bad-json",
        "application/json",
        b"{not json".to_vec(),
    );
    assert_eq!(error_name(&v["error"], "invalid JSON"), "SyntaxError");

    let text = "héllo wörld ✓ 😀";
    let v = post_json(
        "/request/text",
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
    );
    assert_eq!(v["text"], text);
    assert_eq!(v["length"], text.encode_utf16().count());

    let bytes: Vec<u8> = (0..1024).map(|i| (i % 256) as u8).collect();
    let v = post_json("/request/bytes", "application/octet-stream", bytes);
    assert_eq!(
        v,
        json!({"isArrayBuffer": true, "length": 1024, "sum": 4 * 32640, "first": 0, "last": 255})
    );

    // A large body arrives whole.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sum: u64 = big.iter().map(|&b| b as u64).sum();
    let v = post_json("/request/bytes", "application/octet-stream", big);
    assert_eq!(v["length"], 3_000_000);
    assert_eq!(v["sum"], sum);

    let v = post_json("/request/clone", "text/plain", b"read me twice".to_vec());
    assert_eq!(v, json!({"a": "read me twice", "b": "read me twice"}));
}

#[test]
fn request_form_data_urlencoded_and_multipart() {
    let v = post_json(
        "/request/form",
        "application/x-www-form-urlencoded",
        b"name=Ada+Lovelace&lang=js&lang=rust&sym=%E2%9C%93%26&empty=".to_vec(),
    );
    assert_eq!(
        v,
        json!({"name": ["Ada Lovelace"], "lang": ["js", "rust"], "sym": ["✓&"], "empty": [""]})
    );

    let boundary = "----corralBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQuarterly report\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two ✓\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"blob\"; filename=\"data.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&[0, 1, 2, 13, 10, 255, 254]);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nsecond title\r\n--{boundary}--\r\n").as_bytes());
    let v = post_json(
        "/request/form",
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    );
    assert_eq!(v["title"], json!(["Quarterly report", "second title"]));
    assert_eq!(
        v["upload"],
        json!([{
            "isFile": true, "isBlob": true, "name": "notes.txt", "type": "text/plain",
            "size": "line one\r\nline two ✓\n".len(), "text": "line one\r\nline two ✓\n"
        }])
    );
    assert_eq!(
        v["blob"],
        json!([{
            "isFile": true, "isBlob": true, "name": "data.bin", "type": "application/octet-stream",
            "size": 7, "bytes": [0, 1, 2, 13, 10, 255, 254]
        }])
    );
}

#[test]
fn response_status_json_redirect_and_null_body() {
    let r = client().get(url("/response/status")).send().unwrap();
    assert_eq!(r.status().as_u16(), 418);
    assert_eq!(r.headers()["x-powered-by"], "corral-test");
    assert_eq!(r.text().unwrap(), "short and stout");

    let r = client().get(url("/response/json")).send().unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["x-extra"], "yes");
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(v, json!({"ok": true, "list": [1, 2, 3], "text": "ünïcödé"}));

    let r = client().get(url("/response/redirect")).send().unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(r.headers()["location"], "https://example.com/elsewhere?x=1");
    let r = client()
        .get(url("/response/redirect?status=301"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(r.headers()["location"], "https://example.com/moved");

    let answer = raw(
        addr(),
        b"GET /response/no-content HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("x-was: empty"),
        "{answer}"
    );
    assert!(
        !answer.to_ascii_lowercase().contains("transfer-encoding"),
        "{answer}"
    );
    assert!(
        answer.ends_with("\r\n\r\n"),
        "204 must have no body: {answer:?}"
    );

    let r = client().get(url("/response/clone")).send().unwrap();
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(r.headers()["x-clone"], "yes");
    assert_eq!(r.headers()["x-original-text"], "cloned body");
    assert_eq!(r.text().unwrap(), "cloned body");
}

#[test]
fn response_constructor_rules() {
    let v = get_json("/response/checks");
    assert_eq!(
        v["defaults"],
        json!({"status": 200, "ok": true, "statusText": "", "body": null})
    );
    assert_eq!(
        v["custom"],
        json!({"status": 404, "ok": false, "statusText": "Nope"})
    );
    assert_eq!(
        error_name(&v["nullBodyWithContent"], "body with 204"),
        "TypeError"
    );
    assert_eq!(error_name(&v["statusTooLow"], "status 99"), "RangeError");
    assert_eq!(error_name(&v["statusTooHigh"], "status 600"), "RangeError");
    assert_eq!(
        error_name(&v["redirectBadStatus"], "redirect 200"),
        "RangeError"
    );
    assert_eq!(
        v["redirectHeaders"],
        json!({"status": 307, "location": "https://example.com/r"})
    );
    assert_eq!(v["bodyUsed"], true);
    assert_eq!(error_name(&v["readTwice"], "read twice"), "TypeError");
    assert_eq!(error_name(&v["cloneUsed"], "clone used"), "TypeError");
    assert_eq!(v["bytes"], "hi");
    assert_eq!(v["blob"], json!({"text": "blob", "type": "text/x-blob"}));
    assert_eq!(
        v["params"],
        json!({"text": "a=1&b=x+y", "type": "application/x-www-form-urlencoded;charset=UTF-8"})
    );
    assert_eq!(v["jsonType"], "application/json");
    assert_eq!(v["textType"], "text/plain;charset=UTF-8");
}

#[test]

fn custom_status_text_reaches_the_client() {
    let answer = raw(
        addr(),
        b"GET /response/status HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(
        answer.starts_with("HTTP/1.1 418 Custom Teapot\r\n"),
        "{answer}"
    );
}

#[test]
fn headers_case_insensitive_and_set_cookie() {
    let v = get_json("/headers/checks");
    assert_eq!(v["get"], "a, b");
    assert_eq!(v["has"], true);
    assert_eq!(v["replaced"], "2");
    assert_eq!(v["missing"], Value::Null);
    assert_eq!(
        v["keys"],
        json!([
            "content-type",
            "set-cookie",
            "set-cookie",
            "x-multi",
            "x-replace"
        ])
    );
    assert_eq!(
        v["entries"],
        json!([
            ["content-type", "text/plain"],
            ["set-cookie", "a=1"],
            ["set-cookie", "b=2"],
            ["x-multi", "a, b"],
            ["x-replace", "2"]
        ])
    );
    assert_eq!(v["cookieGet"], "a=1, b=2");
    assert_eq!(v["getSetCookie"], json!(["a=1", "b=2"]));
    assert_eq!(v["fromPairs"], "1, 2");
    assert_eq!(v["copyIsIndependent"], json!([false, true]));
    assert_eq!(v["trimmed"], "padded");
    assert_eq!(error_name(&v["invalidName"], "bad name"), "TypeError");
    assert_eq!(error_name(&v["invalidValue"], "bad value"), "TypeError");
    assert_eq!(v["forEach"], json!(["a=1", "b=2"]));

    // Two Set-Cookie headers reach the client as two header lines, never folded.
    let r = client().get(url("/headers/cookies")).send().unwrap();
    let cookies: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        cookies,
        [
            "session=abc123; Path=/; HttpOnly",
            "theme=dark; Max-Age=3600"
        ]
    );
    let list: Vec<&str> = r
        .headers()
        .get_all("x-list")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(list.join(", "), "one, two");

    // Request headers arrive lower-cased; repeated ones are combined.
    let r = client()
        .get(url("/headers/echo"))
        .header("X-One", "1")
        .header("X-Repeat", "a")
        .header("x-repeat", "b")
        .send()
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(v, json!({"x-one": "1", "x-repeat": "a, b"}));
}

#[test]
fn url_and_search_params() {
    let v = get_json("/url?q=a%20b&q=c&plus=1+2&empty");
    assert_eq!(
        v["href"],
        "https://user:pw@example.com:8080/a/c?x=1&y=two#frag"
    );
    assert_eq!(v["origin"], "https://example.com:8080");
    assert_eq!(v["protocol"], "https:");
    assert_eq!(v["host"], "example.com:8080");
    assert_eq!(v["hostname"], "example.com");
    assert_eq!(v["port"], "8080");
    assert_eq!(v["pathname"], "/a/c");
    assert_eq!(v["search"], "?x=1&y=two");
    assert_eq!(v["hash"], "#frag");
    assert_eq!(v["username"], "user");
    assert_eq!(v["password"], "pw");
    assert_eq!(v["relative"], "https://example.com/a/d?q=%C3%BC");
    assert_eq!(v["defaultPort"], "");
    assert_eq!(v["idn"], "xn--mnchen-3ya.example");
    assert_eq!(v["ipv6"], "[::1]:3000");
    assert_eq!(error_name(&v["invalid"], "new URL(garbage)"), "TypeError");
    assert_eq!(v["canParse"], json!([true, false]));
    assert_eq!(v["getA"], "1");
    assert_eq!(v["getAll"], json!(["1", "3"]));
    assert_eq!(v["space"], "a b");
    assert_eq!(v["decoded"], "&=");
    assert_eq!(v["has"], json!([true, false]));
    assert_eq!(v["appended"], "b=2&a=1&a=3&sp=a+b&enc=%26%3D&c=x+y%26z");
    assert_eq!(v["sorted"], "a=1&a=3&b=2&c=x+y%26z&enc=%26%3D&sp=a+b");
    assert_eq!(v["fromObject"], "q=a%26b&n=1");
    assert_eq!(v["fromPairs"], "k=v&k=w");
    assert_eq!(
        v["edited"],
        "https://example.com/other%20path?keep=1&added=a+b#h"
    );
    assert_eq!(v["toJSON"], r#"{"u":"https://example.com/j"}"#);
    assert_eq!(
        v["requestQuery"],
        json!([["q", "a b"], ["q", "c"], ["plus", "1 2"], ["empty", ""]])
    );
    assert_eq!(v["requestSearch"], "?q=a%20b&q=c&plus=1+2&empty");
}

#[test]
fn text_encoding_and_base64() {
    let v = get_json("/encoding");
    assert_eq!(
        v["bytes"],
        json!([104, 195, 169, 108, 108, 111, 32, 226, 130, 172])
    );
    assert_eq!(v["roundTrip"], "héllo € 😀");
    assert_eq!(v["encoding"], json!(["utf-8", "utf-8"]));
    assert_eq!(v["streamed"], json!(["", "€"]));
    assert_eq!(
        v["encodeInto"],
        json!({"read": 2, "written": 4, "bytes": [97, 226, 130, 172]})
    );
    assert_eq!(v["replacement"], "a\u{FFFD}b");
    assert_eq!(v["bomStripped"], "hi");
    assert_eq!(error_name(&v["fatal"], "fatal decoder"), "TypeError");
    assert_eq!(v["fromBuffer"], "buffer");
    assert_eq!(v["btoa"], "aGVsbG8gd29ybGQ=");
    assert_eq!(v["atob"], "hello world");
    assert_eq!(v["atobSpaces"], "hello");
    assert_eq!(v["latin1"], "//4=");
    assert_eq!(v["atobBinary"], json!([255, 254]));
    assert_eq!(
        error_name(&v["btoaBad"], "btoa(non-latin1)"),
        "InvalidCharacterError"
    );
    assert_eq!(
        error_name(&v["atobBad"], "atob(bad)"),
        "InvalidCharacterError"
    );
}

#[test]
fn structured_clone() {
    let v = get_json("/structured-clone");
    assert_eq!(v["distinct"], true);
    assert_eq!(v["selfRef"], true);
    assert_eq!(v["date"], true);
    assert_eq!(v["set"], json!(["a", "b"]));
    assert_eq!(v["map"], json!([["k", 1]]));
    assert_eq!(v["bytes"], json!([1, 2, 3]));
    assert_eq!(v["bytesCopied"], true);
    assert_eq!(v["nested"], json!({"arr": [1, {"deep": true}]}));
    assert_eq!(v["nestedDistinct"], true);
    assert_eq!(v["regexp"], "ab+c/gi");
    assert_eq!(v["bigint"], true);
    assert_eq!(v["error"], json!({"isRangeError": true, "message": "boom"}));
    assert_eq!(v["primitive"], "just a string");
    assert_eq!(error_name(&v["fn"], "cloning a function"), "DataCloneError");
}

#[test]
fn timers_and_microtasks() {
    let v = get_json("/timers");
    assert_eq!(
        v["order"],
        json!(["sync", "microtask", "promise", "timeout 0"])
    );
    assert_eq!(v["withArgs"], json!(["x", 42]));
    assert_eq!(v["ticks"], 3, "setInterval stops after clearInterval");
    let slept = v["slept"].as_f64().unwrap();
    assert!(
        (99.0..1000.0).contains(&slept),
        "setTimeout(100) took {slept} ms"
    );
    assert_eq!(v["idType"], "number");
    assert_eq!(v["awaitedMicrotask"], "ran");
}

#[test]
fn abort_controller_and_signal_timeout() {
    let v = get_json("/abort");
    assert_eq!(v["beforeAbort"], false);
    assert_eq!(v["aborted"], true);
    assert_eq!(v["reason"], "custom reason");
    assert_eq!(v["events"], json!(["abort", "onabort"]));
    assert_eq!(
        v["defaultReason"],
        json!({"name": "AbortError", "isDOMException": true})
    );
    assert_eq!(v["timeout"]["aborted"], true);
    assert_eq!(v["timeout"]["name"], "TimeoutError");
    assert_eq!(v["timeout"]["isDOMException"], true);
    let elapsed = v["timeout"]["elapsed"].as_f64().unwrap();
    assert!(
        (45.0..2000.0).contains(&elapsed),
        "AbortSignal.timeout(50) fired after {elapsed} ms"
    );
    assert_eq!(v["already"], json!({"aborted": true, "name": "AbortError"}));
    assert_eq!(
        error_name(&v["throwIfAborted"], "throwIfAborted"),
        "AbortError"
    );
    assert_eq!(v["notAborted"], Value::Null);
    assert_eq!(
        v["any"],
        json!({"before": false, "after": true, "reason": "why"})
    );
}

#[test]
fn event_target_and_events() {
    let v = get_json("/events");
    assert_eq!(
        v["seen"],
        json!([
            "fn:ping:true",
            "object:ping",
            "once",
            "fn:ping:true",
            "object:ping",
            "object:ping"
        ])
    );
    assert_eq!(v["cancelableResult"], false);
    assert_eq!(v["uncancelableResult"], true);
    assert_eq!(v["stops"], json!([1]));
    assert_eq!(v["detail"], json!({"n": 1}));
    assert_eq!(v["fired"], true);
    assert_eq!(v["viaSignal"], 1);
    assert_eq!(
        v["props"],
        json!({"type": "x", "bubbles": true, "cancelable": true, "defaultPrevented": false, "timeStamp": "number"})
    );
    assert_eq!(error_name(&v["noType"], "new Event()"), "TypeError");
}

#[test]
fn console_output_reaches_the_server_log_with_the_worker_name() {
    let marker = format!("mk{}", unix_ms());
    let (status, body) = common::get(&url(&format!("/console?marker={marker}")));
    assert_eq!((status, body.as_str()), (200, "logged"));
    let needle = format!("error line {marker}");
    assert!(
        wait_for_log(&needle, Duration::from_secs(5)),
        "{}",
        server_log()
    );
    let log = server_log();
    let line_of = |text: &str| -> String {
        log.lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no {text:?} in log:\n{log}"))
            .to_string()
    };
    let line = line_of(&format!("log line {marker}"));
    assert!(line.contains("webapis"), "{line}");
    assert!(line.contains("INFO"), "{line}");
    assert!(
        line.contains(&format!(
            "log line {marker} {{ nested: {{ n: 1 }} }} [ 1, 2 ]"
        )),
        "objects are formatted like Node's util.inspect: {line}"
    );
    let line = line_of(&format!("format {marker}"));
    assert!(
        line.contains(&format!("format {marker}=42 {{\"j\":true}}")),
        "%s %d %j substitutions: {line}"
    );
    let line = line_of(&format!("info line {marker}"));
    assert!(line.contains("webapis") && line.contains("INFO"), "{line}");
    let line = line_of(&format!("warn line {marker}"));
    assert!(line.contains("webapis") && line.contains("WARN"), "{line}");
    let line = line_of(&format!("error line {marker}"));
    assert!(line.contains("webapis") && line.contains("ERROR"), "{line}");
}

#[test]
fn performance_now_and_navigator() {
    let v = get_json("/platform");
    assert_eq!(v["userAgent"], "Cloudflare-Workers");
    assert_eq!(v["nowType"], "number");
    let delta = v["delta"].as_f64().unwrap();
    assert!(
        (29.0..1000.0).contains(&delta),
        "performance.now() advanced {delta} ms over a 30 ms sleep"
    );
    assert_eq!(v["timeOrigin"], "number");
}

#[test]
fn crypto_random_digest_hmac_and_timing_safe_equal() {
    let v = get_json("/crypto");
    assert_eq!(v["sameArray"], true, "getRandomValues returns its argument");
    assert_eq!(v["nonZero"], true);
    assert_eq!(v["differ"], true);
    let uuids: Vec<&str> = v["uuids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_ne!(uuids[0], uuids[1]);
    for u in &uuids {
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{u}"
        );
        assert!(
            u.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{u}"
        );
        assert!(parts[2].starts_with('4'), "version 4: {u}");
        assert!(
            matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')),
            "variant: {u}"
        );
    }
    assert_eq!(
        error_name(&v["quota"], "getRandomValues(65537)"),
        "QuotaExceededError"
    );
    assert_eq!(
        error_name(&v["floats"], "getRandomValues(Float32Array)"),
        "TypeMismatchError"
    );
    assert_eq!(
        v["digests"],
        json!({
            "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
            "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            "SHA-512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "empty": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        })
    );
    // RFC 2202 / RFC 4231 test case 2.
    let expected = [
        ("SHA-1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ("SHA-256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("SHA-384", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"),
        ("SHA-512", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
    ];
    for (hash, sig) in expected {
        assert_eq!(
            v["hmac"][hash],
            json!({"sig": sig, "verify": true, "tampered": false}),
            "HMAC {hash}"
        );
    }
    assert_eq!(
        v["generated"],
        json!({
            "type": "secret", "algorithm": "HMAC", "hash": "SHA-256", "usages": ["sign", "verify"],
            "extractable": true, "sigLength": 32, "verify": true
        })
    );
    assert_eq!(
        error_name(&v["unknownDigest"], "digest(MD6)"),
        "NotSupportedError"
    );
    assert_eq!(v["timingSafeEqual"]["same"], true);
    assert_eq!(v["timingSafeEqual"]["different"], false);
    assert_eq!(
        error_name(
            &v["timingSafeEqual"]["lengths"],
            "timingSafeEqual of different lengths"
        ),
        "TypeError"
    );
}

#[test]
fn env_vars_json_vars_and_dev_vars_secrets() {
    let v = get_json("/env");
    assert_eq!(v["greeting"], "hello from vars");
    assert_eq!(
        v["config"],
        json!({"region": "eu", "limits": {"max": 5}, "tags": ["a", "b"]})
    );
    assert_eq!(v["configType"], "object");
    assert_eq!(v["secret"], "s3cr3t-value");
    assert_eq!(v["quoted"], "with spaces");
    assert_eq!(
        v["keys"],
        json!(["API_SECRET", "CONFIG", "GREETING", "QUOTED"])
    );
}

#[test]
fn wait_until_work_finishes_after_the_response() {
    let token = format!("t{}", unix_ms());
    let started = Instant::now();
    let (status, body) = common::get(&url(&format!("/wait-until?token={token}")));
    assert_eq!((status, body.as_str()), (200, "scheduled"));
    let answered = started.elapsed();
    let (_, state) = common::get(&url(&format!("/wait-until/status?token={token}")));
    assert_eq!(
        state, "pending",
        "the response went out before the waitUntil work (answered in {answered:?})"
    );
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, state) = common::get(&url(&format!("/wait-until/status?token={token}")));
        if state == "done" {
            break;
        }
        assert!(
            Instant::now() < end,
            "waitUntil work never finished: {state}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(started.elapsed() >= Duration::from_millis(290));
}

#[test]
fn module_state_persists_across_requests() {
    let first: u64 = common::get(&url("/counter")).1.parse().unwrap();
    let second: u64 = common::get(&url("/counter")).1.parse().unwrap();
    let third: u64 = common::get(&url("/counter")).1.parse().unwrap();
    assert_eq!((second, third), (first + 1, first + 2));
}

#[test]
fn relative_json_and_text_module_imports() {
    let v = get_json("/modules");
    assert_eq!(v["sum"], 105);
    assert_eq!(v["version"], "1.2.3");
    assert_eq!(
        v["data"],
        json!({"name": "fixture", "items": [1, 2, 3], "nested": {"ok": true}})
    );
    assert_eq!(v["greeting"], GREETING_TXT);
    assert_eq!(v["greetingType"], "string");
}

#[test]
fn a_throwing_handler_gets_a_dev_error_page_and_a_logged_stack() {
    let (status, body) = common::get(&url("/throw"));
    assert_eq!(status, 500);
    assert!(body.contains("deliberate failure 7f3a"), "{body}");
    assert!(body.contains("TypeError"), "{body}");
    assert!(
        body.contains("failDeeply"),
        "the page shows the stack: {body}"
    );
    assert!(
        wait_for_log("deliberate failure 7f3a", Duration::from_secs(5)),
        "{}",
        server_log()
    );
    let log = server_log();
    let at = log.find("deliberate failure 7f3a").unwrap();
    let rest = &log[at..];
    let entry: String = rest.lines().take(8).collect::<Vec<_>>().join("\n");
    assert!(entry.contains("at failDeeply"), "{entry}");
    assert!(entry.contains("src/index.js"), "{entry}");
    assert!(entry.contains("webapis"), "{entry}");

    let (status, body) = common::get(&url("/throw-async"));
    assert_eq!(status, 500);
    assert!(body.contains("RangeError"), "{body}");
    assert!(body.contains("async failure 9c1e"), "{body}");
    assert!(
        wait_for_log("async failure 9c1e", Duration::from_secs(5)),
        "{}",
        server_log()
    );

    // The worker keeps serving.
    let (status, _) = common::get(&url("/counter"));
    assert_eq!(status, 200);
}

#[test]
fn streamed_response_arrives_chunk_by_chunk() {
    let t = get_timed(addr(), "/stream?n=3&gap=300");
    let head = t.head.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{}", t.head);
    assert!(head.contains("transfer-encoding: chunked"), "{}", t.head);
    assert!(head.contains("content-type: text/plain"), "{}", t.head);
    let first_arrived = t.arrival_of("chunk 0 produced at");
    let last_produced = produced_at(&t.body, "chunk 2");
    assert!(
        first_arrived + 100 < last_produced,
        "chunk 0 arrived at {first_arrived}, chunk 2 was produced at {last_produced}: the body was buffered\n{:?}",
        t.arrivals
    );
    let last_arrived = t.arrival_of("chunk 2 produced at");
    assert!(last_arrived - first_arrived >= 450, "{:?}", t.arrivals);
    assert_eq!(t.body.lines().count(), 3, "{}", t.body);
    assert!(t.complete);

    // The TransformStream-writer pattern streams the same way.
    let t = get_timed(addr(), "/stream-writer");
    let first_arrived = t.arrival_of("event 0 produced at");
    let last_produced = produced_at(&t.body, "event 2");
    assert!(
        first_arrived + 100 < last_produced,
        "event 0 arrived at {first_arrived}, event 2 was produced at {last_produced}\n{:?}",
        t.arrivals
    );
}

#[test]
fn request_body_through_transform_streams() {
    let r = client()
        .post(url("/upper"))
        .body("hello streams, ünïcode too")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().unwrap(), "HELLO STREAMS, ÜNÏCODE TOO");

    // A body large enough to arrive in many chunks passes through intact.
    let big: String = (0..20_000).map(|i| format!("line {i} abc\n")).collect();
    let r = client()
        .post(url("/upper"))
        .body(big.clone())
        .send()
        .unwrap();
    let text = r.text().unwrap();
    assert_eq!(text.len(), big.len());
    assert!(text == big.to_uppercase());

    let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let sum = bytes.iter().map(|&b| b as u64).sum::<u64>() % 1_000_000_007;
    let v = post_json("/count-bytes", "application/octet-stream", bytes);
    assert_eq!(v["bytes"], 1_000_000);
    assert_eq!(v["sum"], sum);
    assert!(v["chunks"].as_u64().unwrap() >= 1);

    let v = get_json("/stream-utils");
    assert_eq!(
        v,
        json!({"a": ["x", "y"], "b": ["x", "y"], "text": "body via stream"})
    );
}

#[test]
fn fetch_streams_an_upstream_body() {
    let up = upstream();
    let started = Instant::now();
    let t = get_timed(addr(), &format!("/fetch/stream?{}", up_param()));
    assert!(t.head.starts_with("HTTP/1.1 200"), "{}", t.head);
    assert!(
        t.head
            .to_ascii_lowercase()
            .contains("content-type: text/x-upstream"),
        "{}",
        t.head
    );
    assert_eq!(t.body, "up 0\nup 1\nup 2\n");
    let first = t.arrival_of("up 0\n");
    let last = t.arrival_of("up 2\n");
    assert!(
        last - first >= 450,
        "the upstream body was buffered instead of streamed: {:?} (up {up})",
        t.arrivals
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    let v = get_json(&format!("/fetch/stream-read?{}", up_param()));
    assert_eq!(v["status"], 200);
    assert_eq!(v["ok"], true);
    assert_eq!(v["text"], "up 0\nup 1\nup 2\n");
    assert!(v["chunks"].as_u64().unwrap() >= 3, "{v}");
    assert!(v["spanMs"].as_f64().unwrap() >= 450.0, "{v}");
}

#[test]
fn fetch_redirect_modes() {
    let up = upstream();
    let v = get_json(&format!("/fetch/redirect?mode=follow&{}", up_param()));
    assert_eq!(
        v,
        json!({
            "status": 200, "redirected": true, "url": format!("http://{up}/target"),
            "location": null, "text": "target reached via GET"
        })
    );
    let v = get_json(&format!("/fetch/redirect?mode=default&{}", up_param()));
    assert_eq!(v["status"], 200, "follow is the default: {v}");
    assert_eq!(v["redirected"], true);

    let v = get_json(&format!("/fetch/redirect?mode=manual&{}", up_param()));
    assert_eq!(
        v,
        json!({
            "status": 302, "redirected": false, "url": format!("http://{up}/redirect"),
            "location": "/target", "text": "redirecting"
        })
    );

    let v = get_json(&format!("/fetch/redirect?mode=error&{}", up_param()));
    assert_eq!(v["error"], "TypeError", "{v}");
}

#[test]
fn fetch_aborted_by_signal() {
    for how in ["controller", "timeout"] {
        let started = Instant::now();
        let v = get_json(&format!("/fetch/abort?how={how}&{}", up_param()));
        let expected = if how == "timeout" {
            "TimeoutError"
        } else {
            "AbortError"
        };
        assert_eq!(v["name"], expected, "{how}: {v}");
        assert_eq!(v["isDOMException"], true, "{how}: {v}");
        let elapsed = v["elapsed"].as_u64().unwrap();
        assert!(
            (140..2000).contains(&elapsed),
            "{how}: aborted after {elapsed} ms"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[test]
fn fetch_forwards_post_bodies() {
    let v = post_json(
        &format!("/fetch/post?{}", up_param()),
        "text/plain; charset=utf-8",
        "forward me ✓".as_bytes().to_vec(),
    );
    assert_eq!(v["status"], 200);
    let up = &v["upstream"];
    assert_eq!(up["method"], "POST");
    assert_eq!(up["path"], "/echo");
    assert_eq!(up["body"], "forward me ✓");
    assert_eq!(up["headers"]["x-forwarded-by"], "corral-test");
    assert_eq!(up["headers"]["content-type"], "text/plain; charset=utf-8");

    // A large streamed body is forwarded whole.
    let big: String = (0..50_000).map(|i| format!("{i},")).collect();
    let v = post_json(
        &format!("/fetch/post?{}", up_param()),
        "text/csv",
        big.clone().into_bytes(),
    );
    assert_eq!(v["upstream"]["bodyLength"], big.len());
    assert_eq!(v["upstream"]["body"], big);

    // new Request(url, incomingRequest) keeps method, headers and body.
    let r = client()
        .patch(url(&format!("/fetch/proxy?{}", up_param())))
        .header("x-proxied", "yes")
        .header("content-type", "application/json")
        .body(r#"{"patch":true}"#)
        .send()
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(v["status"], 200, "{v}");
    assert_eq!(v["upstream"]["method"], "PATCH");
    assert_eq!(v["upstream"]["body"], r#"{"patch":true}"#);
    assert_eq!(v["upstream"]["headers"]["x-proxied"], "yes");

    let v = get_json(&format!("/fetch/json?{}", up_param()));
    assert_eq!(v["status"], 200);
    assert_eq!(v["contentType"], "application/json");
    assert_eq!(v["echoed"]["method"], "PUT");
    assert_eq!(v["echoed"]["body"], r#"{"hello":"upstream"}"#);
}

#[test]
fn fetch_streams_a_request_body_chunk_by_chunk() {
    // The upstream answers after the first chunk of a body that never ends: a buffered upload would never be sent.
    let v = get_json(&format!("/fetch/upload-endless?{}", up_param()));
    assert_eq!(v["text"], "chunk 0;", "{v}");
    assert!(v["elapsed"].as_f64().unwrap() < 2500.0, "{v}");
    // Once the request is over, the upload stops pulling and cancels the stream.
    assert_eq!(v["outcome"], "cancelled", "{v}");

    // A stream that errors fails the upload, and so the fetch.
    let v = get_json(&format!("/fetch/upload-error?{}", up_param()));
    let error = v["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("TypeError: Network connection lost"),
        "{v}"
    );
    assert!(error.contains("the source broke"), "{v}");

    // A streamed body cannot follow a 307: a TypeError, as the Fetch standard has it.
    let v = get_json(&format!("/fetch/redirect-stream?{}", up_param()));
    let error = v["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with(
            "TypeError: Fetch API cannot follow a 307 redirect with a streamed request body"
        ),
        "{v}"
    );
}

#[test]
fn fetch_errors() {
    // A port nobody listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let v = get_json(&format!(
        "/fetch/errors?closed=http://{closed}/&{}",
        up_param()
    ));
    assert_eq!(error_name(&v["badScheme"], "fetch(ftp:)"), "TypeError");
    assert_eq!(
        error_name(&v["getWithBody"], "GET with a body"),
        "TypeError"
    );
    assert_eq!(
        error_name(&v["relativeRequest"], "new Request(relative)"),
        "TypeError"
    );
    assert_eq!(
        error_name(&v["usedBody"], "fetch(used request)"),
        "TypeError"
    );
    assert_eq!(error_name(&v["refused"], "connection refused"), "TypeError");
    assert_eq!(
        v["notFound"],
        json!({"status": 404, "ok": false, "text": "upstream has no such page"})
    );
}

#[test]
fn a_client_going_away_cancels_the_response_stream() {
    let token = format!("c{}", unix_ms());
    let mut s = TcpStream::connect(addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET /stream-cancel?token={token} HTTP/1.1\r\nhost: x\r\n\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut tmp = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("tick 1") {
        let n = s.read(&mut tmp).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&tmp[..n]);
    }
    drop(s);
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, state) = common::get(&url(&format!("/wait-until/status?token={token}")));
        if state == "cancelled" {
            break;
        }
        assert!(
            Instant::now() < end,
            "the stream's cancel() was not called after the client left: {state}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_erroring_response_stream_is_truncated_not_completed() {
    let t = get_timed(addr(), "/stream-error");
    assert!(t.head.starts_with("HTTP/1.1 200"), "{}", t.head);
    assert_eq!(t.body, "partial data\n");
    assert!(
        !t.complete,
        "an errored stream must not end with the terminating chunk, or the client takes the truncated body as whole"
    );
    assert!(
        wait_for_log("stream broke 4e2b", Duration::from_secs(5)),
        "{}",
        server_log()
    );
}

#[test]
fn request_body_streams_into_the_worker() {
    let mut s = TcpStream::connect(addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(
        b"POST /request/streamed-body HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .unwrap();
    for (i, part) in ["aaa", "bbb", "ccc"].iter().enumerate() {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(300));
        }
        write!(s, "{:x}\r\n{part}\r\n", part.len()).unwrap();
        s.flush().unwrap();
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let body = &answer[answer.find("\r\n\r\n").expect(&answer) + 4..];
    // The answer may itself be chunked: take the JSON object out of it.
    let json_text = &body[body.find('{').expect(body)..=body.rfind('}').expect(body)];
    let v: Value = serde_json::from_str(json_text).unwrap();
    assert_eq!(v["text"], "aaabbbccc", "{answer}");
    assert!(v["chunks"].as_u64().unwrap() >= 3, "{v}");
    assert!(
        v["spanMs"].as_f64().unwrap() >= 450.0,
        "the worker saw the body only once it was complete: {v}"
    );
}

#[test]
fn request_blob_and_cf() {
    let v = post_json("/request/blob", "text/x-custom", b"0123456789".to_vec());
    assert_eq!(
        v,
        json!({"isBlob": true, "type": "text/x-custom", "size": 10, "slice": "234", "cf": "object"})
    );
}

#[test]
fn returning_something_other_than_a_response_is_a_500() {
    let (status, _) = common::get(&url("/not-a-response"));
    assert_eq!(status, 500);
}

#[test]

fn fetched_response_headers_are_immutable() {
    let r = client()
        .get(url(&format!("/fetch/rewrap?{}", up_param())))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["x-immutable-error"],
        "TypeError",
        "upstream.headers.set() on a fetch() response must throw TypeError (guard \"immutable\")"
    );
}

#[test]
fn fetch_responses_pass_through_and_rewrap() {
    let r = client()
        .get(url(&format!("/fetch/passthrough?{}", up_param())))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.text().unwrap(), "target reached via GET");

    let r = client()
        .get(url(&format!("/fetch/rewrap?{}", up_param())))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-added"], "yes");
    assert_eq!(r.text().unwrap(), "target reached via GET");

    let v = get_json(&format!("/fetch/upload-stream?{}", up_param()));
    assert_eq!(v["method"], "POST");
    assert_eq!(v["body"], "part 0;part 1;part 2;");
}

#[test]
fn fetch_response_clone_tees_the_body() {
    let v = get_json(&format!("/fetch/clone?{}", up_param()));
    assert_eq!(
        v,
        json!({"a": "up 0\nup 1\nup 2\n", "b": "up 0\nup 1\nup 2\n", "copyStatus": 200})
    );
}

#[test]
fn fetch_redirect_rewrites_post_on_302_but_not_307() {
    let v = get_json(&format!("/fetch/redirect-post?{}", up_param()));
    assert_eq!(v["after302"], "target reached via GET", "{v}");
    assert_eq!(v["after307"]["method"], "POST", "{v}");
    assert_eq!(v["after307"]["path"], "/echo");
    assert_eq!(v["after307"]["body"], "kept on 307");
}

#[test]
fn fetch_keeps_upstream_set_cookie_headers_apart() {
    let v = get_json(&format!("/fetch/cookies?{}", up_param()));
    assert_eq!(v["getSetCookie"], json!(["a=1; Path=/", "b=2; Secure"]));
    assert_eq!(v["get"], "a=1; Path=/, b=2; Secure");
}

#[test]

fn fetch_abort_while_reading_the_body() {
    let started = Instant::now();
    let v = get_json(&format!("/fetch/abort-body?{}", up_param()));
    assert_eq!(v["status"], 200);
    assert_eq!(v["first"], "first\n");
    assert_eq!(
        error_name(&v["error"], "read after abort"),
        "AbortError",
        "{v}"
    );
    assert!(v["elapsed"].as_u64().unwrap() < 2000, "{v}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn an_exception_in_a_timer_is_logged_and_the_worker_survives() {
    let (status, body) = common::get(&url("/timer-throw"));
    assert_eq!((status, body.as_str()), (200, "scheduled a throw"));
    assert!(
        wait_for_log("timer failure 3b7c", Duration::from_secs(5)),
        "{}",
        server_log()
    );
    let (status, _) = common::get(&url("/counter"));
    assert_eq!(status, 200);
}

#[test]

fn an_unhandled_rejection_is_logged() {
    let (status, _) = common::get(&url("/unhandled-rejection"));
    assert_eq!(status, 200);
    assert!(
        wait_for_log("unhandled rejection 8d2f", Duration::from_secs(5)),
        "workerd logs \"Uncaught (in promise) Error: unhandled rejection 8d2f\"; the log has:\n{}",
        server_log()
    );
}

#[test]
fn concurrent_requests_interleave_in_one_isolate() {
    let started = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let u = url("/sleep?ms=400");
            std::thread::spawn(move || common::get(&u))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), (200, "slept".to_string()));
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "8 requests sleeping 400 ms each took {:?}: they did not overlap",
        started.elapsed()
    );
}

// ------------------------------------------------------------------------------- service-worker syntax

const SERVICE_WORKER_JS: &str = r#"
let served = 0;
const log = [];
addEventListener("fetch", (event) => {
  served++;
  const url = new URL(event.request.url);
  if (url.pathname === "/later") {
    event.waitUntil(new Promise((resolve) => setTimeout(() => { log.push("later done"); resolve(); }, 100)));
  }
  event.respondWith(handle(event));
});

async function handle(event) {
  const request = event.request;
  const url = new URL(request.url);
  if (url.pathname === "/log") return new Response(log.join(","));
  if (url.pathname === "/throw") throw new Error("service worker failure 51d0");
  return new Response(
    JSON.stringify({
      method: request.method,
      path: url.pathname,
      body: request.method === "POST" ? await request.text() : null,
      greeting: typeof GREETING === "undefined" ? null : GREETING,
      secret: typeof TOKEN === "undefined" ? null : TOKEN,
      isFetchEvent: event instanceof FetchEvent,
      served,
    }),
    { headers: { "content-type": "application/json", "x-syntax": "service-worker" } },
  );
}
"#;

#[test]
fn service_worker_syntax() {
    let w = WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"legacy\"\nmain = \"worker.js\"\ncompatibility_date = \"2026-08-01\"\n[vars]\nGREETING = \"hi from a global\"\n",
        ),
        (".dev.vars", "TOKEN=sw-secret\n"),
        ("worker.js", SERVICE_WORKER_JS),
    ]);
    let server = Corral::dev(w.path(), &[]);
    let r = client().get(server.url("/hello?x=1")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-syntax"], "service-worker");
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(
        v,
        json!({
            "method": "GET", "path": "/hello", "body": null, "greeting": "hi from a global",
            "secret": "sw-secret", "isFetchEvent": true, "served": 1
        })
    );
    let r = client()
        .post(server.url("/post"))
        .body("posted body")
        .send()
        .unwrap();
    let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(v["body"], "posted body");
    assert_eq!(v["served"], 2);

    let (status, _) = common::get(&server.url("/later"));
    assert_eq!(status, 200);
    let end = Instant::now() + Duration::from_secs(5);
    while common::get(&server.url("/log")).1 != "later done" {
        assert!(Instant::now() < end, "event.waitUntil work never finished");
        std::thread::sleep(Duration::from_millis(20));
    }

    let (status, body) = common::get(&server.url("/throw"));
    assert_eq!(status, 500);
    assert!(body.contains("service worker failure 51d0"), "{body}");
    assert!(
        server.wait_for_log("service worker failure 51d0", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert!(server.log().contains("legacy"));
}

#[test]
fn unknown_route_sanity() {
    // Guards the harness itself: the shared worker answers its own 404.
    let (status, body) = common::get(&url("/nope"));
    assert_eq!((status, body.as_str()), (404, "no route /nope"));
}
