(function (host, internal) {
  "use strict";
  // Headers, Blob, File, FormData, Request and Response (WHATWG Fetch, File API, XHR FormData), lean on purpose:
  // bodies stay strings or bytes until someone asks for a stream, and incoming bodies are read straight from
  // the host without a ReadableStream unless `.body` is touched.

  const encoder = { encode: (s) => host.utf8Encode(s) };
  const decode = (bytes) => host.utf8Decode(bytes, false, false);

  function toBytes(source) {
    if (source instanceof Uint8Array) return source;
    if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    return null;
  }

  function copyBytes(source) {
    const view = toBytes(source);
    return view.slice();
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

  // ---------------------------------------------------------------------------------------------- Headers

  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const TRIM = /^[\t\n\r ]+|[\t\n\r ]+$/g;

  function normalizeName(name) {
    name = String(name);
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: "${name}"`);
    return name.toLowerCase();
  }

  function normalizeValue(value) {
    value = String(value).replace(TRIM, "");
    if (/[\0\r\n]/.test(value)) throw new TypeError(`Invalid header value: "${value}"`);
    return value;
  }

  class Headers {
    #map = new Map(); // lower-case name -> array of values
    #immutable = false;

    constructor(init = undefined) {
      if (init === undefined || init === null) return;
      if (init instanceof Headers) {
        for (const [k, v] of init.#map) this.#map.set(k, v.slice());
      } else if (typeof init === "object") {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            const p = Array.from(pair);
            if (p.length !== 2) {
              throw new TypeError("Failed to construct 'Headers': Header pairs must contain exactly two items.");
            }
            this.append(p[0], p[1]);
          }
        } else {
          for (const key of Object.keys(init)) this.append(key, init[key]);
        }
      } else {
        throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
      }
    }

    static fromFlat(flat, immutable) {
      const h = new Headers();
      const map = h.#map;
      for (let i = 0; i < flat.length; i += 2) {
        const k = flat[i];
        const list = map.get(k);
        if (list) list.push(flat[i + 1]);
        else map.set(k, [flat[i + 1]]);
      }
      h.#immutable = immutable;
      return h;
    }

    static freeze(h) {
      h.#immutable = true;
      return h;
    }

    static flat(h) {
      const out = [];
      for (const [k, values] of h.#map) for (const v of values) out.push(k, v);
      return out;
    }

    #check() {
      if (this.#immutable) throw new TypeError("Can't modify immutable headers.");
    }

    append(name, value) {
      this.#check();
      const k = normalizeName(name);
      const v = normalizeValue(value);
      const list = this.#map.get(k);
      if (list) list.push(v);
      else this.#map.set(k, [v]);
    }

    set(name, value) {
      this.#check();
      this.#map.set(normalizeName(name), [normalizeValue(value)]);
    }

    delete(name) {
      this.#check();
      this.#map.delete(normalizeName(name));
    }

    get(name) {
      const list = this.#map.get(normalizeName(name));
      return list === undefined ? null : list.join(", ");
    }

    has(name) {
      return this.#map.has(normalizeName(name));
    }

    getSetCookie() {
      const list = this.#map.get("set-cookie");
      return list ? list.slice() : [];
    }

    getAll(name) {
      const k = normalizeName(name);
      if (k !== "set-cookie") throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
      return this.getSetCookie();
    }

    *entries() {
      const names = Array.from(this.#map.keys()).sort();
      for (const k of names) {
        const list = this.#map.get(k);
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
      for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
    }

    [Symbol.iterator]() {
      return this.entries();
    }

    get [Symbol.toStringTag]() {
      return "Headers";
    }
  }

  // ---------------------------------------------------------------------------------------------- Blob, File

  class Blob {
    #bytes;
    #type;

    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
        if (parts !== undefined) {
          throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
        }
        parts = [];
      }
      const chunks = [];
      let total = 0;
      for (const part of parts) {
        let bytes;
        if (part instanceof Blob) bytes = part.#bytes;
        else if (toBytes(part)) bytes = copyBytes(part);
        else bytes = encoder.encode(String(part));
        chunks.push(bytes);
        total += bytes.byteLength;
      }
      this.#bytes = chunks.length === 0 ? new Uint8Array(0) : concat(chunks, total);
      const type = options && options.type !== undefined ? String(options.type) : "";
      this.#type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
    }

    static bytesOf(blob) {
      return blob.#bytes;
    }

    get size() {
      return this.#bytes.byteLength;
    }

    get type() {
      return this.#type;
    }

    slice(start = 0, end = undefined, contentType = "") {
      const size = this.size;
      const clamp = (v) => (v < 0 ? Math.max(size + v, 0) : Math.min(v, size));
      const from = clamp(Math.trunc(Number(start)) || 0);
      const to = end === undefined ? size : clamp(Math.trunc(Number(end)) || 0);
      const blob = new Blob([], { type: contentType });
      blob.#bytes = this.#bytes.subarray(from, Math.max(from, to));
      return blob;
    }

    async text() {
      return decode(this.#bytes);
    }

    async arrayBuffer() {
      return this.#bytes.slice().buffer;
    }

    async bytes() {
      return this.#bytes.slice();
    }

    stream() {
      return internal.streamFromBytes(this.#bytes.slice());
    }

    get [Symbol.toStringTag]() {
      return "Blob";
    }
  }

  class File extends Blob {
    #name;
    #lastModified;

    constructor(parts, name, options = {}) {
      if (arguments.length < 2) {
        throw new TypeError("Failed to construct 'File': 2 arguments required, but only " + arguments.length + " present.");
      }
      super(parts, options);
      this.#name = String(name);
      this.#lastModified = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    }

    get name() {
      return this.#name;
    }

    get lastModified() {
      return this.#lastModified;
    }

    get [Symbol.toStringTag]() {
      return "File";
    }
  }

  // ---------------------------------------------------------------------------------------------- FormData

  function formEntry(name, value, filename) {
    name = String(name);
    if (value instanceof Blob) {
      if (!(value instanceof File) || filename !== undefined) {
        value = new File([value], filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob", {
          type: value.type,
        });
      }
      return [name, value];
    }
    return [name, String(value)];
  }

  class FormData {
    #entries = [];

    constructor(form = undefined) {
      if (form !== undefined) {
        throw new TypeError("Failed to construct 'FormData': HTML forms are not supported in Workers.");
      }
    }

    static entriesOf(fd) {
      return fd.#entries;
    }

    append(name, value, filename = undefined) {
      this.#entries.push(formEntry(name, value, filename));
    }

    set(name, value, filename = undefined) {
      const entry = formEntry(name, value, filename);
      const i = this.#entries.findIndex(([n]) => n === entry[0]);
      if (i === -1) {
        this.#entries.push(entry);
      } else {
        this.#entries[i] = entry;
        this.#entries = this.#entries.filter(([n], j) => j <= i || n !== entry[0]);
      }
    }

    get(name) {
      name = String(name);
      const e = this.#entries.find(([n]) => n === name);
      return e ? e[1] : null;
    }

    getAll(name) {
      name = String(name);
      return this.#entries.filter(([n]) => n === name).map(([, v]) => v);
    }

    has(name) {
      name = String(name);
      return this.#entries.some(([n]) => n === name);
    }

    delete(name) {
      name = String(name);
      this.#entries = this.#entries.filter(([n]) => n !== name);
    }

    *entries() {
      for (const [n, v] of this.#entries) yield [n, v];
    }

    *keys() {
      for (const [n] of this.#entries) yield n;
    }

    *values() {
      for (const [, v] of this.#entries) yield v;
    }

    forEach(callback, thisArg = undefined) {
      for (const [n, v] of this.#entries) callback.call(thisArg, v, n, this);
    }

    [Symbol.iterator]() {
      return this.entries();
    }

    get [Symbol.toStringTag]() {
      return "FormData";
    }
  }

  function escapeFormName(s) {
    return s.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
  }

  function serializeMultipart(fd) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
    const boundary = "----corral" + hex;
    const chunks = [];
    let total = 0;
    const push = (b) => {
      chunks.push(b);
      total += b.byteLength;
    };
    for (const [name, value] of FormData.entriesOf(fd)) {
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeFormName(name)}"`;
      if (value instanceof File) {
        head += `; filename="${escapeFormName(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}`;
      }
      push(encoder.encode(head + "\r\n\r\n"));
      push(value instanceof File ? Blob.bytesOf(value) : encoder.encode(value.replace(/\r?\n|\r/g, "\r\n")));
      push(encoder.encode("\r\n"));
    }
    push(encoder.encode(`--${boundary}--\r\n`));
    return { bytes: concat(chunks, total), type: `multipart/form-data; boundary=${boundary}` };
  }

  function latin1(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    return s;
  }

  function headerParam(value, param) {
    const re = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
    const m = re.exec(value);
    return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]) : null;
  }

  function parseMultipart(bytes, contentType) {
    const boundary = headerParam(contentType, "boundary");
    if (!boundary) throw new TypeError("Failed to parse body as FormData: multipart boundary missing.");
    const text = latin1(bytes);
    const delimiter = "--" + boundary;
    const fd = new FormData();
    let pos = text.indexOf(delimiter);
    if (pos === -1) throw new TypeError("Failed to parse body as FormData.");
    for (;;) {
      pos += delimiter.length;
      if (text.startsWith("--", pos)) break;
      if (text.startsWith("\r\n", pos)) pos += 2;
      const headerEnd = text.indexOf("\r\n\r\n", pos);
      if (headerEnd === -1) throw new TypeError("Failed to parse body as FormData.");
      const headerText = decode(bytes.subarray(pos, headerEnd));
      const next = text.indexOf("\r\n" + delimiter, headerEnd + 4);
      if (next === -1) throw new TypeError("Failed to parse body as FormData.");
      const content = bytes.subarray(headerEnd + 4, next);
      let disposition = "";
      let type = "";
      for (const line of headerText.split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon === -1) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === "content-disposition") disposition = value;
        else if (key === "content-type") type = value;
      }
      const name = headerParam(disposition, "name");
      if (name === null) throw new TypeError("Failed to parse body as FormData: a part has no name.");
      const filename = headerParam(disposition, "filename");
      if (filename !== null) fd.append(name, new File([content.slice()], filename, { type }));
      else fd.append(name, decode(content));
      pos = next + 2;
    }
    return fd;
  }

  // ---------------------------------------------------------------------------------------------- Body

  const USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

  // A body is one of: null, {string}, {bytes}, {handle} (host byte source), {stream} (ReadableStream).
  function extractBody(init, headers) {
    let body;
    let type = null;
    if (typeof init === "string") {
      body = { string: init };
      type = "text/plain;charset=UTF-8";
    } else if (toBytes(init)) {
      body = { bytes: copyBytes(init) };
    } else if (init instanceof Blob) {
      body = { bytes: Blob.bytesOf(init) };
      if (init.type) type = init.type;
    } else if (init instanceof FormData) {
      const m = serializeMultipart(init);
      body = { bytes: m.bytes };
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
      body = { string: String(init) };
      type = "text/plain;charset=UTF-8";
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
      chunks.push(chunk);
      total += chunk.byteLength;
    }
    return total === 0 ? new Uint8Array(0) : concat(chunks, total);
  }

  // Shared by Request and Response: state lives in a plain object so both classes reuse the same code.
  class BodyState {
    constructor(body) {
      this.body = body; // null | {string} | {bytes} | {handle} | {stream}
      this.used = false;
    }

    stream() {
      const b = this.body;
      if (b === null) return null;
      if (b.stream === undefined) {
        if (b.handle !== undefined) b.stream = internal.streamFromHost(b.handle);
        else b.stream = internal.streamFromBytes(b.bytes !== undefined ? b.bytes : encoder.encode(b.string));
        b.string = b.bytes = b.handle = undefined;
      }
      return b.stream;
    }

    isUsed() {
      if (this.used) return true;
      const s = this.body && this.body.stream;
      return s !== undefined && internal.isDisturbed(s);
    }

    take() {
      if (this.isUsed()) return Promise.reject(new TypeError(USED));
      if (this.body && this.body.stream !== undefined && this.body.stream.locked) {
        return Promise.reject(new TypeError("This ReadableStream is currently locked to a reader."));
      }
      this.used = true;
      return null;
    }

    async bytes() {
      const refused = this.take();
      if (refused) return refused;
      const b = this.body;
      if (b === null) return new Uint8Array(0);
      if (b.bytes !== undefined) return b.bytes;
      if (b.string !== undefined) return encoder.encode(b.string);
      if (b.handle !== undefined) return readHost(b.handle);
      return internal.readAllBytes(b.stream);
    }

    async text() {
      const b = this.body;
      if (b !== null && b.string !== undefined && !this.used) {
        this.used = true;
        return b.string;
      }
      return decode(await this.bytes());
    }

    clone() {
      const b = this.body;
      if (this.isUsed()) throw new TypeError("Body has already been used. It can only be used once.");
      if (b === null) return null;
      if (b.string !== undefined) return { string: b.string };
      if (b.bytes !== undefined) return { bytes: b.bytes };
      const [one, two] = this.stream().tee();
      b.stream = one;
      return { stream: two };
    }
  }

  function defineBodyMethods(Class, stateOf) {
    Object.defineProperties(Class.prototype, {
      body: {
        get() {
          return stateOf(this).stream();
        },
        configurable: true,
      },
      bodyUsed: {
        get() {
          return stateOf(this).isUsed();
        },
        configurable: true,
      },
    });
    Object.assign(Class.prototype, {
      async arrayBuffer() {
        const bytes = await stateOf(this).bytes();
        return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
      },
      async bytes() {
        return (await stateOf(this).bytes()).slice();
      },
      async text() {
        return stateOf(this).text();
      },
      async json() {
        return JSON.parse(await stateOf(this).text());
      },
      async blob() {
        const bytes = await stateOf(this).bytes();
        return new Blob([bytes], { type: this.headers.get("content-type") || "" });
      },
      async formData() {
        const type = this.headers.get("content-type") || "";
        if (/^multipart\/form-data/i.test(type)) return parseMultipart(await stateOf(this).bytes(), type);
        if (/^application\/x-www-form-urlencoded/i.test(type)) {
          const fd = new FormData();
          for (const [k, v] of new URLSearchParams(await stateOf(this).text())) fd.append(k, v);
          return fd;
        }
        throw new TypeError("Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded.");
      },
    });
  }

  // ---------------------------------------------------------------------------------------------- Request

  const REDIRECTS = ["follow", "manual", "error"];
  // Passed as the first constructor argument to build an empty instance (private fields exist only on objects
  // made by the constructor).
  const BARE = Symbol("bare");
  let neverAborted = null;

  class Request {
    #state;
    #method;
    #url;
    #headers;
    #redirect;
    #signal;
    #cf;

    constructor(input, init = undefined) {
      if (input === BARE) return;
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
      }
      init = init === undefined || init === null ? {} : init;
      let inputBody = null;
      if (input instanceof Request) {
        this.#method = input.#method;
        this.#url = input.#url;
        this.#redirect = input.#redirect;
        this.#signal = input.#signal;
        this.#cf = input.#cf;
        this.#headers = new Headers(input.#headers);
        if (init.body === undefined && input.#state.body !== null) {
          if (input.#state.isUsed()) throw new TypeError(USED);
          inputBody = input.#state.body;
          input.#state.used = true;
        }
      } else {
        let parsed;
        try {
          parsed = new URL(String(input));
        } catch {
          throw new TypeError(`Failed to construct 'Request': Invalid URL: ${String(input)}`);
        }
        this.#url = parsed.href;
        this.#method = "GET";
        this.#redirect = "follow";
        this.#headers = new Headers();
      }
      if (init.method !== undefined) {
        const m = String(init.method);
        if (!TOKEN.test(m)) throw new TypeError(`Invalid HTTP method: ${m}`);
        this.#method = m.toUpperCase();
      }
      if (init.headers !== undefined) this.#headers = new Headers(init.headers);
      if (init.redirect !== undefined) {
        if (!REDIRECTS.includes(init.redirect)) {
          throw new TypeError(`Failed to construct 'Request': '${init.redirect}' is not a valid value for enumeration RequestRedirect.`);
        }
        this.#redirect = init.redirect;
      }
      if (init.signal !== undefined) this.#signal = init.signal;
      if (init.cf !== undefined) this.#cf = init.cf;
      let body = inputBody;
      if (init.body !== undefined && init.body !== null) {
        if (this.#method === "GET" || this.#method === "HEAD") {
          throw new TypeError("Request with a GET or HEAD method cannot have a body.");
        }
        body = extractBody(init.body, this.#headers);
      }
      this.#state = new BodyState(body);
    }

    static incoming(method, url, flatHeaders, bodyHandle, cf) {
      const r = new Request(BARE);
      r.#method = method;
      r.#url = url;
      r.#headers = Headers.fromFlat(flatHeaders, true);
      r.#redirect = "manual";
      r.#signal = undefined;
      r.#cf = cf;
      r.#state = new BodyState(bodyHandle === null ? null : { handle: bodyHandle });
      return r;
    }

    static stateOf(r) {
      return r.#state;
    }

    get method() {
      return this.#method;
    }
    get url() {
      return this.#url;
    }
    get headers() {
      return this.#headers;
    }
    get redirect() {
      return this.#redirect;
    }
    get signal() {
      if (this.#signal === undefined || this.#signal === null) {
        neverAborted ??= new AbortController().signal;
        return neverAborted;
      }
      return this.#signal;
    }
    get cf() {
      return this.#cf;
    }
    get fetcher() {
      return null;
    }
    get keepalive() {
      return false;
    }
    get integrity() {
      return "";
    }
    get cache() {
      return undefined;
    }

    clone() {
      const r = new Request(BARE);
      r.#method = this.#method;
      r.#url = this.#url;
      r.#headers = new Headers(this.#headers);
      r.#redirect = this.#redirect;
      r.#signal = this.#signal;
      r.#cf = this.#cf;
      r.#state = new BodyState(this.#state.clone());
      return r;
    }

    get [Symbol.toStringTag]() {
      return "Request";
    }
  }
  defineBodyMethods(Request, (r) => Request.stateOf(r));

  // ---------------------------------------------------------------------------------------------- Response

  const NULL_BODY = new Set([101, 204, 205, 304]);
  const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

  class Response {
    #state;
    #status;
    #statusText;
    #headers;
    #url = "";
    #redirected = false;
    #webSocket = null;
    #type = "default";

    constructor(body = null, init = undefined) {
      if (body === BARE) return;
      init = init === undefined || init === null ? {} : init;
      const status = init.status === undefined ? 200 : Number(init.status);
      const webSocket = init.webSocket === undefined ? null : init.webSocket;
      if (!Number.isInteger(status) || ((status < 200 || status > 599) && !(status === 101 && webSocket !== null))) {
        throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
      }
      const statusText = init.statusText === undefined ? "" : String(init.statusText);
      if (/[\r\n]/.test(statusText)) throw new TypeError("Invalid statusText.");
      this.#status = status;
      this.#statusText = statusText;
      this.#webSocket = webSocket;
      this.#headers = init.headers instanceof Headers ? new Headers(init.headers) : new Headers(init.headers);
      let extracted = null;
      if (body !== null && body !== undefined) {
        if (NULL_BODY.has(status)) {
          throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
        }
        extracted = extractBody(body, this.#headers);
      }
      this.#state = new BodyState(extracted);
    }

    static fromHost(status, statusText, flatHeaders, bodyHandle, url, redirected) {
      const r = new Response(BARE);
      r.#status = status;
      r.#statusText = statusText;
      r.#headers = Headers.fromFlat(flatHeaders, false);
      r.#url = url;
      r.#redirected = redirected;
      r.#webSocket = null;
      r.#type = "default";
      let body = null;
      if (bodyHandle !== null && bodyHandle !== undefined) {
        if (NULL_BODY.has(status)) host.bodyCancel(bodyHandle);
        else body = { handle: bodyHandle };
      }
      r.#state = new BodyState(body);
      return r;
    }

    static parts(r) {
      const state = r.#state;
      if (state.isUsed()) throw new TypeError(USED);
      const b = state.body;
      let body = null;
      if (b !== null) {
        state.used = true;
        if (b.string !== undefined) body = b.string;
        else if (b.bytes !== undefined) body = b.bytes;
        else body = state.stream();
      }
      return {
        status: r.#status,
        statusText: r.#statusText,
        headers: Headers.flat(r.#headers),
        body,
        webSocket: r.#webSocket,
      };
    }

    static stateOf(r) {
      return r.#state;
    }

    static json(data, init = undefined) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError("Value is not JSON serializable.");
      const headers = new Headers(init && init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(text, { ...(init || {}), headers });
    }

    static redirect(url, status = 302) {
      status = Number(status);
      if (!REDIRECT_STATUSES.has(status)) {
        throw new RangeError(`Invalid status code: ${status}. Redirect status must be one of 301, 302, 303, 307, 308.`);
      }
      const location = new URL(String(url)).href;
      const r = new Response(null, { status, headers: { location } });
      Headers.freeze(r.#headers);
      return r;
    }

    static error() {
      const r = new Response(null, { status: 200 });
      r.#status = 0;
      r.#type = "error";
      Headers.freeze(r.#headers);
      return r;
    }

    get status() {
      return this.#status;
    }
    get statusText() {
      return this.#statusText;
    }
    get ok() {
      return this.#status >= 200 && this.#status <= 299;
    }
    get headers() {
      return this.#headers;
    }
    get url() {
      return this.#url;
    }
    get redirected() {
      return this.#redirected;
    }
    get type() {
      return this.#type;
    }
    get webSocket() {
      return this.#webSocket;
    }
    get cf() {
      return undefined;
    }

    clone() {
      if (this.#webSocket !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
      const r = new Response(BARE);
      r.#status = this.#status;
      r.#statusText = this.#statusText;
      r.#headers = new Headers(this.#headers);
      r.#url = this.#url;
      r.#redirected = this.#redirected;
      r.#webSocket = null;
      r.#type = this.#type;
      r.#state = new BodyState(this.#state.clone());
      return r;
    }

    get [Symbol.toStringTag]() {
      return "Response";
    }
  }
  defineBodyMethods(Response, (r) => Response.stateOf(r));

  internal.makeIncomingRequest = (method, url, flatHeaders, bodyHandle, cf) =>
    Request.incoming(method, url, flatHeaders, bodyHandle, cf);
  internal.responseParts = (response) => {
    if (!(response instanceof Response)) {
      throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
    }
    return Response.parts(response);
  };
  internal.makeResponseFromHost = (status, statusText, flatHeaders, bodyHandle, url, redirected) =>
    Response.fromHost(status, statusText, flatHeaders, bodyHandle, url, redirected);
  internal.requestBodyBytes = (request) => Request.stateOf(request).bytes();
  internal.requestHasBody = (request) => Request.stateOf(request).body !== null;
  internal.headersFlat = (headers) => Headers.flat(headers);

  internal.defineGlobal("Headers", Headers);
  internal.defineGlobal("Blob", Blob);
  internal.defineGlobal("File", File);
  internal.defineGlobal("FormData", FormData);
  internal.defineGlobal("Request", Request);
  internal.defineGlobal("Response", Response);
})
