// Headers, Blob, File, FormData, Request, Response and fetch() (no network: only local failures).

const enc = new TextEncoder();
const dec = new TextDecoder();

async function readStream(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(...value);
  }
  return new Uint8Array(chunks);
}

// ------------------------------------------------------------------------------------------------ Headers

test("Headers: case-insensitive names, lower-cased on iteration", () => {
  const h = new Headers({ "Content-Type": "text/plain", "X-Foo": "a" });
  assertEq(h.get("content-type"), "text/plain");
  assertEq(h.get("CONTENT-TYPE"), "text/plain");
  assert(h.has("x-FOO"));
  assertEq(h.get("missing"), null);
  assertEq([...h.keys()], ["content-type", "x-foo"]);
});

test("Headers: init from pairs, Headers, and a record", () => {
  const a = new Headers([["A", "1"], ["b", "2"], ["a", "3"]]);
  assertEq(a.get("a"), "1, 3");
  const b = new Headers(a);
  b.append("c", "4");
  assert(!a.has("c"), "copy is independent");
  assertEq(b.get("a"), "1, 3");
  const c = new Headers({ x: 1 });
  assertEq(c.get("x"), "1");
  assertThrows(() => new Headers([["a"]]), TypeError);
  assertThrows(() => new Headers([["a", "b", "c"]]), TypeError);
  assertThrows(() => new Headers("nope"), TypeError);
  assertEq([...new Headers(undefined)].length, 0);
});

test("Headers: values are trimmed of HTTP whitespace", () => {
  const h = new Headers();
  h.set("x", " \t value with  inner space \r\n");
  assertEq(h.get("x"), "value with  inner space");
  h.append("y", "");
  assertEq(h.get("y"), "");
});

test("Headers: invalid names and values throw TypeError", () => {
  const h = new Headers();
  assertThrows(() => h.set("bad name", "v"), TypeError, "Invalid header name");
  assertThrows(() => h.append("", "v"), TypeError, "Invalid header name");
  assertThrows(() => h.get("a:b"), TypeError, "Invalid header name");
  assertThrows(() => h.set("x", "a\r\nb"), TypeError, "Invalid header value");
  assertThrows(() => h.set("x", "a\0b"), TypeError, "Invalid header value");
  assertThrows(() => h.set("x", "snow \u2603"), TypeError, "Invalid header value");
  assertThrows(() => new Headers({ "a b": "c" }), TypeError, "Invalid header name");
  h.set("x", "caf\u00e9");
  assertEq(h.get("x"), "caf\u00e9");
});

test("Headers: append combines with ', ', set replaces, delete removes", () => {
  const h = new Headers();
  h.append("Accept", "a");
  h.append("accept", "b");
  assertEq(h.get("accept"), "a, b");
  h.set("ACCEPT", "c");
  assertEq(h.get("accept"), "c");
  h.delete("Accept");
  assert(!h.has("accept"));
  assertEq(h.get("accept"), null);
});

test("Headers: iteration is sorted and keeps set-cookie separate", () => {
  const h = new Headers();
  h.append("z", "1");
  h.append("Set-Cookie", "a=1");
  h.append("b", "2");
  h.append("set-cookie", "b=2");
  h.append("b", "3");
  assertEq(
    JSON.stringify([...h]),
    JSON.stringify([["b", "2, 3"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["z", "1"]]),
  );
  assertEq([...h.values()], ["2, 3", "a=1", "b=2", "1"]);
  assertEq(h.get("set-cookie"), "a=1, b=2");
  assertEq(h.getSetCookie(), ["a=1", "b=2"]);
  assertEq(h.getAll("Set-Cookie"), ["a=1", "b=2"]);
  assertThrows(() => h.getAll("b"), TypeError);
  assertEq(new Headers().getSetCookie(), []);
  const seen = [];
  h.forEach(function (v, k, obj) {
    seen.push(k + "=" + v);
    assert(obj === h && this === seen);
  }, seen);
  assertEq(seen, ["b=2, 3", "set-cookie=a=1", "set-cookie=b=2", "z=1"]);
  assert(Headers.prototype[Symbol.iterator] === Headers.prototype.entries);
});

test("Headers: toStringTag, argument checks, no leaked statics", () => {
  assertEq(Object.prototype.toString.call(new Headers()), "[object Headers]");
  assertThrows(() => new Headers().append("a"), TypeError);
  assertThrows(() => new Headers().get(), TypeError);
  assertEq(Object.getOwnPropertyNames(Headers).sort(), ["length", "name", "prototype"]);
  assertThrows(() => Headers.prototype.get.call({}, "a"), TypeError);
});

// ------------------------------------------------------------------------------------------------ Blob, File

test("Blob: parts of strings, buffers, views and blobs", async () => {
  const u8 = new Uint8Array([1, 2, 3, 4]);
  const b = new Blob(["h\u00e9", u8.buffer, new Uint8Array(u8.buffer, 1, 2), new DataView(u8.buffer, 3, 1), new Blob(["!"])]);
  assertEq(b.size, 3 + 4 + 2 + 1 + 1);
  assertEq(await b.bytes(), new Uint8Array([0x68, 0xc3, 0xa9, 1, 2, 3, 4, 2, 3, 4, 0x21]));
  u8[0] = 99;
  assertEq((await b.bytes())[3], 1, "parts are copied");
  assertEq(new Blob().size, 0);
  assertEq(new Blob([]).type, "");
  assertEq(await new Blob([1, null]).text(), "1null");
  assertThrows(() => new Blob("abc"), TypeError);
  assertThrows(() => new Blob(null), TypeError);
});

test("Blob: type is lower-cased, invalid types become empty", () => {
  assertEq(new Blob([], { type: "Text/HTML;Charset=UTF-8" }).type, "text/html;charset=utf-8");
  assertEq(new Blob([], { type: "a\u00e9" }).type, "");
  assertEq(new Blob([], { type: "a\nb" }).type, "");
  assertEq(Object.prototype.toString.call(new Blob()), "[object Blob]");
});

test("Blob: text, arrayBuffer, bytes return copies", async () => {
  const b = new Blob(["hello"]);
  assertEq(await b.text(), "hello");
  const ab = await b.arrayBuffer();
  assert(ab instanceof ArrayBuffer);
  new Uint8Array(ab)[0] = 0;
  const bytes = await b.bytes();
  assert(bytes instanceof Uint8Array);
  bytes[1] = 0;
  assertEq(await b.text(), "hello");
});

test("Blob: slice with negative and out-of-range indexes", async () => {
  const b = new Blob(["0123456789"], { type: "text/plain" });
  assertEq(await b.slice(2, 5).text(), "234");
  assertEq(await b.slice(-3).text(), "789");
  assertEq(await b.slice(-3, -1).text(), "78");
  assertEq(await b.slice(5, 2).text(), "");
  assertEq(await b.slice(-100, 100).text(), "0123456789");
  assertEq(await b.slice().text(), "0123456789");
  assertEq(b.slice().type, "");
  assertEq(b.slice(0, 1, "Image/PNG").type, "image/png");
  assertEq(b.slice(1, 3).size, 2);
  assertEq(await b.slice(1, 8).slice(2, -1).text(), "3456");
});

test("Blob: stream()", async () => {
  const b = new Blob(["stream me"]);
  const s = b.stream();
  assert(s instanceof ReadableStream);
  assertEq(dec.decode(await readStream(s)), "stream me");
  assertEq((await readStream(new Blob().stream())).length, 0);
});

test("File: name, lastModified, type, is a Blob", async () => {
  const f = new File(["abc"], "a.txt", { type: "Text/Plain", lastModified: 1234 });
  assert(f instanceof Blob && f instanceof File);
  assertEq(f.name, "a.txt");
  assertEq(f.lastModified, 1234);
  assertEq(f.type, "text/plain");
  assertEq(f.size, 3);
  assertEq(await f.text(), "abc");
  const now = Date.now();
  const g = new File([], "b");
  assert(Math.abs(g.lastModified - now) < 5000);
  assertEq(Object.prototype.toString.call(f), "[object File]");
  assertThrows(() => new File(["x"]), TypeError);
});

// ------------------------------------------------------------------------------------------------ FormData

test("FormData: append, get, getAll, has, delete", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", 2);
  fd.append("a", "3");
  assertEq(fd.get("a"), "1");
  assertEq(fd.get("b"), "2");
  assertEq(fd.get("zz"), null);
  assertEq(fd.getAll("a"), ["1", "3"]);
  assertEq(fd.getAll("zz"), []);
  assert(fd.has("b") && !fd.has("c"));
  fd.delete("a");
  assert(!fd.has("a"));
  assertEq([...fd.keys()], ["b"]);
  assertThrows(() => fd.append("x"), TypeError);
  assertThrows(() => new FormData({}), TypeError);
});

test("FormData: set replaces the first entry and removes the rest, in place", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "x");
  fd.append("a", "2");
  fd.append("c", "y");
  fd.set("a", "3");
  assertEq(JSON.stringify([...fd]), JSON.stringify([["a", "3"], ["b", "x"], ["c", "y"]]));
  fd.set("d", "4");
  assertEq([...fd.keys()], ["a", "b", "c", "d"]);
});

test("FormData: Blob values become Files named 'blob'; filenames rename", async () => {
  const fd = new FormData();
  fd.append("a", new Blob(["data"], { type: "text/plain" }));
  const a = fd.get("a");
  assert(a instanceof File);
  assertEq(a.name, "blob");
  assertEq(a.type, "text/plain");
  assertEq(await a.text(), "data");
  fd.append("b", new Blob(["x"]), "x.bin");
  assertEq(fd.get("b").name, "x.bin");
  const file = new File(["f"], "orig.txt");
  fd.append("c", file);
  assert(fd.get("c") === file, "a File without filename is kept as is");
  fd.set("c", file, "renamed.txt");
  assertEq(fd.get("c").name, "renamed.txt");
  assertEq(await fd.get("c").text(), "f");
});

test("FormData: entries, values, forEach, iterator", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  assertEq([...fd.values()], ["1", "2"]);
  assertEq(JSON.stringify([...fd.entries()]), JSON.stringify([["a", "1"], ["b", "2"]]));
  const seen = [];
  fd.forEach((v, k, o) => {
    assert(o === fd);
    seen.push(k + v);
  });
  assertEq(seen, ["a1", "b2"]);
  assertEq(Object.prototype.toString.call(fd), "[object FormData]");
  assert(FormData.prototype[Symbol.iterator] === FormData.prototype.entries);
});

// ------------------------------------------------------------------------------------------------ Response bodies

test("Response: string body and its content-type", async () => {
  const r = new Response("h\u00e9llo");
  assertEq(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert(!r.bodyUsed);
  assertEq(await r.text(), "h\u00e9llo");
  assert(r.bodyUsed);
  await assertRejects(() => r.text(), TypeError, "Body has already been used");
  await assertRejects(() => r.arrayBuffer(), TypeError, "already been used");
});

test("Response: an explicit content-type is kept", async () => {
  const r = new Response("{}", { headers: { "Content-Type": "application/json" } });
  assertEq(r.headers.get("content-type"), "application/json");
  assertEq(JSON.stringify(await r.json()), "{}");
});

test("Response: bytes bodies from ArrayBuffer and views are copied", async () => {
  const u8 = new Uint8Array([1, 2, 3]);
  const r = new Response(u8);
  u8[0] = 9;
  assertEq(r.headers.get("content-type"), null);
  assertEq(await r.bytes(), new Uint8Array([1, 2, 3]));
  const r2 = new Response(new Uint16Array([0x0201]).buffer);
  const ab = await r2.arrayBuffer();
  assert(ab instanceof ArrayBuffer);
  assertEq(new Uint8Array(ab), new Uint8Array([1, 2]));
  const view = new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2);
  assertEq(await new Response(view).bytes(), new Uint8Array([6, 7]));
});

test("Response: Blob body sets content-type and does not leak the blob's memory", async () => {
  const blob = new Blob(["abc"], { type: "Text/CSV" });
  const r = new Response(blob);
  assertEq(r.headers.get("content-type"), "text/csv");
  const ab = await r.arrayBuffer();
  new Uint8Array(ab)[0] = 0x7a;
  assertEq(await blob.text(), "abc");
  const r2 = new Response(new Blob(["x"]));
  assertEq(r2.headers.get("content-type"), null);
});

test("Response: blob() carries the content-type", async () => {
  const b = await new Response("hi", { headers: { "content-type": "Text/Plain" } }).blob();
  assert(b instanceof Blob);
  assertEq(b.type, "text/plain");
  assertEq(await b.text(), "hi");
  const empty = await new Response(null).blob();
  assertEq(empty.size, 0);
});

test("Response: null body reads as empty, repeatedly, and bodyUsed stays false", async () => {
  const r = new Response();
  assertEq(r.body, null);
  assertEq(await r.text(), "");
  assertEq((await r.bytes()).length, 0);
  assertEq((await r.arrayBuffer()).byteLength, 0);
  assert(!r.bodyUsed);
  const u = new Response(undefined);
  assertEq(u.body, null);
});

test("Response: json()", async () => {
  assertEq((await new Response('{"a":[1,2]}').json()).a[1], 2);
  await assertRejects(() => new Response("{nope").json(), SyntaxError);
  assertEq(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])).json(), 1, "BOM is skipped");
});

test("Response: body is a lazily made ReadableStream; reading it marks bodyUsed", async () => {
  const r = new Response("stream body");
  const s = r.body;
  assert(s instanceof ReadableStream);
  assert(r.body === s, "same stream every time");
  assert(!r.bodyUsed);
  assertEq(dec.decode(await readStream(s)), "stream body");
  assert(r.bodyUsed);
  await assertRejects(() => r.text(), TypeError, "already been used");
});

test("Response: a locked body cannot be consumed", async () => {
  const r = new Response("x");
  const reader = r.body.getReader();
  await assertRejects(() => r.text(), TypeError);
  reader.releaseLock();
  assertEq(await r.text(), "x");
});

test("Response: after text(), body is a consumed stream and bodyUsed is true", async () => {
  const r = new Response("abc");
  await r.text();
  const s = r.body;
  assert(s instanceof ReadableStream);
  assert(r.bodyUsed);
});

test("Response: ReadableStream bodies", async () => {
  const s = new ReadableStream({
    start(c) {
      c.enqueue(enc.encode("ab"));
      c.enqueue(enc.encode("cd"));
      c.close();
    },
  });
  const r = new Response(s);
  assert(r.body === s);
  assertEq(r.headers.get("content-type"), null);
  assertEq(await r.text(), "abcd");
  assert(r.bodyUsed);
  await assertRejects(() => r.text(), TypeError, "already been used");
});

test("Response: a locked or disturbed stream cannot become a body", async () => {
  const locked = new ReadableStream();
  locked.getReader();
  assertThrows(() => new Response(locked), TypeError);
  const disturbed = new ReadableStream({
    start(c) {
      c.enqueue(enc.encode("a"));
    },
  });
  await disturbed.getReader().read().then(() => {});
  const d2 = new ReadableStream({ pull(c) { c.enqueue(enc.encode("x")); } });
  const rd = d2.getReader();
  await rd.read();
  rd.releaseLock();
  assertThrows(() => new Response(d2), TypeError);
});

test("Response: URLSearchParams body", async () => {
  const r = new Response(new URLSearchParams({ a: "1 2", b: "\u00e9" }));
  assertEq(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  assertEq(await r.text(), "a=1+2&b=%C3%A9");
});

test("Response: other objects become their string", async () => {
  const r = new Response({ toString: () => "custom" });
  assertEq(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEq(await r.text(), "custom");
  assertEq(await new Response(42).text(), "42");
});

test("Response: FormData body round-trips through multipart", async () => {
  const fd = new FormData();
  fd.append("text", "line1\nline2");
  fd.append("quote\"name", "v");
  fd.append("file", new File(["file \u00e9 content", new Uint8Array([0, 255])], "f\u00e9.bin", { type: "application/x-thing" }));
  fd.append("blob", new Blob(["b"]));
  const r = new Response(fd);
  const type = r.headers.get("content-type");
  assert(/^multipart\/form-data; boundary=.+/.test(type), type);
  const back = await r.formData();
  assertEq(back.get("text"), "line1\r\nline2");
  assertEq(back.get('quote"name'), "v");
  const f = back.get("file");
  assert(f instanceof File);
  assertEq(f.name, "f\u00e9.bin");
  assertEq(f.type, "application/x-thing");
  assertEq(await f.bytes(), new Uint8Array([...enc.encode("file \u00e9 content"), 0, 255]));
  assertEq(back.get("blob").name, "blob");
  assertEq(back.get("blob").type, "application/octet-stream");
  assertEq([...back.keys()], ["text", 'quote"name', "file", "blob"]);
});

test("Response: the multipart boundary is random", () => {
  const a = new Response(new FormData()).headers.get("content-type");
  const b = new Response(new FormData()).headers.get("content-type");
  assert(a !== b);
});

test("Response: formData() parses hand-written multipart", async () => {
  const body =
    "preamble\r\n" +
    "--XyZ\r\n" +
    'Content-Disposition: form-data; name="field"\r\n' +
    "\r\n" +
    "value one\r\n" +
    "--XyZ\r\n" +
    'content-disposition: form-data; name="up"; filename="a.txt"\r\n' +
    "Content-Type: text/markdown\r\n" +
    "\r\n" +
    "# hi\r\n\r\n" +
    "--XyZ\r\n" +
    'Content-Disposition: form-data; name="nofiletype"; filename=""\r\n' +
    "\r\n" +
    "raw\r\n" +
    "--XyZ--\r\n" +
    "epilogue";
  const fd = await new Response(body, { headers: { "content-type": 'multipart/form-data; boundary="XyZ"' } }).formData();
  assertEq(fd.get("field"), "value one");
  const up = fd.get("up");
  assertEq(up.name, "a.txt");
  assertEq(up.type, "text/markdown");
  assertEq(await up.text(), "# hi\r\n");
  const nf = fd.get("nofiletype");
  assert(nf instanceof File);
  assertEq(nf.name, "");
  assertEq(nf.type, "text/plain");
});

test("Response: formData() rejects malformed bodies and other types", async () => {
  const mp = (body, type = "multipart/form-data; boundary=b") => new Response(body, { headers: { "content-type": type } }).formData();
  await assertRejects(() => mp("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end"), TypeError);
  await assertRejects(() => mp("nothing here"), TypeError);
  await assertRejects(() => mp("--b--", "multipart/form-data"), TypeError);
  await assertRejects(() => mp("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"), TypeError);
  await assertRejects(() => new Response("a=1").formData(), TypeError, "Content-Type");
  await assertRejects(() => new Response("a=1", { headers: { "content-type": "application/json" } }).formData(), TypeError);
});

test("Response: formData() parses urlencoded bodies", async () => {
  const r = new Response("a=1&b=x+y&a=%C3%A9", { headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } });
  const fd = await r.formData();
  assertEq(fd.getAll("a"), ["1", "\u00e9"]);
  assertEq(fd.get("b"), "x y");
  assert(r.bodyUsed);
});

// ------------------------------------------------------------------------------------------------ Response

test("Response: defaults", () => {
  const r = new Response();
  assertEq(r.status, 200);
  assertEq(r.statusText, "");
  assert(r.ok);
  assertEq(r.type, "default");
  assertEq(r.url, "");
  assertEq(r.redirected, false);
  assertEq(r.webSocket, null);
  assert(r.headers instanceof Headers);
  assertEq(Object.prototype.toString.call(r), "[object Response]");
});

test("Response: status range and statusText", () => {
  const r = new Response("x", { status: 404, statusText: "Not Found" });
  assertEq(r.status, 404);
  assertEq(r.statusText, "Not Found");
  assert(!r.ok);
  assertEq(new Response(null, { status: 599 }).status, 599);
  assertThrows(() => new Response(null, { status: 199 }), RangeError);
  assertThrows(() => new Response(null, { status: 600 }), RangeError);
  assertThrows(() => new Response(null, { status: 0 }), RangeError);
  assertThrows(() => new Response(null, { status: 101 }), RangeError);
  assertThrows(() => new Response(null, { status: 200.5 }), RangeError);
  assertThrows(() => new Response(null, { statusText: "a\r\nb" }), TypeError);
  assertThrows(() => new Response(null, { statusText: "\u2603" }), TypeError);
  assertThrows(() => new Response(null, 5), TypeError);
});

test("Response: null-body statuses reject a body", () => {
  for (const status of [204, 205, 304]) {
    assertThrows(() => new Response("x", { status }), TypeError, "null body status");
    assertEq(new Response(null, { status }).body, null);
    assertEq(new Response("", { status: 200 }).status, 200);
  }
});

test("Response: webSocket requires status 101, and 101 requires a webSocket", () => {
  const ws = { fake: true };
  const r = new Response(null, { status: 101, webSocket: ws });
  assertEq(r.status, 101);
  assert(r.webSocket === ws);
  assertThrows(() => new Response(null, { status: 200, webSocket: ws }), RangeError);
  assertThrows(() => new Response("body", { status: 101, webSocket: ws }), TypeError);
  assertThrows(() => r.clone(), TypeError);
});

test("Response: init headers are copied, and init may be another Response", async () => {
  const h = new Headers({ a: "1" });
  const r = new Response("x", { headers: h, status: 201, statusText: "Made" });
  h.set("a", "2");
  assertEq(r.headers.get("a"), "1");
  const r2 = new Response("y", r);
  assertEq(r2.status, 201);
  assertEq(r2.statusText, "Made");
  assertEq(r2.headers.get("a"), "1");
  assertEq(r2.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEq(await r2.text(), "y");
});

test("Response: encodeBody accepts automatic and manual", () => {
  new Response("x", { encodeBody: "automatic" });
  new Response("x", { encodeBody: "manual" });
  assertThrows(() => new Response("x", { encodeBody: "gzip" }), TypeError);
});

test("Response.json", async () => {
  const r = Response.json({ a: 1 }, { status: 201, headers: { "x-y": "z" } });
  assertEq(r.status, 201);
  assertEq(r.headers.get("content-type"), "application/json");
  assertEq(r.headers.get("x-y"), "z");
  assertEq((await r.json()).a, 1);
  const r2 = Response.json("s", { headers: { "Content-Type": "application/vnd.api+json" } });
  assertEq(r2.headers.get("content-type"), "application/vnd.api+json");
  assertEq(await r2.text(), '"s"');
  assertThrows(() => Response.json(undefined), TypeError);
  assertThrows(() => Response.json(1n), TypeError);
  assertThrows(() => Response.json({}, { status: 204 }), TypeError);
  assertEq((await Response.json(null).text()), "null");
  const plain = Response.json({ a: 1 });
  assertEq(plain.status, 200);
  assertEq(plain.statusText, "");
  assertEq([...plain.headers], [["content-type", "application/json"]]);
  plain.headers.set("x-a", "b"); // mutable
  assertEq(plain.headers.get("x-a"), "b");
});

test("Web API functions print without their source, as native functions do", () => {
  assertEq(JSON.stringify.name, "stringify");
  assertEq(JSON.stringify.length, 3);
  assertThrows(() => new JSON.stringify({}), TypeError);
  assertEq(JSON.stringify({ a: [1] }, null, 1), '{\n "a": [\n  1\n ]\n}');
  assertEq(JSON.stringify({ a: 1, b: 2 }, ["b"]), '{"b":2}');
  for (const f of [Headers, Headers.prototype.get, Response.json, Request, JSON.stringify]) {
    const text = Function.prototype.toString.call(f);
    assert(typeof text === "string" && !text.includes("#map") && !text.includes("requireArgs"), text);
  }
});

test("Response.json serializes exactly as JSON.stringify", async () => {
  const date = new Date(86400000);
  const cyclic = {};
  cyclic.self = cyclic;
  let getterCalls = 0;
  const values = [
    0, -0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, 2 ** 53, -(2 ** 31), 2 ** 31, NaN, Infinity, -Infinity,
    true, false, null, "", "plain", 'q"uo\\te', "ctl\u0000\u0001\b\f\n\r\t\u001f\u007f", "é ü 😀 \u2028\u2029",
    "lone \ud800 and \udc00", "\ufffd", [], {}, [1, "a", null, undefined, () => 1, Symbol("s")],
    { a: undefined, b: () => 1, c: Symbol("s"), d: 1, [Symbol("k")]: 2 },
    { 2: "two", 1: "one", b: "b", a: "a", "-1": "neg", "01": "lead" },
    { nested: { deep: [{ x: [[], [{}]] }] } },
    { date, dates: [date] },
    { toJSON(key) { return `key:${key}`; } },
    [{ toJSON(key) { return `index:${key}:${typeof key}`; } }],
    { inner: { toJSON(key) { return { k: key }; } } },
    new Number(3), new String("s"), new Boolean(false), [new Number(4), new String("t"), new Boolean(true)],
    { get g() { getterCalls++; return "got"; } },
    Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3, enumerable: false } }),
    new Map([[1, 2]]), new Uint8Array([1, 2]), new Error("e"), /re/g,
    new Proxy({ a: 1, b: [2] }, {}), new Proxy([1, 2], {}),
    { "k\ud800": 1, "\u00e9": 2, "q\"k": 3 },
    typeof JSON.rawJSON === "function" ? { raw: JSON.rawJSON("1e3") } : {},
    Object.assign([1, 2], { extra: 3 }),
    new (class { toJSON() { return "from a class prototype"; } })(),
    Object.assign([1], { toJSON() { return "own on an array"; } }),
    Object.create({ toJSON() { return "inherited"; } }),
    Object.assign(Object.create(null), { toJSON() { return "null prototype"; } }),
    { list: [Object.assign([2], { toJSON: () => "nested array" })] },
  ];
  for (const v of values) {
    // With a (null) replacer, JSON.stringify is the engine's own.
    const expected = JSON.stringify(v, null);
    assertEq(await Response.json(v).text(), expected, `value ${expected}`);
    assertEq(JSON.stringify(v), expected, `JSON.stringify of ${expected}`);
  }
  assertEq(getterCalls, 3, "a getter runs once per serialization");
  // A toJSON on the standard prototypes applies to every plain object or array.
  for (const proto of [Object.prototype, Array.prototype]) {
    proto.toJSON = function () { return proto === Array.prototype ? "array" : "object"; };
    try {
      for (const v of [{ a: [1, { b: 2 }] }, [{ c: 3 }]]) {
        assertEq(await Response.json(v).text(), JSON.stringify(v, null), "toJSON on a standard prototype");
      }
    } finally {
      delete proto.toJSON;
    }
  }
  assertThrows(() => Response.json(cyclic), TypeError);
  assertThrows(() => Response.json({ a: [1n] }), TypeError);
  assertThrows(() => Response.json(() => 1), TypeError);
  assertThrows(() => Response.json(Symbol("x")), TypeError);
  const boom = new Error("from toJSON");
  const e = assertThrows(() => Response.json({ a: { toJSON() { throw boom; } } }));
  assert(e === boom, "the toJSON exception propagates");
  const e2 = assertThrows(() => Response.json({ get a() { throw boom; } }));
  assert(e2 === boom, "the getter exception propagates");
  const floats = [];
  for (let i = 0; i < 3000; i++) {
    const m = Math.random();
    const short = Math.round(m * 1e6) / 10 ** Math.floor(Math.random() * 30);
    floats.push(m, m * 10 ** (Math.floor(Math.random() * 80) - 40), -m * 1e-310, Math.round(m * 1e4) / 100, m * 2 ** 60, short, 1 / short);
  }
  floats.push(802790116276252.2, 0.5, 2.5, 1e21, 1.5e21, 1e-6, 1e-7, 123e-20, 5e-324, -1.7976931348623157e308);
  for (const f of floats) assertEq(await Response.json(f).text(), JSON.stringify(f, null), "numbers print as Number::toString does");
  const shapes = [];
  for (let i = 0; i < 50; i++) shapes.push({ id: i, name: `n${i}`, "é": i % 2 === 0, [`k${i % 3}`]: [i] });
  assertEq(await Response.json(shapes).text(), JSON.stringify(shapes, null), "repeated keys");
  let deep = [];
  for (let i = 0; i < 100; i++) deep = [deep];
  assertEq(await Response.json(deep).text(), JSON.stringify(deep, null));
  // Deeper than the Rust serializer goes: the engine's own serializer takes over.
  for (let i = 0; i < 1900; i++) deep = [deep];
  const deepText = JSON.stringify(deep, null);
  assertEq(deepText.length, 4002);
  assertEq(JSON.stringify(deep), deepText);
  assertEq(await Response.json(deep).text(), deepText);
});

test("Response.redirect", () => {
  const r = Response.redirect("https://example.com/a b");
  assertEq(r.status, 302);
  assertEq(r.headers.get("location"), "https://example.com/a%20b");
  assertEq(r.body, null);
  assertThrows(() => r.headers.set("x", "y"), TypeError, "immutable");
  for (const s of [301, 303, 307, 308]) assertEq(Response.redirect("https://e.com/", s).status, s);
  assertThrows(() => Response.redirect("https://e.com/", 200), RangeError);
  assertThrows(() => Response.redirect("https://e.com/", 304), RangeError);
  assertThrows(() => Response.redirect("/relative"), TypeError);
});

test("Response.error", async () => {
  const r = Response.error();
  assertEq(r.type, "error");
  assertEq(r.status, 0);
  assert(!r.ok);
  assertEq(r.body, null);
  assertThrows(() => r.headers.set("a", "b"), TypeError, "Can't modify immutable headers.");
  assertEq(r.clone().type, "error");
});

test("Response: clone of string, bytes and stream bodies", async () => {
  const r = new Response("text", { status: 202, headers: { a: "b" } });
  const c = r.clone();
  assertEq(c.status, 202);
  assertEq(c.headers.get("a"), "b");
  c.headers.set("a", "changed");
  assertEq(r.headers.get("a"), "b");
  assertEq(await r.text(), "text");
  assertEq(await c.text(), "text");

  const b = new Response(new Uint8Array([1, 2]));
  const bc = b.clone();
  const ab = await b.arrayBuffer();
  new Uint8Array(ab)[0] = 7;
  assertEq(await bc.bytes(), new Uint8Array([1, 2]), "clones do not share mutable memory");

  const s = new Response(new ReadableStream({ start(ctl) { ctl.enqueue(enc.encode("st")); ctl.close(); } }));
  const sc = s.clone();
  assertEq(await s.text(), "st");
  assertEq(await sc.text(), "st");

  const used = new Response("u");
  await used.text();
  assertThrows(() => used.clone(), TypeError);
});

// ------------------------------------------------------------------------------------------------ Request

test("Request: defaults", () => {
  const r = new Request("https://example.com/path?q=1#frag");
  assertEq(r.url, "https://example.com/path?q=1#frag");
  assertEq(r.method, "GET");
  assertEq(r.redirect, "follow");
  assertEq(r.body, null);
  assertEq(r.bodyUsed, false);
  assertEq(r.fetcher, null);
  assertEq(r.keepalive, false);
  assertEq(r.integrity, "");
  assertEq(r.cf, undefined);
  assert(r.signal instanceof AbortSignal);
  assert(!r.signal.aborted);
  assert(r.signal === r.signal);
  assert(r.headers instanceof Headers);
  assertEq(Object.prototype.toString.call(r), "[object Request]");
});

test("Request: URL input and parsing", () => {
  assertEq(new Request(new URL("https://a.example/x")).url, "https://a.example/x");
  assertEq(new Request("HTTPS://A.EXAMPLE").url, "https://a.example/");
  assertThrows(() => new Request("/relative"), TypeError);
  assertThrows(() => new Request("not a url"), TypeError);
  assertThrows(() => new Request(), TypeError);
});

test("Request: method normalization", () => {
  for (const m of ["get", "post", "put", "delete", "head", "options"]) {
    assertEq(new Request("https://e.com/", { method: m }).method, m.toUpperCase());
  }
  assertEq(new Request("https://e.com/", { method: "patch" }).method, "patch");
  assertEq(new Request("https://e.com/", { method: "PATCH" }).method, "PATCH");
  assertEq(new Request("https://e.com/", { method: "Purge" }).method, "Purge");
  assertThrows(() => new Request("https://e.com/", { method: "bad method" }), TypeError);
  assertThrows(() => new Request("https://e.com/", { method: "" }), TypeError);
  assertThrows(() => new Request("https://e.com/", { method: "connect" }), TypeError);
  assertThrows(() => new Request("https://e.com/", { method: "TRACE" }), TypeError);
});

test("Request: GET and HEAD cannot have a body", () => {
  assertThrows(() => new Request("https://e.com/", { body: "x" }), TypeError, "GET or HEAD");
  assertThrows(() => new Request("https://e.com/", { method: "HEAD", body: "x" }), TypeError, "GET or HEAD");
  new Request("https://e.com/", { body: null });
  const post = new Request("https://e.com/", { method: "POST", body: "x" });
  assertThrows(() => new Request(post, { method: "GET" }), TypeError, "GET or HEAD");
});

test("Request: bodies", async () => {
  const r = new Request("https://e.com/", { method: "POST", body: "hello" });
  assertEq(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert(r.body instanceof ReadableStream);
  assertEq(await r.text(), "hello");
  assert(r.bodyUsed);
  await assertRejects(() => r.text(), TypeError, "Body has already been used");
  const j = new Request("https://e.com/", { method: "PUT", body: JSON.stringify({ a: 1 }), headers: { "content-type": "application/json" } });
  assertEq(j.headers.get("content-type"), "application/json");
  assertEq((await j.json()).a, 1);
  const u = new Request("https://e.com/", { method: "POST", body: new URLSearchParams("a=1") });
  assertEq((await u.formData()).get("a"), "1");
  const bytes = new Request("https://e.com/", { method: "POST", body: new Uint8Array([1, 2, 3]) });
  assertEq(await bytes.bytes(), new Uint8Array([1, 2, 3]));
});

test("Request: init options", () => {
  const controller = new AbortController();
  const cf = { cacheTtl: 5 };
  const r = new Request("https://e.com/", {
    redirect: "manual",
    signal: controller.signal,
    cf,
    integrity: "sha256-abc",
    headers: [["X-A", "1"]],
  });
  assertEq(r.redirect, "manual");
  assert(r.signal === controller.signal);
  assert(r.cf === cf);
  assertEq(r.integrity, "sha256-abc");
  assertEq(r.headers.get("x-a"), "1");
  assertEq(new Request("https://e.com/", { redirect: "error" }).redirect, "error");
  assertThrows(() => new Request("https://e.com/", { redirect: "nope" }), TypeError);
  assertThrows(() => new Request("https://e.com/", { signal: {} }), TypeError);
  assert(!new Request("https://e.com/", { signal: null }).signal.aborted);
  assertEq(new Request("https://e.com/", { cache: "no-store" }).cache, "no-store");
  assertThrows(() => new Request("https://e.com/", { cache: "force-cache" }), TypeError);
});

test("Request: from another Request copies fields and takes the body", async () => {
  const controller = new AbortController();
  const a = new Request("https://e.com/a", {
    method: "POST",
    body: "payload",
    headers: { x: "1" },
    redirect: "manual",
    signal: controller.signal,
    cf: { k: 1 },
  });
  const b = new Request(a);
  assertEq(b.url, "https://e.com/a");
  assertEq(b.method, "POST");
  assertEq(b.redirect, "manual");
  assert(b.signal === controller.signal);
  assertEq(b.cf.k, 1);
  assertEq(b.headers.get("x"), "1");
  b.headers.set("x", "2");
  assertEq(a.headers.get("x"), "1", "headers are copied");
  assert(a.bodyUsed, "the input's body was taken");
  assertEq(await b.text(), "payload");
  assertThrows(() => new Request(a), TypeError);
  const c = new Request(new Request("https://e.com/", { method: "POST", body: "1" }), { body: "2", headers: { y: "z" } });
  assertEq(await c.text(), "2");
  assertEq(c.headers.get("y"), "z");
  assertEq(c.headers.get("x"), null);
  const d = new Request(new Request("https://e.com/", { method: "POST", body: "q" }), { method: "put" });
  assertEq(d.method, "PUT");
  assertEq(await d.text(), "q");
});

test("Request: clone()", async () => {
  const r = new Request("https://e.com/", { method: "POST", body: "abc", headers: { h: "v" }, cf: { a: 1 } });
  const c = r.clone();
  assertEq(c.method, "POST");
  assertEq(c.url, r.url);
  assertEq(c.headers.get("h"), "v");
  assertEq(c.cf.a, 1);
  assertEq(await r.text(), "abc");
  assertEq(await c.text(), "abc");
  assertThrows(() => r.clone(), TypeError);
  const s = new Request("https://e.com/", { method: "POST", body: new ReadableStream({ start(ctl) { ctl.enqueue(enc.encode("s")); ctl.close(); } }) });
  const sc = s.clone();
  assertEq(await sc.text(), "s");
  assertEq(await s.text(), "s");
});

test("Request: prototype chain and no leaked statics", () => {
  assertEq(Object.getOwnPropertyNames(Request).sort(), ["length", "name", "prototype"]);
  assertEq(Object.getOwnPropertyNames(Response).sort(), ["error", "json", "length", "name", "prototype", "redirect"]);
  assertEq(Object.getOwnPropertyNames(Blob).sort(), ["length", "name", "prototype"]);
  assert(Object.getPrototypeOf(Request.prototype) === Object.getPrototypeOf(Response.prototype));
  assertEq(typeof globalThis.Body, "undefined");
  assertEq(typeof Request.prototype.text, "function");
  assertThrows(() => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Request.prototype), "bodyUsed").get.call({}), TypeError);
});

// ------------------------------------------------------------------------------------------------ fetch()

test("fetch: unsupported schemes", async () => {
  await assertRejects(() => fetch("ftp://example.com/"), TypeError, "Fetch API cannot load: ftp://example.com/");
  await assertRejects(() => fetch("data:text/plain,hi"), TypeError, "Fetch API cannot load");
  await assertRejects(() => fetch("/relative"), TypeError);
});

test("fetch: returns a promise even for bad input", async () => {
  const p = fetch("https://e.com/", { method: "GET", body: "x" });
  assert(p instanceof Promise);
  await assertRejects(p, TypeError, "GET or HEAD");
});

test("fetch: an already aborted signal rejects with its reason", async () => {
  const c = new AbortController();
  c.abort();
  const e = await assertRejects(() => fetch("http://127.0.0.1:9/", { signal: c.signal }));
  assertEq(e.name, "AbortError");
  const c2 = new AbortController();
  const reason = new Error("mine");
  c2.abort(reason);
  const e2 = await assertRejects(() => fetch(new Request("http://127.0.0.1:9/", { signal: c2.signal })));
  assert(e2 === reason);
});

test("fetch: aborting while waiting rejects with the reason", async () => {
  const c = new AbortController();
  const p = fetch("http://127.0.0.1:9/", { signal: c.signal });
  const reason = new Error("stop");
  c.abort(reason);
  const e = await assertRejects(p);
  assert(e === reason, String(e));
});

test("fetch: connection refused is a TypeError", async () => {
  await assertRejects(() => fetch("http://127.0.0.1:9/"), TypeError);
});

test("Response: text() of a string body matches a UTF-8 round trip", async () => {
  assertEq(await new Response("\ufeffa").text(), "a");
  assertEq(await new Response("a\ud800b").text(), "a\ufffdb");
  assertEq(await new Response("\ufeff[1]").json(), [1]);
  assertEq(await new Response("\ud800").bytes(), new Uint8Array([0xef, 0xbf, 0xbd]));
});

test("clone() keeps immutable headers immutable and mutable ones mutable", () => {
  const redirect = Response.redirect("https://e.com/");
  assertThrows(() => redirect.clone().headers.set("x", "1"), TypeError, "immutable");
  const plain = new Response("x", { headers: { a: "1" } }).clone();
  plain.headers.set("a", "2");
  assertEq(plain.headers.get("a"), "2");
  const rewrapped = new Response(null, redirect);
  rewrapped.headers.set("x", "1");
  assertEq(rewrapped.status, 302);
});

test("a response's one header is made a Headers once, when first read", () => {
  for (const make of [() => new Response("x"), () => Response.json({ a: 1 })]) {
    const r = make();
    const type = r.headers.get("content-type");
    assert(r.headers === r.headers, "the same Headers each time");
    const c = make().clone();
    c.headers.set("x-a", "1");
    assertEq(c.headers.get("content-type"), type);
    const unread = make();
    assertEq(unread.clone().headers.get("x-a"), null);
    unread.headers.append("x-b", "2");
    assertEq([...unread.headers], [["content-type", type], ["x-b", "2"]]);
  }
});
