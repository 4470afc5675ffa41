(function (host, internal) {
  "use strict";
  // WHATWG Streams (https://streams.spec.whatwg.org/) plus Cloudflare's IdentityTransformStream and
  // FixedLengthStream. The spec's internal slots live in plain "record" objects reachable only through private
  // fields of the public classes; the abstract operations below work on records (rs*, rc*, dc*, bc*, ws*, wc*,
  // ts*, tc* prefixes follow the spec's ReadableStream*, ReadableStream*Controller, ... operation names).

  const INTERNAL = Symbol("streams");
  const CLOSE = Symbol("close");
  const P = Promise;
  const noop = () => {};
  const RESOLVED = P.resolve(undefined); // only ever handed to internal code
  const resolvedNoop = () => RESOLVED;
  const LOCKED_READABLE = "This ReadableStream is currently locked to a reader.";
  const LOCKED_WRITABLE = "This WritableStream is currently locked to a writer.";
  const READER_RELEASED = "This ReadableStream reader has been released.";
  const WRITER_RELEASED = "This WritableStream writer has been released.";
  const transfer = typeof ArrayBuffer.prototype.transfer === "function" ? (b) => b.transfer() : (b) => b;

  const rejectedP = (e) => P.reject(e);
  const isObject = (x) => x !== null && (typeof x === "object" || typeof x === "function");
  function handled(p) {
    p.then(undefined, noop);
    return p;
  }
  function promiseCall(fn, thisArg, a, b) {
    try {
      return P.resolve(fn.call(thisArg, a, b));
    } catch (e) {
      return P.reject(e);
    }
  }

  class Deferred {
    constructor() {
      this.settled = false;
      this.promise = new P((res, rej) => {
        this.res = res;
        this.rej = rej;
      });
    }
    resolve(v) {
      this.settled = true;
      this.res(v);
    }
    reject(e) {
      this.settled = true;
      this.rej(e);
    }
  }
  function settledDeferred(ok, e) {
    const d = new Deferred();
    if (ok) d.resolve(undefined);
    else d.reject(e);
    handled(d.promise);
    return d;
  }

  function tag(cls, name) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  }
  function illegal(token) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
  }
  function dictOf(x, what) {
    if (x === undefined || x === null) return null;
    if (!isObject(x)) throw new TypeError(`${what} must be an object.`);
    return x;
  }
  function fnMember(dict, name, what) {
    const f = dict[name];
    if (f !== undefined && typeof f !== "function") throw new TypeError(`${what}.${name} must be a function.`);
    return f;
  }
  function hwmOf(strategy, dflt) {
    if (strategy === undefined || strategy === null) return dflt;
    const h = strategy.highWaterMark;
    if (h === undefined) return dflt;
    const n = Number(h);
    if (Number.isNaN(n) || n < 0) throw new RangeError("The highWaterMark of a queuing strategy must be a non-negative number.");
    return n;
  }
  function sizeOf(strategy) {
    const s = strategy === undefined || strategy === null ? undefined : strategy.size;
    if (s !== undefined && typeof s !== "function") throw new TypeError("The size of a queuing strategy must be a function.");
    return s;
  }
  function enforceRange(v, name) {
    const n = Math.trunc(Number(v));
    if (!Number.isFinite(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) throw new TypeError(`${name} is outside the accepted range.`);
    return n;
  }
  function asBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    return null;
  }

  // Queue-with-sizes (default readable and writable controllers).
  function enqueueWithSize(c, value, size) {
    if (typeof size !== "number" || !(size >= 0) || size === Infinity) {
      throw new RangeError("The size of a chunk must be a finite, non-negative number.");
    }
    c.queue.push(value);
    c.sizes.push(size);
    c.total += size;
  }
  function dequeue(c) {
    const v = c.queue.shift();
    c.total -= c.sizes.shift();
    if (c.total < 0) c.total = 0;
    return v;
  }
  function resetQueue(c) {
    c.queue = [];
    c.sizes = [];
    c.total = 0;
  }

  // ============================================================================================ ReadableStream

  class ReadRequest {
    constructor(res, rej) {
      this.res = res;
      this.rej = rej;
    }
    chunk(v) {
      this.res({ value: v, done: false });
    }
    close() {
      this.res({ value: undefined, done: true });
    }
    error(e) {
      this.rej(e);
    }
  }
  class ReadIntoRequest extends ReadRequest {
    close(v) {
      this.res({ value: v, done: true });
    }
  }

  function rsClose(s) {
    s.state = "closed";
    const r = s.reader;
    if (r === null) return;
    r.closed.resolve(undefined);
    if (!r.byob && r.requests.length > 0) {
      const reqs = r.requests;
      r.requests = [];
      for (let i = 0; i < reqs.length; i++) reqs[i].close();
    }
  }
  function rsError(s, e) {
    s.state = "errored";
    s.storedError = e;
    const r = s.reader;
    if (r === null) return;
    r.closed.reject(e);
    if (r.requests.length > 0) {
      const reqs = r.requests;
      r.requests = [];
      for (let i = 0; i < reqs.length; i++) reqs[i].error(e);
    }
  }
  function rsCancel(s, reason) {
    s.disturbed = true;
    if (s.state === "closed") return P.resolve(undefined);
    if (s.state === "errored") return rejectedP(s.storedError);
    rsClose(s);
    const r = s.reader;
    if (r !== null && r.byob && r.requests.length > 0) {
      const reqs = r.requests;
      r.requests = [];
      for (let i = 0; i < reqs.length; i++) reqs[i].close(undefined);
    }
    const c = s.controller;
    return (c.byte ? bcCancelSteps(c, reason) : dcCancelSteps(c, reason)).then(noop);
  }

  // ---- readers
  function acquireReader(s, byob, obj) {
    if (s.reader !== null) throw new TypeError(LOCKED_READABLE);
    if (byob && !s.controller.byte) throw new TypeError("Cannot get a BYOB reader for a stream that is not a byte stream.");
    const r = { stream: s, byob, requests: [], closed: null, obj };
    s.reader = r;
    if (s.state === "readable") r.closed = new Deferred();
    else r.closed = settledDeferred(s.state === "closed", s.storedError);
    handled(r.closed.promise);
    return r;
  }
  function readerRelease(r) {
    const s = r.stream;
    const e = new TypeError(READER_RELEASED);
    if (s.state === "readable") r.closed.reject(e);
    else r.closed = settledDeferred(false, e);
    if (s.controller.byte) bcReleaseSteps(s.controller);
    s.reader = null;
    r.stream = null;
    if (r.requests.length > 0) {
      const reqs = r.requests;
      r.requests = [];
      for (let i = 0; i < reqs.length; i++) reqs[i].error(e);
    }
  }
  function readerRead(r, req) {
    const s = r.stream;
    s.disturbed = true;
    if (s.state === "closed") req.close();
    else if (s.state === "errored") req.error(s.storedError);
    else if (s.controller.byte) bcPullSteps(s.controller, req);
    else dcPullSteps(s.controller, req);
  }

  // ---- shared controller operations (default and byte)
  function rcDesiredSize(c) {
    const st = c.stream.state;
    return st === "errored" ? null : st === "closed" ? 0 : c.hwm - c.total;
  }
  function rcCanCloseOrEnqueue(c) {
    return !c.closeRequested && c.stream.state === "readable";
  }
  function rcShouldPull(c) {
    const s = c.stream;
    if (!c.started || c.closeRequested || s.state !== "readable") return false;
    if (s.reader !== null && s.reader.requests.length > 0) return true;
    return c.hwm - c.total > 0;
  }
  function rcPullIfNeeded(c) {
    if (!rcShouldPull(c)) return;
    if (c.pulling) {
      c.pullAgain = true;
      return;
    }
    c.pulling = true;
    c.pullFn(c.obj).then(
      () => {
        c.pulling = false;
        if (c.pullAgain) {
          c.pullAgain = false;
          rcPullIfNeeded(c);
        }
      },
      (e) => rcError(c, e),
    );
  }
  function rcClearAlgorithms(c) {
    c.pullFn = null;
    c.cancelFn = null;
    c.sizeFn = undefined;
  }
  function rcError(c, e) {
    if (c.stream.state !== "readable") return;
    if (c.byte) {
      bcClearPending(c);
      c.queue = [];
      c.total = 0;
    } else resetQueue(c);
    rcClearAlgorithms(c);
    rsError(c.stream, e);
  }
  function rcClose(c) {
    if (c.byte) bcCloseAndRespond(c);
    else dcClose(c);
  }
  function rcEnqueue(c, chunk) {
    if (c.byte) bcEnqueue(c, chunk, false);
    else dcEnqueue(c, chunk);
  }
  function rcStart(c, start) {
    const result = start === undefined ? undefined : start(c.obj);
    P.resolve(result).then(
      () => {
        c.started = true;
        rcPullIfNeeded(c);
      },
      (e) => rcError(c, e),
    );
  }

  // ---- ReadableStreamDefaultController
  function setupDefaultController(s, start, pull, cancel, hwm, sizeFn) {
    const c = {
      byte: false, stream: s, queue: [], sizes: [], total: 0, started: false, closeRequested: false,
      pulling: false, pullAgain: false, hwm, sizeFn, pullFn: pull, cancelFn: cancel, obj: null,
    };
    c.obj = new ReadableStreamDefaultController(INTERNAL, c);
    s.controller = c;
    rcStart(c, start);
    return c;
  }
  function dcClose(c) {
    if (!rcCanCloseOrEnqueue(c)) return;
    c.closeRequested = true;
    if (c.queue.length === 0) {
      rcClearAlgorithms(c);
      rsClose(c.stream);
    }
  }
  function dcEnqueue(c, chunk) {
    if (!rcCanCloseOrEnqueue(c)) return;
    const r = c.stream.reader;
    if (r !== null && r.requests.length > 0) {
      r.requests.shift().chunk(chunk);
    } else {
      const f = c.sizeFn;
      try {
        enqueueWithSize(c, chunk, f === undefined ? 1 : +f(chunk));
      } catch (e) {
        rcError(c, e);
        throw e;
      }
    }
    rcPullIfNeeded(c);
  }
  function dcPullSteps(c, req) {
    if (c.queue.length > 0) {
      const chunk = dequeue(c);
      if (c.closeRequested && c.queue.length === 0) {
        rcClearAlgorithms(c);
        rsClose(c.stream);
      } else rcPullIfNeeded(c);
      req.chunk(chunk);
    } else {
      c.stream.reader.requests.push(req);
      rcPullIfNeeded(c);
    }
  }
  function dcCancelSteps(c, reason) {
    resetQueue(c);
    const p = c.cancelFn(reason);
    rcClearAlgorithms(c);
    return p;
  }

  class ReadableStreamDefaultController {
    #c;
    constructor(token, c) {
      illegal(token);
      this.#c = c;
    }
    get desiredSize() {
      return rcDesiredSize(this.#c);
    }
    close() {
      const c = this.#c;
      if (!rcCanCloseOrEnqueue(c)) throw new TypeError("The stream is not in a state that permits close.");
      dcClose(c);
    }
    enqueue(chunk = undefined) {
      const c = this.#c;
      if (!rcCanCloseOrEnqueue(c)) throw new TypeError("The stream is not in a state that permits enqueue.");
      dcEnqueue(c, chunk);
    }
    error(e = undefined) {
      rcError(this.#c, e);
    }
  }
  tag(ReadableStreamDefaultController, "ReadableStreamDefaultController");

  // ---- ReadableByteStreamController
  function newByteController(s, pull, cancel, hwm, autoAllocate) {
    const c = {
      byte: true, stream: s, queue: [], total: 0, started: false, closeRequested: false, pulling: false,
      pullAgain: false, hwm, sizeFn: undefined, pullFn: pull, cancelFn: cancel, autoAllocate, pending: [],
      byobRequest: null, obj: null,
    };
    c.obj = new ReadableByteStreamController(INTERNAL, c);
    s.controller = c;
    return c;
  }
  function setupByteController(s, start, pull, cancel, hwm, autoAllocate) {
    const c = newByteController(s, pull, cancel, hwm, autoAllocate);
    rcStart(c, start);
    return c;
  }
  function bcClose(c) {
    if (c.closeRequested || c.stream.state !== "readable") return;
    if (c.total > 0) {
      c.closeRequested = true;
      return;
    }
    if (c.pending.length > 0) {
      const first = c.pending[0];
      if (first.bytesFilled % first.elementSize !== 0) {
        const e = new TypeError("Insufficient bytes to fill elements in the given buffer");
        rcError(c, e);
        throw e;
      }
    }
    rcClearAlgorithms(c);
    rsClose(c.stream);
  }
  // Close from an internal source: also completes pending BYOB reads, as a source's respond(0) would.
  function bcCloseAndRespond(c) {
    if (!rcCanCloseOrEnqueue(c)) return;
    bcClose(c);
    if (c.pending.length > 0 && c.stream.state === "closed") bcRespond(c, 0);
  }
  function bcEnqueue(c, chunk, doTransfer) {
    const s = c.stream;
    if (c.closeRequested || s.state !== "readable") return;
    let buffer = chunk.buffer;
    const byteOffset = chunk.byteOffset;
    const byteLength = chunk.byteLength;
    if (buffer.detached === true) throw new TypeError("The chunk's buffer is detached.");
    if (doTransfer) buffer = transfer(buffer);
    if (c.pending.length > 0) {
      const first = c.pending[0];
      if (first.buffer.detached === true) throw new TypeError("The BYOB request's buffer has been detached.");
      bcInvalidateByobRequest(c);
      if (doTransfer) first.buffer = transfer(first.buffer);
      if (first.readerType === "none") bcEnqueueDetachedPullInto(c, first);
    }
    const r = s.reader;
    if (r !== null && !r.byob) {
      bcProcessReadRequestsUsingQueue(c);
      if (r.requests.length === 0) bcEnqueueChunk(c, buffer, byteOffset, byteLength);
      else {
        if (c.pending.length > 0) c.pending.shift();
        const view = !doTransfer && chunk instanceof Uint8Array ? chunk : new Uint8Array(buffer, byteOffset, byteLength);
        r.requests.shift().chunk(view);
      }
    } else if (r !== null) {
      bcEnqueueChunk(c, buffer, byteOffset, byteLength);
      const filled = bcProcessPullIntosUsingQueue(c);
      for (let i = 0; i < filled.length; i++) bcCommit(s, filled[i]);
    } else {
      bcEnqueueChunk(c, buffer, byteOffset, byteLength);
    }
    rcPullIfNeeded(c);
  }
  function bcEnqueueChunk(c, buffer, byteOffset, byteLength) {
    c.queue.push({ buffer, byteOffset, byteLength });
    c.total += byteLength;
  }
  function bcEnqueueCloned(c, buffer, byteOffset, byteLength) {
    let clone;
    try {
      clone = buffer.slice(byteOffset, byteOffset + byteLength);
    } catch (e) {
      rcError(c, e);
      throw e;
    }
    bcEnqueueChunk(c, clone, 0, byteLength);
  }
  function bcEnqueueDetachedPullInto(c, d) {
    if (d.bytesFilled > 0) bcEnqueueCloned(c, d.buffer, d.byteOffset, d.bytesFilled);
    c.pending.shift();
  }
  function bcProcessReadRequestsUsingQueue(c) {
    const r = c.stream.reader;
    while (r.requests.length > 0 && c.total > 0) bcFillReadRequestFromQueue(c, r.requests.shift());
  }
  function bcFillReadRequestFromQueue(c, req) {
    const e = c.queue.shift();
    c.total -= e.byteLength;
    bcHandleQueueDrain(c);
    req.chunk(new Uint8Array(e.buffer, e.byteOffset, e.byteLength));
  }
  function bcHandleQueueDrain(c) {
    if (c.total === 0 && c.closeRequested) {
      rcClearAlgorithms(c);
      rsClose(c.stream);
    } else rcPullIfNeeded(c);
  }
  function bcPullSteps(c, req) {
    if (c.total > 0) {
      bcFillReadRequestFromQueue(c, req);
      return;
    }
    const size = c.autoAllocate;
    if (size !== undefined) {
      let buffer;
      try {
        buffer = new ArrayBuffer(size);
      } catch (e) {
        req.error(e);
        return;
      }
      c.pending.push({
        buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0, minimumFill: 1,
        elementSize: 1, ctor: Uint8Array, readerType: "default",
      });
    }
    c.stream.reader.requests.push(req);
    rcPullIfNeeded(c);
  }
  function bcReleaseSteps(c) {
    if (c.pending.length > 0) {
      const first = c.pending[0];
      first.readerType = "none";
      c.pending = [first];
    }
  }
  function bcCancelSteps(c, reason) {
    bcClearPending(c);
    c.queue = [];
    c.total = 0;
    const p = c.cancelFn(reason);
    rcClearAlgorithms(c);
    return p;
  }
  function bcClearPending(c) {
    bcInvalidateByobRequest(c);
    c.pending = [];
  }
  function bcInvalidateByobRequest(c) {
    const b = c.byobRequest;
    if (b === null) return;
    b.controller = null;
    b.view = null;
    c.byobRequest = null;
  }
  function bcGetByobRequest(c) {
    if (c.byobRequest === null && c.pending.length > 0) {
      const d = c.pending[0];
      const view = new Uint8Array(d.buffer, d.byteOffset + d.bytesFilled, d.byteLength - d.bytesFilled);
      const rec = { controller: c, view, obj: null };
      rec.obj = new ReadableStreamBYOBRequest(INTERNAL, rec);
      c.byobRequest = rec;
    }
    return c.byobRequest === null ? null : c.byobRequest.obj;
  }
  function bcPullInto(c, view, min, req) {
    const s = c.stream;
    let elementSize = 1;
    let ctor = DataView;
    if (!(view instanceof DataView)) {
      ctor = view.constructor;
      elementSize = view.BYTES_PER_ELEMENT;
    }
    const byteOffset = view.byteOffset;
    const byteLength = view.byteLength;
    let buffer;
    try {
      buffer = transfer(view.buffer);
    } catch (e) {
      req.error(e);
      return;
    }
    const d = {
      buffer, bufferByteLength: buffer.byteLength, byteOffset, byteLength, bytesFilled: 0,
      minimumFill: min * elementSize, elementSize, ctor, readerType: "byob",
    };
    if (c.pending.length > 0) {
      c.pending.push(d);
      s.reader.requests.push(req);
      return;
    }
    if (s.state === "closed") {
      req.close(new ctor(d.buffer, d.byteOffset, 0));
      return;
    }
    if (c.total > 0) {
      if (bcFillPullIntoFromQueue(c, d)) {
        const filled = bcConvert(d);
        bcHandleQueueDrain(c);
        req.chunk(filled);
        return;
      }
      if (c.closeRequested) {
        const e = new TypeError("Insufficient bytes to fill elements in the given buffer");
        rcError(c, e);
        req.error(e);
        return;
      }
    }
    c.pending.push(d);
    s.reader.requests.push(req);
    rcPullIfNeeded(c);
  }
  function bcConvert(d) {
    return new d.ctor(transfer(d.buffer), d.byteOffset, d.bytesFilled / d.elementSize);
  }
  function bcFillPullIntoFromQueue(c, d) {
    const maxBytesToCopy = Math.min(c.total, d.byteLength - d.bytesFilled);
    const maxBytesFilled = d.bytesFilled + maxBytesToCopy;
    const maxAligned = maxBytesFilled - (maxBytesFilled % d.elementSize);
    let remaining = maxBytesToCopy;
    let ready = false;
    if (maxAligned >= d.minimumFill) {
      remaining = maxAligned - d.bytesFilled;
      ready = true;
    }
    const q = c.queue;
    while (remaining > 0) {
      const head = q[0];
      const n = Math.min(remaining, head.byteLength);
      new Uint8Array(d.buffer, d.byteOffset + d.bytesFilled, n).set(new Uint8Array(head.buffer, head.byteOffset, n));
      if (head.byteLength === n) q.shift();
      else {
        head.byteOffset += n;
        head.byteLength -= n;
      }
      c.total -= n;
      d.bytesFilled += n;
      remaining -= n;
    }
    return ready;
  }
  function bcProcessPullIntosUsingQueue(c) {
    const filled = [];
    while (c.pending.length > 0 && c.total > 0) {
      const d = c.pending[0];
      if (bcFillPullIntoFromQueue(c, d)) {
        c.pending.shift();
        filled.push(d);
      }
    }
    return filled;
  }
  function bcCommit(s, d) {
    const done = s.state === "closed";
    const view = bcConvert(d);
    const req = s.reader.requests.shift();
    if (done) req.close(view);
    else req.chunk(view);
  }
  function bcRespond(c, n) {
    const first = c.pending[0];
    if (c.stream.state === "closed") {
      if (n !== 0) throw new TypeError("bytesWritten must be 0 when calling respond() on a closed stream");
    } else {
      if (n === 0) throw new TypeError("bytesWritten must be greater than 0 when calling respond() on a readable stream");
      if (first.bytesFilled + n > first.byteLength) throw new RangeError("bytesWritten out of range");
    }
    first.buffer = transfer(first.buffer);
    bcRespondInternal(c, n);
  }
  function bcRespondWithNewView(c, view) {
    const first = c.pending[0];
    if (c.stream.state === "closed") {
      if (view.byteLength !== 0) throw new TypeError("The view's length must be 0 when calling respondWithNewView() on a closed stream");
    } else if (view.byteLength === 0) {
      throw new TypeError("The view's length must be greater than 0 when calling respondWithNewView() on a readable stream");
    }
    if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeError("The region specified by view does not match byobRequest");
    if (first.bufferByteLength !== view.buffer.byteLength) throw new RangeError("The buffer of view has different capacity than byobRequest");
    if (first.bytesFilled + view.byteLength > first.byteLength) throw new RangeError("The region specified by view is larger than byobRequest");
    const n = view.byteLength;
    first.buffer = transfer(view.buffer);
    bcRespondInternal(c, n);
  }
  function bcRespondInternal(c, n) {
    const first = c.pending[0];
    bcInvalidateByobRequest(c);
    const s = c.stream;
    if (s.state === "closed") {
      if (first.readerType === "none") c.pending.shift();
      const r = s.reader;
      if (r !== null && r.byob) while (r.requests.length > 0) bcCommit(s, c.pending.shift());
    } else {
      first.bytesFilled += n;
      if (first.readerType === "none") {
        bcEnqueueDetachedPullInto(c, first);
        const filled = bcProcessPullIntosUsingQueue(c);
        for (let i = 0; i < filled.length; i++) bcCommit(s, filled[i]);
      } else if (first.bytesFilled >= first.minimumFill) {
        c.pending.shift();
        const rem = first.bytesFilled % first.elementSize;
        if (rem > 0) bcEnqueueCloned(c, first.buffer, first.byteOffset + first.bytesFilled - rem, rem);
        first.bytesFilled -= rem;
        const filled = bcProcessPullIntosUsingQueue(c);
        bcCommit(s, first);
        for (let i = 0; i < filled.length; i++) bcCommit(s, filled[i]);
      }
    }
    rcPullIfNeeded(c);
  }

  class ReadableByteStreamController {
    #c;
    constructor(token, c) {
      illegal(token);
      this.#c = c;
    }
    get byobRequest() {
      return bcGetByobRequest(this.#c);
    }
    get desiredSize() {
      return rcDesiredSize(this.#c);
    }
    close() {
      const c = this.#c;
      if (c.closeRequested) throw new TypeError("The stream has already been closed.");
      if (c.stream.state !== "readable") throw new TypeError("The stream is not in the readable state and cannot be closed.");
      bcClose(c);
    }
    enqueue(chunk) {
      if (!ArrayBuffer.isView(chunk)) throw new TypeError("chunk must be an ArrayBufferView.");
      if (chunk.byteLength === 0) throw new TypeError("chunk must have a non-zero byteLength.");
      if (chunk.buffer.byteLength === 0) throw new TypeError("chunk's buffer must have a non-zero byteLength.");
      const c = this.#c;
      if (c.closeRequested) throw new TypeError("The stream has already been closed.");
      if (c.stream.state !== "readable") throw new TypeError("The stream is not in the readable state and cannot be enqueued to.");
      bcEnqueue(c, chunk, true);
    }
    error(e = undefined) {
      rcError(this.#c, e);
    }
  }
  tag(ReadableByteStreamController, "ReadableByteStreamController");

  class ReadableStreamBYOBRequest {
    #r;
    constructor(token, rec) {
      illegal(token);
      this.#r = rec;
    }
    get view() {
      return this.#r.view;
    }
    respond(bytesWritten) {
      const r = this.#r;
      if (r.controller === null) throw new TypeError("This BYOB request has been invalidated.");
      const n = enforceRange(bytesWritten, "bytesWritten");
      if (r.view.buffer.detached === true) throw new TypeError("The BYOB request's buffer has been detached.");
      bcRespond(r.controller, n);
    }
    respondWithNewView(view) {
      if (!ArrayBuffer.isView(view)) throw new TypeError("view must be an ArrayBufferView.");
      const r = this.#r;
      if (r.controller === null) throw new TypeError("This BYOB request has been invalidated.");
      if (view.buffer.detached === true) throw new TypeError("The view's buffer has been detached.");
      bcRespondWithNewView(r.controller, view);
    }
  }
  tag(ReadableStreamBYOBRequest, "ReadableStreamBYOBRequest");

  // ---- ReadableStream
  let rsOf, isRS;
  function createRS() {
    return rsOf(new ReadableStream(INTERNAL));
  }

  class ReadableStream {
    #s;
    static {
      rsOf = (o) => o.#s;
      isRS = (o) => isObject(o) && #s in o;
    }
    constructor(underlyingSource = undefined, strategy = undefined) {
      const s = { state: "readable", reader: null, storedError: undefined, disturbed: false, controller: null, obj: this };
      this.#s = s;
      if (underlyingSource === INTERNAL) return;
      const source = underlyingSource === undefined ? null : underlyingSource;
      const dict = dictOf(source, "The underlying source") || {};
      const autoAllocate = dict.autoAllocateChunkSize;
      const cancel = fnMember(dict, "cancel", "underlyingSource");
      const pull = fnMember(dict, "pull", "underlyingSource");
      const start = fnMember(dict, "start", "underlyingSource");
      let type = dict.type;
      if (type !== undefined) {
        type = String(type);
        if (type !== "bytes") throw new TypeError(`The provided value '${type}' is not a valid enum value of type ReadableStreamType.`);
      }
      const pullFn = pull === undefined ? resolvedNoop : (c) => promiseCall(pull, source, c);
      const cancelFn = cancel === undefined ? resolvedNoop : (r) => promiseCall(cancel, source, r);
      const startFn = start === undefined ? undefined : (c) => start.call(source, c);
      if (type === "bytes") {
        if (sizeOf(strategy) !== undefined) throw new RangeError("The strategy for a byte stream cannot have a size function.");
        const hwm = hwmOf(strategy, 0);
        let aa;
        if (autoAllocate !== undefined) {
          aa = enforceRange(autoAllocate, "autoAllocateChunkSize");
          if (aa === 0) throw new TypeError("autoAllocateChunkSize must be greater than 0.");
        }
        setupByteController(s, startFn, pullFn, cancelFn, hwm, aa);
      } else {
        const sizeFn = sizeOf(strategy);
        setupDefaultController(s, startFn, pullFn, cancelFn, hwmOf(strategy, 1), sizeFn);
      }
    }

    get locked() {
      return this.#s.reader !== null;
    }

    cancel(reason = undefined) {
      const s = this.#s;
      if (s.reader !== null) return rejectedP(new TypeError(LOCKED_READABLE));
      return rsCancel(s, reason);
    }

    getReader(options = undefined) {
      const mode = options === undefined || options === null ? undefined : options.mode;
      if (mode === undefined) return new ReadableStreamDefaultReader(this);
      if (String(mode) !== "byob") throw new TypeError(`'${mode}' is not a valid enum value of type ReadableStreamReaderMode.`);
      return new ReadableStreamBYOBReader(this);
    }

    pipeThrough(transform, options = undefined) {
      const s = this.#s;
      const pair = dictOf(transform, "The transform stream");
      const readable = pair && pair.readable;
      if (!isRS(readable)) throw new TypeError("pipeThrough() requires a `readable` ReadableStream.");
      const writable = pair.writable;
      if (!isWS(writable)) throw new TypeError("pipeThrough() requires a `writable` WritableStream.");
      const o = pipeOptions(options);
      if (s.reader !== null) throw new TypeError(LOCKED_READABLE);
      const ws = wsOf(writable);
      if (ws.writer !== null) throw new TypeError(LOCKED_WRITABLE);
      handled(pipe(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal));
      return readable;
    }

    pipeTo(destination, options = undefined) {
      const s = this.#s;
      if (!isWS(destination)) return rejectedP(new TypeError("pipeTo() requires a WritableStream."));
      let o;
      try {
        o = pipeOptions(options);
      } catch (e) {
        return rejectedP(e);
      }
      if (s.reader !== null) return rejectedP(new TypeError(LOCKED_READABLE));
      const ws = wsOf(destination);
      if (ws.writer !== null) return rejectedP(new TypeError(LOCKED_WRITABLE));
      return pipe(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
    }

    tee() {
      return tee(this.#s);
    }

    values(options = undefined) {
      const s = this.#s;
      const preventCancel = options !== undefined && options !== null && Boolean(options.preventCancel);
      return new ReadableStreamAsyncIterator(INTERNAL, acquireReader(s, false, null), preventCancel);
    }

    static from(asyncIterable) {
      return readableFrom(asyncIterable).obj;
    }
  }
  Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
    value: ReadableStream.prototype.values,
    writable: true,
    configurable: true,
  });
  tag(ReadableStream, "ReadableStream");

  class ReadableStreamDefaultReader {
    #r;
    constructor(stream) {
      if (!isRS(stream)) throw new TypeError("ReadableStreamDefaultReader requires a ReadableStream.");
      this.#r = acquireReader(rsOf(stream), false, this);
    }
    get closed() {
      return this.#r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = this.#r;
      if (r.stream === null) return rejectedP(new TypeError(READER_RELEASED));
      return rsCancel(r.stream, reason);
    }
    read() {
      const r = this.#r;
      if (r.stream === null) return rejectedP(new TypeError(READER_RELEASED));
      let req;
      const p = new P((res, rej) => {
        req = new ReadRequest(res, rej);
      });
      readerRead(r, req);
      return p;
    }
    releaseLock() {
      const r = this.#r;
      if (r.stream !== null) readerRelease(r);
    }
  }
  tag(ReadableStreamDefaultReader, "ReadableStreamDefaultReader");

  class ReadableStreamBYOBReader {
    #r;
    constructor(stream) {
      if (!isRS(stream)) throw new TypeError("ReadableStreamBYOBReader requires a ReadableStream.");
      this.#r = acquireReader(rsOf(stream), true, this);
    }
    get closed() {
      return this.#r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = this.#r;
      if (r.stream === null) return rejectedP(new TypeError(READER_RELEASED));
      return rsCancel(r.stream, reason);
    }
    read(view, options = undefined) {
      if (!ArrayBuffer.isView(view)) return rejectedP(new TypeError("read() requires an ArrayBufferView."));
      if (view.byteLength === 0) return rejectedP(new TypeError("read() requires a view with a non-zero byteLength."));
      if (view.buffer.byteLength === 0 || view.buffer.detached === true) {
        return rejectedP(new TypeError("read() requires a view whose buffer is not detached or empty."));
      }
      let min = 1;
      if (options !== undefined && options !== null && options.min !== undefined) {
        try {
          min = enforceRange(options.min, "options.min");
        } catch (e) {
          return rejectedP(e);
        }
        if (min === 0) return rejectedP(new TypeError("options.min must be greater than 0."));
      }
      if (view instanceof DataView ? min > view.byteLength : min > view.length) {
        return rejectedP(new RangeError("options.min must not be larger than the view."));
      }
      const r = this.#r;
      if (r.stream === null) return rejectedP(new TypeError(READER_RELEASED));
      let req;
      const p = new P((res, rej) => {
        req = new ReadIntoRequest(res, rej);
      });
      const s = r.stream;
      s.disturbed = true;
      if (s.state === "errored") req.error(s.storedError);
      else bcPullInto(s.controller, view, min, req);
      return p;
    }
    releaseLock() {
      const r = this.#r;
      if (r.stream !== null) readerRelease(r);
    }
  }
  tag(ReadableStreamBYOBReader, "ReadableStreamBYOBReader");

  // ---- async iteration
  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

  class ReadableStreamAsyncIterator {
    #r;
    #preventCancel;
    #ongoing = null;
    #busy = 0;
    #finished = false;
    constructor(token, r, preventCancel) {
      illegal(token);
      this.#r = r;
      this.#preventCancel = preventCancel;
    }
    #queue(steps) {
      const p = this.#busy === 0 ? steps() : this.#ongoing.then(steps, steps);
      this.#busy++;
      this.#ongoing = p;
      return p;
    }
    next() {
      return this.#queue(() => {
        if (this.#finished) {
          this.#busy--;
          return P.resolve({ value: undefined, done: true });
        }
        const r = this.#r;
        return new P((res, rej) => {
          readerRead(r, {
            chunk: (v) => {
              this.#busy--;
              res({ value: v, done: false });
            },
            close: () => {
              this.#busy--;
              this.#finished = true;
              readerRelease(r);
              res({ value: undefined, done: true });
            },
            error: (e) => {
              this.#busy--;
              this.#finished = true;
              readerRelease(r);
              rej(e);
            },
          });
        });
      });
    }
    return(value = undefined) {
      const result = { value, done: true };
      return this.#queue(() => {
        this.#busy--;
        if (this.#finished) return P.resolve(result);
        this.#finished = true;
        const r = this.#r;
        if (r.stream === null) return P.resolve(result);
        if (!this.#preventCancel) {
          const p = rsCancel(r.stream, value);
          readerRelease(r);
          return p.then(() => result);
        }
        readerRelease(r);
        return P.resolve(result);
      });
    }
  }
  Object.setPrototypeOf(ReadableStreamAsyncIterator.prototype, AsyncIteratorPrototype);
  tag(ReadableStreamAsyncIterator, "ReadableStream AsyncIterator");

  // ---- ReadableStream.from
  function readableFrom(obj) {
    if (obj === null || obj === undefined) throw new TypeError("ReadableStream.from() requires an iterable.");
    let method = obj[Symbol.asyncIterator];
    let sync = false;
    if (method === undefined || method === null) {
      method = obj[Symbol.iterator];
      sync = true;
    }
    if (typeof method !== "function") throw new TypeError("ReadableStream.from() requires an async iterable or iterable object.");
    const iterator = method.call(obj);
    if (!isObject(iterator)) throw new TypeError("The iterator method must return an object.");
    const next = iterator.next;
    const s = createRS();
    let c;
    const badResult = () => new TypeError("The iterator result must be an object.");
    const step = (result) => {
      if (!isObject(result)) throw badResult();
      if (result.done) dcClose(c);
      else if (sync) return P.resolve(result.value).then((v) => dcEnqueue(c, v));
      else dcEnqueue(c, result.value);
    };
    const pull = () => {
      let result;
      try {
        result = next.call(iterator);
        if (sync) return P.resolve(step(result));
      } catch (e) {
        return rejectedP(e);
      }
      return P.resolve(result).then(step);
    };
    const cancel = (reason) => {
      let result;
      try {
        const ret = iterator.return;
        if (ret === undefined || ret === null) return RESOLVED;
        result = ret.call(iterator, reason);
        if (sync && !isObject(result)) throw badResult();
      } catch (e) {
        return rejectedP(e);
      }
      return P.resolve(result).then((r) => {
        if (!isObject(r)) throw badResult();
      });
    };
    c = setupDefaultController(s, undefined, pull, cancel, 0, undefined);
    return s;
  }

  // ---- tee (the default-stream algorithm; byte streams get byte branches with a copied chunk for branch 2)
  function tee(s) {
    const r = acquireReader(s, false, null);
    const bytes = s.controller.byte;
    let reading = false;
    let readAgain = false;
    let canceled1 = false;
    let canceled2 = false;
    let reason1, reason2;
    const cancelled = new Deferred();
    const b1 = createRS();
    const b2 = createRS();
    const deliver = (chunk) => {
      readAgain = false;
      if (bytes) {
        const copy = !canceled1 && !canceled2 ? chunk.slice() : chunk;
        if (!canceled1) bcEnqueue(b1.controller, chunk, false);
        if (!canceled2) bcEnqueue(b2.controller, copy, false);
      } else {
        if (!canceled1) dcEnqueue(b1.controller, chunk);
        if (!canceled2) dcEnqueue(b2.controller, chunk);
      }
      reading = false;
      if (readAgain) pull();
    };
    const req = {
      chunk: (chunk) => RESOLVED.then(() => deliver(chunk)),
      close() {
        reading = false;
        if (!canceled1) rcClose(b1.controller);
        if (!canceled2) rcClose(b2.controller);
        if (!canceled1 || !canceled2) cancelled.resolve(undefined);
      },
      error() {
        reading = false;
      },
    };
    const pull = () => {
      if (reading) {
        readAgain = true;
        return RESOLVED;
      }
      reading = true;
      readerRead(r, req);
      return RESOLVED;
    };
    const cancel1 = (reason) => {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) cancelled.resolve(rsCancel(s, [reason1, reason2]));
      return cancelled.promise;
    };
    const cancel2 = (reason) => {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) cancelled.resolve(rsCancel(s, [reason1, reason2]));
      return cancelled.promise;
    };
    if (bytes) {
      setupByteController(b1, undefined, pull, cancel1, 0, undefined);
      setupByteController(b2, undefined, pull, cancel2, 0, undefined);
    } else {
      setupDefaultController(b1, undefined, pull, cancel1, 1, undefined);
      setupDefaultController(b2, undefined, pull, cancel2, 1, undefined);
    }
    r.closed.promise.then(undefined, (e) => {
      rcError(b1.controller, e);
      rcError(b2.controller, e);
      if (!canceled1 || !canceled2) cancelled.resolve(undefined);
    });
    return [b1.obj, b2.obj];
  }

  // ---- pipeTo
  function pipeOptions(options) {
    const o = dictOf(options, "The pipe options") || {};
    const preventAbort = Boolean(o.preventAbort);
    const preventCancel = Boolean(o.preventCancel);
    const preventClose = Boolean(o.preventClose);
    const signal = o.signal;
    if (signal !== undefined && !(internal.isAbortSignal ? internal.isAbortSignal(signal) : isObject(signal))) {
      throw new TypeError("The signal option must be an AbortSignal.");
    }
    return { preventAbort, preventCancel, preventClose, signal };
  }

  function pipe(src, dest, preventClose, preventAbort, preventCancel, signal) {
    const reader = acquireReader(src, false, null);
    const writer = acquireWriter(dest, null);
    src.disturbed = true;
    let shuttingDown = false;
    let currentWrite = RESOLVED;
    let unregister = null;
    const result = new Deferred();

    const finalize = (isError, error) => {
      writerRelease(writer);
      readerRelease(reader);
      if (unregister !== null) unregister();
      if (isError) result.reject(error);
      else result.resolve(undefined);
    };
    const waitForWrites = () => {
      const w = currentWrite;
      const check = () => (w !== currentWrite ? waitForWrites() : undefined);
      return w.then(check, check);
    };
    const destStillWritable = () => dest.state === "writable" && !wsCloseQueuedOrInFlight(dest);
    const shutdown = (action, isError, error) => {
      if (shuttingDown) return;
      shuttingDown = true;
      const run = () => {
        if (action === null) {
          finalize(isError, error);
          return;
        }
        let p;
        try {
          p = action();
        } catch (e) {
          p = rejectedP(e);
        }
        p.then(
          () => finalize(isError, error),
          (e) => finalize(true, e),
        );
      };
      if (destStillWritable()) waitForWrites().then(run);
      else run();
    };

    if (signal !== undefined) {
      const abortAlgorithm = () => {
        const error = signal.reason;
        shutdown(
          () => {
            const actions = [];
            if (!preventAbort) actions.push(dest.state === "writable" ? wsAbort(dest, error) : RESOLVED);
            if (!preventCancel) actions.push(src.state === "readable" ? rsCancel(src, error) : RESOLVED);
            return P.all(actions);
          },
          true,
          error,
        );
      };
      if (signal.aborted) {
        abortAlgorithm();
        return result.promise;
      }
      if (internal.signalAddAlgorithm) unregister = internal.signalAddAlgorithm(signal, abortAlgorithm);
      else {
        signal.addEventListener("abort", abortAlgorithm);
        unregister = () => signal.removeEventListener("abort", abortAlgorithm);
      }
    }

    // Errors and closes propagate forward (source -> dest) and backward (dest -> source).
    reader.closed.promise.then(
      () => {
        if (!preventClose) shutdown(() => writerCloseWithErrorPropagation(writer), false);
        else shutdown(null, false);
      },
      (e) => {
        if (shuttingDown || reader.stream === null) return;
        if (!preventAbort) shutdown(() => wsAbort(dest, e), true, e);
        else shutdown(null, true, e);
      },
    );
    writer.closed.promise.then(undefined, (e) => {
      if (shuttingDown || writer.stream === null) return;
      if (!preventCancel) shutdown(() => rsCancel(src, e), true, e);
      else shutdown(null, true, e);
    });

    const readReq = {
      chunk(chunk) {
        const p = writerWrite(writer, chunk);
        p.then(undefined, noop);
        currentWrite = p;
        step();
      },
      close: noop,
      error: noop,
    };
    const afterReady = () => {
      if (!shuttingDown) readerRead(reader, readReq);
    };
    const step = () => {
      if (!shuttingDown) writer.ready.promise.then(afterReady, noop);
    };
    RESOLVED.then(() => {
      if (shuttingDown) return;
      if (wsCloseQueuedOrInFlight(dest) || dest.state === "closed") {
        const e = new TypeError("The destination writable stream closed before all data could be piped to it.");
        if (!preventCancel) shutdown(() => rsCancel(src, e), true, e);
        else shutdown(null, true, e);
      } else step();
    });
    return result.promise;
  }

  // ============================================================================================ WritableStream

  function wsCloseQueuedOrInFlight(s) {
    return s.closeRequest !== null || s.inFlightClose !== null;
  }
  function wsUpdateBackpressure(s, bp) {
    const w = s.writer;
    if (w !== null && bp !== s.backpressure) {
      if (bp) w.ready = new Deferred();
      else w.ready.resolve(undefined);
      handled(w.ready.promise);
    }
    s.backpressure = bp;
  }
  function wsAbort(s, reason) {
    if (s.state === "closed" || s.state === "errored") return P.resolve(undefined);
    const c = s.controller;
    if (!c.aborted) {
      c.aborted = true;
      c.abortReason = reason;
      if (c.ac !== null) c.ac.abort(reason);
    }
    const st = s.state;
    if (st === "closed" || st === "errored") return P.resolve(undefined);
    if (s.pendingAbort !== null) return s.pendingAbort.d.promise;
    const wasAlreadyErroring = st === "erroring";
    const d = new Deferred();
    s.pendingAbort = { d, reason: wasAlreadyErroring ? undefined : reason, wasAlreadyErroring };
    if (!wasAlreadyErroring) wsStartErroring(s, reason);
    return d.promise;
  }
  function wsClose(s) {
    const st = s.state;
    if (st === "closed" || st === "errored") {
      return rejectedP(new TypeError("The stream is not in the writable state and cannot be closed."));
    }
    const d = new Deferred();
    s.closeRequest = d;
    const w = s.writer;
    if (w !== null && s.backpressure && st === "writable") w.ready.resolve(undefined);
    const c = s.controller;
    enqueueWithSize(c, CLOSE, 0);
    wcAdvanceQueueIfNeeded(c);
    return d.promise;
  }
  function wsDealWithRejection(s, e) {
    if (s.state === "writable") wsStartErroring(s, e);
    else wsFinishErroring(s);
  }
  function wsStartErroring(s, reason) {
    s.state = "erroring";
    s.storedError = reason;
    const w = s.writer;
    if (w !== null) writerEnsureReadyRejected(w, reason);
    if (s.inFlightWrite === null && s.inFlightClose === null && s.controller.started) wsFinishErroring(s);
  }
  function wsFinishErroring(s) {
    s.state = "errored";
    const c = s.controller;
    resetQueue(c);
    const e = s.storedError;
    const reqs = s.writeRequests;
    s.writeRequests = [];
    for (let i = 0; i < reqs.length; i++) reqs[i].reject(e);
    const ar = s.pendingAbort;
    if (ar === null) {
      wsRejectCloseAndClosed(s);
      return;
    }
    s.pendingAbort = null;
    if (ar.wasAlreadyErroring) {
      ar.d.reject(e);
      wsRejectCloseAndClosed(s);
      return;
    }
    const f = c.abortFn;
    const p = f ? f(ar.reason) : RESOLVED;
    wcClearAlgorithms(c);
    p.then(
      () => {
        ar.d.resolve(undefined);
        wsRejectCloseAndClosed(s);
      },
      (r) => {
        ar.d.reject(r);
        wsRejectCloseAndClosed(s);
      },
    );
  }
  function wsRejectCloseAndClosed(s) {
    if (s.closeRequest !== null) {
      s.closeRequest.reject(s.storedError);
      s.closeRequest = null;
    }
    const w = s.writer;
    if (w !== null) w.closed.reject(s.storedError);
  }
  function wsFinishInFlightClose(s) {
    s.inFlightClose.resolve(undefined);
    s.inFlightClose = null;
    if (s.state === "erroring") {
      s.storedError = undefined;
      if (s.pendingAbort !== null) {
        s.pendingAbort.d.resolve(undefined);
        s.pendingAbort = null;
      }
    }
    s.state = "closed";
    const w = s.writer;
    if (w !== null) w.closed.resolve(undefined);
  }
  function wsFinishInFlightCloseWithError(s, e) {
    s.inFlightClose.reject(e);
    s.inFlightClose = null;
    if (s.pendingAbort !== null) {
      s.pendingAbort.d.reject(e);
      s.pendingAbort = null;
    }
    wsDealWithRejection(s, e);
  }

  // ---- controller
  function setupWritableController(s, start, write, close, abort, hwm, sizeFn) {
    const c = {
      stream: s, queue: [], sizes: [], total: 0, started: false, hwm, sizeFn, writeFn: write, closeFn: close,
      abortFn: abort, ac: null, aborted: false, abortReason: undefined, obj: null,
    };
    c.obj = new WritableStreamDefaultController(INTERNAL, c);
    s.controller = c;
    wsUpdateBackpressure(s, hwm - c.total <= 0);
    const result = start === undefined ? undefined : start(c.obj);
    P.resolve(result).then(
      () => {
        c.started = true;
        wcAdvanceQueueIfNeeded(c);
      },
      (e) => {
        c.started = true;
        wsDealWithRejection(s, e);
      },
    );
    return c;
  }
  function wcClearAlgorithms(c) {
    c.writeFn = null;
    c.closeFn = null;
    c.abortFn = null;
    c.sizeFn = undefined;
  }
  function wcErrorIfNeeded(c, e) {
    if (c.stream.state === "writable") {
      wcClearAlgorithms(c);
      wsStartErroring(c.stream, e);
    }
  }
  function wcWrite(c, chunk, size) {
    try {
      enqueueWithSize(c, chunk, size);
    } catch (e) {
      wcErrorIfNeeded(c, e);
      return;
    }
    const s = c.stream;
    if (!wsCloseQueuedOrInFlight(s) && s.state === "writable") wsUpdateBackpressure(s, c.hwm - c.total <= 0);
    wcAdvanceQueueIfNeeded(c);
  }
  function wcAdvanceQueueIfNeeded(c) {
    const s = c.stream;
    if (!c.started || s.inFlightWrite !== null || s.state === "closed" || s.state === "errored") return;
    if (s.state === "erroring") {
      wsFinishErroring(s);
      return;
    }
    if (c.queue.length === 0) return;
    const v = c.queue[0];
    if (v === CLOSE) {
      s.inFlightClose = s.closeRequest;
      s.closeRequest = null;
      dequeue(c);
      const p = c.closeFn();
      wcClearAlgorithms(c);
      p.then(
        () => wsFinishInFlightClose(s),
        (e) => wsFinishInFlightCloseWithError(s, e),
      );
      return;
    }
    s.inFlightWrite = s.writeRequests.shift();
    c.writeFn(v, c.obj).then(
      () => {
        s.inFlightWrite.resolve(undefined);
        s.inFlightWrite = null;
        const st = s.state;
        dequeue(c);
        if (!wsCloseQueuedOrInFlight(s) && st === "writable") wsUpdateBackpressure(s, c.hwm - c.total <= 0);
        wcAdvanceQueueIfNeeded(c);
      },
      (e) => {
        if (s.state === "writable") wcClearAlgorithms(c);
        s.inFlightWrite.reject(e);
        s.inFlightWrite = null;
        wsDealWithRejection(s, e);
      },
    );
  }

  class WritableStreamDefaultController {
    #c;
    constructor(token, c) {
      illegal(token);
      this.#c = c;
    }
    get signal() {
      const c = this.#c;
      if (c.ac === null) {
        c.ac = new AbortController();
        if (c.aborted) c.ac.abort(c.abortReason);
      }
      return c.ac.signal;
    }
    error(e = undefined) {
      const c = this.#c;
      if (c.stream.state !== "writable") return;
      wcClearAlgorithms(c);
      wsStartErroring(c.stream, e);
    }
  }
  tag(WritableStreamDefaultController, "WritableStreamDefaultController");

  // ---- writer
  function acquireWriter(s, obj) {
    if (s.writer !== null) throw new TypeError(LOCKED_WRITABLE);
    const w = { stream: s, closed: null, ready: null, obj };
    s.writer = w;
    const st = s.state;
    if (st === "writable") {
      w.ready = !wsCloseQueuedOrInFlight(s) && s.backpressure ? new Deferred() : settledDeferred(true);
      w.closed = new Deferred();
    } else if (st === "erroring") {
      w.ready = settledDeferred(false, s.storedError);
      w.closed = new Deferred();
    } else if (st === "closed") {
      w.ready = settledDeferred(true);
      w.closed = settledDeferred(true);
    } else {
      w.ready = settledDeferred(false, s.storedError);
      w.closed = settledDeferred(false, s.storedError);
    }
    handled(w.ready.promise);
    handled(w.closed.promise);
    return w;
  }
  function writerEnsureReadyRejected(w, e) {
    if (!w.ready.settled) w.ready.reject(e);
    else w.ready = settledDeferred(false, e);
  }
  function writerRelease(w) {
    const s = w.stream;
    const e = new TypeError(WRITER_RELEASED);
    writerEnsureReadyRejected(w, e);
    if (!w.closed.settled) w.closed.reject(e);
    else w.closed = settledDeferred(false, e);
    s.writer = null;
    w.stream = null;
  }
  function writerDesiredSize(w) {
    const s = w.stream;
    const st = s.state;
    if (st === "errored" || st === "erroring") return null;
    if (st === "closed") return 0;
    return s.controller.hwm - s.controller.total;
  }
  function writerWrite(w, chunk) {
    const s = w.stream;
    const c = s.controller;
    let size = 1;
    const f = c.sizeFn;
    if (f !== undefined) {
      try {
        size = +f(chunk);
      } catch (e) {
        wcErrorIfNeeded(c, e);
      }
    }
    if (s !== w.stream) return rejectedP(new TypeError(WRITER_RELEASED));
    const st = s.state;
    if (st === "errored") return rejectedP(s.storedError);
    if (wsCloseQueuedOrInFlight(s) || st === "closed") {
      return rejectedP(new TypeError("The stream is closing or closed and cannot be written to."));
    }
    if (st === "erroring") return rejectedP(s.storedError);
    const d = new Deferred();
    s.writeRequests.push(d);
    wcWrite(c, chunk, size);
    return d.promise;
  }
  function writerCloseWithErrorPropagation(w) {
    const s = w.stream;
    if (wsCloseQueuedOrInFlight(s) || s.state === "closed") return RESOLVED;
    if (s.state === "errored") return rejectedP(s.storedError);
    return wsClose(s);
  }

  class WritableStreamDefaultWriter {
    #w;
    constructor(stream) {
      if (!isWS(stream)) throw new TypeError("WritableStreamDefaultWriter requires a WritableStream.");
      this.#w = acquireWriter(wsOf(stream), this);
    }
    get closed() {
      return this.#w.closed.promise;
    }
    get ready() {
      return this.#w.ready.promise;
    }
    get desiredSize() {
      const w = this.#w;
      if (w.stream === null) throw new TypeError(WRITER_RELEASED);
      return writerDesiredSize(w);
    }
    abort(reason = undefined) {
      const w = this.#w;
      if (w.stream === null) return rejectedP(new TypeError(WRITER_RELEASED));
      return wsAbort(w.stream, reason);
    }
    close() {
      const s = this.#w.stream;
      if (s === null) return rejectedP(new TypeError(WRITER_RELEASED));
      if (wsCloseQueuedOrInFlight(s)) return rejectedP(new TypeError("This WritableStream is already closing."));
      return wsClose(s);
    }
    releaseLock() {
      const w = this.#w;
      if (w.stream !== null) writerRelease(w);
    }
    write(chunk = undefined) {
      const w = this.#w;
      if (w.stream === null) return rejectedP(new TypeError(WRITER_RELEASED));
      return writerWrite(w, chunk);
    }
  }
  tag(WritableStreamDefaultWriter, "WritableStreamDefaultWriter");

  let wsOf, isWS;
  function createWS() {
    return wsOf(new WritableStream(INTERNAL));
  }

  class WritableStream {
    #s;
    static {
      wsOf = (o) => o.#s;
      isWS = (o) => isObject(o) && #s in o;
    }
    constructor(underlyingSink = undefined, strategy = undefined) {
      const s = {
        state: "writable", storedError: undefined, writer: null, controller: null, writeRequests: [],
        inFlightWrite: null, closeRequest: null, inFlightClose: null, pendingAbort: null, backpressure: false, obj: this,
      };
      this.#s = s;
      if (underlyingSink === INTERNAL) return;
      const sink = underlyingSink === undefined ? null : underlyingSink;
      const dict = dictOf(sink, "The underlying sink") || {};
      const abort = fnMember(dict, "abort", "underlyingSink");
      const close = fnMember(dict, "close", "underlyingSink");
      const start = fnMember(dict, "start", "underlyingSink");
      const type = dict.type;
      const write = fnMember(dict, "write", "underlyingSink");
      if (type !== undefined) throw new RangeError("Invalid type is specified.");
      const sizeFn = sizeOf(strategy);
      const hwm = hwmOf(strategy, 1);
      setupWritableController(
        s,
        start === undefined ? undefined : (c) => start.call(sink, c),
        write === undefined ? resolvedNoop : (chunk, c) => promiseCall(write, sink, chunk, c),
        close === undefined ? resolvedNoop : () => promiseCall(close, sink),
        abort === undefined ? resolvedNoop : (r) => promiseCall(abort, sink, r),
        hwm,
        sizeFn,
      );
    }
    get locked() {
      return this.#s.writer !== null;
    }
    abort(reason = undefined) {
      const s = this.#s;
      if (s.writer !== null) return rejectedP(new TypeError("Cannot abort a stream that already has a writer."));
      return wsAbort(s, reason);
    }
    close() {
      const s = this.#s;
      if (s.writer !== null) return rejectedP(new TypeError("Cannot close a stream that already has a writer."));
      if (wsCloseQueuedOrInFlight(s)) return rejectedP(new TypeError("Cannot close an already-closing stream."));
      return wsClose(s);
    }
    getWriter() {
      return new WritableStreamDefaultWriter(this);
    }
  }
  tag(WritableStream, "WritableStream");

  // ============================================================================================ TransformStream

  function tsSetBackpressure(t, bp) {
    if (t.backpressureChange !== null) t.backpressureChange.resolve(undefined);
    t.backpressureChange = new Deferred();
    t.backpressure = bp;
  }
  function tsError(t, e) {
    rcError(t.readable.controller, e);
    tsErrorWritableAndUnblockWrite(t, e);
  }
  function tsErrorWritableAndUnblockWrite(t, e) {
    tcClear(t.controller);
    wcErrorIfNeeded(t.writable.controller, e);
    if (t.backpressure) tsSetBackpressure(t, false);
  }
  function tcClear(tc) {
    tc.transformFn = null;
    tc.flushFn = null;
    tc.cancelFn = null;
  }
  function tcEnqueue(tc, chunk) {
    const t = tc.stream;
    const rc = t.readable.controller;
    if (!rcCanCloseOrEnqueue(rc)) throw new TypeError("The readable side is not in a state that permits enqueue.");
    try {
      rcEnqueue(rc, chunk);
    } catch (e) {
      tsErrorWritableAndUnblockWrite(t, e);
      throw t.readable.storedError;
    }
    if (!rcShouldPull(rc) !== t.backpressure) tsSetBackpressure(t, true);
  }
  function tcPerformTransform(tc, chunk) {
    if (tc.transformFn === null) return rejectedP(new TypeError("The transform stream has been terminated."));
    return tc.transformFn(chunk).then(undefined, (r) => {
      tsError(tc.stream, r);
      throw r;
    });
  }
  function tsSinkWrite(t, chunk) {
    const tc = t.controller;
    if (t.validate !== null) {
      try {
        t.validate(chunk);
      } catch (e) {
        tsError(t, e);
        return rejectedP(e);
      }
    }
    if (t.backpressure) {
      return t.backpressureChange.promise.then(() => {
        const w = t.writable;
        if (w.state === "erroring") throw w.storedError;
        return tcPerformTransform(tc, chunk);
      });
    }
    return tcPerformTransform(tc, chunk);
  }
  // Shared tail of sink abort / sink close / source cancel: run `action`, then settle the finish promise.
  function tsFinish(tc, action, onOk, onErr) {
    if (tc.finish !== null) return tc.finish.promise;
    const finish = (tc.finish = new Deferred());
    const p = action();
    tcClear(tc);
    p.then(
      () => {
        const e = onOk();
        if (e === undefined) finish.resolve(undefined);
        else finish.reject(e.error);
      },
      (r) => {
        onErr(r);
        finish.reject(r);
      },
    );
    return finish.promise;
  }
  function tsSinkAbort(t, reason) {
    const tc = t.controller;
    const readable = t.readable;
    return tsFinish(
      tc,
      () => tc.cancelFn(reason),
      () => {
        if (readable.state === "errored") return { error: readable.storedError };
        rcError(readable.controller, reason);
      },
      (r) => rcError(readable.controller, r),
    );
  }
  function tsSinkClose(t) {
    const tc = t.controller;
    const readable = t.readable;
    return tsFinish(
      tc,
      () => tc.flushFn(),
      () => {
        if (readable.state === "errored") return { error: readable.storedError };
        rcClose(readable.controller);
      },
      (r) => rcError(readable.controller, r),
    );
  }
  function tsSourceCancel(t, reason) {
    const tc = t.controller;
    const writable = t.writable;
    return tsFinish(
      tc,
      () => tc.cancelFn(reason),
      () => {
        if (writable.state === "errored") return { error: writable.storedError };
        wcErrorIfNeeded(writable.controller, reason);
        if (t.backpressure) tsSetBackpressure(t, false);
      },
      (r) => {
        wcErrorIfNeeded(writable.controller, r);
        if (t.backpressure) tsSetBackpressure(t, false);
      },
    );
  }

  class TransformStreamDefaultController {
    #c;
    constructor(token, tc) {
      illegal(token);
      this.#c = tc;
    }
    get desiredSize() {
      return rcDesiredSize(this.#c.stream.readable.controller);
    }
    enqueue(chunk = undefined) {
      tcEnqueue(this.#c, chunk);
    }
    error(reason = undefined) {
      tsError(this.#c.stream, reason);
    }
    terminate() {
      const t = this.#c.stream;
      rcClose(t.readable.controller);
      tsErrorWritableAndUnblockWrite(t, new TypeError("The transform stream has been terminated."));
    }
  }
  tag(TransformStreamDefaultController, "TransformStreamDefaultController");

  // Transformers built by this file (encoding and Cloudflare streams); `bytes` makes the readable side a byte stream.
  // `validate(chunk)` runs (and may throw) when a write reaches the sink, before waiting for backpressure.
  class InternalTransformer {
    constructor(transform, flush, bytes, validate = null) {
      this.transform = transform;
      this.flush = flush;
      this.bytes = bytes;
      this.validate = validate;
    }
  }

  class TransformStream {
    #t;
    constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
      let start, transform, flush, cancel, thisArg;
      let bytes = false;
      let validate = null;
      if (transformer instanceof InternalTransformer) {
        ({ transform, flush, bytes, validate } = transformer);
        thisArg = transformer;
      } else {
        thisArg = transformer === undefined ? null : transformer;
        const dict = dictOf(thisArg, "The transformer") || {};
        cancel = fnMember(dict, "cancel", "transformer");
        flush = fnMember(dict, "flush", "transformer");
        const readableType = dict.readableType;
        start = fnMember(dict, "start", "transformer");
        transform = fnMember(dict, "transform", "transformer");
        const writableType = dict.writableType;
        if (readableType !== undefined) throw new RangeError("Invalid readableType specified.");
        if (writableType !== undefined) throw new RangeError("Invalid writableType specified.");
      }
      const rSize = sizeOf(readableStrategy);
      const rHwm = hwmOf(readableStrategy, 0);
      const wSize = sizeOf(writableStrategy);
      const wHwm = hwmOf(writableStrategy, 1);
      const startD = new Deferred();
      const t = {
        readable: null, writable: null, backpressure: undefined, backpressureChange: null, controller: null, validate, obj: this,
      };
      this.#t = t;
      const startFn = () => startD.promise;
      const w = createWS();
      setupWritableController(w, startFn, (chunk) => tsSinkWrite(t, chunk), () => tsSinkClose(t), (r) => tsSinkAbort(t, r), wHwm, wSize);
      const r = createRS();
      const pull = () => {
        tsSetBackpressure(t, false);
        return t.backpressureChange.promise;
      };
      const cancelSource = (reason) => tsSourceCancel(t, reason);
      if (bytes) setupByteController(r, startFn, pull, cancelSource, rHwm, undefined);
      else setupDefaultController(r, startFn, pull, cancelSource, rHwm, rSize);
      t.readable = r;
      t.writable = w;
      tsSetBackpressure(t, true);
      const tc = { stream: t, transformFn: null, flushFn: null, cancelFn: null, finish: null, obj: null };
      tc.obj = new TransformStreamDefaultController(INTERNAL, tc);
      t.controller = tc;
      tc.transformFn =
        transform !== undefined
          ? (chunk) => promiseCall(transform, thisArg, chunk, tc.obj)
          : (chunk) => {
              try {
                tcEnqueue(tc, chunk);
                return RESOLVED;
              } catch (e) {
                return rejectedP(e);
              }
            };
      tc.flushFn = flush !== undefined ? () => promiseCall(flush, thisArg, tc.obj) : resolvedNoop;
      tc.cancelFn = cancel !== undefined ? (reason) => promiseCall(cancel, thisArg, reason) : resolvedNoop;
      startD.resolve(start === undefined ? undefined : start.call(thisArg, tc.obj));
    }
    get readable() {
      return this.#t.readable.obj;
    }
    get writable() {
      return this.#t.writable.obj;
    }
  }
  tag(TransformStream, "TransformStream");

  // ============================================================================================ strategies

  const byteLengthSize = function size(chunk) {
    return chunk.byteLength;
  };
  const countSize = function size() {
    return 1;
  };
  function strategyHwm(init, name) {
    if (!isObject(init)) throw new TypeError(`Failed to construct '${name}': 1 argument required.`);
    if (init.highWaterMark === undefined) throw new TypeError(`Failed to construct '${name}': required member highWaterMark is undefined.`);
    return Number(init.highWaterMark);
  }
  class ByteLengthQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyHwm(init, "ByteLengthQueuingStrategy");
    }
    get highWaterMark() {
      return this.#hwm;
    }
    get size() {
      return byteLengthSize;
    }
  }
  tag(ByteLengthQueuingStrategy, "ByteLengthQueuingStrategy");
  class CountQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyHwm(init, "CountQueuingStrategy");
    }
    get highWaterMark() {
      return this.#hwm;
    }
    get size() {
      return countSize;
    }
  }
  tag(CountQueuingStrategy, "CountQueuingStrategy");

  // ============================================================================================ encoding streams

  const REPLACEMENT = [0xef, 0xbf, 0xbd];
  class TextEncoderStream extends TransformStream {
    constructor() {
      const encoder = new TextEncoder();
      let pending = ""; // a high surrogate that ended the previous chunk
      super(
        new InternalTransformer(
          (chunk, c) => {
            let s = pending + String(chunk);
            pending = "";
            const last = s.charCodeAt(s.length - 1);
            if (last >= 0xd800 && last <= 0xdbff) {
              pending = s[s.length - 1];
              s = s.slice(0, -1);
            }
            if (s.length > 0) c.enqueue(encoder.encode(s));
          },
          (c) => {
            if (pending !== "") c.enqueue(new Uint8Array(REPLACEMENT));
          },
          false,
        ),
      );
    }
    get encoding() {
      return "utf-8";
    }
  }
  tag(TextEncoderStream, "TextEncoderStream");

  class TextDecoderStream extends TransformStream {
    #decoder;
    constructor(label = "utf-8", options = undefined) {
      const decoder = new TextDecoder(label, options);
      super(
        new InternalTransformer(
          (chunk, c) => {
            const bytes = asBytes(chunk);
            if (bytes === null) throw new TypeError("TextDecoderStream only accepts ArrayBuffer or ArrayBufferView chunks.");
            const s = decoder.decode(bytes, { stream: true });
            if (s !== "") c.enqueue(s);
          },
          (c) => {
            const s = decoder.decode();
            if (s !== "") c.enqueue(s);
          },
          false,
        ),
      );
      this.#decoder = decoder;
    }
    get encoding() {
      return this.#decoder.encoding;
    }
    get fatal() {
      return this.#decoder.fatal;
    }
    get ignoreBOM() {
      return this.#decoder.ignoreBOM;
    }
  }
  tag(TextDecoderStream, "TextDecoderStream");

  // ============================================================================================ Cloudflare

  function byteTransformer(count, end) {
    return new InternalTransformer(
      (chunk, c) => {
        const bytes = asBytes(chunk);
        if (bytes.byteLength > 0) c.enqueue(bytes);
      },
      end,
      true,
      (chunk) => {
        if (!(ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer)) {
          throw new TypeError(
            "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.",
          );
        }
        if (count !== null) count(chunk.byteLength);
      },
    );
  }

  class IdentityTransformStream extends TransformStream {
    constructor(options = undefined) {
      super(byteTransformer(null, undefined));
    }
  }
  tag(IdentityTransformStream, "IdentityTransformStream");

  class FixedLengthStream extends TransformStream {
    constructor(expectedLength, options = undefined) {
      const expected = typeof expectedLength === "bigint" ? Number(expectedLength) : Number(expectedLength);
      if (!Number.isInteger(expected) || expected < 0 || expected > Number.MAX_SAFE_INTEGER) {
        throw new TypeError("FixedLengthStream requires a non-negative integer expected length.");
      }
      let seen = 0;
      super(
        byteTransformer(
          (n) => {
            seen += n;
            if (seen > expected) throw new TypeError("Attempt to write too many bytes through a FixedLengthStream.");
          },
          () => {
            if (seen < expected) throw new TypeError("FixedLengthStream did not see all expected bytes before close().");
          },
        ),
      );
    }
  }
  tag(FixedLengthStream, "FixedLengthStream");

  // ============================================================================================ hooks

  internal.streamFromHost = (handle) => {
    const s = createRS();
    let c = null;
    const onChunk = (chunk) => {
      if (chunk === undefined) bcCloseAndRespond(c);
      else if (chunk.byteLength === 0) return pull();
      else bcEnqueue(c, chunk, false);
    };
    const pull = () => host.bodyRead(handle).then(onChunk);
    const cancel = () => {
      try {
        host.bodyCancel(handle);
      } catch (e) {
        return rejectedP(e);
      }
      return RESOLVED;
    };
    c = setupByteController(s, undefined, pull, cancel, 0, undefined);
    return s.obj;
  };

  internal.streamFromBytes = (bytes) => {
    const s = createRS();
    const c = newByteController(s, resolvedNoop, resolvedNoop, 0, undefined);
    c.started = true;
    if (bytes.byteLength > 0) {
      bcEnqueueChunk(c, bytes.buffer, bytes.byteOffset, bytes.byteLength);
      c.closeRequested = true;
    } else {
      rcClearAlgorithms(c);
      s.state = "closed";
    }
    return s.obj;
  };

  // Writes a stream's chunks into a host sink (a streamed response's or a fetch upload's; `host.sinkWrite` pushes
  // back while the sink is full), then closes the sink. When the sink's reader goes away first, calls `onSinkGone`
  // and cancels the stream. A failing stream, or a chunk that is not bytes, closes the sink with the error and
  // rejects with it.
  internal.pumpToSink = async (stream, sink, onSinkGone = undefined) => {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        // fetch_api.js's (a body stream belongs to a Request or Response, so that file is loaded).
        const bytes = internal.fetchApiHelpers.viewOf(value);
        if (bytes === null) throw new TypeError("This ReadableStream did not return bytes.");
        let sent = host.sinkWrite(sink, bytes);
        if (sent !== true && sent !== false) sent = await sent;
        if (sent === false) {
          if (onSinkGone !== undefined) onSinkGone();
          reader.cancel().catch(() => {});
          break;
        }
      }
      host.sinkClose(sink, null);
    } catch (e) {
      host.sinkClose(sink, e);
      throw e;
    }
  };

  // Reads a whole stream into one Uint8Array, without a promise per chunk when chunks are already queued.
  internal.readAllBytes = (stream) => {
    if (!isRS(stream)) return rejectedP(new TypeError("Expected a ReadableStream."));
    const s = rsOf(stream);
    let r;
    try {
      r = acquireReader(s, false, null);
    } catch (e) {
      return rejectedP(e);
    }
    return new P((resolve, reject) => {
      const chunks = [];
      let total = 0;
      let inLoop = false;
      let again = false;
      const req = {
        chunk(v) {
          const b = asBytes(v);
          if (b === null) {
            const e = new TypeError("This ReadableStream did not return bytes.");
            rsCancel(s, e).then(undefined, noop);
            reject(e);
            return;
          }
          chunks.push(b);
          total += b.byteLength;
          if (inLoop) again = true;
          else loop();
        },
        close() {
          if (chunks.length === 1 && chunks[0].byteLength === total) {
            resolve(chunks[0]);
            return;
          }
          const out = new Uint8Array(total);
          let at = 0;
          for (let i = 0; i < chunks.length; i++) {
            out.set(chunks[i], at);
            at += chunks[i].byteLength;
          }
          resolve(out);
        },
        error: reject,
      };
      const loop = () => {
        do {
          again = false;
          inLoop = true;
          readerRead(r, req);
          inLoop = false;
        } while (again);
      };
      loop();
    });
  };
  internal.streamReadAllFast = internal.readAllBytes;
  internal.isDisturbed = (stream) => rsOf(stream).disturbed;
  internal.isReadableStream = isRS;

  internal.defineGlobal("ReadableStream", ReadableStream);
  internal.defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
  internal.defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);
  internal.defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
  internal.defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
  internal.defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
  internal.defineGlobal("WritableStream", WritableStream);
  internal.defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);
  internal.defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);
  internal.defineGlobal("TransformStream", TransformStream);
  internal.defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);
  internal.defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
  internal.defineGlobal("CountQueuingStrategy", CountQueuingStrategy);
  internal.defineGlobal("TextEncoderStream", TextEncoderStream);
  internal.defineGlobal("TextDecoderStream", TextDecoderStream);
  internal.defineGlobal("IdentityTransformStream", IdentityTransformStream);
  internal.defineGlobal("FixedLengthStream", FixedLengthStream);
})
