// WHATWG Streams as workers use them.

const enc = new TextEncoder();
const dec = new TextDecoder();

async function collect(stream) {
  const out = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

test("reader reads enqueued chunks then done", async () => {
  const rs = new ReadableStream({
    start(c) {
      c.enqueue("a");
      c.enqueue("b");
      c.close();
    },
  });
  const r = rs.getReader();
  assert(rs.locked);
  assertEq((await r.read()).value, "a");
  assertEq((await r.read()).value, "b");
  assertEq((await r.read()).done, true);
  await r.closed;
});

test("a second reader on a locked stream is a TypeError", () => {
  const rs = new ReadableStream();
  rs.getReader();
  assertThrows(() => rs.getReader(), TypeError, "locked");
});

test("pull is lazy and honours the high-water mark", async () => {
  let pulls = 0;
  const rs = new ReadableStream(
    {
      pull(c) {
        pulls++;
        c.enqueue(pulls);
        if (pulls === 3) c.close();
      },
    },
    { highWaterMark: 0 },
  );
  await null;
  await null;
  assertEq(pulls, 0, "no pull before a read");
  assertEq(await collect(rs), [1, 2, 3]);
});

test("controller.error rejects pending and later reads", async () => {
  let ctrl;
  const rs = new ReadableStream({ start: (c) => (ctrl = c) });
  const r = rs.getReader();
  const pending = r.read();
  ctrl.error(new RangeError("bad"));
  await assertRejects(pending, RangeError, "bad");
  await assertRejects(r.read(), RangeError, "bad");
});

test("cancel reaches the source with the reason", async () => {
  let reason;
  const rs = new ReadableStream({ cancel: (r) => (reason = r) });
  await rs.cancel("enough");
  assertEq(reason, "enough");
});

test("breaking out of for-await cancels the stream", async () => {
  let cancelled = false;
  let n = 0;
  const rs = new ReadableStream({ pull: (c) => c.enqueue(n++), cancel: () => (cancelled = true) });
  for await (const v of rs) if (v === 2) break;
  assert(cancelled);
});

test("tee gives both branches every chunk", async () => {
  const rs = ReadableStream.from(["x", "y", "z"]);
  const [a, b] = rs.tee();
  const [ca, cb] = await Promise.all([collect(a), collect(b)]);
  assertEq(ca, ["x", "y", "z"]);
  assertEq(cb, ["x", "y", "z"]);
});

test("pipeTo writes every chunk in order and closes", async () => {
  const seen = [];
  let closed = false;
  const ws = new WritableStream({ write: (c) => seen.push(c), close: () => (closed = true) });
  await ReadableStream.from([1, 2, 3]).pipeTo(ws);
  assertEq(seen, [1, 2, 3]);
  assert(closed);
});

test("pipeTo with preventClose leaves the destination open", async () => {
  let closed = false;
  const ws = new WritableStream({ close: () => (closed = true) });
  await ReadableStream.from([1]).pipeTo(ws, { preventClose: true });
  assert(!closed);
  assert(!ws.locked);
});

test("pipeTo aborted by a signal rejects with its reason", async () => {
  const ac = new AbortController();
  const rs = new ReadableStream({ pull: () => new Promise(() => {}) });
  const p = rs.pipeTo(new WritableStream(), { signal: ac.signal });
  ac.abort(new RangeError("stop"));
  await assertRejects(p, RangeError, "stop");
});

test("a source error aborts the destination", async () => {
  let abortReason;
  const rs = new ReadableStream({ start: (c) => c.error(new Error("src")) });
  const ws = new WritableStream({ abort: (r) => (abortReason = r) });
  await assertRejects(rs.pipeTo(ws), Error, "src");
  assertEq(abortReason.message, "src");
});

test("pipeThrough a TransformStream with flush", async () => {
  const upper = new TransformStream({
    transform: (chunk, c) => c.enqueue(chunk.toUpperCase()),
    flush: (c) => c.enqueue("!"),
  });
  assertEq(await collect(ReadableStream.from(["a", "b"]).pipeThrough(upper)), ["A", "B", "!"]);
});

test("TransformStream terminate closes the readable side", async () => {
  const ts = new TransformStream({
    transform(chunk, c) {
      c.enqueue(chunk);
      c.terminate();
    },
  });
  const w = ts.writable.getWriter();
  w.write("only").catch(() => {});
  assertEq(await collect(ts.readable), ["only"]);
});

test("WritableStream writer: ordering, desiredSize, close", async () => {
  const seen = [];
  const ws = new WritableStream(
    { write: (c) => new Promise((r) => setTimeout(() => (seen.push(c), r()), 1)) },
    { highWaterMark: 2 },
  );
  const w = ws.getWriter();
  assertEq(w.desiredSize, 2);
  const p1 = w.write("a");
  const p2 = w.write("b");
  await Promise.all([p1, p2, w.close()]);
  assertEq(seen, ["a", "b"]);
  await w.closed;
});

test("writing to a closed WritableStream rejects", async () => {
  const ws = new WritableStream();
  const w = ws.getWriter();
  await w.close();
  await assertRejects(w.write("x"), TypeError);
});

test("byte stream with a BYOB reader fills the caller's view", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    start(c) {
      c.enqueue(new Uint8Array([1, 2, 3, 4, 5]));
      c.close();
    },
  });
  const r = rs.getReader({ mode: "byob" });
  const first = await r.read(new Uint8Array(3));
  assertEq(first.value, new Uint8Array([1, 2, 3]));
  const second = await r.read(new Uint8Array(3));
  assertEq(second.value, new Uint8Array([4, 5]));
});

test("BYOB reader on a default stream is refused", () => {
  assertThrows(() => new ReadableStream().getReader({ mode: "byob" }), TypeError);
});

test("TextDecoderStream joins a character split across chunks", async () => {
  const bytes = enc.encode("héllo €");
  const parts = [bytes.slice(0, 2), bytes.slice(2, 8), bytes.slice(8)];
  const out = await collect(ReadableStream.from(parts).pipeThrough(new TextDecoderStream()));
  assertEq(out.join(""), "héllo €");
});

test("TextEncoderStream encodes strings to bytes", async () => {
  const out = await collect(ReadableStream.from(["a", "é"]).pipeThrough(new TextEncoderStream()));
  assertEq(dec.decode(new Uint8Array([...out[0], ...out[1]])), "aé");
});

test("IdentityTransformStream passes bytes and refuses strings", async () => {
  const its = new IdentityTransformStream();
  const w = its.writable.getWriter();
  w.write(new Uint8Array([7, 8]));
  w.close();
  const chunks = await collect(its.readable);
  assertEq(chunks[0], new Uint8Array([7, 8]));
  const bad = new IdentityTransformStream();
  await assertRejects(bad.writable.getWriter().write("text"), TypeError);
});

test("FixedLengthStream errors when the byte count differs", async () => {
  const fls = new FixedLengthStream(4);
  const w = fls.writable.getWriter();
  fls.readable.pipeTo(new WritableStream()).catch(() => {});
  await w.write(new Uint8Array(2));
  await assertRejects(w.close(), TypeError, "expected bytes");
});

test("queuing strategies report their size", () => {
  assertEq(new ByteLengthQueuingStrategy({ highWaterMark: 16 }).size(new Uint8Array(5)), 5);
  assertEq(new CountQueuingStrategy({ highWaterMark: 2 }).highWaterMark, 2);
});

test("Response body is a byte stream readable chunk by chunk", async () => {
  const res = new Response("stream me");
  const reader = res.body.getReader();
  const { value } = await reader.read();
  assertEq(dec.decode(value), "stream me");
  assert((await reader.read()).done);
  assert(res.bodyUsed);
});
