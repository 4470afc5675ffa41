// TextEncoder, TextDecoder, atob, btoa.

test("TextEncoder.encode", () => {
  const enc = new TextEncoder();
  assertEq(enc.encoding, "utf-8");
  const bytes = enc.encode("héllo €𝄞");
  assert(bytes instanceof Uint8Array, "Uint8Array");
  assertEq(bytes, [104, 195, 169, 108, 108, 111, 32, 226, 130, 172, 240, 157, 132, 158]);
  assertEq(enc.encode().length, 0);
  assertEq(enc.encode(undefined).length, 0);
  assertEq(enc.encode(123), [49, 50, 51]);
  assertEq(enc.encode("\uD800"), [0xef, 0xbf, 0xbd], "lone surrogate");
  assertEq(enc.encode("a\uDC00b"), [0x61, 0xef, 0xbf, 0xbd, 0x62]);
  assertEq(Object.prototype.toString.call(enc), "[object TextEncoder]");
});

test("TextEncoder.encodeInto", () => {
  const enc = new TextEncoder();
  const dest = new Uint8Array(5);
  const r = enc.encodeInto("a€b", dest);
  assertEq(r.read, 3);
  assertEq(r.written, 5);
  assertEq(dest, [0x61, 0xe2, 0x82, 0xac, 0x62]);
  const small = new Uint8Array(3);
  const r2 = enc.encodeInto("a€b", small);
  assertEq(r2.read, 1, "does not split a character");
  assertEq(r2.written, 1);
  const emoji = new Uint8Array(6);
  const r3 = enc.encodeInto("𝄞𝄞", emoji);
  assertEq(r3.read, 2, "a surrogate pair counts two code units");
  assertEq(r3.written, 4);
  const big = new Uint8Array(20);
  const r4 = enc.encodeInto("héllo", big);
  assertEq(r4.read, 5);
  assertEq(r4.written, 6);
  const view = new Uint8Array(new ArrayBuffer(8), 2, 4);
  enc.encodeInto("xyz", view);
  assertEq(new Uint8Array(view.buffer), [0, 0, 120, 121, 122, 0, 0, 0]);
  assertThrows(() => enc.encodeInto("x", new ArrayBuffer(2)), TypeError);
  assertThrows(() => enc.encodeInto("x"), TypeError);
  const lone = new Uint8Array(3);
  assertEq(enc.encodeInto("\uD800", lone).written, 3);
  assertEq(lone, [0xef, 0xbf, 0xbd]);
});

test("TextDecoder basics and labels", () => {
  const dec = new TextDecoder();
  assertEq(dec.encoding, "utf-8");
  assertEq(dec.fatal, false);
  assertEq(dec.ignoreBOM, false);
  assertEq(dec.decode(new Uint8Array([104, 195, 169])), "hé");
  assertEq(dec.decode(), "");
  assertEq(new TextDecoder("utf8").encoding, "utf-8");
  assertEq(new TextDecoder(" UTF-8 ").encoding, "utf-8");
  assertEq(new TextDecoder("unicode-1-1-utf-8").encoding, "utf-8");
  assertThrows(() => new TextDecoder("nope"), RangeError);
  assertThrows(() => new TextDecoder("replacement"), RangeError);
  const f = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  assertEq(f.fatal, true);
  assertEq(f.ignoreBOM, true);
});

test("TextDecoder accepts every BufferSource", () => {
  const dec = new TextDecoder();
  const bytes = new TextEncoder().encode("xhix");
  assertEq(dec.decode(bytes.buffer), "xhix");
  assertEq(dec.decode(new DataView(bytes.buffer, 1, 2)), "hi");
  assertEq(dec.decode(bytes.subarray(1, 3)), "hi");
  assertEq(dec.decode(new Uint16Array(new Uint8Array([0x6f, 0x6b]).buffer)), "ok");
  assertThrows(() => dec.decode("str"), TypeError);
  assertThrows(() => dec.decode(null), TypeError);
  assertThrows(() => dec.decode([1, 2]), TypeError);
});

test("TextDecoder invalid input, fatal and BOM", () => {
  const dec = new TextDecoder();
  assertEq(dec.decode(new Uint8Array([0x61, 0xff, 0x62])), "a\uFFFDb");
  assertEq(dec.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "a", "BOM stripped");
  assertEq(new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "\uFEFFa");
  const fatal = new TextDecoder("utf-8", { fatal: true });
  assertThrows(() => fatal.decode(new Uint8Array([0xc3])), TypeError, "The encoded data was not valid");
  assertThrows(() => fatal.decode(new Uint8Array([0x80])), TypeError);
  assertEq(fatal.decode(new Uint8Array([0x6f, 0x6b])), "ok", "usable after an error");
});

test("TextDecoder stream keeps incomplete sequences", () => {
  const dec = new TextDecoder();
  const euro = [0xe2, 0x82, 0xac];
  assertEq(dec.decode(new Uint8Array([0x61, euro[0]]), { stream: true }), "a");
  assertEq(dec.decode(new Uint8Array([euro[1]]), { stream: true }), "");
  assertEq(dec.decode(new Uint8Array([euro[2], 0x62]), { stream: true }), "€b");
  assertEq(dec.decode(), "");
  const emoji = [0xf0, 0x9f, 0x98, 0x80];
  let out = "";
  for (const b of emoji) out += dec.decode(new Uint8Array([b]), { stream: true });
  out += dec.decode();
  assertEq(out, "\u{1F600}");
  assertEq(dec.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), "");
  assertEq(dec.decode(), "\uFFFD", "flush of an incomplete sequence");
  const fatal = new TextDecoder("utf-8", { fatal: true });
  assertEq(fatal.decode(new Uint8Array([0xe2]), { stream: true }), "");
  assertThrows(() => fatal.decode(), TypeError);
});

test("TextDecoder stream strips the BOM only at the start", () => {
  const dec = new TextDecoder();
  assertEq(dec.decode(new Uint8Array([0xef, 0xbb]), { stream: true }), "");
  assertEq(dec.decode(new Uint8Array([0xbf, 0x61]), { stream: true }), "a");
  assertEq(dec.decode(new Uint8Array([0xef, 0xbb, 0xbf]), { stream: true }), "\uFEFF");
  assertEq(dec.decode(), "");
  assertEq(dec.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x62])), "b", "new stream after a flush");
});

test("btoa", () => {
  assertEq(btoa(""), "");
  assertEq(btoa("f"), "Zg==");
  assertEq(btoa("fo"), "Zm8=");
  assertEq(btoa("foo"), "Zm9v");
  assertEq(btoa("foobar"), "Zm9vYmFy");
  assertEq(btoa("\x00\xff\xfe"), "AP/+");
  assertEq(btoa(null), "bnVsbA==");
  assertEq(btoa(12), "MTI=");
  const e = assertThrows(() => btoa("€"), DOMException, "Latin1");
  assertEq(e.name, "InvalidCharacterError");
  assertEq(e.code, 5);
  assertThrows(() => btoa(), TypeError);
});

test("atob forgiving-base64", () => {
  assertEq(atob("Zm9vYmFy"), "foobar");
  assertEq(atob("Zg=="), "f");
  assertEq(atob("Zg"), "f");
  assertEq(atob("Zm8"), "fo");
  assertEq(atob(" Zm 9v\nYm\tFy "), "foobar");
  assertEq(atob("AP/+"), "\x00\xff\xfe");
  assertEq(atob(""), "");
  for (const bad of ["Zg=", "Z", "Zm9vY", "Zm9v=", "Zm=9", "Zg===", "Z@==", "é", "Zg==="]) {
    const e = assertThrows(() => atob(bad), DOMException, "not correctly encoded");
    assertEq(e.name, "InvalidCharacterError", bad);
  }
  assertThrows(() => atob(undefined), DOMException);
  assertThrows(() => atob(), TypeError);
  assertEq(atob(btoa("\x00\x01\x02binary\xff")), "\x00\x01\x02binary\xff");
});

test("a string with a lone surrogate written to a DigestStream hashes as U+FFFD", async () => {
  const ds = new crypto.DigestStream("SHA-256");
  const w = ds.getWriter();
  await w.write("x\uD800y");
  await w.close();
  const a = await ds.digest;
  const b = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x\uFFFDy"));
  assertEq(new Uint8Array(a), new Uint8Array(b));
});
