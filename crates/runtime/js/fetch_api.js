(function (host, internal) {
  "use strict";
  // Headers, Request and Response (WHATWG Fetch, Cloudflare Workers); Blob, File and FormData are in blob.js.
  // These sit on every request's hot path, so they stay lean: a body keeps the string, bytes or host handle it was
  // made from until someone asks for it, and a ReadableStream is only created when `.body` is touched (or a clone
  // needs a tee). Incoming headers stay a flat array until first use.

  // encoding.js's encoder (lone surrogates become U+FFFD), looked up at call time.
  const encode = (s) => internal.utf8Encode(s);
  const decode = (bytes) => host.utf8Decode(bytes, false, false);

  // Compatibility flags are read at call time through a hook the runtime may provide.
  const compatFlag = (name) => typeof internal.hasCompatFlag === "function" && internal.hasCompatFlag(name) === true;

  // A Uint8Array over the same memory as an ArrayBuffer or view, or null.
  function viewOf(source) {
    if (source instanceof Uint8Array) return source;
    if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    return null;
  }

  function concat(chunks, total) {
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  // Web IDL: the prototype's @@toStringTag is a non-writable, configurable data property.
  function tag(Class, name) {
    Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: name, configurable: true });
  }

  function requireArgs(count, needed, what) {
    if (count < needed) {
      throw new TypeError(`Failed to execute ${what}: ${needed} argument${needed > 1 ? "s" : ""} required, but only ${count} present.`);
    }
  }

  // ---------------------------------------------------------------------------------------------- Headers

  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;
  const BAD_VALUE = /[\0\r\n\u0100-\uffff]/;

  // Names and values already checked, with what they normalize to: the same few headers come back on every
  // request, and a cache lookup costs a fraction of running the regular expressions. Bounded, and only short
  // strings are kept.
  const CACHE_LIMIT = 256;
  let nameCache = null;
  let valueCache = null;

  function headerName(name) {
    if (typeof name === "string" && nameCache !== null) {
      const known = nameCache.get(name);
      if (known !== undefined) return known;
    }
    name = String(name);
    if (!TOKEN.test(name)) throw new TypeError("Invalid header name.");
    const lower = name.toLowerCase();
    if (name.length <= 64) {
      nameCache ??= new Map();
      if (nameCache.size < CACHE_LIMIT) nameCache.set(name, lower);
    }
    return lower;
  }

  function headerValue(value) {
    if (typeof value === "string" && valueCache !== null) {
      const known = valueCache.get(value);
      if (known !== undefined) return known;
    }
    const original = value;
    value = String(value).replace(HTTP_WS, "");
    if (BAD_VALUE.test(value)) throw new TypeError("Invalid header value.");
    if (typeof original === "string" && original.length <= 128) {
      valueCache ??= new Map();
      if (valueCache.size < CACHE_LIMIT) valueCache.set(original, value);
    }
    return value;
  }

  // Private access for the other classes and the runtime hooks (not reachable from worker code).
  let headersFromFlat, headersFlat, headersFreeze, headersCopy;
  const FLAT = Symbol("flat");

  class Headers {
    #map = null; // lower-case name -> [values]; null while #flat holds trusted, not yet indexed headers
    #flat = null;
    #immutable = false;

    constructor(init = undefined) {
      if (init === FLAT) return; // headersFromFlat fills it in
      this.#map = new Map();
      if (init === undefined || init === null) return;
      if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeError(
          "Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.",
        );
      }
      if (#map in init) {
        copyInto(this.#map, init.#entriesMap());
        return;
      }
      if (typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          if (pair === null || typeof pair !== "object" || typeof pair[Symbol.iterator] !== "function") {
            throw new TypeError("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
          }
          const p = Array.from(pair);
          if (p.length !== 2) throw new TypeError("Failed to construct 'Headers': Header pairs must contain exactly two items.");
          this.#add(p[0], p[1]);
        }
      } else {
        for (const key of Object.keys(init)) this.#add(key, init[key]);
      }
    }

    static {
      headersFromFlat = (flat, immutable) => {
        const h = new Headers(FLAT);
        h.#flat = flat;
        h.#immutable = immutable;
        return h;
      };
      // The headers as [name, value, ...] for the host, which copies them at once: the list may be the Headers'
      // own (Array.prototype.slice would cost more than the rest of a small response's headers).
      // Also takes a list kept in place of a Headers (a request's or response's, until `headers` is read).
      headersFlat = (h) => {
        if (Array.isArray(h)) return h;
        if (h.#map === null) return h.#flat;
        const out = [];
        // forEach, not for-of: no iterator result or entry arrays per header.
        h.#map.forEach((values, k) => {
          for (let i = 0; i < values.length; i++) out.push(k, values[i]);
        });
        return out;
      };
      headersFreeze = (h) => {
        h.#immutable = true;
        return h;
      };
      // A copy, mutable unless `keepGuard` and the original is immutable (clone() keeps the guard).
      headersCopy = (h, keepGuard = false) => {
        const immutable = keepGuard && h.#immutable;
        if (h.#map === null) return headersFromFlat(h.#flat, immutable);
        const copy = new Headers();
        copyInto(copy.#map, h.#map);
        copy.#immutable = immutable;
        return copy;
      };
    }

    #entriesMap() {
      if (this.#map === null) {
        const map = new Map();
        const flat = this.#flat;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const k = String(flat[i]).toLowerCase();
          const list = map.get(k);
          if (list) list.push(flat[i + 1]);
          else map.set(k, [flat[i + 1]]);
        }
        this.#map = map;
        this.#flat = null;
      }
      return this.#map;
    }

    #add(name, value) {
      const k = headerName(name);
      const v = headerValue(value);
      const map = this.#entriesMap();
      const list = map.get(k);
      if (list) list.push(v);
      else map.set(k, [v]);
    }

    #checkMutable() {
      if (this.#immutable) throw new TypeError("Can't modify immutable headers.");
    }

    append(name, value) {
      requireArgs(arguments.length, 2, "'append' on 'Headers'");
      this.#checkMutable();
      this.#add(name, value);
    }

    set(name, value) {
      requireArgs(arguments.length, 2, "'set' on 'Headers'");
      this.#checkMutable();
      const k = headerName(name);
      const v = headerValue(value);
      this.#entriesMap().set(k, [v]);
    }

    delete(name) {
      requireArgs(arguments.length, 1, "'delete' on 'Headers'");
      this.#checkMutable();
      this.#entriesMap().delete(headerName(name));
    }

    get(name) {
      requireArgs(arguments.length, 1, "'get' on 'Headers'");
      const list = this.#entriesMap().get(headerName(name));
      return list === undefined ? null : list.join(", ");
    }

    has(name) {
      requireArgs(arguments.length, 1, "'has' on 'Headers'");
      return this.#entriesMap().has(headerName(name));
    }

    getSetCookie() {
      const list = this.#entriesMap().get("set-cookie");
      return list === undefined ? [] : list.slice();
    }

    // Workers' non-standard getAll(), only for Set-Cookie.
    getAll(name) {
      if (headerName(name) !== "set-cookie") {
        throw new TypeError('getAll() can only be used with the header name "Set-Cookie".');
      }
      return this.getSetCookie();
    }

    // Sorted by name, values combined with ", " except Set-Cookie, which yields one entry per value.
    *entries() {
      const map = this.#entriesMap();
      const names = Array.from(map.keys()).sort();
      for (const k of names) {
        const list = map.get(k);
        if (list === undefined) continue;
        if (k === "set-cookie") for (const v of list) yield [k, v];
        else yield [k, list.join(", ")];
      }
    }

    *keys() {
      for (const [k] of this.entries()) yield k;
    }

    *values() {
      for (const [, v] of this.entries()) yield v;
    }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
      }
      for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
    }
  }

  function copyInto(target, source) {
    for (const [k, v] of source) target.set(k, v.slice());
  }

  Object.defineProperty(Headers.prototype, Symbol.iterator, {
    value: Headers.prototype.entries,
    writable: true,
    configurable: true,
  });
  tag(Headers, "Headers");

  // ---------------------------------------------------------------------------------------------- Body

  const USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";
  const LOCKED = "This ReadableStream is currently locked to a reader.";

  // What a body is made of (one field set), all private to this file:
  //   {string}  text, encoded on demand;
  //   {bytes, shared}  bytes we own (`shared` when a Blob or a clone holds them too, so hand out copies);
  //   {handle}  a host byte source, read with host.bodyRead;
  //   {stream}  a ReadableStream.
  // blob.js's classes once it is loaded, else null (and then no Blob or FormData exists yet). An own-property
  // check, which does not load blob.js.
  const hasOwn = Object.prototype.hasOwnProperty;
  const blobClasses = () => (hasOwn.call(internal, "blobClasses") ? internal.blobClasses : null);

  const TEXT_PLAIN = "text/plain;charset=UTF-8";
  function extractBody(init, headers) {
    let body;
    let type = null;
    if (typeof init === "string") {
      body = { string: init };
      type = TEXT_PLAIN;
    } else if (blobClasses() !== null && init instanceof blobClasses().Blob) {
      body = { bytes: internal.blobBytes(init), shared: true };
      if (init.type !== "") type = init.type;
    } else if (blobClasses() !== null && init instanceof blobClasses().FormData) {
      const m = internal.serializeMultipart(init);
      body = { bytes: m.bytes, shared: false };
      type = m.type;
    } else if (typeof URLSearchParams === "function" && init instanceof URLSearchParams) {
      body = { string: init.toString() };
      type = "application/x-www-form-urlencoded;charset=UTF-8";
    } else if (internal.isReadableStream(init)) {
      if (init.locked || internal.isDisturbed(init)) {
        throw new TypeError("This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
      }
      body = { stream: init };
    } else {
      const view = viewOf(init);
      if (view !== null) {
        body = { bytes: view.slice(), shared: false };
      } else {
        body = { string: String(init) };
        type = TEXT_PLAIN;
      }
    }
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
    return body;
  }

  async function readHost(handle) {
    const chunks = [];
    let total = 0;
    for (;;) {
      const chunk = await host.bodyRead(handle);
      if (chunk === undefined) break;
      if (chunk.byteLength === 0) continue;
      chunks.push(chunk);
      total += chunk.byteLength;
    }
    return total === 0 ? new Uint8Array(0) : concat(chunks, total);
  }

  function streamOf(b) {
    if (b.stream === undefined) {
      if (b.handle !== undefined) {
        b.stream = b.signal ? internal.abortableHostStream(b.handle, b.signal) : internal.streamFromHost(b.handle);
        b.signal = undefined;
      }
      else if (b.bytes !== undefined) b.stream = internal.streamFromBytes(b.shared ? b.bytes.slice() : b.bytes);
      else b.stream = internal.streamFromBytes(encode(b.string));
      b.string = b.bytes = b.handle = undefined;
    }
    return b.stream;
  }

  // Private access to a Body's state for Request, Response and the runtime hooks.
  let bodyOf, setBody, bodyUsed, takeBody, cloneBody;

  // The Fetch "Body" mixin as a base class (as workerd has it). Not a global.
  class Body {
    #body = null;
    #used = false;

    static {
      bodyOf = (o) => o.#body;
      setBody = (o, body) => {
        o.#body = body;
        o.#used = false;
      };
      bodyUsed = (o) => o.#used || (o.#body !== null && o.#body.stream !== undefined && internal.isDisturbed(o.#body.stream));
      // Marks the body used and returns its state, or throws if it cannot be used (already used or locked).
      takeBody = (o) => {
        const b = o.#body;
        if (b === null) return null;
        if (bodyUsed(o)) throw new TypeError(USED);
        if (b.stream !== undefined && b.stream.locked) throw new TypeError(LOCKED);
        o.#used = true;
        return b;
      };
      // A copy of the body state for clone(): strings and bytes are shared, streams are teed.
      cloneBody = (o) => {
        const b = o.#body;
        if (b === null) return null;
        if (bodyUsed(o)) throw new TypeError(USED);
        if (b.string !== undefined) return { string: b.string };
        if (b.bytes !== undefined) {
          b.shared = true;
          return { bytes: b.bytes, shared: true };
        }
        const [one, two] = streamOf(b).tee();
        b.stream = one;
        return { stream: two };
      };
    }

    get body() {
      const b = this.#body;
      if (b === null) return null;
      // Consumed without a stream: the stream is an empty one, and bodyUsed stays true.
      if (this.#used && b.stream === undefined) {
        b.stream = internal.streamFromBytes(new Uint8Array(0));
        b.string = b.bytes = b.handle = undefined;
      }
      return streamOf(b);
    }

    get bodyUsed() {
      return bodyUsed(this);
    }

    // The body's bytes, consuming it; `owned` tells whether the caller may hand them out without copying.
    async #consume() {
      const b = takeBody(this);
      if (b === null) return { bytes: new Uint8Array(0), owned: true };
      if (b.bytes !== undefined) {
        const r = { bytes: b.bytes, owned: !b.shared };
        b.bytes = undefined;
        return r;
      }
      if (b.string !== undefined) {
        const s = b.string;
        b.string = undefined;
        return { bytes: encode(s), owned: true };
      }
      if (b.handle !== undefined && !b.signal) {
        const h = b.handle;
        b.handle = undefined;
        return { bytes: await readHost(h), owned: true };
      }
      return { bytes: await internal.readAllBytes(streamOf(b)), owned: true };
    }

    async #text() {
      const b = this.#body;
      if (b !== null && b.string !== undefined && !this.#used) {
        this.#used = true;
        let s = b.string;
        b.string = undefined;
        // What encoding then decoding as UTF-8 would give: a leading BOM is dropped, lone surrogates become U+FFFD.
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
        return typeof s.toWellFormed === "function" ? s.toWellFormed() : s;
      }
      return decode((await this.#consume()).bytes);
    }

    async arrayBuffer() {
      const { bytes, owned } = await this.#consume();
      if (owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
      return bytes.slice().buffer;
    }

    async bytes() {
      const { bytes, owned } = await this.#consume();
      return owned ? bytes : bytes.slice();
    }

    async text() {
      return this.#text();
    }

    async json() {
      return JSON.parse(await this.#text());
    }

    async blob() {
      const { bytes } = await this.#consume();
      // A Blob never mutates or leaks its bytes, so it can share them.
      return internal.blobFromBytes(bytes, this.headers.get("content-type") ?? "");
    }

    async formData() {
      const type = this.headers.get("content-type") ?? "";
      const essence = type.split(";")[0].trim().toLowerCase();
      if (essence === "multipart/form-data") return internal.parseMultipart((await this.#consume()).bytes, type);
      if (essence === "application/x-www-form-urlencoded") {
        return internal.formDataFromPairs(new URLSearchParams(await this.#text()));
      }
      throw new TypeError(
        "Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded",
      );
    }
  }

  // ---------------------------------------------------------------------------------------------- Request

  const REDIRECTS = ["follow", "manual", "error"];
  // Plain objects, not Sets: touching Set would build QuickJS's Map/Set built-ins in every isolate.
  const NORMALIZED_METHODS = { __proto__: null, DELETE: true, GET: true, HEAD: true, OPTIONS: true, POST: true, PUT: true };
  const FORBIDDEN_METHODS = { __proto__: null, CONNECT: true, TRACE: true, TRACK: true };
  const CACHE_MODES = ["no-store", "no-cache"];
  // Passed as the constructor's first argument by the hooks to get an instance to fill in.
  const BARE = Symbol("bare");

  function normalizeMethod(method) {
    method = String(method);
    if (!TOKEN.test(method)) throw new TypeError(`Invalid HTTP method string: ${method}`);
    const upper = method.toUpperCase();
    if (FORBIDDEN_METHODS[upper] === true) throw new TypeError(`Invalid HTTP method string: ${method}`);
    return NORMALIZED_METHODS[upper] === true || compatFlag("upper_case_all_http_methods") ? upper : method;
  }

  let requestSignal, makeRequest, requestHeadersFlat;

  // Slots of a Request's private state array.
  const RQ_METHOD = 0, RQ_URL = 1, RQ_HEADERS = 2, RQ_REDIRECT = 3, RQ_SIGNAL = 4, RQ_OWN_SIGNAL = 5, RQ_INCOMING_ID = 6,
    RQ_CF = 7, RQ_INTEGRITY = 8, RQ_KEEPALIVE = 9, RQ_CACHE = 10;

  class Request extends Body {
    // One private field holding an array (slots RQ_*), not eleven fields: each field a constructor defines costs
    // QuickJS a shape extension, and a Request is made for every incoming request.
    #r = ["GET", "", null, "follow", null, null, 0, undefined, "", false, undefined];

    constructor(input, init = undefined) {
      super();
      if (input === BARE) return;
      requireArgs(arguments.length, 1, "'constructor' on 'Request'");
      if (init === undefined || init === null) init = {};
      else if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeError("Failed to construct 'Request': parameter 2 is not of type 'RequestInit'.");
      }
      let inputBody = null;
      let fromRequest = null;
      if (input !== null && typeof input === "object" && #r in input) {
        fromRequest = input;
        this.#r[RQ_METHOD] = input.#r[RQ_METHOD];
        this.#r[RQ_URL] = input.#r[RQ_URL];
        this.#r[RQ_REDIRECT] = input.#r[RQ_REDIRECT];
        this.#r[RQ_SIGNAL] = input.#r[RQ_SIGNAL];
        // An incoming request's own signal: this one follows it.
        this.#r[RQ_INCOMING_ID] = input.#r[RQ_INCOMING_ID];
        this.#r[RQ_CF] = input.#r[RQ_CF];
        this.#r[RQ_INTEGRITY] = input.#r[RQ_INTEGRITY];
        this.#r[RQ_KEEPALIVE] = input.#r[RQ_KEEPALIVE];
        this.#r[RQ_CACHE] = input.#r[RQ_CACHE];
        inputBody = bodyOf(input);
      } else {
        const text = String(input);
        let parsed;
        try {
          parsed = new URL(text);
        } catch {
          throw new TypeError(`Failed to construct 'Request': Invalid URL: ${text}`);
        }
        this.#r[RQ_URL] = parsed.href;
      }
      if (init.method !== undefined) this.#r[RQ_METHOD] = normalizeMethod(init.method);
      if (init.redirect !== undefined) {
        const r = String(init.redirect);
        if (!REDIRECTS.includes(r)) {
          throw new TypeError(`Failed to construct 'Request': '${r}' is not a valid value for enumeration RequestRedirect.`);
        }
        this.#r[RQ_REDIRECT] = r;
      }
      if (init.signal !== undefined) {
        if (init.signal !== null && !internal.isAbortSignal(init.signal)) {
          throw new TypeError("Failed to construct 'Request': member signal is not of type AbortSignal.");
        }
        this.#r[RQ_SIGNAL] = init.signal;
        // `signal: null`: a signal of its own, which never aborts.
        this.#r[RQ_INCOMING_ID] = 0;
      }
      if (init.cf !== undefined) this.#r[RQ_CF] = init.cf;
      if (init.integrity !== undefined) this.#r[RQ_INTEGRITY] = String(init.integrity);
      if (init.keepalive !== undefined) this.#r[RQ_KEEPALIVE] = Boolean(init.keepalive);
      if (init.cache !== undefined) {
        const c = String(init.cache);
        if (!CACHE_MODES.includes(c)) throw new TypeError(`Unsupported cache mode: ${c}`);
        this.#r[RQ_CACHE] = c;
      }
      if (init.headers !== undefined) this.#r[RQ_HEADERS] = new Headers(init.headers);
      else if (fromRequest !== null) this.#r[RQ_HEADERS] = headersCopy(fromRequest.headers);
      else this.#r[RQ_HEADERS] = new Headers();

      const hasInitBody = init.body !== undefined && init.body !== null;
      if ((hasInitBody || inputBody !== null) && (this.#r[RQ_METHOD] === "GET" || this.#r[RQ_METHOD] === "HEAD")) {
        throw new TypeError("Request with a GET or HEAD method cannot have a body.");
      }
      if (hasInitBody) {
        setBody(this, extractBody(init.body, this.#r[RQ_HEADERS]));
      } else if (inputBody !== null) {
        // The new request takes the input's body; the input is left used.
        setBody(this, takeBodyForTransfer(fromRequest));
      }
    }

    static {
      requestSignal = (r) => r.#r[RQ_SIGNAL];
      requestHeadersFlat = (r) => headersFlat(r.#r[RQ_HEADERS]);
      // `headers`: a Headers, or the incoming request's [name, value, ...] list, made a Headers when first read.
      makeRequest = (method, url, headers, body, cf, redirect, incomingId = 0) => {
        const r = new Request(BARE);
        r.#r[RQ_INCOMING_ID] = incomingId;
        r.#r[RQ_METHOD] = method;
        r.#r[RQ_URL] = url;
        r.#r[RQ_HEADERS] = headers;
        r.#r[RQ_REDIRECT] = redirect;
        r.#r[RQ_CF] = cf;
        setBody(r, body);
        return r;
      };
    }

    get method() {
      return this.#r[RQ_METHOD];
    }
    get url() {
      return this.#r[RQ_URL];
    }
    get headers() {
      const h = this.#r[RQ_HEADERS];
      // An incoming request's headers stay the host's list until someone reads them.
      return Array.isArray(h) ? (this.#r[RQ_HEADERS] = headersFromFlat(h, true)) : h;
    }
    get redirect() {
      return this.#r[RQ_REDIRECT];
    }
    get signal() {
      if (this.#r[RQ_SIGNAL] !== null) return this.#r[RQ_SIGNAL];
      this.#r[RQ_OWN_SIGNAL] ??= this.#r[RQ_INCOMING_ID] === 0 ? new AbortController().signal : internal.incomingSignal(this.#r[RQ_INCOMING_ID]);
      return this.#r[RQ_OWN_SIGNAL];
    }
    get cf() {
      return this.#r[RQ_CF];
    }
    get fetcher() {
      return null;
    }
    get keepalive() {
      return this.#r[RQ_KEEPALIVE];
    }
    get integrity() {
      return this.#r[RQ_INTEGRITY];
    }
    get cache() {
      return this.#r[RQ_CACHE];
    }

    clone() {
      const r = makeRequest(this.#r[RQ_METHOD], this.#r[RQ_URL], headersCopy(this.headers, true), cloneBody(this), this.#r[RQ_CF], this.#r[RQ_REDIRECT]);
      r.#r[RQ_SIGNAL] = this.#r[RQ_SIGNAL];
      r.#r[RQ_INCOMING_ID] = this.#r[RQ_INCOMING_ID];
      r.#r[RQ_INTEGRITY] = this.#r[RQ_INTEGRITY];
      r.#r[RQ_KEEPALIVE] = this.#r[RQ_KEEPALIVE];
      r.#r[RQ_CACHE] = this.#r[RQ_CACHE];
      return r;
    }
  }
  tag(Request, "Request");

  function takeBodyForTransfer(from) {
    if (bodyUsed(from)) throw new TypeError("Cannot reconstruct a Request with a used body.");
    const b = takeBody(from);
    // The input keeps reporting bodyUsed; its `body` becomes an empty, consumed stream.
    const moved = { string: b.string, bytes: b.bytes, shared: b.shared, handle: b.handle, signal: b.signal, stream: b.stream };
    b.string = b.bytes = b.handle = b.signal = b.stream = undefined;
    return moved;
  }

  // ---------------------------------------------------------------------------------------------- Response

  const builtinStringify = internal.builtinStringify ?? JSON.stringify;
  // Objects that keep the layouts Response.json serialized alive for the next request (json.rs, WarmLayouts).
  const layoutKeepers = [];
  // JSON.stringify(value), without a replacer or an indent, runs in the Rust serializer too (the same output, a few
  // times faster), unless worker code replaced JSON.stringify already.
  function serialize(value) {
    try {
      return host.jsonStringify(value, builtinStringify, layoutKeepers);
    } catch (e) {
      // Nested deeper than the Rust serializer goes (json.rs, MAX_STACK_BYTES): the engine's own goes on further.
      if (e instanceof Error && e.name === "InternalError" && e.message === "stack overflow") return builtinStringify(value);
      throw e;
    }
  }
  if (JSON.stringify === builtinStringify) {
    const { stringify } = {
      stringify(value, replacer, space) {
        if (replacer === undefined && space === undefined) return serialize(value);
        return builtinStringify(value, replacer, space);
      },
    };
    Object.defineProperty(JSON, "stringify", { value: stringify, writable: true, enumerable: false, configurable: true });
  }
  const NO_INIT = Object.freeze({ __proto__: null });
  const NULL_BODY_STATUSES = [101, 204, 205, 304];
  const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
  const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;
  const ENCODE_BODY = ["automatic", "manual"];

  let responseInternals;

  // Slots of a Response's private state array.
  const RS_STATUS = 0, RS_STATUS_TEXT = 1, RS_HEADERS = 2, RS_URL = 3, RS_REDIRECTED = 4, RS_WEB_SOCKET = 5, RS_TYPE = 6,
    RS_CF = 7, RS_ENCODE_BODY = 8;

  class Response extends Body {
    // One private field holding an array (slots RS_*), not nine fields (see Request).
    #r = [200, "", null, "", false, null, "default", undefined, "automatic"];

    constructor(body = null, init = undefined) {
      super();
      if (body === BARE) return;
      if (init === undefined || init === null) init = NO_INIT;
      else if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeError("Failed to construct 'Response': parameter 2 is not of type 'ResponseInit'.");
      }
      const webSocket = init.webSocket === undefined || init.webSocket === null ? null : init.webSocket;
      const status = init.status === undefined ? 200 : Number(init.status);
      if (webSocket !== null && status !== 101) throw new RangeError("Responses with a WebSocket must have status code 101.");
      if (!Number.isInteger(status) || ((status < 200 || status > 599) && !(status === 101 && webSocket !== null))) {
        throw new RangeError(
          `Failed to construct 'Response': The status provided (${init.status}) is outside the range [200, 599].`,
        );
      }
      const statusText = init.statusText === undefined ? "" : String(init.statusText);
      if (statusText !== "" && !REASON_PHRASE.test(statusText)) throw new TypeError("Failed to construct 'Response': Invalid statusText.");
      if (init.encodeBody !== undefined) {
        const e = String(init.encodeBody);
        if (!ENCODE_BODY.includes(e)) {
          throw new TypeError(`Failed to construct 'Response': '${e}' is not a valid value for enumeration ResponseBodyEncoding.`);
        }
        this.#r[RS_ENCODE_BODY] = e;
      }
      this.#r[RS_STATUS] = status;
      this.#r[RS_STATUS_TEXT] = statusText;
      this.#r[RS_WEB_SOCKET] = webSocket;
      if (init.cf !== undefined) this.#r[RS_CF] = init.cf;
      if (init.headers !== undefined) this.#r[RS_HEADERS] = new Headers(init.headers);
      if (body !== null && body !== undefined) {
        if (NULL_BODY_STATUSES.includes(status)) {
          throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
        }
        if (this.#r[RS_HEADERS] === null && typeof body === "string") {
          // The common `new Response(text)`: its one header stays a list, made a Headers when first read.
          this.#r[RS_HEADERS] = ["content-type", TEXT_PLAIN];
          setBody(this, { string: body });
          return;
        }
        this.#r[RS_HEADERS] ??= headersFromFlat([], false);
        setBody(this, extractBody(body, this.#r[RS_HEADERS]));
      } else {
        this.#r[RS_HEADERS] ??= headersFromFlat([], false);
      }
    }

    static {
      responseInternals = {
        fromHost(status, statusText, flatHeaders, bodyHandle, url, redirected, signal) {
          const r = new Response(BARE);
          r.#r[RS_STATUS] = status;
          r.#r[RS_STATUS_TEXT] = statusText ?? "";
          // As in workerd, a fetched response's headers are immutable; `new Response(r.body, r)` makes them mutable.
          r.#r[RS_HEADERS] = headersFromFlat(flatHeaders, true);
          r.#r[RS_URL] = url ?? "";
          r.#r[RS_REDIRECTED] = redirected === true;
          if (bodyHandle !== null && bodyHandle !== undefined) {
            if (NULL_BODY_STATUSES.includes(status)) host.bodyCancel(bodyHandle);
            else setBody(r, signal ? { handle: bodyHandle, signal } : { handle: bodyHandle });
          }
          return r;
        },
        parts(r, out) {
          if (r.#r[RS_TYPE] === "error") {
            throw new TypeError("Return value from the fetch handler must not be an error response (Response.error()).");
          }
          const b = takeBody(r);
          let body = null;
          if (b !== null) {
            if (b.string !== undefined) body = b.string;
            else if (b.bytes !== undefined) body = b.bytes;
            else body = streamOf(b);
          }
          out.status = r.#r[RS_STATUS];
          out.statusText = r.#r[RS_STATUS_TEXT];
          out.headers = headersFlat(r.#r[RS_HEADERS]);
          out.body = body;
          out.webSocket = r.#r[RS_WEB_SOCKET];
          out.encodeBody = r.#r[RS_ENCODE_BODY];
          return out;
        },
        isResponse: (x) => x !== null && typeof x === "object" && #r in x,
      };
    }

    static json(data, init = undefined) {
      // JSON.stringify's result, serialized in Rust (several times faster than QuickJS's own stringifier).
      const text = serialize(data);
      if (text === undefined) throw new TypeError("Failed to execute 'json' on 'Response': The data is not JSON serializable.");
      if (init === undefined || init === null) {
        // The common case, without the init dictionary and the Headers copy the general path makes.
        const r = new Response(BARE);
        r.#r[RS_HEADERS] = ["content-type", "application/json"];
        setBody(r, { string: text });
        return r;
      }
      const headers = new Headers(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(text, {
        status: init.status,
        statusText: init.statusText,
        headers,
        webSocket: init.webSocket,
        cf: init.cf,
        encodeBody: init.encodeBody,
      });
    }

    static redirect(url, status = 302) {
      let location;
      try {
        location = new URL(String(url)).href;
      } catch {
        throw new TypeError(`Failed to execute 'redirect' on 'Response': Invalid URL: ${String(url)}`);
      }
      status = Number(status);
      if (!REDIRECT_STATUSES.includes(status)) {
        throw new RangeError(`Failed to execute 'redirect' on 'Response': Invalid status code ${status}.`);
      }
      const r = new Response(null, { status, headers: [["location", location]] });
      headersFreeze(r.#r[RS_HEADERS]);
      return r;
    }

    static error() {
      const r = new Response(BARE);
      r.#r[RS_STATUS] = 0;
      r.#r[RS_TYPE] = "error";
      r.#r[RS_HEADERS] = headersFreeze(new Headers());
      return r;
    }

    get status() {
      return this.#r[RS_STATUS];
    }
    get statusText() {
      return this.#r[RS_STATUS_TEXT];
    }
    get ok() {
      return this.#r[RS_STATUS] >= 200 && this.#r[RS_STATUS] <= 299;
    }
    get headers() {
      const h = this.#r[RS_HEADERS];
      // `new Response(text)` and `Response.json()` keep their one header as a list until it is read.
      return Array.isArray(h) ? (this.#r[RS_HEADERS] = headersFromFlat(h, false)) : h;
    }
    get url() {
      return this.#r[RS_URL];
    }
    get redirected() {
      return this.#r[RS_REDIRECTED];
    }
    get type() {
      return this.#r[RS_TYPE];
    }
    get webSocket() {
      return this.#r[RS_WEB_SOCKET];
    }
    get cf() {
      return this.#r[RS_CF];
    }

    clone() {
      if (this.#r[RS_WEB_SOCKET] !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
      const r = new Response(BARE);
      setBody(r, cloneBody(this));
      r.#r[RS_STATUS] = this.#r[RS_STATUS];
      r.#r[RS_STATUS_TEXT] = this.#r[RS_STATUS_TEXT];
      r.#r[RS_HEADERS] = headersCopy(this.headers, true);
      r.#r[RS_URL] = this.#r[RS_URL];
      r.#r[RS_REDIRECTED] = this.#r[RS_REDIRECTED];
      r.#r[RS_TYPE] = this.#r[RS_TYPE];
      r.#r[RS_CF] = this.#r[RS_CF];
      r.#r[RS_ENCODE_BODY] = this.#r[RS_ENCODE_BODY];
      return r;
    }
  }
  tag(Response, "Response");

  // ---------------------------------------------------------------------------------------------- hooks

  // `incomingId` (optional): the invocation id, when the request's `signal` should abort if its client goes away
  // (`enable_request_signal`); see `abortIncomingSignal`.
  internal.makeIncomingRequest = (method, url, headersArray, bodyHandle, cf, incomingId = 0) =>
    makeRequest(
      method,
      url,
      headersArray,
      bodyHandle === null || bodyHandle === undefined ? null : { handle: bodyHandle },
      cf,
      "manual",
      incomingId,
    );

  // `out` (optional): an object to fill in and return instead of a new one.
  internal.responseParts = (response, out = {}) => {
    if (!responseInternals.isResponse(response)) {
      throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
    }
    return responseInternals.parts(response, out);
  };

  // `signal` (optional, from fetch.js): aborting it errors the body stream with the signal's reason.
  internal.makeResponseFromHost = (status, statusText, headersArray, bodyHandle, url, redirected, signal = null) =>
    responseInternals.fromHost(status, statusText, headersArray, bodyHandle, url, redirected, signal);

  // For fetch.js.
  internal.requestSignal = (request) => requestSignal(request);
  internal.requestHeadersFlat = (request) => requestHeadersFlat(request);
  // A request's body for host.fetch, marking it used: null; bytes (a string or bytes body); the host handle (a
  // number) of a body no JS has touched, which the host pipes to the upload itself; or a ReadableStream for
  // fetch.js to pump into the upload.
  internal.requestBodyForHost = (request) => {
    const b = takeBody(request);
    if (b === null) return null;
    if (b.string !== undefined) return encode(b.string);
    if (b.bytes !== undefined) return b.bytes;
    if (b.handle !== undefined && !b.signal) {
      const handle = b.handle;
      b.handle = undefined;
      return handle;
    }
    return streamOf(b);
  };
  // For blob.js, which needs the same helpers.
  internal.fetchApiHelpers = { viewOf, concat, tag, requireArgs };

  internal.defineGlobal("Headers", Headers);
  internal.defineGlobal("Request", Request);
  internal.defineGlobal("Response", Response);
})
