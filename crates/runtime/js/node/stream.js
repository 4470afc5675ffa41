(function (host, internal) {
  "use strict";
  // node:stream — a compact implementation of Readable, Writable, Duplex, Transform and PassThrough (flowing and
  // paused modes, highWaterMark back-pressure with 'drain', objectMode, pipe, async iteration, destroy), plus
  // finished() and pipeline(). Enough for database drivers and the libraries they use; not the full Node.js
  // state machine (no cork/uncork batching, no readable.wrap()).

  const { EventEmitter } = internal["module:node:events"];
  const tick = (fn, ...args) => queueMicrotask(() => fn(...args));

  function toChunk(chunk, encoding, objectMode) {
    if (objectMode) return chunk;
    if (typeof chunk === "string") return internal["module:node:buffer"].Buffer.from(chunk, encoding);
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const err = new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array.');
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
  function chunkSize(chunk, objectMode) {
    return objectMode ? 1 : chunk.length;
  }

  function Stream(opts) {
    EventEmitter.call(this, opts);
  }
  Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
  Object.setPrototypeOf(Stream, EventEmitter);
  Stream.prototype.pipe = function (dest, options) {
    return Readable.prototype.pipe.call(this, dest, options);
  };

  // ---- Readable ----------------------------------------------------------------------------------------------

  function Readable(options = {}) {
    if (!(this instanceof Readable)) return new Readable(options);
    Stream.call(this, options);
    const objectMode = !!(options.objectMode || options.readableObjectMode);
    this._readableState = {
      objectMode,
      highWaterMark: options.highWaterMark ?? options.readableHighWaterMark ?? (objectMode ? 16 : 16384),
      buffer: [],
      length: 0,
      ended: false,
      endEmitted: false,
      flowing: null,
      reading: false,
      decoder: null,
      encoding: null,
      scheduled: false,
      pipes: [],
    };
    this.destroyed = false;
    if (typeof options.read === "function") this._read = options.read;
    if (typeof options.destroy === "function") this._destroy = options.destroy;
  }
  Object.setPrototypeOf(Readable.prototype, Stream.prototype);
  Object.setPrototypeOf(Readable, Stream);

  Readable.prototype._read = function () {
    const err = new Error("The _read() method is not implemented");
    err.code = "ERR_METHOD_NOT_IMPLEMENTED";
    throw err;
  };
  Readable.prototype.push = function (chunk, encoding) {
    const state = this._readableState;
    state.reading = false;
    if (chunk === null) {
      state.ended = true;
      scheduleFlow(this);
      return false;
    }
    if (state.ended) {
      this.emit("error", Object.assign(new Error("stream.push() after EOF"), { code: "ERR_STREAM_PUSH_AFTER_EOF" }));
      return false;
    }
    chunk = toChunk(chunk, encoding, state.objectMode);
    if (!state.objectMode && chunk.length === 0) return state.length < state.highWaterMark;
    state.buffer.push(chunk);
    state.length += chunkSize(chunk, state.objectMode);
    scheduleFlow(this);
    return state.length < state.highWaterMark;
  };
  Readable.prototype.unshift = function (chunk) {
    const state = this._readableState;
    chunk = toChunk(chunk, undefined, state.objectMode);
    state.buffer.unshift(chunk);
    state.length += chunkSize(chunk, state.objectMode);
  };
  function decodeOut(state, chunk) {
    return state.decoder ? state.decoder.write(chunk) : chunk;
  }
  Readable.prototype.read = function (n) {
    const state = this._readableState;
    let out = null;
    if (state.length > 0) {
      if (state.objectMode || n === undefined || n >= state.length) {
        if (state.objectMode) {
          out = state.buffer.shift();
          state.length -= 1;
        } else {
          const Buffer = internal["module:node:buffer"].Buffer;
          out = state.buffer.length === 1 ? state.buffer[0] : Buffer.concat(state.buffer, state.length);
          state.buffer = [];
          state.length = 0;
        }
      } else if (n > 0) {
        const Buffer = internal["module:node:buffer"].Buffer;
        const all = Buffer.concat(state.buffer, state.length);
        out = all.subarray(0, n);
        state.buffer = [all.subarray(n)];
        state.length -= n;
      }
    }
    if (state.ended && state.length === 0) scheduleFlow(this);
    else maybeRead(this);
    return out === null ? null : decodeOut(state, out);
  };
  function maybeRead(stream) {
    const state = stream._readableState;
    if (!state.reading && !state.ended && !stream.destroyed && state.length < state.highWaterMark) {
      state.reading = true;
      try {
        stream._read(state.highWaterMark);
      } catch (e) {
        stream.destroy(e);
      }
    }
  }
  function scheduleFlow(stream) {
    const state = stream._readableState;
    if (state.scheduled) return;
    state.scheduled = true;
    tick(() => {
      state.scheduled = false;
      flow(stream);
    });
  }
  function flow(stream) {
    const state = stream._readableState;
    if (stream.destroyed) return;
    if (state.flowing) {
      while (state.flowing && state.buffer.length > 0) {
        const chunk = state.buffer.shift();
        state.length -= chunkSize(chunk, state.objectMode);
        stream.emit("data", decodeOut(state, chunk));
      }
    } else if (state.length > 0 || state.ended) {
      stream.emit("readable");
    }
    if (state.ended && state.length === 0) {
      if (!state.endEmitted) {
        state.endEmitted = true;
        stream.readableEnded = true;
        stream.emit("end");
        if (stream._writableState === undefined || stream._writableState.finished) maybeAutoClose(stream);
      }
    } else if (state.flowing !== false) {
      maybeRead(stream);
    }
  }
  function maybeAutoClose(stream) {
    if (stream._autoDestroy !== false) tick(() => stream.emit("close"));
  }
  Readable.prototype.on = function (event, fn) {
    const res = Stream.prototype.on.call(this, event, fn);
    const state = this._readableState;
    if (event === "data" && state.flowing !== false) this.resume();
    else if (event === "readable") {
      state.flowing = false;
      scheduleFlow(this);
      maybeRead(this);
    }
    return res;
  };
  Readable.prototype.addListener = Readable.prototype.on;
  Readable.prototype.resume = function () {
    this._readableState.flowing = true;
    scheduleFlow(this);
    maybeRead(this);
    return this;
  };
  Readable.prototype.pause = function () {
    this._readableState.flowing = false;
    return this;
  };
  Readable.prototype.isPaused = function () {
    return this._readableState.flowing === false;
  };
  Readable.prototype.setEncoding = function (enc) {
    const { StringDecoder } = internal["module:node:string_decoder"];
    this._readableState.decoder = new StringDecoder(enc);
    this._readableState.encoding = enc;
    return this;
  };
  Readable.prototype.pipe = function (dest, options) {
    const src = this;
    src.on("data", (chunk) => {
      if (dest.write(chunk) === false && src.pause) {
        src.pause();
        dest.once("drain", () => src.resume());
      }
    });
    if (!options || options.end !== false) src.on("end", () => dest.end());
    if (src._readableState) src._readableState.pipes.push(dest);
    dest.emit("pipe", src);
    return dest;
  };
  Readable.prototype.unpipe = function () {
    this.removeAllListeners("data");
    if (this._readableState) this._readableState.pipes = [];
    return this;
  };
  Readable.prototype.destroy = function (err, cb) {
    return destroy(this, err, cb);
  };
  Readable.prototype._destroy = function (err, cb) {
    cb(err);
  };
  Readable.prototype[Symbol.asyncIterator] = async function* () {
    const stream = this;
    let error = null;
    let wake = null;
    const poke = () => {
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    stream.on("readable", poke);
    stream.on("end", poke);
    stream.on("close", poke);
    stream.on("error", (e) => {
      error = e;
      poke();
    });
    try {
      for (;;) {
        if (error) throw error;
        const chunk = stream.read();
        if (chunk !== null) {
          yield chunk;
          continue;
        }
        if (stream._readableState.endEmitted || stream.destroyed) return;
        await new Promise((resolve) => (wake = resolve));
      }
    } finally {
      if (!stream._readableState.endEmitted) stream.destroy();
    }
  };
  Readable.from = function (iterable, options) {
    const it = iterable[Symbol.asyncIterator] ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    const stream = new Readable({
      objectMode: true,
      ...options,
      read() {
        Promise.resolve(it.next()).then(
          ({ value, done }) => (done ? this.push(null) : this.push(value)),
          (e) => this.destroy(e),
        );
      },
    });
    return stream;
  };
  for (const [name, get] of [
    ["readable", function () { return !this.destroyed && !this._readableState.ended; }],
    ["readableLength", function () { return this._readableState.length; }],
    ["readableHighWaterMark", function () { return this._readableState.highWaterMark; }],
    ["readableObjectMode", function () { return this._readableState.objectMode; }],
    ["readableFlowing", function () { return this._readableState.flowing; }],
  ]) {
    Object.defineProperty(Readable.prototype, name, { get, configurable: true });
  }

  // ---- Writable ----------------------------------------------------------------------------------------------

  function Writable(options = {}) {
    if (!(this instanceof Writable) && !(this instanceof Duplex)) return new Writable(options);
    Stream.call(this, options);
    initWritable(this, options);
  }
  Object.setPrototypeOf(Writable.prototype, Stream.prototype);
  Object.setPrototypeOf(Writable, Stream);

  function initWritable(stream, options) {
    const objectMode = !!(options.objectMode || options.writableObjectMode);
    stream._writableState = {
      objectMode,
      highWaterMark: options.highWaterMark ?? options.writableHighWaterMark ?? (objectMode ? 16 : 16384),
      queue: [],
      length: 0,
      writing: false,
      ending: false,
      ended: false,
      finished: false,
      needDrain: false,
      decodeStrings: options.decodeStrings !== false,
    };
    stream.destroyed = false;
    if (typeof options.write === "function") stream._write = options.write;
    if (typeof options.writev === "function") stream._writev = options.writev;
    if (typeof options.final === "function") stream._final = options.final;
    if (typeof options.destroy === "function") stream._destroy = options.destroy;
  }

  Writable.prototype._write = function (chunk, encoding, cb) {
    if (this._writev) return this._writev([{ chunk, encoding }], cb);
    const err = new Error("The _write() method is not implemented");
    err.code = "ERR_METHOD_NOT_IMPLEMENTED";
    throw err;
  };
  Writable.prototype.write = function (chunk, encoding, cb) {
    if (typeof encoding === "function") {
      cb = encoding;
      encoding = undefined;
    }
    const state = this._writableState;
    if (state.ending || this.destroyed) {
      const err = new Error(this.destroyed ? "Cannot call write after a stream was destroyed" : "write after end");
      err.code = this.destroyed ? "ERR_STREAM_DESTROYED" : "ERR_STREAM_WRITE_AFTER_END";
      tick(() => {
        if (cb) cb(err);
        this.emit("error", err);
      });
      return false;
    }
    if (!state.objectMode) {
      if (typeof chunk === "string" && state.decodeStrings) chunk = toChunk(chunk, encoding, false);
      else if (typeof chunk !== "string") chunk = toChunk(chunk, encoding, false);
    }
    const size = state.objectMode ? 1 : chunk.length;
    state.length += size;
    state.queue.push({ chunk, encoding: typeof chunk === "string" ? encoding || "utf8" : "buffer", cb, size });
    const ok = state.length < state.highWaterMark;
    if (!ok) state.needDrain = true;
    drainQueue(this);
    return ok;
  };
  function drainQueue(stream) {
    const state = stream._writableState;
    if (state.writing || stream.destroyed) return;
    const entry = state.queue.shift();
    if (entry === undefined) {
      if (state.ending && !state.ended) finish(stream);
      return;
    }
    state.writing = true;
    let sync = true;
    const done = (err) => {
      const after = () => {
        state.writing = false;
        state.length -= entry.size;
        if (entry.cb) entry.cb(err || null);
        if (err) {
          stream.destroy(err);
          return;
        }
        if (state.needDrain && state.length === 0) {
          state.needDrain = false;
          stream.emit("drain");
        }
        drainQueue(stream);
      };
      if (sync) tick(after);
      else after();
    };
    try {
      stream._write(entry.chunk, entry.encoding, done);
    } catch (e) {
      done(e);
    }
    sync = false;
  }
  function finish(stream) {
    const state = stream._writableState;
    state.ended = true;
    const complete = (err) => {
      if (err) {
        stream.destroy(err);
        return;
      }
      state.finished = true;
      stream.writableFinished = true;
      stream.emit("finish");
      if (stream._readableState === undefined || stream._readableState.endEmitted) maybeAutoClose(stream);
    };
    if (typeof stream._final === "function") {
      try {
        stream._final(complete);
      } catch (e) {
        complete(e);
      }
    } else tick(complete);
  }
  Writable.prototype.end = function (chunk, encoding, cb) {
    if (typeof chunk === "function") {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === "function") {
      cb = encoding;
      encoding = undefined;
    }
    if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    const state = this._writableState;
    if (cb) {
      if (state.finished) tick(cb);
      else this.once("finish", cb);
    }
    if (!state.ending) {
      state.ending = true;
      this.writableEnded = true;
      drainQueue(this);
    }
    return this;
  };
  Writable.prototype.cork = function () {};
  Writable.prototype.uncork = function () {};
  Writable.prototype.setDefaultEncoding = function () {
    return this;
  };
  Writable.prototype.destroy = function (err, cb) {
    return destroy(this, err, cb);
  };
  Writable.prototype._destroy = function (err, cb) {
    cb(err);
  };
  for (const [name, get] of [
    ["writable", function () { return !this.destroyed && !this._writableState.ending; }],
    ["writableLength", function () { return this._writableState.length; }],
    ["writableHighWaterMark", function () { return this._writableState.highWaterMark; }],
    ["writableObjectMode", function () { return this._writableState.objectMode; }],
    ["writableNeedDrain", function () { return this._writableState.needDrain; }],
  ]) {
    Object.defineProperty(Writable.prototype, name, { get, configurable: true });
  }

  function destroy(stream, err, cb) {
    if (stream.destroyed) {
      if (cb) tick(cb, err);
      return stream;
    }
    stream.destroyed = true;
    stream._destroy(err || null, (e) => {
      tick(() => {
        if (e) {
          stream.errored = e;
          stream.emit("error", e);
        }
        stream.closed = true;
        stream.emit("close");
        if (cb) cb(e);
      });
    });
    return stream;
  }

  // ---- Duplex, Transform, PassThrough ---------------------------------------------------------------------

  function Duplex(options = {}) {
    if (!(this instanceof Duplex)) return new Duplex(options);
    Readable.call(this, options);
    initWritable(this, options);
    if (options.allowHalfOpen === false) {
      this.once("end", () => this.end());
    }
  }
  Object.setPrototypeOf(Duplex.prototype, Readable.prototype);
  Object.setPrototypeOf(Duplex, Readable);
  for (const key of Object.getOwnPropertyNames(Writable.prototype)) {
    if (key === "constructor" || key === "destroy" || key === "_destroy") continue;
    if (!Object.prototype.hasOwnProperty.call(Duplex.prototype, key)) {
      Object.defineProperty(Duplex.prototype, key, Object.getOwnPropertyDescriptor(Writable.prototype, key));
    }
  }
  Object.defineProperty(Writable, Symbol.hasInstance, {
    value(obj) {
      if (Function.prototype[Symbol.hasInstance].call(this, obj)) return true;
      return this === Writable && obj !== null && typeof obj === "object" && obj._writableState !== undefined;
    },
  });

  function Transform(options = {}) {
    if (!(this instanceof Transform)) return new Transform(options);
    Duplex.call(this, options);
    if (typeof options.transform === "function") this._transform = options.transform;
    if (typeof options.flush === "function") this._flush = options.flush;
    this._readableState.reading = true; // the readable side is fed by _transform, never pulled
  }
  Object.setPrototypeOf(Transform.prototype, Duplex.prototype);
  Object.setPrototypeOf(Transform, Duplex);
  Transform.prototype._transform = function () {
    const err = new Error("The _transform() method is not implemented");
    err.code = "ERR_METHOD_NOT_IMPLEMENTED";
    throw err;
  };
  Transform.prototype._write = function (chunk, encoding, cb) {
    this._transform(chunk, encoding, (err, data) => {
      if (err) return cb(err);
      if (data !== undefined && data !== null) this.push(data);
      cb();
    });
  };
  Transform.prototype._read = function () {};
  Transform.prototype._final = function (cb) {
    const end = (err, data) => {
      if (err) return cb(err);
      if (data !== undefined && data !== null) this.push(data);
      this.push(null);
      cb();
    };
    if (typeof this._flush === "function") this._flush(end);
    else end();
  };

  function PassThrough(options) {
    if (!(this instanceof PassThrough)) return new PassThrough(options);
    Transform.call(this, options);
  }
  Object.setPrototypeOf(PassThrough.prototype, Transform.prototype);
  Object.setPrototypeOf(PassThrough, Transform);
  PassThrough.prototype._transform = function (chunk, encoding, cb) {
    cb(null, chunk);
  };

  // ---- finished, pipeline ------------------------------------------------------------------------------------

  function finished(stream, options, callback) {
    if (typeof options === "function") {
      callback = options;
      options = {};
    }
    let called = false;
    const done = (err) => {
      if (called) return;
      called = true;
      cleanup();
      callback.call(stream, err);
    };
    const onEnd = () => {
      if (!stream._writableState || stream._writableState.finished) done();
    };
    const onFinish = () => {
      if (!stream._readableState || stream._readableState.endEmitted) done();
    };
    const onError = (e) => done(e);
    const onClose = () => done();
    stream.on("end", onEnd);
    stream.on("finish", onFinish);
    stream.on("error", onError);
    stream.on("close", onClose);
    function cleanup() {
      stream.removeListener("end", onEnd);
      stream.removeListener("finish", onFinish);
      stream.removeListener("error", onError);
      stream.removeListener("close", onClose);
    }
    return cleanup;
  }

  function pipeline(...streams) {
    const callback = typeof streams[streams.length - 1] === "function" ? streams.pop() : () => {};
    if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
    let error = null;
    let pending = streams.length;
    const last = streams[streams.length - 1];
    for (let i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
    for (const s of streams) {
      finished(s, (err) => {
        if (err && !error) {
          error = err;
          for (const other of streams) if (other !== s && !other.destroyed) other.destroy(err);
          callback(err);
        }
        if (--pending === 0 && !error) callback(null);
      });
    }
    return last;
  }

  const promises = {
    finished: (stream, options) =>
      new Promise((resolve, reject) => finished(stream, options || {}, (err) => (err ? reject(err) : resolve()))),
    pipeline: (...streams) =>
      new Promise((resolve, reject) => pipeline(...streams, (err) => (err ? reject(err) : resolve()))),
  };

  function addAbortSignal(signal, stream) {
    if (signal.aborted) stream.destroy(signal.reason);
    else signal.addEventListener("abort", () => stream.destroy(signal.reason), { once: true });
    return stream;
  }
  function isReadable(s) {
    return !!(s && s._readableState && !s.destroyed && !s._readableState.endEmitted);
  }
  function isErrored(s) {
    return !!(s && s.errored);
  }

  Object.assign(Stream, {
    Stream, Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline, promises, addAbortSignal,
    isReadable, isErrored,
  });
  internal["module:node:stream"] = {
    default: Stream,
    Stream, Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline, promises, addAbortSignal,
    isReadable, isErrored,
  };
  internal["module:node:stream/promises"] = { default: promises, ...promises };
})
