(function (host, internal) {
  "use strict";
  // Durable Objects: the namespace binding (ids, stubs, fetch and JS RPC to objects), the objects living in this
  // isolate (one instance per id, `ctx.storage` over the object's SQLite database, `blockConcurrencyWhile`,
  // alarms), and the structured serialization that carries RPC arguments, results and stored values.
  //
  // Storage calls are synchronous underneath and hand back settled promises, so an `await` on storage never lets
  // another event in (the input gate); the runtime commits an object's writes at the end of each turn and before
  // any response or RPC result leaves (the output gate).

  const MAX_KEYS = 128;
  const MAX_KEY_BYTES = 2048;
  const HEX64 = /^[0-9a-f]{64}$/;

  // ------------------------------------------------------------------------------------------- serialization

  function cloneError(what) {
    return new DOMException(`${what} could not be cloned.`, "DataCloneError");
  }

  const bytesToBase64 = (u8) => {
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const base64ToBytes = (b64) => {
    const s = atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  const TYPED = {
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
  };
  const ERRORS = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

  function encode(v, seen) {
    switch (typeof v) {
      case "undefined":
        return { $: "u" };
      case "boolean":
      case "string":
        return v;
      case "number":
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { $: "n", v: String(Object.is(v, -0) ? "-0" : v) };
      case "bigint":
        return { $: "b", v: v.toString() };
      case "symbol":
        throw cloneError(String(v));
      case "function":
        throw cloneError(`function ${v.name || "anonymous"}`);
    }
    if (v === null) return null;
    if (seen.has(v)) return { $: "r", i: seen.get(v) };
    const i = seen.size;
    seen.set(v, i);
    if (Array.isArray(v)) {
      const out = new Array(v.length);
      for (let j = 0; j < v.length; j++) out[j] = encode(v[j], seen);
      return { $: "a", i, v: out };
    }
    if (v instanceof Date) return { $: "d", i, v: v.getTime() };
    if (v instanceof RegExp) return { $: "re", i, s: v.source, f: v.flags };
    if (v instanceof Map) return { $: "m", i, v: [...v].map(([k, x]) => [encode(k, seen), encode(x, seen)]) };
    if (v instanceof Set) return { $: "s", i, v: [...v].map((x) => encode(x, seen)) };
    if (v instanceof ArrayBuffer) return { $: "ab", i, v: bytesToBase64(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) {
      const name = Object.keys(TYPED).find((n) => v instanceof TYPED[n]) || "Uint8Array";
      return { $: "ta", i, t: name, v: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    }
    if (v instanceof Error) {
      return { $: "e", i, n: v.name, m: v.message, st: v.stack, c: v.cause === undefined ? undefined : encode(v.cause, seen) };
    }
    // Own-property check: no Blob exists until blob.js is loaded, and this does not load it.
    if (Object.prototype.hasOwnProperty.call(internal, "blobClasses") && v instanceof internal.blobClasses.Blob) {
      throw cloneError("Blob");
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && !(internal.isRpcTarget && internal.isRpcTarget(v))) {
      const name = (proto && proto.constructor && proto.constructor.name) || "object";
      throw cloneError(`${name} object`);
    }
    const out = {};
    for (const k of Object.keys(v)) out[k] = encode(v[k], seen);
    return { $: "o", i, v: out };
  }

  function decode(x, refs) {
    if (x === null || typeof x !== "object") return x;
    switch (x.$) {
      case "u":
        return undefined;
      case "n":
        return x.v === "-0" ? -0 : Number(x.v);
      case "b":
        return BigInt(x.v);
      case "r":
        return refs[x.i];
      case "a": {
        const out = (refs[x.i] = new Array(x.v.length));
        for (let j = 0; j < x.v.length; j++) out[j] = decode(x.v[j], refs);
        return out;
      }
      case "d":
        return (refs[x.i] = new Date(x.v));
      case "re":
        return (refs[x.i] = new RegExp(x.s, x.f));
      case "m": {
        const out = (refs[x.i] = new Map());
        for (const [k, v] of x.v) out.set(decode(k, refs), decode(v, refs));
        return out;
      }
      case "s": {
        const out = (refs[x.i] = new Set());
        for (const v of x.v) out.add(decode(v, refs));
        return out;
      }
      case "ab":
        return (refs[x.i] = base64ToBytes(x.v).buffer);
      case "ta": {
        const bytes = base64ToBytes(x.v);
        const Ctor = TYPED[x.t] || Uint8Array;
        const per = Ctor === DataView ? 1 : Ctor.BYTES_PER_ELEMENT;
        return (refs[x.i] = Ctor === DataView ? new DataView(bytes.buffer) : new Ctor(bytes.buffer, 0, bytes.length / per));
      }
      case "e": {
        const Ctor = ERRORS[x.n] || Error;
        const e = (refs[x.i] = new Ctor(x.m));
        if (!(x.n in ERRORS)) e.name = x.n;
        if (x.st) Object.defineProperty(e, "stack", { value: x.st, writable: true, configurable: true });
        if (x.c !== undefined) e.cause = decode(x.c, refs);
        return e;
      }
      case "o": {
        const out = (refs[x.i] = {});
        for (const k of Object.keys(x.v)) out[k] = decode(x.v[k], refs);
        return out;
      }
    }
    return x;
  }

  const serialize = (value) => internal.utf8Encode(JSON.stringify(encode(value, new Map())));
  const deserialize = (bytes) => decode(JSON.parse(host.utf8Decode(bytes)), []);
  internal.serialize = serialize;
  internal.deserialize = deserialize;

  // ------------------------------------------------------------------------------------------------- ids

  const toHex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");

  class DurableObjectId {
    #hex;
    #name;
    constructor(hex, name) {
      this.#hex = hex;
      this.#name = name;
    }
    toString() {
      return this.#hex;
    }
    equals(other) {
      return other instanceof DurableObjectId && other.#hex === this.#hex;
    }
    get name() {
      return this.#name;
    }
    toJSON() {
      return this.#hex;
    }
  }
  internal.defineGlobal("DurableObjectId", DurableObjectId);

  // --------------------------------------------------------------------------------------------- stubs

  function remoteError(value) {
    if (value instanceof Error) return value;
    const e = new Error(String(value));
    return e;
  }

  async function stubFetch(target, input, init) {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    const flat = [];
    for (const [k, v] of request.headers) flat.push(k, v);
    const [status, statusText, headers, handle, forwarded] = await host.objectFetch(
      target,
      request.method,
      request.url,
      flat,
      body,
    );
    if (forwarded !== null && forwarded !== undefined) {
      // The object answered with a WebSocket: the caller gets a socket it can return in its own response.
      const h = new Headers();
      for (let i = 0; i + 1 < headers.length; i += 2) h.append(headers[i], headers[i + 1]);
      const init = { status: 101, headers: h, webSocket: internal.forwardedWebSocket(forwarded) };
      if (statusText) init.statusText = statusText;
      return new Response(null, init);
    }
    return internal.makeResponseFromHost(status, statusText, headers, handle ?? null, request.url, false);
  }

  async function stubCall(target, method, args) {
    let payload;
    try {
      payload = serialize(args);
    } catch (e) {
      throw e instanceof DOMException ? new TypeError(`Could not serialize the arguments of ${method}(): ${e.message}`) : e;
    }
    const [ok, bytes] = await host.objectRpc(target, method, payload);
    const value = deserialize(bytes);
    if (!ok) throw remoteError(value);
    return value;
  }

  function makeStub(target, id) {
    const base = {
      id,
      name: id.name,
      fetch: (input, init) => stubFetch(target, input, init),
      connect() {
        throw new Error("connect() on a Durable Object stub is not supported by corral yet.");
      },
    };
    return new Proxy(base, {
      get(t, prop) {
        if (typeof prop === "symbol") return undefined;
        if (prop in t) return t[prop];
        if (prop === "then") return undefined; // a stub is not a thenable
        return (...args) => stubCall(target, prop, args);
      },
      set() {
        return false;
      },
    });
  }

  class DurableObjectNamespace {
    #spec;
    constructor(spec) {
      this.#spec = spec;
    }
    idFromName(name) {
      if (arguments.length < 1) throw new TypeError("idFromName() requires a name.");
      name = String(name);
      const digest = host.digest("SHA-256", internal.utf8Encode(`corral-durable-object\0${this.#spec.worker}\0${this.#spec.class}\0${name}`));
      return new DurableObjectId(toHex(new Uint8Array(digest)), name);
    }
    idFromString(hex) {
      if (typeof hex !== "string" || !HEX64.test(hex)) {
        throw new TypeError("Invalid Durable Object ID: must be 64 hex digits");
      }
      return new DurableObjectId(hex, undefined);
    }
    newUniqueId(options = undefined) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      return new DurableObjectId(toHex(bytes), undefined);
    }
    get(id, options = undefined) {
      if (!(id instanceof DurableObjectId)) {
        throw new TypeError("Failed to execute 'get' on 'DurableObjectNamespace': parameter 1 is not of type 'DurableObjectId'.");
      }
      const target = { worker: this.#spec.worker, class: this.#spec.class, id: id.toString(), name: id.name ?? null };
      return makeStub(target, id);
    }
    getByName(name, options = undefined) {
      return this.get(this.idFromName(name), options);
    }
    jurisdiction(_j) {
      return this;
    }
  }
  internal.defineGlobal("DurableObjectNamespace", DurableObjectNamespace);
  internal["binding:durable_object"] = (spec) => new DurableObjectNamespace(spec);

  // ------------------------------------------------------------------------------------------- storage

  function checkKey(key) {
    if (typeof key !== "string") key = String(key);
    const size = internal.utf8Encode(key).length;
    if (size > MAX_KEY_BYTES) {
      throw new RangeError(`Keys cannot be larger than ${MAX_KEY_BYTES} bytes. A key of size ${size} was provided.`);
    }
    return key;
  }
  // SQLite-backed objects take up to 2 MB per value, key-value-backed ones 128 KiB (Cloudflare's limits).
  function checkValue(bytes, sqlite) {
    const max = sqlite ? 2 * 1024 * 1024 : 128 * 1024;
    if (bytes.length > max) {
      throw new RangeError(`Values cannot be larger than ${max} bytes. A value of size ${bytes.length} was provided.`);
    }
    return bytes;
  }
  function checkKeys(keys, op) {
    if (keys.length > MAX_KEYS) throw new RangeError(`Maximum number of keys in a ${op}() call is ${MAX_KEYS}.`);
    return keys.map(checkKey);
  }

  class SqlStorageCursor {
    #columns;
    #rows;
    #index = 0;
    #read;
    #written;
    constructor(result) {
      this.#columns = result.columns;
      this.#rows = result.rows;
      this.#read = result.rowsRead;
      this.#written = result.rowsWritten;
    }
    get columnNames() {
      return this.#columns.slice();
    }
    get rowsRead() {
      return this.#read;
    }
    get rowsWritten() {
      return this.#written;
    }
    #object(row) {
      const o = {};
      this.#columns.forEach((c, i) => (o[c] = row[i]));
      return o;
    }
    next() {
      if (this.#index >= this.#rows.length) return { done: true, value: undefined };
      return { done: false, value: this.#object(this.#rows[this.#index++]) };
    }
    toArray() {
      const out = [];
      while (this.#index < this.#rows.length) out.push(this.#object(this.#rows[this.#index++]));
      return out;
    }
    one() {
      const rest = this.#rows.length - this.#index;
      if (rest === 0) throw new Error("Expected exactly one result from SQL query, but got no results.");
      if (rest > 1) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
      return this.#object(this.#rows[this.#index++]);
    }
    raw() {
      const self = this;
      const rows = this.#rows;
      const it = {
        next: () => (self.#index < rows.length ? { done: false, value: rows[self.#index++].slice() } : { done: true, value: undefined }),
        toArray: () => {
          const out = [];
          while (self.#index < rows.length) out.push(rows[self.#index++].slice());
          return out;
        },
        [Symbol.iterator]() {
          return it;
        },
      };
      return it;
    }
    [Symbol.iterator]() {
      return this;
    }
  }
  internal.defineGlobal("SqlStorageCursor", SqlStorageCursor);

  class SqlStorage {
    #handle;
    constructor(handle) {
      this.#handle = handle;
    }
    exec(query, ...bindings) {
      if (typeof query !== "string") throw new TypeError("exec() requires a SQL query string.");
      return new SqlStorageCursor(host.sqlExec(this.#handle, query, bindings));
    }
    get databaseSize() {
      return host.sqlDatabaseSize(this.#handle);
    }
  }
  internal.defineGlobal("SqlStorage", SqlStorage);

  // The key-value operations, synchronous; the async API and transactions wrap them.
  function kvOps(handle, sqlite) {
    return {
      get(keyOrKeys) {
        if (Array.isArray(keyOrKeys)) {
          const keys = checkKeys(keyOrKeys, "get");
          const values = host.storageGet(handle, keys);
          const out = new Map();
          keys.forEach((k, i) => {
            if (values[i] !== undefined) out.set(k, deserialize(values[i]));
          });
          return out;
        }
        const value = host.storageGet(handle, [checkKey(keyOrKeys)])[0];
        return value === undefined ? undefined : deserialize(value);
      },
      put(keyOrEntries, value) {
        if (keyOrEntries !== null && typeof keyOrEntries === "object") {
          const keys = checkKeys(Object.keys(keyOrEntries), "put");
          const values = keys.map((k) => checkValue(serialize(keyOrEntries[k]), sqlite));
          host.storagePut(handle, keys, values);
          return;
        }
        if (value === undefined) throw new TypeError("put() called with undefined value.");
        host.storagePut(handle, [checkKey(keyOrEntries)], [checkValue(serialize(value), sqlite)]);
      },
      delete(keyOrKeys) {
        if (Array.isArray(keyOrKeys)) return host.storageDelete(handle, checkKeys(keyOrKeys, "delete"));
        return host.storageDelete(handle, [checkKey(keyOrKeys)]) > 0;
      },
      list(options = {}) {
        const opts = {};
        for (const k of ["start", "startAfter", "end", "prefix"]) {
          if (options[k] !== undefined) opts[k] = String(options[k]);
        }
        if (options.reverse !== undefined) opts.reverse = !!options.reverse;
        if (options.limit !== undefined) {
          const limit = Number(options.limit);
          if (!(limit > 0)) throw new TypeError("List limit must be positive.");
          opts.limit = Math.floor(limit);
        }
        if (opts.start !== undefined && opts.startAfter !== undefined) {
          throw new TypeError("list() cannot be called with both start and startAfter values.");
        }
        const flat = host.storageList(handle, opts);
        const out = new Map();
        for (let i = 0; i < flat.length; i += 2) out.set(flat[i], deserialize(flat[i + 1]));
        return out;
      },
    };
  }

  class DurableObjectTransaction {
    #ops;
    #storage;
    rolledBack = false;
    constructor(ops, storage) {
      this.#ops = ops;
      this.#storage = storage;
    }
    get(k) {
      return Promise.resolve().then(() => this.#ops.get(k));
    }
    put(k, v) {
      return Promise.resolve().then(() => this.#ops.put(k, v));
    }
    delete(k) {
      return Promise.resolve().then(() => this.#ops.delete(k));
    }
    list(o) {
      return Promise.resolve().then(() => this.#ops.list(o));
    }
    rollback() {
      this.rolledBack = true;
    }
    getAlarm(o) {
      return this.#storage.getAlarm(o);
    }
    setAlarm(t, o) {
      return this.#storage.setAlarm(t, o);
    }
    deleteAlarm(o) {
      return this.#storage.deleteAlarm(o);
    }
  }

  const settled = (fn) => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  };

  class DurableObjectStorage {
    #handle;
    #object;
    #ops;
    #sql;
    constructor(handle, object) {
      this.#handle = handle;
      this.#object = object;
      this.#ops = kvOps(handle, object.sqlite);
      this.#sql = object.sqlite ? new SqlStorage(handle) : null;
    }
    get(keyOrKeys, options) {
      return settled(() => this.#ops.get(keyOrKeys));
    }
    put(keyOrEntries, value, options) {
      return settled(() => this.#ops.put(keyOrEntries, value));
    }
    delete(keyOrKeys, options) {
      return settled(() => this.#ops.delete(keyOrKeys));
    }
    list(options) {
      return settled(() => this.#ops.list(options));
    }
    deleteAll(options) {
      return settled(() => {
        host.storageDeleteAll(this.#handle);
        if (internal.hasCompatFlag("delete_all_deletes_alarm")) {
          const o = this.#object;
          host.alarmSet(o.worker, o.className, o.hex, o.name ?? null, null);
        }
      });
    }
    async transaction(closure) {
      host.storageTransaction(this.#handle, "begin");
      const txn = new DurableObjectTransaction(this.#ops, this);
      let result;
      try {
        result = await closure(txn);
      } catch (e) {
        host.storageTransaction(this.#handle, "rollback");
        throw e;
      }
      host.storageTransaction(this.#handle, txn.rolledBack ? "rollback" : "commit");
      return result;
    }
    transactionSync(closure) {
      host.storageTransaction(this.#handle, "begin");
      let result;
      try {
        result = closure();
      } catch (e) {
        host.storageTransaction(this.#handle, "rollback");
        throw e;
      }
      host.storageTransaction(this.#handle, "commit");
      return result;
    }
    sync() {
      return Promise.resolve();
    }
    get sql() {
      if (this.#sql === null) {
        throw new Error("SQL is only available on Durable Objects of classes declared with new_sqlite_classes in migrations.");
      }
      return this.#sql;
    }
    get kv() {
      const ops = this.#ops;
      return {
        get: (k) => ops.get(k),
        put: (k, v) => ops.put(k, v),
        delete: (k) => ops.delete(k),
        list: (o) => ops.list(o).entries(),
      };
    }
    getAlarm(options) {
      const o = this.#object;
      return settled(() => host.alarmGet(o.worker, o.className, o.hex) ?? null);
    }
    setAlarm(scheduledTime, options) {
      const o = this.#object;
      return settled(() => {
        const ms = scheduledTime instanceof Date ? scheduledTime.getTime() : Number(scheduledTime);
        if (!Number.isFinite(ms)) throw new TypeError("setAlarm() requires a Date or a number of milliseconds since the epoch.");
        host.alarmSet(o.worker, o.className, o.hex, o.name ?? null, Math.floor(ms));
      });
    }
    deleteAlarm(options) {
      const o = this.#object;
      return settled(() => host.alarmSet(o.worker, o.className, o.hex, o.name ?? null, null));
    }
    getCurrentBookmark() {
      return Promise.reject(new Error("Point-in-time recovery is not supported by corral yet."));
    }
  }
  internal.defineGlobal("DurableObjectStorage", DurableObjectStorage);

  class DurableObjectState {
    #object;
    constructor(object) {
      this.#object = object;
      this.id = object.id;
      this.storage = new DurableObjectStorage(object.storageHandle, object);
    }
    waitUntil(promise) {
      Promise.resolve(promise).catch((e) => internal.logError("Uncaught (in waitUntil)", e));
    }
    blockConcurrencyWhile(callback) {
      const object = this.#object;
      const run = settled(callback);
      const gate = run.then(
        () => {},
        () => {},
      );
      object.blockers++;
      gate.then(() => {
        if (--object.blockers === 0) flush(object);
      });
      return run;
    }
    abort(reason) {
      resetObject(this.#object);
      throw new Error(reason === undefined ? "Durable Object aborted." : String(reason));
    }
    // The WebSocket hibernation API: accepted sockets outlive this instance (see websocket.js); their events go
    // to the class's webSocketMessage/Close/Error handlers, in a rebuilt instance after an eviction.
    acceptWebSocket(ws, tags = undefined) {
      if (arguments.length < 1) {
        throw new TypeError("Failed to execute 'acceptWebSocket' on 'DurableObjectState': 1 argument required, but only 0 present.");
      }
      const object = this.#object;
      if (host.wsList(object.className, object.hex, null).length >= MAX_WEBSOCKETS) {
        throw new Error(`only ${MAX_WEBSOCKETS} WebSockets can be accepted on a single Durable Object instance`);
      }
      internal.acceptHibernatable(ws, targetOf(object), tags);
    }
    getWebSockets(tag = undefined) {
      return internal.hibernatedWebSockets(targetOf(this.#object), tag === undefined || tag === null ? null : String(tag));
    }
    getTags(ws) {
      return internal.hibernatedTags(ws);
    }
    setWebSocketAutoResponse(pair = undefined) {
      const object = this.#object;
      if (pair === undefined || pair === null) {
        object.autoResponse = null;
        host.wsSetAutoResponse(object.className, object.hex);
        return;
      }
      if (!(pair instanceof WebSocketRequestResponsePair)) {
        throw new TypeError(
          "Failed to execute 'setWebSocketAutoResponse' on 'DurableObjectState': parameter 1 is not of type 'WebSocketRequestResponsePair'.",
        );
      }
      object.autoResponse = pair;
      host.wsSetAutoResponse(object.className, object.hex, [pair.request, pair.response]);
    }
    getWebSocketAutoResponse() {
      return this.#object.autoResponse ?? null;
    }
    getWebSocketAutoResponseTimestamp(ws) {
      return internal.autoResponseTimestamp(ws);
    }
    setHibernatableWebSocketEventTimeout(ms = undefined) {
      if (ms !== undefined && ms !== null) {
        ms = Number(ms);
        if (!(ms >= 0) || ms > 604800000) throw new RangeError("setHibernatableWebSocketEventTimeout() accepts at most 7 days.");
      }
      this.#object.eventTimeout = ms ?? null;
    }
    getHibernatableWebSocketEventTimeout() {
      return this.#object.eventTimeout ?? null;
    }
  }
  internal.defineGlobal("DurableObjectState", DurableObjectState);

  const MAX_WEBSOCKETS = 32768;
  const MAX_AUTO_RESPONSE_CHARS = 2048;

  class WebSocketRequestResponsePair {
    #request;
    #response;
    constructor(request, response) {
      if (arguments.length < 2) {
        throw new TypeError(
          `Failed to construct 'WebSocketRequestResponsePair': 2 arguments required, but only ${arguments.length} present.`,
        );
      }
      request = String(request);
      response = String(response);
      if (request.length > MAX_AUTO_RESPONSE_CHARS) throw new RangeError("Request cannot be larger than 2048 characters.");
      if (response.length > MAX_AUTO_RESPONSE_CHARS) throw new RangeError("Response cannot be larger than 2048 characters.");
      this.#request = request;
      this.#response = response;
    }
    get request() {
      return this.#request;
    }
    get response() {
      return this.#response;
    }
  }
  internal.defineGlobal("WebSocketRequestResponsePair", WebSocketRequestResponsePair);

  // --------------------------------------------------------------------------------- objects in this isolate

  const live = new Map(); // "class\0hex" -> object record

  const targetOf = (object) => [object.className, object.hex, object.name ?? null];

  // Eviction: an object with no event in progress for `idleMs` (CORRAL_OBJECT_IDLE_MS) is dropped from memory;
  // its next event (a call, an alarm, a message on a hibernatable socket) rebuilds it from storage.
  let idleMsValue;
  const idleMs = () => (idleMsValue === undefined ? (idleMsValue = host.objectIdleMs()) : idleMsValue);

  function begin(object) {
    object.active++;
    object.lastActive = Date.now();
  }

  function end(object) {
    object.active--;
    object.lastActive = Date.now();
    if (object.active === 0) scheduleEviction(object, idleMs());
  }

  function scheduleEviction(object, ms) {
    if (object.idleTimer || !(ms > 0) || live.get(object.key) !== object) return;
    object.idleTimer = setTimeout(() => {
      object.idleTimer = null;
      if (live.get(object.key) !== object) return;
      if (object.active > 0 || object.blockers > 0 || object.queue.length > 0) return; // end() re-arms
      const left = object.lastActive + idleMs() - Date.now();
      if (left > 0) scheduleEviction(object, left);
      else evict(object);
    }, ms);
  }

  function evict(object) {
    live.delete(object.key);
    internal.dropHibernatedWrappers(targetOf(object));
    host.objectStorageClose(object.storageHandle);
    object.instance = null;
  }

  function objectClasses() {
    return internal.objectClasses || (internal.objectClasses = new Map(JSON.parse(host.objectClasses())));
  }

  function getObject(className, hex, name) {
    const key = className + "\0" + hex;
    let object = live.get(key);
    if (object) {
      if (name && !object.name) object.name = name;
      return object;
    }
    const exports = internal.exports || {};
    const Class = exports[className];
    if (typeof Class !== "function") {
      throw new Error(`Durable Object class "${className}" is not exported by this worker's main module.`);
    }
    const classes = objectClasses();
    const worker = host.workerName();
    object = {
      key,
      worker,
      className,
      hex,
      name: name || undefined,
      sqlite: classes.has(className) ? classes.get(className) : true,
      id: new DurableObjectId(hex, name || undefined),
      storageHandle: host.objectStorageOpen(worker, className, hex),
      blockers: 0,
      queue: [],
      instance: null,
      broken: null,
      active: 0,
      lastActive: Date.now(),
      idleTimer: null,
      autoResponse: null,
      eventTimeout: null,
    };
    live.set(key, object);
    const state = new DurableObjectState(object);
    try {
      object.instance = new Class(state, internal.env);
    } catch (e) {
      live.delete(key);
      throw e;
    }
    return object;
  }

  function resetObject(object) {
    live.delete(object.key);
  }

  // Delivers the events held by `blockConcurrencyWhile`, one per turn: each event's microtasks (its storage
  // awaits) finish before the next one starts, as they would had the events arrived separately.
  function flush(object) {
    if (object.blockers > 0 || object.queue.length === 0 || object.flushing) return;
    object.queue.shift()();
    if (object.queue.length > 0) {
      object.flushing = true;
      setTimeout(() => {
        object.flushing = false;
        flush(object);
      }, 0);
    }
  }

  // Runs `event` for the object now, or after `blockConcurrencyWhile` callbacks finish.
  function deliverTo(object, event) {
    if (object.blockers > 0 || object.queue.length > 0) {
      object.queue.push(event);
      flush(object);
    } else event();
  }

  internal.dispatchObjectFetch = function (id, method, url, headers, bodyHandle, target) {
    const [className, hex, name] = target;
    internal.invoke(id, (invocation) => {
      const object = getObject(className, hex, name);
      // The object is busy until the invocation is done (its response is out, or its accept()ed socket closed).
      begin(object);
      const release = invocation.release;
      invocation.release = function () {
        release.call(this);
        if (this.pending === 0) end(object);
      };
      const request = internal.makeIncomingRequest(method, url, headers, bodyHandle ?? null, undefined);
      return new Promise((resolve, reject) => {
        deliverTo(object, () => {
          try {
            if (typeof object.instance.fetch !== "function") {
              throw new TypeError("Handler does not export a fetch() function.");
            }
            resolve(object.instance.fetch(request));
          } catch (e) {
            reject(e);
          }
        });
      });
    });
  };

  internal.dispatchObjectCall = function (call, kind, target, method, args, retryCount) {
    const [className, hex, name] = target;
    const reply = (ok, value) => {
      let bytes;
      try {
        bytes = serialize(value);
      } catch (e) {
        ok = false;
        bytes = serialize(new TypeError(`The result of ${method}() could not be serialized: ${e.message}`));
      }
      host.callReply(call, ok, bytes);
      host.invocationDone();
      if (object) end(object);
    };
    let object;
    try {
      object = getObject(className, hex, name);
    } catch (e) {
      reply(false, e);
      return;
    }
    begin(object);
    deliverTo(object, () => {
      let result;
      try {
        const instance = object.instance;
        if (kind === "alarm") {
          if (typeof instance.alarm !== "function") {
            result = undefined;
          } else {
            result = instance.alarm({ isRetry: retryCount > 0, retryCount });
          }
        } else {
          const fn = method === "constructor" || method === "fetch" ? undefined : instance[method];
          if (typeof fn !== "function") {
            throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
          }
          result = fn.apply(instance, deserialize(args));
        }
      } catch (e) {
        if (kind === "alarm") internal.logError("Uncaught (in alarm)", e);
        reply(false, e);
        return;
      }
      Promise.resolve(result).then(
        (v) => reply(true, kind === "alarm" ? undefined : v),
        (e) => {
          if (kind === "alarm") internal.logError("Uncaught (in alarm)", e);
          reply(false, e);
        },
      );
    });
  };

  // From websocket.js: an event of a hibernatable socket of object `target`, for the object's handlers. The object
  // is rebuilt first when it was evicted.
  internal.dispatchHibernatedEvent = function (target, ws, type, a, b, c) {
    const [className, hex, name] = target;
    let object;
    try {
      object = getObject(className, hex, name ?? undefined);
    } catch (e) {
      internal.logError("Uncaught (in Durable Object constructor)", e);
      return;
    }
    begin(object);
    const handler = type === "message" ? "webSocketMessage" : type === "close" ? "webSocketClose" : "webSocketError";
    deliverTo(object, () => {
      let result;
      try {
        const instance = object.instance;
        const fn = instance && instance[handler];
        if (typeof fn === "function") {
          if (type === "message") result = fn.call(instance, ws, a);
          else if (type === "close") result = fn.call(instance, ws, a, b, c);
          else result = fn.call(instance, ws, new Error(a));
        }
      } catch (e) {
        internal.logError(`Uncaught (in ${handler})`, e);
        end(object);
        return;
      }
      Promise.resolve(result).then(
        () => end(object),
        (e) => {
          internal.logError(`Uncaught (in ${handler})`, e);
          end(object);
        },
      );
    });
  };
})
