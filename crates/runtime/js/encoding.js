(function (host, internal) {
  "use strict";
  // TextEncoder, TextDecoder (UTF-8), atob, btoa (WHATWG Encoding + HTML forgiving-base64).

  const utf8Encode = host.utf8Encode;
  const utf8Decode = host.utf8Decode;
  const DOMException = internal.DOMException;
  const isView = ArrayBuffer.isView;
  const toWellFormed = String.prototype.toWellFormed;
  const isWellFormed = String.prototype.isWellFormed;

  function isBuffer(v) {
    if (v instanceof ArrayBuffer) return true;
    if (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer) return true;
    // a buffer from another realm or with a replaced prototype
    return Object.prototype.toString.call(v) === "[object ArrayBuffer]";
  }

  // A Uint8Array over the bytes of an ArrayBuffer or ArrayBufferView, without copying; TypeError otherwise.
  function toUint8Array(source, what = "parameter 1") {
    if (source instanceof Uint8Array) return source;
    if (isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    if (isBuffer(source)) return new Uint8Array(source);
    throw new TypeError(`${what} is not of type 'ArrayBuffer or ArrayBufferView'.`);
  }
  internal.toUint8Array = toUint8Array;

  function wellFormed(s) {
    if (isWellFormed) return isWellFormed.call(s) ? s : toWellFormed.call(s);
    return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }
  const encodeString = (s) => utf8Encode(wellFormed(s));
  internal.utf8Encode = encodeString;

  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = "") {
      return encodeString(String(input));
    }
    encodeInto(source, destination) {
      if (arguments.length < 2) {
        throw new TypeError(
          `Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments required, but only ${arguments.length} present.`,
        );
      }
      if (!(destination instanceof Uint8Array)) {
        throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
      }
      const str = String(source);
      const cap = destination.length;
      if (cap >= str.length * 3) {
        const bytes = encodeString(str);
        destination.set(bytes);
        return { read: str.length, written: bytes.length };
      }
      let read = 0;
      let written = 0;
      const n = str.length;
      while (read < n) {
        let c = str.charCodeAt(read);
        let units = 1;
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = read + 1 < n ? str.charCodeAt(read + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            units = 2;
          } else {
            c = 0xfffd;
          }
        }
        if (c < 0x80) {
          if (written + 1 > cap) break;
          destination[written++] = c;
        } else if (c < 0x800) {
          if (written + 2 > cap) break;
          destination[written++] = 0xc0 | (c >> 6);
          destination[written++] = 0x80 | (c & 0x3f);
        } else if (c < 0x10000) {
          if (written + 3 > cap) break;
          destination[written++] = 0xe0 | (c >> 12);
          destination[written++] = 0x80 | ((c >> 6) & 0x3f);
          destination[written++] = 0x80 | (c & 0x3f);
        } else {
          if (written + 4 > cap) break;
          destination[written++] = 0xf0 | (c >> 18);
          destination[written++] = 0x80 | ((c >> 12) & 0x3f);
          destination[written++] = 0x80 | ((c >> 6) & 0x3f);
          destination[written++] = 0x80 | (c & 0x3f);
        }
        read += units;
      }
      return { read, written };
    }
  }
  Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: "TextEncoder", configurable: true });

  const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);
  const EMPTY = new Uint8Array(0);

  // How many bytes at the end of `b` start a valid but unfinished UTF-8 sequence (0 to 3).
  function incompleteTail(b) {
    const n = b.length;
    for (let k = 1; k <= 3 && k <= n; k++) {
      const c = b[n - k];
      if (c >= 0x80 && c <= 0xbf) continue;
      const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
      if (need <= k) return 0;
      if (k >= 2) {
        const s = b[n - k + 1];
        const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
        const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
        if (s < lo || s > hi) return 0;
      }
      return k;
    }
    return 0;
  }

  class TextDecoder {
    #fatal;
    #ignoreBOM;
    #pending = EMPTY; // an unfinished sequence kept from a streaming call
    #started = false; // bytes have been decoded since the stream began (the BOM is only skipped first)
    constructor(label = "utf-8", options = undefined) {
      const name = String(label).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
      if (!UTF8_LABELS.has(name)) {
        throw new RangeError(`Failed to construct 'TextDecoder': The encoding label provided ('${label}') is invalid.`);
      }
      if (options != null && typeof options !== "object" && typeof options !== "function") {
        throw new TypeError("Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'.");
      }
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() {
      return "utf-8";
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input = undefined, options = undefined) {
      let bytes = input === undefined ? EMPTY : toUint8Array(input, "Failed to execute 'decode' on 'TextDecoder': parameter 1");
      const stream = !!(options && options.stream);
      if (this.#pending.length) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        bytes = joined;
        this.#pending = EMPTY;
      }
      if (stream) {
        const keep = incompleteTail(bytes);
        if (keep) {
          this.#pending = bytes.slice(bytes.length - keep);
          bytes = bytes.subarray(0, bytes.length - keep);
        }
      }
      const skipBOM = !this.#ignoreBOM && !this.#started;
      let out = "";
      if (bytes.length) {
        try {
          out = utf8Decode(bytes, this.#fatal, !skipBOM);
        } catch (e) {
          this.#pending = EMPTY;
          this.#started = false;
          throw e;
        }
        this.#started = true;
      }
      if (!stream) {
        this.#started = false;
        this.#pending = EMPTY;
      }
      return out;
    }
  }
  Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: "TextDecoder", configurable: true });

  // ---------------------------------------------------------------------------------------------- base64

  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const DECODE = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

  function binaryString(codes, n) {
    let out = "";
    for (let i = 0; i < n; i += 8192) {
      out += String.fromCharCode.apply(null, codes.subarray(i, Math.min(n, i + 8192)));
    }
    return out;
  }

  function btoa(data) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
    }
    const s = String(data);
    const n = s.length;
    const out = new Uint8Array(Math.ceil(n / 3) * 4);
    let o = 0;
    const code = (i) => {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        throw new DOMException(
          "Failed to execute 'btoa': The string to be encoded contains characters outside of the Latin1 range.",
          "InvalidCharacterError",
        );
      }
      return c;
    };
    let i = 0;
    for (; i + 2 < n; i += 3) {
      const v = (code(i) << 16) | (code(i + 1) << 8) | code(i + 2);
      out[o++] = ALPHABET.charCodeAt(v >> 18);
      out[o++] = ALPHABET.charCodeAt((v >> 12) & 63);
      out[o++] = ALPHABET.charCodeAt((v >> 6) & 63);
      out[o++] = ALPHABET.charCodeAt(v & 63);
    }
    if (i < n) {
      const v = (code(i) << 16) | (i + 1 < n ? code(i + 1) << 8 : 0);
      out[o++] = ALPHABET.charCodeAt(v >> 18);
      out[o++] = ALPHABET.charCodeAt((v >> 12) & 63);
      out[o++] = i + 1 < n ? ALPHABET.charCodeAt((v >> 6) & 63) : 61;
      out[o++] = 61;
    }
    return binaryString(out, o);
  }

  function atob(data) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
    }
    const fail = () =>
      new DOMException("Failed to execute 'atob': The string to be decoded is not correctly encoded.", "InvalidCharacterError");
    let s = String(data).replace(/[\t\n\f\r ]+/g, "");
    if (s.length % 4 === 0) {
      if (s.endsWith("==")) s = s.slice(0, -2);
      else if (s.endsWith("=")) s = s.slice(0, -1);
    }
    const n = s.length;
    if (n % 4 === 1) throw fail();
    const out = new Uint8Array(Math.floor((n * 3) / 4));
    let o = 0;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      const v = c < 128 ? DECODE[c] : -1;
      if (v < 0) throw fail();
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
      acc &= 0xff; // never need more than the pending bits
    }
    return binaryString(out, o);
  }

  internal.defineGlobal("TextEncoder", TextEncoder);
  internal.defineGlobal("TextDecoder", TextDecoder);
  internal.defineGlobal("atob", atob);
  internal.defineGlobal("btoa", btoa);
})
