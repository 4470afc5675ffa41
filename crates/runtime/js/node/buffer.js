(function (host, internal) {
  "use strict";
  // node:buffer — `Buffer` (a Uint8Array subclass, as in Node.js) with the encodings utf8, hex, base64,
  // base64url, latin1/binary, ascii and utf16le/ucs2, and the methods drivers use (from/alloc/concat/byteLength,
  // read/write of integers and floats, toString, slice/subarray sharing memory, copy, equals, compare, indexOf,
  // fill, toJSON). UTF-8 goes through the host (`host.utf8Encode/utf8Decode`).

  const utf8Encode = host.utf8Encode;
  const utf8Decode = host.utf8Decode;
  const kMaxLength = 2 ** 32;
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let b64Lookup = null;
  let hexTable = null;

  function normalizeEncoding(enc) {
    if (enc === undefined || enc === null || enc === "") return "utf8";
    switch (`${enc}`.toLowerCase()) {
      case "utf8": case "utf-8": return "utf8";
      case "hex": return "hex";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
      default: return null;
    }
  }
  function encodingOrThrow(enc) {
    const e = normalizeEncoding(enc);
    if (e === null) {
      const err = new TypeError(`Unknown encoding: ${enc}`);
      err.code = "ERR_UNKNOWN_ENCODING";
      throw err;
    }
    return e;
  }

  function base64Decode(s) {
    if (b64Lookup === null) {
      b64Lookup = new Int16Array(128).fill(-1);
      for (let i = 0; i < 64; i++) b64Lookup[B64.charCodeAt(i)] = i;
      b64Lookup[45] = 62; // -
      b64Lookup[95] = 63; // _
    }
    const out = new Uint8Array(Math.ceil((s.length * 3) / 4));
    let acc = 0, bits = 0, o = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 61) break; // '='
      const v = c < 128 ? b64Lookup[c] : -1;
      if (v < 0) continue; // whitespace and junk are skipped, as Node does
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
    }
    return out.subarray(0, o);
  }
  function base64Encode(bytes, alphabet, pad) {
    let out = "";
    let i = 0;
    const n = bytes.length;
    for (; i + 2 < n; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += alphabet[v >> 18] + alphabet[(v >> 12) & 63] + alphabet[(v >> 6) & 63] + alphabet[v & 63];
    }
    if (i + 1 === n) {
      const v = bytes[i] << 16;
      out += alphabet[v >> 18] + alphabet[(v >> 12) & 63] + (pad ? "==" : "");
    } else if (i + 2 === n) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += alphabet[v >> 18] + alphabet[(v >> 12) & 63] + alphabet[(v >> 6) & 63] + (pad ? "=" : "");
    }
    return out;
  }
  function hexDecode(s) {
    const n = s.length >>> 1;
    const out = new Uint8Array(n);
    let o = 0;
    for (; o < n; o++) {
      const v = parseInt(s.substr(o * 2, 2), 16);
      if (Number.isNaN(v)) break; // Node stops at the first invalid pair
      out[o] = v;
    }
    return out.subarray(0, o);
  }
  function hexEncode(bytes) {
    if (hexTable === null) {
      hexTable = [];
      for (let i = 0; i < 256; i++) hexTable.push((i < 16 ? "0" : "") + i.toString(16));
    }
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += hexTable[bytes[i]];
    return out;
  }
  function latin1Decode(bytes, mask) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 4096) {
      const part = bytes.subarray(i, Math.min(i + 4096, bytes.length));
      out += String.fromCharCode.apply(null, mask === 0xff ? part : Array.from(part, (b) => b & mask));
    }
    return out;
  }
  function latin1Encode(s) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
    return out;
  }
  function utf16Encode(s) {
    const out = new Uint8Array(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out[i * 2] = c & 0xff;
      out[i * 2 + 1] = c >> 8;
    }
    return out;
  }
  function utf16Decode(bytes) {
    let out = "";
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
    return out;
  }

  // string → Uint8Array in `encoding` (already normalized).
  function encode(string, encoding) {
    switch (encoding) {
      case "utf8": return utf8Encode(string);
      case "hex": return hexDecode(string);
      case "base64": case "base64url": return base64Decode(string);
      case "latin1": case "ascii": return latin1Encode(string);
      case "utf16le": return utf16Encode(string);
    }
    throw new TypeError(`Unknown encoding: ${encoding}`);
  }
  function decode(bytes, encoding) {
    switch (encoding) {
      case "utf8": return bytes.length === 0 ? "" : utf8Decode(bytes, false, true);
      case "hex": return hexEncode(bytes);
      case "base64": return base64Encode(bytes, B64, true);
      case "base64url": return base64Encode(bytes, B64URL, false);
      case "latin1": return latin1Decode(bytes, 0xff);
      case "ascii": return latin1Decode(bytes, 0x7f);
      case "utf16le": return utf16Decode(bytes);
    }
    throw new TypeError(`Unknown encoding: ${encoding}`);
  }

  function rangeError(name, range, value) {
    const err = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${value}`);
    err.code = "ERR_OUT_OF_RANGE";
    return err;
  }
  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    if (typeof offset !== "number" || !Number.isInteger(offset)) {
      const err = new TypeError(`The "offset" argument must be of type number. Received ${typeof offset}`);
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    if (offset < 0 || offset + size > buf.length) {
      const err = rangeError("offset", `>= 0 and <= ${buf.length - size}`, offset);
      if (buf.length - size < 0) err.code = "ERR_BUFFER_OUT_OF_BOUNDS";
      throw err;
    }
    return offset;
  }
  function checkInt(value, min, max) {
    if (typeof value !== "number" && typeof value !== "bigint") value = Number(value);
    if (value > max || value < min) throw rangeError("value", `>= ${min} and <= ${max}`, value);
    return value;
  }

  function view(buf) {
    return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  class Buffer extends Uint8Array {
    // Called by `new Buffer(...)` (deprecated, but still used) and by the typed-array species machinery
    // (subarray, map, filter) with (length) or (arrayBuffer, byteOffset, length).
    constructor(arg, encodingOrOffset, length) {
      if (typeof arg === "string") return Buffer.from(arg, encodingOrOffset);
      if (typeof arg === "number") {
        super(arg);
        return;
      }
      if (arg instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && arg instanceof SharedArrayBuffer)) {
        super(arg, encodingOrOffset ?? 0, length ?? arg.byteLength - (encodingOrOffset ?? 0));
        return;
      }
      return Buffer.from(arg);
    }

    static from(value, encodingOrOffset, length) {
      if (typeof value === "string") {
        const bytes = encode(value, encodingOrThrow(encodingOrOffset));
        return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)) {
        const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset) || 0;
        if (offset > value.byteLength) throw rangeError("offset", `<= ${value.byteLength}`, offset);
        const len = length === undefined ? value.byteLength - offset : Number(length) || 0;
        if (offset + len > value.byteLength) throw rangeError("length", `<= ${value.byteLength - offset}`, len);
        return new Buffer(value, offset, len);
      }
      if (ArrayBuffer.isView(value)) {
        const src = value instanceof Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        const out = new Buffer(src.length);
        out.set(src);
        return out;
      }
      if (value !== null && typeof value === "object") {
        if (typeof value[Symbol.toPrimitive] === "function" || (typeof value.valueOf === "function" && value.valueOf() !== value)) {
          const prim = typeof value[Symbol.toPrimitive] === "function" ? value[Symbol.toPrimitive]("string") : value.valueOf();
          if (prim !== value) return Buffer.from(prim, encodingOrOffset, length);
        }
        if (value.type === "Buffer" && Array.isArray(value.data)) return fromArrayLike(value.data);
        if (typeof value.length === "number" || Array.isArray(value)) return fromArrayLike(value);
      }
      const err = new TypeError(
        "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received " +
          (value === null ? "null" : typeof value),
      );
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }

    static alloc(size, fill, encoding) {
      checkSize(size);
      const buf = new Buffer(size);
      if (fill !== undefined && fill !== 0 && size > 0) buf.fill(fill, 0, buf.length, encoding);
      return buf;
    }
    static allocUnsafe(size) {
      checkSize(size);
      return new Buffer(size);
    }
    static allocUnsafeSlow(size) {
      checkSize(size);
      return new Buffer(size);
    }
    static isBuffer(value) {
      return value instanceof Buffer;
    }
    static isEncoding(enc) {
      return typeof enc === "string" && enc !== "" && normalizeEncoding(enc) !== null;
    }
    static byteLength(value, encoding) {
      if (typeof value !== "string") {
        if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
        const err = new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
        err.code = "ERR_INVALID_ARG_TYPE";
        throw err;
      }
      const enc = normalizeEncoding(encoding) || "utf8";
      switch (enc) {
        case "utf8": return utf8ByteLength(value);
        case "latin1": case "ascii": return value.length;
        case "utf16le": return value.length * 2;
        case "hex": return value.length >>> 1;
        default: return encode(value, enc).length;
      }
    }
    static concat(list, totalLength) {
      if (!Array.isArray(list)) {
        const err = new TypeError('The "list" argument must be an instance of Array.');
        err.code = "ERR_INVALID_ARG_TYPE";
        throw err;
      }
      if (totalLength === undefined) {
        totalLength = 0;
        for (const b of list) totalLength += b.length;
      }
      const out = new Buffer(totalLength);
      let pos = 0;
      for (const b of list) {
        if (!(b instanceof Uint8Array)) {
          const err = new TypeError('The "list" argument must contain only Buffer or Uint8Array instances.');
          err.code = "ERR_INVALID_ARG_TYPE";
          throw err;
        }
        if (pos + b.length > totalLength) {
          out.set(b.subarray(0, totalLength - pos), pos);
          pos = totalLength;
          break;
        }
        out.set(b, pos);
        pos += b.length;
      }
      return out;
    }
    static compare(a, b) {
      return compareBytes(a, b);
    }

    get parent() {
      return this.buffer;
    }
    get offset() {
      return this.byteOffset;
    }

    toString(encoding, start, end) {
      const enc = encodingOrThrow(encoding);
      start = start === undefined ? 0 : Math.max(0, start | 0);
      end = end === undefined ? this.length : Math.min(this.length, end | 0);
      if (end <= start) return "";
      return decode(start === 0 && end === this.length ? this : Uint8Array.prototype.subarray.call(this, start, end), enc);
    }
    toLocaleString(encoding, start, end) {
      return this.toString(encoding, start, end);
    }
    toJSON() {
      return { type: "Buffer", data: Array.from(this) };
    }
    equals(other) {
      if (!(other instanceof Uint8Array)) {
        const err = new TypeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array.');
        err.code = "ERR_INVALID_ARG_TYPE";
        throw err;
      }
      return compareBytes(this, other) === 0;
    }
    compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
      return compareBytes(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd));
    }
    copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      targetStart = Math.max(0, targetStart | 0);
      sourceStart = Math.max(0, sourceStart | 0);
      sourceEnd = Math.min(this.length, sourceEnd | 0);
      if (sourceEnd <= sourceStart || targetStart >= target.length) return 0;
      const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
      target.set(Uint8Array.prototype.subarray.call(this, sourceStart, sourceStart + n), targetStart);
      return n;
    }
    slice(start, end) {
      return this.subarray(start, end);
    }
    write(string, offset, length, encoding) {
      if (typeof offset === "string") {
        encoding = offset;
        offset = 0;
        length = this.length;
      } else if (typeof length === "string") {
        encoding = length;
        length = this.length - (offset || 0);
      }
      offset = offset === undefined ? 0 : offset >>> 0;
      if (offset > this.length) throw rangeError("offset", `<= ${this.length}`, offset);
      const max = this.length - offset;
      length = length === undefined ? max : Math.min(max, length >>> 0);
      let bytes = encode(`${string}`, encodingOrThrow(encoding));
      if (bytes.length > length) {
        let n = length;
        // Node never writes part of a UTF-8 character.
        if (normalizeEncoding(encoding) === "utf8") while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
        bytes = bytes.subarray(0, n);
      }
      this.set(bytes, offset);
      return bytes.length;
    }
    fill(value, offset, end, encoding) {
      if (typeof offset === "string") {
        encoding = offset;
        offset = 0;
        end = this.length;
      } else if (typeof end === "string") {
        encoding = end;
        end = this.length;
      }
      offset = offset === undefined ? 0 : offset >>> 0;
      end = end === undefined ? this.length : Math.min(this.length, end >>> 0);
      if (typeof value === "number" || typeof value === "boolean") {
        Uint8Array.prototype.fill.call(this, Number(value) & 0xff, offset, end);
        return this;
      }
      const bytes = typeof value === "string" ? encode(value, encodingOrThrow(encoding)) : value;
      if (bytes.length === 0) {
        Uint8Array.prototype.fill.call(this, 0, offset, end);
        return this;
      }
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
      return this;
    }
    indexOf(value, byteOffset, encoding) {
      return search(this, value, byteOffset, encoding, true);
    }
    lastIndexOf(value, byteOffset, encoding) {
      return search(this, value, byteOffset, encoding, false);
    }
    includes(value, byteOffset, encoding) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    }
    swap16() {
      if (this.length % 2) throw new RangeError("Buffer size must be a multiple of 16-bits");
      for (let i = 0; i < this.length; i += 2) [this[i], this[i + 1]] = [this[i + 1], this[i]];
      return this;
    }
    swap32() {
      if (this.length % 4) throw new RangeError("Buffer size must be a multiple of 32-bits");
      for (let i = 0; i < this.length; i += 4) {
        [this[i], this[i + 1], this[i + 2], this[i + 3]] = [this[i + 3], this[i + 2], this[i + 1], this[i]];
      }
      return this;
    }
    swap64() {
      if (this.length % 8) throw new RangeError("Buffer size must be a multiple of 64-bits");
      for (let i = 0; i < this.length; i += 8) {
        for (let j = 0; j < 4; j++) [this[i + j], this[i + 7 - j]] = [this[i + 7 - j], this[i + j]];
      }
      return this;
    }

    readUInt8(offset) {
      return this[checkOffset(this, offset, 1)];
    }
    readInt8(offset) {
      const v = this[checkOffset(this, offset, 1)];
      return v & 0x80 ? v - 0x100 : v;
    }
    writeUInt8(value, offset) {
      offset = checkOffset(this, offset, 1);
      this[offset] = checkInt(value, 0, 0xff);
      return offset + 1;
    }
    writeInt8(value, offset) {
      offset = checkOffset(this, offset, 1);
      this[offset] = checkInt(value, -0x80, 0x7f);
      return offset + 1;
    }
    readUIntBE(offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      let v = 0;
      for (let i = 0; i < byteLength; i++) v = v * 256 + this[offset + i];
      return v;
    }
    readUIntLE(offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      let v = 0;
      for (let i = byteLength - 1; i >= 0; i--) v = v * 256 + this[offset + i];
      return v;
    }
    readIntBE(offset, byteLength) {
      const v = this.readUIntBE(offset, byteLength);
      const limit = 2 ** (8 * byteLength - 1);
      return v >= limit ? v - limit * 2 : v;
    }
    readIntLE(offset, byteLength) {
      const v = this.readUIntLE(offset, byteLength);
      const limit = 2 ** (8 * byteLength - 1);
      return v >= limit ? v - limit * 2 : v;
    }
    writeUIntBE(value, offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      checkInt(value, 0, 2 ** (8 * byteLength) - 1);
      for (let i = byteLength - 1; i >= 0; i--) {
        this[offset + i] = value & 0xff;
        value = Math.floor(value / 256);
      }
      return offset + byteLength;
    }
    writeUIntLE(value, offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      checkInt(value, 0, 2 ** (8 * byteLength) - 1);
      for (let i = 0; i < byteLength; i++) {
        this[offset + i] = value & 0xff;
        value = Math.floor(value / 256);
      }
      return offset + byteLength;
    }
    writeIntBE(value, offset, byteLength) {
      const limit = 2 ** (8 * byteLength - 1);
      checkInt(value, -limit, limit - 1);
      return this.writeUIntBE(value < 0 ? value + limit * 2 : value, offset, byteLength);
    }
    writeIntLE(value, offset, byteLength) {
      const limit = 2 ** (8 * byteLength - 1);
      checkInt(value, -limit, limit - 1);
      return this.writeUIntLE(value < 0 ? value + limit * 2 : value, offset, byteLength);
    }
  }

  // read/write<Type><LE|BE> through a DataView.
  const ACCESSORS = [
    ["UInt16", "Uint16", 2, 0, 0xffff],
    ["Int16", "Int16", 2, -0x8000, 0x7fff],
    ["UInt32", "Uint32", 4, 0, 0xffffffff],
    ["Int32", "Int32", 4, -0x80000000, 0x7fffffff],
    ["Float", "Float32", 4, null, null],
    ["Double", "Float64", 8, null, null],
    ["BigUInt64", "BigUint64", 8, 0n, 2n ** 64n - 1n],
    ["BigInt64", "BigInt64", 8, -(2n ** 63n), 2n ** 63n - 1n],
  ];
  for (const [name, dv, size, min, max] of ACCESSORS) {
    for (const le of [true, false]) {
      const suffix = le ? "LE" : "BE";
      const get = DataView.prototype["get" + dv];
      const set = DataView.prototype["set" + dv];
      Buffer.prototype["read" + name + suffix] = function (offset) {
        offset = checkOffset(this, offset, size);
        return get.call(view(this), offset, le);
      };
      Buffer.prototype["write" + name + suffix] = function (value, offset) {
        offset = checkOffset(this, offset, size);
        if (min !== null) checkInt(value, min, max);
        set.call(view(this), offset, min === null ? Number(value) : value, le);
        return offset + size;
      };
    }
  }
  // Node's lower-case aliases (readUint8, writeUint32BE, readBigUint64LE, ...).
  for (const key of Object.getOwnPropertyNames(Buffer.prototype)) {
    if (/^(read|write)(Big)?UInt/.test(key)) {
      Object.defineProperty(Buffer.prototype, key.replace("UInt", "Uint"), {
        value: Buffer.prototype[key], writable: true, configurable: true,
      });
    }
  }

  function checkSize(size) {
    if (typeof size !== "number" || size < 0 || size > kMaxLength || Number.isNaN(size)) {
      const err = new RangeError(`The argument 'size' is invalid. Received ${size}`);
      err.code = "ERR_OUT_OF_RANGE";
      throw err;
    }
  }
  function fromArrayLike(a) {
    const out = new Buffer(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] & 0xff;
    return out;
  }
  function utf8ByteLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }
  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  function search(buf, value, byteOffset, encoding, forward) {
    if (typeof byteOffset === "string") {
      encoding = byteOffset;
      byteOffset = undefined;
    }
    let needle;
    if (typeof value === "number") needle = [value & 0xff];
    else if (typeof value === "string") needle = encode(value, encodingOrThrow(encoding));
    else if (value instanceof Uint8Array) needle = value;
    else throw new TypeError('The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array.');
    const len = buf.length;
    let start = byteOffset === undefined ? (forward ? 0 : len - needle.length) : Number(byteOffset) | 0;
    if (start < 0) start += len;
    if (needle.length === 0) return Math.min(Math.max(start, 0), len);
    const first = needle[0];
    if (forward) {
      for (let i = Math.max(start, 0); i <= len - needle.length; i++) {
        if (buf[i] !== first) continue;
        let j = 1;
        while (j < needle.length && buf[i + j] === needle[j]) j++;
        if (j === needle.length) return i;
      }
    } else {
      for (let i = Math.min(start, len - needle.length); i >= 0; i--) {
        if (buf[i] !== first) continue;
        let j = 1;
        while (j < needle.length && buf[i + j] === needle[j]) j++;
        if (j === needle.length) return i;
      }
    }
    return -1;
  }

  Object.defineProperty(Buffer, Symbol.species, { get() { return Buffer; }, configurable: true });
  Buffer.poolSize = 8192;

  function SlowBuffer(size) {
    return Buffer.allocUnsafeSlow(size);
  }
  function atob(s) { return globalThis.atob(s); }
  function btoa(s) { return globalThis.btoa(s); }
  function isUtf8(input) {
    try {
      utf8Decode(input instanceof Uint8Array ? input : new Uint8Array(input), true, true);
      return true;
    } catch {
      return false;
    }
  }
  function isAscii(input) {
    const b = input instanceof Uint8Array ? input : new Uint8Array(input);
    for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
    return true;
  }
  function transcode(source, from, to) {
    return Buffer.from(decode(source, encodingOrThrow(from)), encodingOrThrow(to));
  }

  const mod = {
    Buffer,
    SlowBuffer,
    kMaxLength,
    kStringMaxLength: 2 ** 29 - 24,
    constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 },
    INSPECT_MAX_BYTES: 50,
    atob,
    btoa,
    isUtf8,
    isAscii,
    transcode,
    get Blob() { return globalThis.Blob; },
    get File() { return globalThis.File; },
  };
  internal["module:node:buffer"] = mod;
  internal.nodeEncoding = { normalizeEncoding, encode, decode };
})
