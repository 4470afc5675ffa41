// CompressionStream and DecompressionStream.

const enc = new TextEncoder();
const dec = new TextDecoder();

// "Hello, Workers!" compressed by zlib (Python's gzip/zlib modules), to check we read what other tools write.
const HELLO = "Hello, Workers!";
const ZLIB_OUTPUT = {
  gzip: [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 243, 72, 205, 201, 201, 215, 81, 8, 207, 47, 202, 78, 45, 42, 86, 4, 0, 87, 185, 145, 238, 15, 0, 0, 0],
  deflate: [120, 156, 243, 72, 205, 201, 201, 215, 81, 8, 207, 47, 202, 78, 45, 42, 86, 4, 0, 42, 107, 5, 79],
  "deflate-raw": [243, 72, 205, 201, 201, 215, 81, 8, 207, 47, 202, 78, 45, 42, 86, 4, 0],
};
const FORMATS = ["gzip", "deflate", "deflate-raw"];

function streamOf(chunks) {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

async function collectChunks(stream) {
  const out = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function through(chunks, transform) {
  return concat(await collectChunks(streamOf(chunks).pipeThrough(transform)));
}

test("they are TransformStreams with readable and writable sides", () => {
  const cs = new CompressionStream("gzip");
  assert(cs instanceof TransformStream);
  assert(cs.readable instanceof ReadableStream);
  assert(cs.writable instanceof WritableStream);
  assertEq(Object.prototype.toString.call(cs), "[object CompressionStream]");
  assertEq(Object.prototype.toString.call(new DecompressionStream("deflate")), "[object DecompressionStream]");
});

test("an unknown format is a TypeError", () => {
  assertThrows(() => new CompressionStream("brotli"), TypeError, "Unsupported compression format: 'brotli'");
  assertThrows(() => new DecompressionStream("GZIP"), TypeError, "'GZIP'");
  assertThrows(() => new CompressionStream(), TypeError);
  assertThrows(() => new DecompressionStream(undefined), TypeError, "'undefined'");
});

test("round trips in every format, with output chunks as Uint8Arrays", async () => {
  const text = "The quick brown fox jumps over the lazy dog. ".repeat(200);
  for (const format of FORMATS) {
    const packedChunks = await collectChunks(streamOf([enc.encode(text)]).pipeThrough(new CompressionStream(format)));
    assert(packedChunks.every((c) => c instanceof Uint8Array), format);
    const packed = concat(packedChunks);
    assert(packed.byteLength < text.length / 10, `${format} compressed to ${packed.byteLength}`);
    const back = await through([packed], new DecompressionStream(format));
    assertEq(dec.decode(back), text, format);
  }
});

test("the formats' framing", async () => {
  const gz = await through([enc.encode("x")], new CompressionStream("gzip"));
  assertEq([gz[0], gz[1], gz[2]], [0x1f, 0x8b, 8], "gzip magic and method");
  const z = await through([enc.encode("x")], new CompressionStream("deflate"));
  assertEq(z[0], 0x78, "zlib header");
  const raw = await through([enc.encode("x")], new CompressionStream("deflate-raw"));
  assertEq(raw.byteLength, z.byteLength - 6, "raw deflate is zlib without its 2-byte header and 4-byte checksum");
});

test("reads what zlib writes", async () => {
  for (const format of FORMATS) {
    const out = await through([new Uint8Array(ZLIB_OUTPUT[format])], new DecompressionStream(format));
    assertEq(dec.decode(out), HELLO, format);
  }
});

test("accepts every BufferSource, split anywhere", async () => {
  const bytes = new Uint8Array(ZLIB_OUTPUT.gzip);
  const chunks = [
    bytes.buffer.slice(0, 1),
    new DataView(bytes.buffer, 1, 4),
    new Uint16Array(bytes.buffer.slice(5, 9)),
    new Uint8Array(0),
    bytes.subarray(9),
  ];
  assertEq(dec.decode(await through(chunks, new DecompressionStream("gzip"))), HELLO);
});

test("a chunk that is not a BufferSource errors the stream with a TypeError", async () => {
  const ds = new CompressionStream("gzip");
  const writer = ds.writable.getWriter();
  const read = ds.readable.getReader().read();
  await assertRejects(writer.write("a string"), TypeError, "ArrayBuffer or ArrayBufferView");
  await assertRejects(read, TypeError);
});

test("corrupt input errors the stream with a TypeError", async () => {
  await assertRejects(
    through([enc.encode("this is not gzip")], new DecompressionStream("gzip")),
    TypeError,
    "not gzip data",
  );
  await assertRejects(
    through([new Uint8Array([120, 156, 1, 2, 3, 4, 5, 6])], new DecompressionStream("deflate")),
    TypeError,
    "not valid deflate data",
  );
  const badCrc = ZLIB_OUTPUT.gzip.slice();
  badCrc[badCrc.length - 8] ^= 1;
  await assertRejects(through([new Uint8Array(badCrc)], new DecompressionStream("gzip")), TypeError, "checksum");
});

test("data after the end of the compressed stream is an error", async () => {
  for (const format of FORMATS) {
    await assertRejects(
      through([new Uint8Array(ZLIB_OUTPUT[format]), new Uint8Array([0])], new DecompressionStream(format)),
      TypeError,
      "data after the end",
    );
  }
});

test("truncated input is an error at the end", async () => {
  for (const format of FORMATS) {
    const cut = new Uint8Array(ZLIB_OUTPUT[format].slice(0, -2));
    await assertRejects(through([cut], new DecompressionStream(format)), TypeError, "ended before it was complete");
  }
  await assertRejects(through([], new DecompressionStream("gzip")), TypeError, "ended before it was complete");
});

test("output is streamed: a chunk's data comes out before the input ends", async () => {
  const big = enc.encode("streaming output ".repeat(20000));
  const packed = await through([big], new CompressionStream("deflate"));
  const ds = new DecompressionStream("deflate");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  writer.write(packed.subarray(0, packed.byteLength >> 1));
  const first = await reader.read();
  assert(!first.done && first.value.byteLength > 0, "output before the end of the input");
  assert(first.value.byteLength <= 16384, "in pieces of at most 16 KiB");
  writer.write(packed.subarray(packed.byteLength >> 1));
  writer.close();
  let total = first.value.byteLength;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
  }
  assertEq(total, big.byteLength);
});

test("a compressed body through Response", async () => {
  const body = streamOf([enc.encode("part one, "), enc.encode("part two")]).pipeThrough(new CompressionStream("gzip"));
  const packed = await new Response(body).arrayBuffer();
  const text = await new Response(new Response(packed).body.pipeThrough(new DecompressionStream("gzip"))).text();
  assertEq(text, "part one, part two");
});

test("cancelling the readable side and aborting the writable side", async () => {
  const cs = new CompressionStream("gzip");
  await cs.readable.cancel("done");
  await assertRejects(cs.writable.getWriter().write(new Uint8Array(1)));
  const ds = new DecompressionStream("gzip");
  await ds.writable.abort(new RangeError("stop"));
  await assertRejects(ds.readable.getReader().read(), RangeError, "stop");
});
