(function (host, internal) {
  "use strict";
  // WHATWG Streams: ReadableStream (default and byte sources, default and BYOB readers, tee, pipeTo,
  // pipeThrough, async iteration, from), WritableStream, TransformStream, queuing strategies, the encoding
  // streams, and Cloudflare's IdentityTransformStream / FixedLengthStream. Written compactly: one queue per
  // stream, promises resolved in spec order, errors with the spec's types.

  const LOCKED_READABLE = "This ReadableStream is currently locked to a reader.";
  const LOCKED_WRITABLE = "This WritableStream is currently locked to a writer.";
  const RELEASED = "This reader has been released.";

  function deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    return { promise, resolve, reject };
  }

  function sizeAlgorithm(strategy) {
    const size = strategy && strategy.size;
    if (size === undefined) return () => 1;
    if (typeof size !== "function") throw new TypeError("The size of a queuing strategy must be a function.");
    return (chunk) => size.call(undefined, chunk);
  }

  function highWaterMark(strategy, fallback) {
    const hwm = strategy && strategy.highWaterMark;
    if (hwm === undefined) return fallback;
    const n = Number(hwm);
    if (Number.isNaN(n) || n < 0) throw new RangeError("The highWaterMark of a queuing strategy must be a non-negative number.");
    return n;
  }

  function asBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    return null;
  }

  // ---------------------------------------------------------------------------------------------- Readable

  const disturbed = new WeakSet();

  class ReadableStreamDefaultController {
    #stream;
    constructor(token, stream) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor.");
      this.#stream = stream;
    }
    get desiredSize() {
      return ReadableStream._desiredSize(this.#stream);
    }
    enqueue(chunk = undefined) {
      ReadableStream._enqueue(this.#stream, chunk);
    }
    close() {
      ReadableStream._closeRequested(this.#stream);
    }
    error(e = undefined) {
      ReadableStream._error(this.#stream, e);
    }
    get byobRequest() {
      return null;
    }
  }

  class ReadableByteStreamController extends ReadableStreamDefaultController {
    enqueue(chunk) {
      const bytes = asBytes(chunk);
      if (!bytes || !ArrayBuffer.isView(chunk)) throw new TypeError("chunk must be an ArrayBufferView.");
      if (bytes.byteLength === 0) throw new TypeError("chunk must have a non-zero byteLength.");
      super.enqueue(bytes);
    }
  }

  const INTERNAL = Symbol("internal");

  class ReadableStream {
    // state: "readable" | "closed" | "errored"
    _state = "readable";
    _storedError = undefined;
    _queue = [];
    _queueSize = 0;
    _reader = null;
    _closeRequested = false;
    _pulling = false;
    _pullAgain = false;
    _started = false;
    _source = null;
    _controller = null;
    _hwm = 1;
    _size = () => 1;
    _bytes = false;

    constructor(source = undefined, strategy = undefined) {
      if (source === INTERNAL) return;
      source = source === undefined || source === null ? {} : source;
      const type = source.type === undefined ? undefined : String(source.type);
      if (type === "bytes") {
        if (strategy && strategy.size !== undefined) {
          throw new RangeError("The strategy for a byte stream cannot have a size function.");
        }
        this._bytes = true;
        this._hwm = highWaterMark(strategy, 0);
        this._size = (chunk) => chunk.byteLength;
        this._controller = new ReadableByteStreamController(INTERNAL, this);
      } else if (type !== undefined) {
        throw new RangeError(`Failed to construct 'ReadableStream': invalid type "${type}".`);
      } else {
        this._hwm = highWaterMark(strategy, 1);
        this._size = sizeAlgorithm(strategy);
        this._controller = new ReadableStreamDefaultController(INTERNAL, this);
      }
      this._source = source;
      ReadableStream._start(this);
    }

    static _start(stream) {
      const source = stream._source;
      let result;
      try {
        result = typeof source.start === "function" ? source.start.call(source, stream._controller) : undefined;
      } catch (e) {
        ReadableStream._error(stream, e);
        return;
      }
      Promise.resolve(result).then(
        () => {
          stream._started = true;
          ReadableStream._pullIfNeeded(stream);
        },
        (e) => ReadableStream._error(stream, e),
      );
    }

    static _desiredSize(stream) {
      if (stream._state === "errored") return null;
      if (stream._state === "closed") return 0;
      return stream._hwm - stream._queueSize;
    }

    static _shouldPull(stream) {
      if (!stream._started || stream._state !== "readable" || stream._closeRequested) return false;
      const reader = stream._reader;
      if (reader && reader._requests.length > 0) return true;
      return ReadableStream._desiredSize(stream) > 0;
    }

    static _pullIfNeeded(stream) {
      if (!ReadableStream._shouldPull(stream)) return;
      if (stream._pulling) {
        stream._pullAgain = true;
        return;
      }
      const source = stream._source;
      if (!source || typeof source.pull !== "function") return;
      stream._pulling = true;
      let result;
      try {
        result = source.pull.call(source, stream._controller);
      } catch (e) {
        ReadableStream._error(stream, e);
        return;
      }
      Promise.resolve(result).then(
        () => {
          stream._pulling = false;
          if (stream._pullAgain) {
            stream._pullAgain = false;
            ReadableStream._pullIfNeeded(stream);
          }
        },
        (e) => ReadableStream._error(stream, e),
      );
    }

    static _enqueue(stream, chunk) {
      if (stream._closeRequested) throw new TypeError("Cannot enqueue a chunk into a closed stream.");
      if (stream._state !== "readable") throw new TypeError("Cannot enqueue a chunk into an errored or closed stream.");
      const reader = stream._reader;
      if (reader && reader._requests.length > 0) {
        reader._fulfill(chunk);
      } else {
        let size;
        try {
          size = stream._size(chunk);
          if (!(size >= 0) || size === Infinity) throw new RangeError("The size of a chunk must be a finite, non-negative number.");
        } catch (e) {
          ReadableStream._error(stream, e);
          throw e;
        }
        stream._queue.push([chunk, size]);
        stream._queueSize += size;
      }
      ReadableStream._pullIfNeeded(stream);
    }

    static _closeRequested(stream) {
      if (stream._closeRequested || stream._state !== "readable") {
        throw new TypeError("Cannot close a stream that is already closed or errored.");
      }
      stream._closeRequested = true;
      if (stream._queue.length === 0) ReadableStream._close(stream);
    }

    static _close(stream) {
      if (stream._state !== "readable") return;
      stream._state = "closed";
      stream._source = null;
      const reader = stream._reader;
      if (reader) {
        for (const req of reader._requests.splice(0)) req.resolve({ value: undefined, done: true });
        reader._closed.resolve(undefined);
      }
    }

    static _error(stream, e) {
      if (stream._state !== "readable") return;
      stream._state = "errored";
      stream._storedError = e;
      stream._queue = [];
      stream._queueSize = 0;
      stream._source = null;
      const reader = stream._reader;
      if (reader) {
        for (const req of reader._requests.splice(0)) req.reject(e);
        reader._closed.reject(e);
      }
    }

    static _cancel(stream, reason) {
      disturbed.add(stream);
      if (stream._state === "closed") return Promise.resolve(undefined);
      if (stream._state === "errored") return Promise.reject(stream._storedError);
      const source = stream._source;
      stream._queue = [];
      stream._queueSize = 0;
      ReadableStream._close(stream);
      let result;
      try {
        result = source && typeof source.cancel === "function" ? source.cancel.call(source, reason) : undefined;
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve(result).then(() => undefined);
    }

    // Reads one chunk for `reader`: from the queue, or by waiting for the source.
    static _read(stream) {
      disturbed.add(stream);
      if (stream._state === "closed") return Promise.resolve({ value: undefined, done: true });
      if (stream._state === "errored") return Promise.reject(stream._storedError);
      if (stream._queue.length > 0) {
        const [chunk, size] = stream._queue.shift();
        stream._queueSize -= size;
        if (stream._queueSize < 1e-9) stream._queueSize = Math.max(0, stream._queueSize);
        if (stream._closeRequested && stream._queue.length === 0) ReadableStream._close(stream);
        else ReadableStream._pullIfNeeded(stream);
        return Promise.resolve({ value: chunk, done: false });
      }
      const req = deferred();
      stream._reader._requests.push(req);
      ReadableStream._pullIfNeeded(stream);
      return req.promise;
    }

    get locked() {
      return this._reader !== null;
    }

    cancel(reason = undefined) {
      if (this._reader !== null) return Promise.reject(new TypeError(LOCKED_READABLE));
      return ReadableStream._cancel(this, reason);
    }

    getReader(options = undefined) {
      const mode = options && options.mode !== undefined ? String(options.mode) : undefined;
      if (mode === "byob") return new ReadableStreamBYOBReader(this);
      if (mode !== undefined) throw new RangeError(`Invalid reader mode: ${mode}`);
      return new ReadableStreamDefaultReader(this);
    }

    pipeThrough(transform, options = undefined) {
      if (!transform || !(transform.writable instanceof WritableStream) || !(transform.readable instanceof ReadableStream)) {
        throw new TypeError("pipeThrough() requires an object with `readable` and `writable` streams.");
      }
      if (this.locked) throw new TypeError(LOCKED_READABLE);
      if (transform.writable.locked) throw new TypeError(LOCKED_WRITABLE);
      this.pipeTo(transform.writable, options).catch(() => {});
      return transform.readable;
    }

    pipeTo(dest, options = {}) {
      if (!(dest instanceof WritableStream)) return Promise.reject(new TypeError("pipeTo() requires a WritableStream."));
      if (this.locked) return Promise.reject(new TypeError(LOCKED_READABLE));
      if (dest.locked) return Promise.reject(new TypeError(LOCKED_WRITABLE));
      options = options || {};
      const preventClose = Boolean(options.preventClose);
      const preventAbort = Boolean(options.preventAbort);
      const preventCancel = Boolean(options.preventCancel);
      const signal = options.signal;
      const reader = this.getReader();
      const writer = dest.getWriter();
      const source = this;
      return new Promise((resolve, reject) => {
        let done = false;
        const finish = (error, isError) => {
          if (done) return;
          done = true;
          if (signal && onAbort) signal.removeEventListener("abort", onAbort);
          reader.releaseLock();
          writer.releaseLock();
          if (isError) reject(error);
          else resolve(undefined);
        };
        let onAbort = null;
        if (signal) {
          onAbort = () => {
            const reason = signal.reason;
            const actions = [];
            if (!preventAbort && dest._state === "writable") actions.push(writer.abort(reason));
            if (!preventCancel && source._state === "readable") actions.push(reader.cancel(reason));
            Promise.all(actions).then(() => finish(reason, true), (e) => finish(e, true));
          };
          if (signal.aborted) {
            onAbort();
            return;
          }
          signal.addEventListener("abort", onAbort);
        }
        const loop = async () => {
          try {
            for (;;) {
              if (done) return;
              await writer.ready;
              const { value, done: ended } = await reader.read();
              if (done) return;
              if (ended) {
                if (!preventClose) await writer.close();
                finish(undefined, false);
                return;
              }
              writer.write(value).catch(() => {});
            }
          } catch (e) {
            if (done) return;
            // Either side failed: propagate to the other, as the spec's pipe loop does.
            if (source._state === "errored") {
              if (!preventAbort && dest._state === "writable") await writer.abort(e).catch(() => {});
              finish(source._storedError, true);
            } else {
              if (!preventCancel) await reader.cancel(e).catch(() => {});
              finish(e, true);
            }
          }
        };
        writer.closed.catch((e) => {
          if (done) return;
          if (!preventCancel) reader.cancel(e).catch(() => {});
          finish(e, true);
        });
        loop();
      });
    }

    tee() {
      const reader = this.getReader();
      let canceled1 = false;
      let canceled2 = false;
      let reason1, reason2;
      let reading = false;
      const cancelAll = deferred();
      let branch1, branch2;
      const pull = () => {
        if (reading) return Promise.resolve();
        reading = true;
        return reader.read().then(
          ({ value, done }) => {
            reading = false;
            if (done) {
              if (!canceled1) branch1._controller.close();
              if (!canceled2) branch2._controller.close();
              return;
            }
            if (!canceled1) branch1._controller.enqueue(value);
            if (!canceled2) {
              const bytes = branch2._bytes ? asBytes(value) : null;
              branch2._controller.enqueue(bytes ? bytes.slice() : value);
            }
          },
          (e) => {
            reading = false;
            ReadableStream._error(branch1, e);
            ReadableStream._error(branch2, e);
          },
        );
      };
      const bytes = this._bytes;
      const make = (which) =>
        new ReadableStream(
          {
            type: bytes ? "bytes" : undefined,
            pull,
            cancel(reason) {
              if (which === 1) {
                canceled1 = true;
                reason1 = reason;
              } else {
                canceled2 = true;
                reason2 = reason;
              }
              if (canceled1 && canceled2) reader.cancel([reason1, reason2]).then(cancelAll.resolve, cancelAll.reject);
              return cancelAll.promise;
            },
          },
          { highWaterMark: 0 },
        );
      branch1 = make(1);
      branch2 = make(2);
      reader.closed.catch((e) => {
        ReadableStream._error(branch1, e);
        ReadableStream._error(branch2, e);
      });
      return [branch1, branch2];
    }

    values(options = undefined) {
      const preventCancel = Boolean(options && options.preventCancel);
      const reader = this.getReader();
      return {
        next() {
          return reader.read().then((r) => {
            if (r.done) reader.releaseLock();
            return r;
          });
        },
        return(value) {
          if (!preventCancel) {
            const p = reader.cancel(value);
            reader.releaseLock();
            return p.then(() => ({ value, done: true }));
          }
          reader.releaseLock();
          return Promise.resolve({ value, done: true });
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    }

    [Symbol.asyncIterator](options = undefined) {
      return this.values(options);
    }

    static from(iterable) {
      if (iterable instanceof ReadableStream) return iterable;
      const method = iterable && (iterable[Symbol.asyncIterator] || iterable[Symbol.iterator]);
      if (typeof method !== "function") throw new TypeError("ReadableStream.from() requires an iterable.");
      const iterator = method.call(iterable);
      return new ReadableStream(
        {
          async pull(controller) {
            const { value, done } = await iterator.next();
            if (done) controller.close();
            else controller.enqueue(await value);
          },
          async cancel(reason) {
            if (typeof iterator.return === "function") await iterator.return(reason);
          },
        },
        { highWaterMark: 0 },
      );
    }

    get [Symbol.toStringTag]() {
      return "ReadableStream";
    }
  }

  class ReadableStreamDefaultReader {
    _stream;
    _requests = [];
    _closed = deferred();

    constructor(stream) {
      if (!(stream instanceof ReadableStream)) throw new TypeError("ReadableStreamDefaultReader needs a ReadableStream.");
      if (stream._reader !== null) throw new TypeError(LOCKED_READABLE);
      this._stream = stream;
      stream._reader = this;
      if (stream._state === "closed") this._closed.resolve(undefined);
      else if (stream._state === "errored") this._closed.reject(stream._storedError);
    }

    _fulfill(chunk) {
      this._requests.shift().resolve({ value: chunk, done: false });
    }

    get closed() {
      return this._closed.promise;
    }

    read() {
      if (!this._stream) return Promise.reject(new TypeError(RELEASED));
      return ReadableStream._read(this._stream);
    }

    cancel(reason = undefined) {
      if (!this._stream) return Promise.reject(new TypeError(RELEASED));
      return ReadableStream._cancel(this._stream, reason);
    }

    releaseLock() {
      const stream = this._stream;
      if (!stream) return;
      const e = new TypeError(RELEASED);
      for (const req of this._requests.splice(0)) req.reject(e);
      if (stream._state === "readable") this._closed.reject(e);
      else {
        this._closed = deferred();
        this._closed.reject(e);
      }
      stream._reader = null;
      this._stream = null;
    }

    get [Symbol.toStringTag]() {
      return "ReadableStreamDefaultReader";
    }
  }

  // BYOB reads copy from the stream's byte chunks into the caller's view.
  class ReadableStreamBYOBReader extends ReadableStreamDefaultReader {
    #leftover = null;

    constructor(stream) {
      if (stream instanceof ReadableStream && !stream._bytes) {
        throw new TypeError("Cannot get a BYOB reader for a stream that is not a byte stream.");
      }
      super(stream);
    }

    async read(view, options = undefined) {
      if (!ArrayBuffer.isView(view)) throw new TypeError("read() requires an ArrayBufferView.");
      if (view.byteLength === 0) throw new TypeError("read() requires a view with a non-zero byteLength.");
      if (!this._stream) throw new TypeError(RELEASED);
      const min = options && options.min !== undefined ? Number(options.min) : 1;
      const elem = view.BYTES_PER_ELEMENT || 1;
      const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      let filled = 0;
      while (filled < Math.max(min * elem, 1)) {
        let chunk = this.#leftover;
        this.#leftover = null;
        if (!chunk) {
          const r = await ReadableStream._read(this._stream);
          if (r.done) break;
          chunk = asBytes(r.value);
        }
        const n = Math.min(chunk.byteLength, target.byteLength - filled);
        target.set(chunk.subarray(0, n), filled);
        filled += n;
        if (n < chunk.byteLength) this.#leftover = chunk.subarray(n);
        if (filled === target.byteLength) break;
      }
      const usable = filled - (filled % elem);
      const Ctor = view.constructor;
      const out = Ctor === DataView ? new DataView(view.buffer, view.byteOffset, usable) : new Ctor(view.buffer, view.byteOffset, usable / elem);
      return { value: out, done: filled === 0 && this._stream !== null && this._stream._state === "closed" };
    }

    get [Symbol.toStringTag]() {
      return "ReadableStreamBYOBReader";
    }
  }

  // ---------------------------------------------------------------------------------------------- Writable

  class WritableStreamDefaultController {
    #stream;
    #abort = null;
    constructor(token, stream) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor.");
      this.#stream = stream;
    }
    get signal() {
      this.#abort ??= new AbortController();
      return this.#abort.signal;
    }
    _abortSignal(reason) {
      if (this.#abort) this.#abort.abort(reason);
    }
    error(e = undefined) {
      WritableStream._error(this.#stream, e);
    }
  }

  class WritableStream {
    _state = "writable"; // writable | closing | closed | errored
    _storedError = undefined;
    _writer = null;
    _sink = null;
    _controller = null;
    _queue = []; // [chunk, size, deferred] | ["close", 0, deferred]
    _queueSize = 0;
    _hwm = 1;
    _size = () => 1;
    _busy = false;
    _started = false;

    constructor(sink = undefined, strategy = undefined) {
      sink = sink === undefined || sink === null ? {} : sink;
      if (sink.type !== undefined) throw new RangeError("Invalid type is specified.");
      this._sink = sink;
      this._hwm = highWaterMark(strategy, 1);
      this._size = sizeAlgorithm(strategy);
      this._controller = new WritableStreamDefaultController(INTERNAL, this);
      let result;
      try {
        result = typeof sink.start === "function" ? sink.start.call(sink, this._controller) : undefined;
      } catch (e) {
        WritableStream._error(this, e);
        return;
      }
      Promise.resolve(result).then(
        () => {
          this._started = true;
          WritableStream._advance(this);
        },
        (e) => WritableStream._error(this, e),
      );
    }

    static _desiredSize(stream) {
      if (stream._state === "errored") return null;
      if (stream._state === "closed") return 0;
      return stream._hwm - stream._queueSize;
    }

    static _updateReady(stream) {
      const writer = stream._writer;
      if (!writer || stream._state !== "writable") return;
      const full = WritableStream._desiredSize(stream) <= 0;
      if (full && !writer._readyPending) {
        writer._ready = deferred();
        writer._readyPending = true;
      } else if (!full && writer._readyPending) {
        writer._readyPending = false;
        writer._ready.resolve(undefined);
      }
    }

    static _advance(stream) {
      if (!stream._started || stream._busy || stream._queue.length === 0 || stream._state === "errored") return;
      const [chunk, size, d] = stream._queue[0];
      const sink = stream._sink;
      stream._busy = true;
      let result;
      const isClose = chunk === CLOSE;
      try {
        if (isClose) result = typeof sink.close === "function" ? sink.close.call(sink) : undefined;
        else result = typeof sink.write === "function" ? sink.write.call(sink, chunk, stream._controller) : undefined;
      } catch (e) {
        result = Promise.reject(e);
      }
      Promise.resolve(result).then(
        () => {
          stream._busy = false;
          stream._queue.shift();
          stream._queueSize -= size;
          d.resolve(undefined);
          if (isClose) {
            stream._state = "closed";
            if (stream._writer) stream._writer._closed.resolve(undefined);
            return;
          }
          WritableStream._updateReady(stream);
          WritableStream._advance(stream);
        },
        (e) => {
          stream._busy = false;
          d.reject(e);
          WritableStream._error(stream, e);
        },
      );
    }

    static _error(stream, e) {
      if (stream._state === "errored" || stream._state === "closed") return;
      stream._state = "errored";
      stream._storedError = e;
      for (const [, , d] of stream._queue.splice(stream._busy ? 1 : 0)) d.reject(e);
      stream._queueSize = 0;
      const writer = stream._writer;
      if (writer) {
        writer._closed.reject(e);
        if (!writer._readyPending) writer._ready = deferred();
        writer._readyPending = false;
        writer._ready.reject(e);
      }
    }

    static _write(stream, chunk) {
      if (stream._state === "errored") return Promise.reject(stream._storedError);
      if (stream._state !== "writable") return Promise.reject(new TypeError("This WritableStream is closed."));
      let size;
      try {
        size = stream._size(chunk);
      } catch (e) {
        WritableStream._error(stream, e);
        return Promise.reject(e);
      }
      const d = deferred();
      stream._queue.push([chunk, size, d]);
      stream._queueSize += size;
      WritableStream._updateReady(stream);
      WritableStream._advance(stream);
      return d.promise;
    }

    static _closeStream(stream) {
      if (stream._state !== "writable") {
        return Promise.reject(new TypeError("This WritableStream is already closed or errored."));
      }
      stream._state = "closing";
      const d = deferred();
      stream._queue.push([CLOSE, 0, d]);
      if (stream._writer && stream._writer._readyPending) {
        stream._writer._readyPending = false;
        stream._writer._ready.resolve(undefined);
      }
      WritableStream._advance(stream);
      return d.promise;
    }

    static _abort(stream, reason) {
      if (stream._state === "closed" || stream._state === "errored") return Promise.resolve(undefined);
      stream._controller._abortSignal(reason);
      const sink = stream._sink;
      WritableStream._error(stream, reason);
      let result;
      try {
        result = typeof sink.abort === "function" ? sink.abort.call(sink, reason) : undefined;
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve(result).then(() => undefined);
    }

    get locked() {
      return this._writer !== null;
    }

    getWriter() {
      return new WritableStreamDefaultWriter(this);
    }

    close() {
      if (this.locked) return Promise.reject(new TypeError(LOCKED_WRITABLE));
      return WritableStream._closeStream(this);
    }

    abort(reason = undefined) {
      if (this.locked) return Promise.reject(new TypeError(LOCKED_WRITABLE));
      return WritableStream._abort(this, reason);
    }

    get [Symbol.toStringTag]() {
      return "WritableStream";
    }
  }

  const CLOSE = Symbol("close");

  class WritableStreamDefaultWriter {
    _stream;
    _closed = deferred();
    _ready = deferred();
    _readyPending = false;

    constructor(stream) {
      if (!(stream instanceof WritableStream)) throw new TypeError("WritableStreamDefaultWriter needs a WritableStream.");
      if (stream._writer !== null) throw new TypeError(LOCKED_WRITABLE);
      this._stream = stream;
      stream._writer = this;
      if (stream._state === "errored") {
        this._closed.reject(stream._storedError);
        this._ready.reject(stream._storedError);
      } else {
        if (stream._state === "closed") this._closed.resolve(undefined);
        this._ready.resolve(undefined);
        WritableStream._updateReady(stream);
      }
    }

    get closed() {
      return this._closed.promise;
    }
    get ready() {
      return this._ready.promise;
    }
    get desiredSize() {
      if (!this._stream) throw new TypeError("This writer has been released.");
      return WritableStream._desiredSize(this._stream);
    }

    write(chunk = undefined) {
      if (!this._stream) return Promise.reject(new TypeError("This writer has been released."));
      return WritableStream._write(this._stream, chunk);
    }

    close() {
      if (!this._stream) return Promise.reject(new TypeError("This writer has been released."));
      return WritableStream._closeStream(this._stream);
    }

    abort(reason = undefined) {
      if (!this._stream) return Promise.reject(new TypeError("This writer has been released."));
      return WritableStream._abort(this._stream, reason);
    }

    releaseLock() {
      const stream = this._stream;
      if (!stream) return;
      const e = new TypeError("This writer has been released.");
      this._closed = deferred();
      this._closed.reject(e);
      this._ready = deferred();
      this._ready.reject(e);
      stream._writer = null;
      this._stream = null;
    }

    get [Symbol.toStringTag]() {
      return "WritableStreamDefaultWriter";
    }
  }

  // ---------------------------------------------------------------------------------------------- Transform

  class TransformStreamDefaultController {
    #stream;
    constructor(token, stream) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor.");
      this.#stream = stream;
    }
    get desiredSize() {
      return ReadableStream._desiredSize(this.#stream.readable);
    }
    enqueue(chunk = undefined) {
      const readable = this.#stream.readable;
      ReadableStream._enqueue(readable, chunk);
      if (ReadableStream._desiredSize(readable) <= 0) this.#stream._setBackpressure(true);
    }
    error(e = undefined) {
      ReadableStream._error(this.#stream.readable, e);
      WritableStream._error(this.#stream.writable, e);
    }
    terminate() {
      const readable = this.#stream.readable;
      if (readable._state === "readable" && !readable._closeRequested) ReadableStream._closeRequested(readable);
      WritableStream._error(this.#stream.writable, new TypeError("The transform stream has been terminated."));
    }
  }

  class TransformStream {
    #readable;
    #writable;
    _backpressure = true;
    _backpressureChange = deferred();

    _setBackpressure(on) {
      if (this._backpressure === on) return;
      this._backpressure = on;
      const change = this._backpressureChange;
      this._backpressureChange = deferred();
      change.resolve(undefined);
    }

    constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
      transformer = transformer === undefined || transformer === null ? {} : transformer;
      if (transformer.readableType !== undefined || transformer.writableType !== undefined) {
        throw new RangeError("Invalid readableType or writableType.");
      }
      const controller = new TransformStreamDefaultController(INTERNAL, this);
      let startPromise;
      const readable = new ReadableStream(
        {
          start: () => startPromise,
          pull: () => {
            this._setBackpressure(false);
          },
          cancel: (reason) => {
            WritableStream._error(this.#writable, reason);
            if (typeof transformer.cancel === "function") return transformer.cancel.call(transformer, reason);
          },
        },
        readableStrategy === undefined ? { highWaterMark: 0 } : readableStrategy,
      );
      const writable = new WritableStream(
        {
          start: () => startPromise,
          write: async (chunk) => {
            // Wait while the readable side is full (backpressure), until its next pull.
            while (this._backpressure && readable._state === "readable") await this._backpressureChange.promise;
            if (typeof transformer.transform === "function") {
              await transformer.transform.call(transformer, chunk, controller);
            } else {
              controller.enqueue(chunk);
            }
          },
          close: async () => {
            if (typeof transformer.flush === "function") await transformer.flush.call(transformer, controller);
            if (readable._state === "readable" && !readable._closeRequested) ReadableStream._closeRequested(readable);
          },
          abort: (reason) => {
            ReadableStream._error(readable, reason);
            if (typeof transformer.cancel === "function") return transformer.cancel.call(transformer, reason);
          },
        },
        writableStrategy,
      );
      this.#readable = readable;
      this.#writable = writable;
      try {
        startPromise = Promise.resolve(typeof transformer.start === "function" ? transformer.start.call(transformer, controller) : undefined);
      } catch (e) {
        startPromise = Promise.reject(e);
      }
      startPromise.catch((e) => controller.error(e));
    }

    get readable() {
      return this.#readable;
    }
    get writable() {
      return this.#writable;
    }
    get [Symbol.toStringTag]() {
      return "TransformStream";
    }
  }

  // ---------------------------------------------------------------------------------------------- Strategies

  class ByteLengthQueuingStrategy {
    #hwm;
    constructor(init) {
      if (!init || init.highWaterMark === undefined) throw new TypeError("highWaterMark is required.");
      this.#hwm = Number(init.highWaterMark);
    }
    get highWaterMark() {
      return this.#hwm;
    }
    get size() {
      return (chunk) => chunk.byteLength;
    }
  }

  class CountQueuingStrategy {
    #hwm;
    constructor(init) {
      if (!init || init.highWaterMark === undefined) throw new TypeError("highWaterMark is required.");
      this.#hwm = Number(init.highWaterMark);
    }
    get highWaterMark() {
      return this.#hwm;
    }
    get size() {
      return () => 1;
    }
  }

  // ---------------------------------------------------------------------------------------------- Encoding, Cloudflare

  class TextEncoderStream extends TransformStream {
    constructor() {
      const encoder = new TextEncoder();
      let pendingHigh = "";
      super({
        transform(chunk, controller) {
          let s = pendingHigh + String(chunk);
          pendingHigh = "";
          const last = s.charCodeAt(s.length - 1);
          if (last >= 0xd800 && last <= 0xdbff) {
            pendingHigh = s[s.length - 1];
            s = s.slice(0, -1);
          }
          if (s.length > 0) controller.enqueue(encoder.encode(s));
        },
        flush(controller) {
          if (pendingHigh) controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
        },
      });
    }
    get encoding() {
      return "utf-8";
    }
  }

  class TextDecoderStream extends TransformStream {
    #decoder;
    constructor(label = "utf-8", options = {}) {
      const decoder = new TextDecoder(label, options);
      super({
        transform(chunk, controller) {
          const bytes = asBytes(chunk);
          if (!bytes) throw new TypeError("TextDecoderStream only accepts BufferSource chunks.");
          const s = decoder.decode(bytes, { stream: true });
          if (s) controller.enqueue(s);
        },
        flush(controller) {
          const s = decoder.decode();
          if (s) controller.enqueue(s);
        },
      });
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

  function byteTransformer(check) {
    return {
      transform(chunk, controller) {
        const bytes = asBytes(chunk);
        if (!bytes) {
          throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
        }
        if (check) check.add(bytes.byteLength);
        if (bytes.byteLength > 0) controller.enqueue(bytes);
      },
      flush() {
        if (check) check.end();
      },
    };
  }

  class IdentityTransformStream extends TransformStream {
    constructor() {
      super(byteTransformer(null));
    }
  }

  class FixedLengthStream extends TransformStream {
    constructor(length) {
      const expected = Number(length);
      if (!Number.isInteger(expected) || expected < 0) throw new TypeError("FixedLengthStream requires a non-negative integer length.");
      let seen = 0;
      super(
        byteTransformer({
          add(n) {
            seen += n;
            if (seen > expected) throw new TypeError("Attempt to write too many bytes through a FixedLengthStream.");
          },
          end() {
            if (seen < expected) throw new TypeError("FixedLengthStream did not see all expected bytes before close().");
          },
        }),
      );
    }
  }

  // ---------------------------------------------------------------------------------------------- hooks

  internal.streamFromHost = (handle) =>
    new ReadableStream(
      {
        type: "bytes",
        async pull(controller) {
          const chunk = await host.bodyRead(handle);
          if (chunk === undefined) controller.close();
          else if (chunk.byteLength > 0) controller.enqueue(chunk);
        },
        cancel() {
          host.bodyCancel(handle);
        },
      },
      { highWaterMark: 0 },
    );

  internal.streamFromBytes = (bytes) => {
    const s = new ReadableStream(INTERNAL);
    s._bytes = true;
    s._hwm = 0;
    s._size = (c) => c.byteLength;
    s._controller = new ReadableByteStreamController(INTERNAL, s);
    s._started = true;
    if (bytes.byteLength > 0) {
      s._queue.push([bytes, bytes.byteLength]);
      s._queueSize = bytes.byteLength;
    }
    s._closeRequested = true;
    if (bytes.byteLength === 0) s._state = "closed";
    return s;
  };

  internal.readAllBytes = async (stream) => {
    const reader = stream.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const bytes = asBytes(value);
      if (!bytes) throw new TypeError("This ReadableStream did not return bytes.");
      chunks.push(bytes);
      total += bytes.byteLength;
    }
    reader.releaseLock();
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  };
  internal.streamReadAllFast = internal.readAllBytes;
  internal.isDisturbed = (stream) => disturbed.has(stream);
  internal.isReadableStream = (x) => x instanceof ReadableStream;

  for (const [name, value] of Object.entries({
    ReadableStream,
    ReadableStreamDefaultReader,
    ReadableStreamBYOBReader,
    ReadableStreamDefaultController,
    ReadableByteStreamController,
    WritableStream,
    WritableStreamDefaultWriter,
    WritableStreamDefaultController,
    TransformStream,
    TransformStreamDefaultController,
    ByteLengthQueuingStrategy,
    CountQueuingStrategy,
    TextEncoderStream,
    TextDecoderStream,
    IdentityTransformStream,
    FixedLengthStream,
  })) {
    internal.defineGlobal(name, value);
  }
})
