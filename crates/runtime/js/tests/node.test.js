// compatibility_flags: nodejs_compat
// compatibility_date: 2025-01-01
import { Buffer } from "node:buffer";
import { Buffer as BareBuffer } from "buffer";
import EventEmitterDefault, { EventEmitter, once } from "node:events";
import { Readable, Writable, Transform, PassThrough, pipeline } from "node:stream";
import util, { inherits, promisify, format, types } from "node:util";
import crypto, { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import path from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import assertModule from "node:assert";
import os from "node:os";
import perfHooks, { performance as perfHooksPerformance } from "node:perf_hooks";
import dns from "node:dns";
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { setImmediate as timersSetImmediate } from "node:timers";
import { connect } from "cloudflare:sockets";

test("Buffer: encodings round-trip", () => {
  assertEq(Buffer.from("héllo").toString(), "héllo");
  assertEq(Buffer.from("héllo").length, 6);
  assertEq(Buffer.from("68656c6c6f", "hex").toString("utf8"), "hello");
  assertEq(Buffer.from("hello").toString("hex"), "68656c6c6f");
  assertEq(Buffer.from("hello world").toString("base64"), "aGVsbG8gd29ybGQ=");
  assertEq(Buffer.from("aGVsbG8gd29ybGQ=", "base64").toString(), "hello world");
  assertEq(Buffer.from("aGVsbG8gd29ybGQ", "base64").toString(), "hello world");
  assertEq(Buffer.from([0xfb, 0xff]).toString("base64url"), "-_8");
  assertEq(Buffer.from("-_8", "base64url"), new Uint8Array([0xfb, 0xff]));
  assertEq(Buffer.from("\u00e9", "latin1"), new Uint8Array([0xe9]));
  assertEq(Buffer.from("ab", "utf16le"), new Uint8Array([97, 0, 98, 0]));
  assertEq(Buffer.from("abc").toString("utf8", 1, 2), "b");
  assertThrows(() => Buffer.from("x", "nope"), TypeError, "Unknown encoding");
});

test("Buffer: construction, concat, byteLength, isBuffer, globals", () => {
  assert(Buffer.from("x") instanceof Uint8Array);
  assert(Buffer.isBuffer(Buffer.alloc(1)));
  assert(!Buffer.isBuffer(new Uint8Array(1)));
  assertEq(Buffer.alloc(3, 7), new Uint8Array([7, 7, 7]));
  assertEq(Buffer.alloc(5, "ab"), new Uint8Array([97, 98, 97, 98, 97]));
  assertEq(Buffer.allocUnsafe(4).length, 4);
  assertEq(Buffer.byteLength("héllo"), 6);
  assertEq(Buffer.byteLength("😀"), 4);
  assertEq(Buffer.concat([Buffer.from("ab"), new Uint8Array([99])]).toString(), "abc");
  assertEq(Buffer.concat([Buffer.from("abc")], 2).toString(), "ab");
  const ab = new ArrayBuffer(4);
  const shared = Buffer.from(ab, 1, 2);
  shared[0] = 9;
  assertEq(new Uint8Array(ab)[1], 9);
  assertEq(Buffer.from({ type: "Buffer", data: [1, 2] }), new Uint8Array([1, 2]));
  assertEq(JSON.stringify(Buffer.from([1, 2])), '{"type":"Buffer","data":[1,2]}');
  assert(globalThis.Buffer === Buffer, "the Buffer global (nodejs_compat_v2) is node:buffer's");
  assert(BareBuffer === Buffer, "bare 'buffer' is the same module as 'node:buffer'");
});

test("Buffer: slice shares memory, copy, equals, compare, indexOf, fill", () => {
  const b = Buffer.from("hello world");
  const s = b.slice(0, 5);
  assert(s instanceof Buffer, "slice returns a Buffer");
  s[0] = 72;
  assertEq(b.toString(), "Hello world");
  assert(b.subarray(6) instanceof Buffer);
  const target = Buffer.alloc(5);
  assertEq(b.copy(target, 0, 6), 5);
  assertEq(target.toString(), "world");
  assert(Buffer.from("a").equals(Buffer.from("a")));
  assertEq(Buffer.compare(Buffer.from("a"), Buffer.from("b")), -1);
  assertEq(b.indexOf("o"), 4);
  assertEq(b.indexOf("o", 5), 7);
  assertEq(b.lastIndexOf("o"), 7);
  assertEq(b.indexOf(Buffer.from("wor")), 6);
  assertEq(b.indexOf(0x6c), 2);
  assert(b.includes("world"));
  assertEq(Buffer.alloc(4).fill(1, 1, 3), new Uint8Array([0, 1, 1, 0]));
});

test("Buffer: integer and float read/write", () => {
  const b = Buffer.alloc(16);
  assertEq(b.writeInt32BE(-2, 0), 4);
  assertEq(b.readInt32BE(0), -2);
  assertEq(b.readUInt32BE(0), 0xfffffffe);
  b.writeUInt16LE(0x1234, 4);
  assertEq([b[4], b[5]], [0x34, 0x12]);
  assertEq(b.readUInt16LE(4), 0x1234);
  assertEq(b.readUint16BE(4), 0x3412);
  b.writeInt16BE(-300, 6);
  assertEq(b.readInt16BE(6), -300);
  b.writeUInt8(255, 8);
  assertEq(b.readInt8(8), -1);
  b.writeDoubleLE(1.5, 8);
  assertEq(b.readDoubleLE(8), 1.5);
  b.writeFloatBE(2.5, 0);
  assertEq(b.readFloatBE(0), 2.5);
  b.writeBigInt64BE(-5n, 8);
  assertEq(b.readBigInt64BE(8), -5n);
  b.writeUIntBE(0x123456, 0, 3);
  assertEq(b.readUIntBE(0, 3), 0x123456);
  assertEq(b.readIntLE(0, 1), 0x12);
  assertThrows(() => b.readInt32BE(14), RangeError);
  assertThrows(() => b.writeUInt8(256, 0), RangeError);
  assertEq(b.write("hé", 10), 3);
  assertEq(b.toString("utf8", 10, 13), "hé");
});

test("events: on, once, off, prepend, error", () => {
  const e = new EventEmitter();
  const seen = [];
  const h = (x) => seen.push("on" + x);
  e.on("a", h);
  e.once("a", (x) => seen.push("once" + x));
  e.prependListener("a", (x) => seen.push("first" + x));
  assert(e.emit("a", 1));
  e.emit("a", 2);
  e.off("a", h);
  e.emit("a", 3);
  assertEq(seen, ["first1", "on1", "once1", "first2", "on2", "first3"]);
  assertEq(e.listenerCount("a"), 1);
  assertThrows(() => e.emit("error", new RangeError("boom")), RangeError, "boom");
  assert(!e.emit("nothing"));
  assert(EventEmitterDefault === EventEmitter);
  class Sub extends EventEmitter {}
  const s = new Sub();
  let got = null;
  s.on("x", function () { got = this; });
  s.emit("x");
  assert(got === s);
});

test("events: once() as a promise", async () => {
  const e = new EventEmitter();
  setTimeout(() => e.emit("ready", 1, 2), 1);
  assertEq(await once(e, "ready"), [1, 2]);
});

test("stream: Readable, Writable, Transform, pipeline, async iteration", async () => {
  const chunks = [];
  const upper = new Transform({
    transform(chunk, enc, cb) {
      cb(null, Buffer.from(chunk.toString().toUpperCase()));
    },
  });
  const sink = new Writable({
    write(chunk, enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  await new Promise((resolve, reject) =>
    pipeline(Readable.from(["ab", "cd"], { objectMode: false }), upper, sink, (err) => (err ? reject(err) : resolve())));
  assertEq(chunks.join(""), "ABCD");

  const r = new Readable({ read() {} });
  r.push("x");
  r.push("y");
  r.push(null);
  let all = "";
  for await (const c of r) all += c.toString();
  assertEq(all, "xy");

  const p = new PassThrough();
  const got = [];
  p.on("data", (c) => got.push(c.toString()));
  const ended = new Promise((resolve) => p.on("end", resolve));
  p.write("1");
  p.end("2");
  await ended;
  assertEq(got.join(""), "12");
});

test("stream: Writable back-pressure emits drain", async () => {
  const w = new Writable({
    highWaterMark: 2,
    write(chunk, enc, cb) {
      setTimeout(cb, 1);
    },
  });
  assertEq(w.write("a"), true);
  assertEq(w.write("bc"), false);
  await new Promise((resolve) => w.once("drain", resolve));
  await new Promise((resolve) => w.end(resolve));
});

test("util: format, inherits, promisify, types, inspect", async () => {
  assertEq(format("%s=%d %j %%", "a", 42, { x: 1 }), 'a=42 {"x":1} %');
  assertEq(format("a", 1, "b"), "a 1 b");
  function A() {}
  function B() {}
  inherits(A, B);
  assert(new A() instanceof B);
  assert(A.super_ === B);
  const f = promisify((x, cb) => cb(null, x * 2));
  assertEq(await f(21), 42);
  assert(types.isDate(new Date()));
  assert(util.types.isUint8Array(Buffer.alloc(1)));
  assertEq(util.inspect({ a: [1, "x"] }), "{ a: [ 1, 'x' ] }");
  assert(util.isDeepStrictEqual({ a: [1] }, { a: [1] }));
  assert(new util.TextEncoder().encode("a")[0] === 97);
});

test("crypto: hashes, HMAC, pbkdf2, random, timingSafeEqual", async () => {
  assertEq(createHash("md5").update("hello").digest("hex"), "5d41402abc4b2a76b9719d911017c592");
  assertEq(
    createHash("sha256").update("a").update(Buffer.from("bc")).digest("hex"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEq(createHash("sha1").update("abc").digest("base64"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  assertEq(
    createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"),
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
  );
  assertEq(pbkdf2Sync("password", "salt", 4096, 20, "sha1").toString("hex"), "4b007901b765489abead49d926f721d065a429c1");
  const viaCallback = await new Promise((resolve, reject) =>
    crypto.pbkdf2("password", "salt", 1, 20, "sha1", (e, k) => (e ? reject(e) : resolve(k))));
  assertEq(viaCallback.toString("hex"), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  assertEq(randomBytes(18).length, 18);
  assert(Buffer.isBuffer(randomBytes(1)));
  assert(timingSafeEqual(Buffer.from("ab"), Buffer.from("ab")));
  assertThrows(() => timingSafeEqual(Buffer.from("a"), Buffer.from("ab")), RangeError);
  assert(crypto.webcrypto === globalThis.crypto);
  assertThrows(() => createHash("whirlpool"), Error);
});

test("Web Crypto PBKDF2 (SCRAM's key derivation)", async () => {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("password"), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-1", salt: new TextEncoder().encode("salt"), iterations: 4096 }, key, 160);
  assertEq(Buffer.from(bits).toString("hex"), "4b007901b765489abead49d926f721d065a429c1");
  await assertRejects(crypto.subtle.importKey("raw", new Uint8Array(1), "PBKDF2", true, ["deriveBits"]), DOMException);
});

test("string_decoder keeps split characters", () => {
  const d = new StringDecoder("utf8");
  const euro = Buffer.from("€");
  assertEq(d.write(euro.subarray(0, 1)), "");
  assertEq(d.write(euro.subarray(1)), "€");
  assertEq(d.end(), "");
  const h = new StringDecoder("hex");
  assertEq(h.write(Buffer.from([1, 255])), "01ff");
});

test("path, url, os, process, timers", async () => {
  assertEq(path.join("/a/b", "../c", "d.txt"), "/a/c/d.txt");
  assertEq(path.resolve("/x", "y", "..", "z"), "/x/z");
  assertEq(path.dirname("/a/b/c"), "/a/b");
  assertEq(path.basename("/a/b/c.js", ".js"), "c");
  assertEq(path.extname("f.tar.gz"), ".gz");
  assertEq(path.relative("/a/b", "/a/c/d"), "../c/d");
  assertEq(path.normalize("a//b/./c/.."), "a/b");
  assertEq(fileURLToPath("file:///tmp/a%20b"), "/tmp/a b");
  assertEq(os.EOL, "\n");
  assert(perfHooksPerformance === performance && perfHooks.performance === performance);
  assertEq(typeof perfHooksPerformance.now(), "number");
  assertEq(typeof process.version, "string");
  assert(parseInt(process.versions.node) >= 15, "pg picks Web Crypto from node >= 15");
  assert(globalThis.process === process);
  assertEq(typeof process.env, "object");
  const order = [];
  process.nextTick(() => order.push("tick"));
  await new Promise((resolve) => timersSetImmediate(resolve));
  assertEq(order, ["tick"]);
  assert(typeof setImmediate === "function");
  assert(global === globalThis);
});

test("assert, dns, fs, net, tls", async () => {
  assertModule.strictEqual(1, 1);
  assertModule.deepStrictEqual({ a: [1] }, { a: [1] });
  assertThrows(() => assertModule.strictEqual(1, 2), assertModule.AssertionError);
  assertModule.throws(() => { throw new TypeError("x"); }, TypeError);
  const [address, family] = await new Promise((resolve, reject) =>
    dns.lookup("127.0.0.1", (e, a, f) => (e ? reject(e) : resolve([a, f]))));
  assertEq([address, family], ["127.0.0.1", 4]);
  assertEq(fs.existsSync("/etc/passwd"), false);
  assertThrows(() => fs.readFileSync("/etc/passwd"), Error, "ENOENT");
  assertEq(net.isIP("::1"), 6);
  assertEq(net.isIP("10.0.0.1"), 4);
  assertEq(net.isIP("example.com"), 0);
  assert(typeof net.Socket === "function" && typeof tls.connect === "function");
});

test("cloudflare:sockets refuses destinations that are not allowed", async () => {
  const socket = connect("198.51.100.7:5432");
  const err = await assertRejects(socket.opened, Error, "--unsafe-allow-connect 198.51.100.7:5432");
  assertEq(err.name, "SocketError");
  await assertRejects(socket.closed, Error);
  assertThrows(() => connect("no-port"), TypeError);
  assertThrows(() => connect({ hostname: "x", port: 1 }, { secureTransport: "bogus" }), TypeError);
  const viaNet = new net.Socket();
  const netError = await new Promise((resolve) => {
    viaNet.on("error", resolve);
    viaNet.connect(5432, "198.51.100.7");
  });
  assert(String(netError.message).includes("not allowed"), netError.message);
});
