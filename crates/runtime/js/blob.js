(function (host, internal) {
  "use strict";
  // Blob, File, FormData and multipart/form-data (File API, XHR FormData, HTML's form encoding). Split from
  // fetch_api.js so that an isolate which never touches them does not hold them: this file loads the first time
  // worker code touches one of these globals, or fetch_api.js needs one of the hooks below (`.blob()`,
  // `.formData()`). fetch_api.js recognises Blob and FormData bodies through `internal.blobClasses`, which it checks
  // without loading this file (no Blob can exist before it is loaded).

  const encode = (s) => internal.utf8Encode(s);
  const decode = (bytes) => host.utf8Decode(bytes, false, false);
  const EMPTY = new Uint8Array(0);

  // The byte and Web IDL helpers fetch_api.js defines (loading it, if it is not loaded yet).
  const { viewOf, concat, tag, requireArgs } = internal.fetchApiHelpers;

  // ---------------------------------------------------------------------------------------------- Blob, File

  let blobBytes, blobFromBytes;

  class Blob {
    #bytes = EMPTY; // never mutated and never handed out without a copy
    #type = "";

    constructor(parts = undefined, options = undefined) {
      if (parts !== undefined) {
        if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
          throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
        }
        const chunks = [];
        let total = 0;
        for (const part of parts) {
          let bytes;
          if (part !== null && typeof part === "object" && #bytes in part) bytes = part.#bytes;
          else {
            const view = viewOf(part);
            bytes = view !== null ? view.slice() : encode(String(part));
          }
          if (bytes.byteLength === 0) continue;
          chunks.push(bytes);
          total += bytes.byteLength;
        }
        if (chunks.length > 0) this.#bytes = concat(chunks, total);
      }
      if (options !== undefined && options !== null) {
        if (typeof options !== "object" && typeof options !== "function") {
          throw new TypeError("Failed to construct 'Blob': parameter 2 is not of type 'BlobPropertyBag'.");
        }
        if (options.type !== undefined) this.#type = normalizeType(options.type);
      }
    }

    static {
      blobBytes = (b) => b.#bytes;
      blobFromBytes = (bytes, type, b = new Blob()) => {
        b.#bytes = bytes;
        b.#type = normalizeType(type);
        return b;
      };
    }

    get size() {
      return this.#bytes.byteLength;
    }

    get type() {
      return this.#type;
    }

    slice(start = undefined, end = undefined, contentType = undefined) {
      const size = this.#bytes.byteLength;
      const clamp = (v, fallback) => {
        if (v === undefined) return fallback;
        v = Math.trunc(Number(v)) || 0;
        return v < 0 ? Math.max(size + v, 0) : Math.min(v, size);
      };
      const from = clamp(start, 0);
      const to = clamp(end, size);
      return blobFromBytes(
        this.#bytes.subarray(from, Math.max(from, to)),
        contentType === undefined ? "" : contentType,
      );
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
  }
  tag(Blob, "Blob");

  // File API: a type with characters outside U+0020..U+007E becomes "", otherwise it is lower-cased.
  function normalizeType(type) {
    type = String(type);
    return /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
  }

  class File extends Blob {
    #name;
    #lastModified;

    constructor(parts, name, options = undefined) {
      requireArgs(arguments.length, 2, "'constructor' on 'File'");
      super(parts, options);
      this.#name = String(name);
      const lm = options !== undefined && options !== null ? options.lastModified : undefined;
      this.#lastModified = lm === undefined ? Date.now() : Math.trunc(Number(lm)) || 0;
    }

    get name() {
      return this.#name;
    }

    get lastModified() {
      return this.#lastModified;
    }
  }
  tag(File, "File");

  // ---------------------------------------------------------------------------------------------- FormData

  let formEntries;

  // XHR: a Blob that is not a File becomes a File named "blob"; a filename renames a File.
  function toFormValue(value, filename) {
    if (value instanceof Blob) {
      if (value instanceof File && filename === undefined) return value;
      const name = filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob";
      const f = new File([], name, value instanceof File ? { lastModified: value.lastModified } : undefined);
      return blobFromBytes(blobBytes(value), value.type, f);
    }
    return String(value);
  }

  class FormData {
    #entries = [];

    constructor(form = undefined) {
      if (form !== undefined) {
        throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
      }
    }

    static {
      formEntries = (fd) => fd.#entries;
    }

    append(name, value, filename = undefined) {
      requireArgs(arguments.length, 2, "'append' on 'FormData'");
      this.#entries.push([String(name), toFormValue(value, filename)]);
    }

    set(name, value, filename = undefined) {
      requireArgs(arguments.length, 2, "'set' on 'FormData'");
      name = String(name);
      const entry = [name, toFormValue(value, filename)];
      const first = this.#entries.findIndex((e) => e[0] === name);
      if (first === -1) {
        this.#entries.push(entry);
        return;
      }
      this.#entries = this.#entries.filter((e, i) => i <= first || e[0] !== name);
      this.#entries[first] = entry;
    }

    get(name) {
      requireArgs(arguments.length, 1, "'get' on 'FormData'");
      name = String(name);
      const e = this.#entries.find((e) => e[0] === name);
      return e === undefined ? null : e[1];
    }

    getAll(name) {
      requireArgs(arguments.length, 1, "'getAll' on 'FormData'");
      name = String(name);
      const out = [];
      for (const e of this.#entries) if (e[0] === name) out.push(e[1]);
      return out;
    }

    has(name) {
      requireArgs(arguments.length, 1, "'has' on 'FormData'");
      name = String(name);
      return this.#entries.some((e) => e[0] === name);
    }

    delete(name) {
      requireArgs(arguments.length, 1, "'delete' on 'FormData'");
      name = String(name);
      this.#entries = this.#entries.filter((e) => e[0] !== name);
    }

    *entries() {
      // Live, as Web IDL iterators are: entries appended during iteration are visited.
      for (let i = 0; i < this.#entries.length; i++) yield [this.#entries[i][0], this.#entries[i][1]];
    }

    *keys() {
      for (const [k] of this.entries()) yield k;
    }

    *values() {
      for (const [, v] of this.entries()) yield v;
    }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
      }
      for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
    }
  }
  Object.defineProperty(FormData.prototype, Symbol.iterator, {
    value: FormData.prototype.entries,
    writable: true,
    configurable: true,
  });
  tag(FormData, "FormData");

  // ---------------------------------------------------------------------------------------------- multipart

  const toCRLF = (s) => s.replace(/\r\n|\r|\n/g, "\r\n");
  const escapeField = (s) => s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");

  function randomBoundary() {
    let s = "";
    for (let i = 0; i < 3; i++) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
    return "----corral-form-" + s;
  }

  // HTML's multipart/form-data encoding algorithm.
  function serializeMultipart(fd) {
    const boundary = randomBoundary();
    const chunks = [];
    let total = 0;
    let text = "";
    const flushText = () => {
      if (text === "") return;
      const b = encode(text);
      chunks.push(b);
      total += b.byteLength;
      text = "";
    };
    for (const [name, value] of formEntries(fd)) {
      text += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeField(toCRLF(name))}"`;
      if (typeof value === "string") {
        text += `\r\n\r\n${toCRLF(value)}\r\n`;
      } else {
        text += `; filename="${escapeField(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`;
        flushText();
        const b = blobBytes(value);
        chunks.push(b);
        total += b.byteLength;
        text = "\r\n";
      }
    }
    text += `--${boundary}--\r\n`;
    flushText();
    return { bytes: concat(chunks, total), type: `multipart/form-data; boundary=${boundary}` };
  }

  function indexOfBytes(hay, needle, from) {
    const first = needle[0];
    const n = needle.length;
    const last = hay.length - n;
    for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
      let j = 1;
      while (j < n && hay[i + j] === needle[j]) j++;
      if (j === n) return i;
    }
    return -1;
  }

  // One parameter of a header value such as `form-data; name="x"; filename="y"`, or null.
  function headerParam(value, param) {
    const re = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
    const m = re.exec(value);
    if (m === null) return null;
    if (m[2] !== undefined) return m[2];
    return m[1].replace(/\\(.)/g, "$1").replace(/%0A/gi, "\n").replace(/%0D/gi, "\r").replace(/%22/g, '"');
  }

  const BAD_FORM = "Failed to parse body as FormData.";

  function parseMultipart(bytes, contentType) {
    const boundary = headerParam(contentType, "boundary");
    if (!boundary) throw new TypeError(`${BAD_FORM} The multipart boundary is missing.`);
    const delimiter = encode("--" + boundary);
    const nextDelimiter = encode("\r\n--" + boundary);
    const CRLFCRLF = encode("\r\n\r\n");
    const fd = new FormData();
    let pos = indexOfBytes(bytes, delimiter, 0);
    if (pos === -1 || (pos > 0 && (bytes[pos - 2] !== 13 || bytes[pos - 1] !== 10))) throw new TypeError(BAD_FORM);
    for (;;) {
      pos += delimiter.length;
      if (bytes[pos] === 45 && bytes[pos + 1] === 45) break; // "--": the close delimiter
      while (bytes[pos] === 32 || bytes[pos] === 9) pos++; // transport padding
      if (bytes[pos] !== 13 || bytes[pos + 1] !== 10) throw new TypeError(BAD_FORM);
      pos += 2;
      let headerEnd;
      let contentStart;
      if (bytes[pos] === 13 && bytes[pos + 1] === 10) {
        headerEnd = pos;
        contentStart = pos + 2;
      } else {
        headerEnd = indexOfBytes(bytes, CRLFCRLF, pos);
        if (headerEnd === -1) throw new TypeError(BAD_FORM);
        contentStart = headerEnd + 4;
      }
      const next = indexOfBytes(bytes, nextDelimiter, contentStart);
      if (next === -1) throw new TypeError(BAD_FORM);
      let disposition = null;
      let type = null;
      for (const line of decode(bytes.subarray(pos, headerEnd)).split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon === -1) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        if (key === "content-disposition") disposition = line.slice(colon + 1).trim();
        else if (key === "content-type") type = line.slice(colon + 1).trim();
      }
      if (disposition === null || !/^form-data\s*(;|$)/i.test(disposition)) throw new TypeError(BAD_FORM);
      const name = headerParam(disposition, "name");
      if (name === null) throw new TypeError(BAD_FORM);
      const filename = headerParam(disposition, "filename");
      const content = bytes.subarray(contentStart, next);
      if (filename !== null) {
        fd.append(name, blobFromBytes(content.slice(), type === null ? "text/plain" : type, new File([], filename)));
      } else {
        fd.append(name, decode(content));
      }
      pos = next + 2;
    }
    return fd;
  }

  // ---------------------------------------------------------------------------------------------- hooks

  // For fetch_api.js: read with an own-property check, which does not load this file.
  internal.blobClasses = { Blob, FormData };
  internal.blobBytes = blobBytes;
  internal.blobFromBytes = (bytes, type) => blobFromBytes(bytes, type);
  internal.serializeMultipart = serializeMultipart;
  internal.parseMultipart = parseMultipart;
  // A FormData of [name, value] string pairs (application/x-www-form-urlencoded bodies).
  internal.formDataFromPairs = (pairs) => {
    const fd = new FormData();
    for (const [k, v] of pairs) fd.append(k, v);
    return fd;
  };

  internal.defineGlobal("Blob", Blob);
  internal.defineGlobal("File", File);
  internal.defineGlobal("FormData", FormData);
})
