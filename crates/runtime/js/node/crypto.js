(function (host, internal) {
  "use strict";
  // node:crypto — the pieces Postgres drivers' auth (MD5, SCRAM-SHA-256) and common libraries use: createHash
  // (md5, sha1, sha256, sha384, sha512), createHmac (sha*), pbkdf2/pbkdf2Sync, randomBytes/randomFillSync/
  // randomInt/randomUUID/getRandomValues, timingSafeEqual, getHashes, and webcrypto/subtle (the global Web
  // Crypto). Hashing is done by the host; update() keeps the chunks and digest() hashes them in one call.
  // Not here: ciphers, signing with keys, KeyObject, Diffie-Hellman, scrypt.

  const { Buffer } = internal["module:node:buffer"];
  const { encode } = internal.nodeEncoding;

  const HASHES = {
    md5: "MD5", sha1: "SHA-1", "sha-1": "SHA-1", sha256: "SHA-256", "sha-256": "SHA-256",
    sha384: "SHA-384", "sha-384": "SHA-384", sha512: "SHA-512", "sha-512": "SHA-512",
  };
  function hashName(algorithm, forHmac) {
    const name = HASHES[`${algorithm}`.toLowerCase()];
    if (name === undefined || (forHmac && name === "MD5")) {
      const err = new Error(forHmac ? `Invalid digest: ${algorithm}` : "Digest method not supported");
      err.code = forHmac ? "ERR_CRYPTO_INVALID_DIGEST" : "ERR_OSSL_EVP_UNSUPPORTED";
      throw err;
    }
    return name;
  }
  function toBytes(data, encoding, what = "data") {
    if (typeof data === "string") return encode(data, internal.nodeEncoding.normalizeEncoding(encoding) || "utf8");
    if (data instanceof Uint8Array) return data;
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    const err = new TypeError(`The "${what}" argument must be of type string or an instance of Buffer, TypedArray, or DataView.`);
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
  function concat(chunks) {
    if (chunks.length === 1) return chunks[0];
    let n = 0;
    for (const c of chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  function output(arrayBuffer, encoding) {
    const buf = Buffer.from(arrayBuffer);
    return encoding === undefined || encoding === "buffer" ? buf : buf.toString(encoding);
  }

  class Hash {
    #name;
    #chunks = [];
    #done = false;
    constructor(algorithm) {
      this.#name = hashName(algorithm, false);
    }
    update(data, encoding) {
      if (this.#done) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
      this.#chunks.push(toBytes(data, encoding).slice());
      return this;
    }
    digest(encoding) {
      if (this.#done) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
      this.#done = true;
      return output(host.digest(this.#name, concat(this.#chunks)), encoding);
    }
    copy() {
      const h = new Hash(this.#name.toLowerCase().replace("-", ""));
      for (const c of this.#chunks) h.update(c);
      return h;
    }
  }

  class Hmac {
    #name;
    #key;
    #chunks = [];
    #done = false;
    constructor(algorithm, key) {
      this.#name = hashName(algorithm, true);
      this.#key = toBytes(key, "utf8", "key").slice();
    }
    update(data, encoding) {
      if (this.#done) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
      this.#chunks.push(toBytes(data, encoding).slice());
      return this;
    }
    digest(encoding) {
      if (this.#done) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
      this.#done = true;
      return output(host.hmacSign(this.#name, this.#key, concat(this.#chunks)), encoding);
    }
  }

  function createHash(algorithm) {
    return new Hash(algorithm);
  }
  function createHmac(algorithm, key) {
    return new Hmac(algorithm, key);
  }
  function hash(algorithm, data, encoding = "hex") {
    return output(host.digest(hashName(algorithm, false), toBytes(data, "utf8")), encoding);
  }

  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    if (digest === undefined) {
      const err = new TypeError('The "digest" argument must be of type string. Received undefined');
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    const name = hashName(digest, true);
    return Buffer.from(host.pbkdf2(name, toBytes(password, "utf8", "password"), toBytes(salt, "utf8", "salt"), iterations, keylen));
  }
  function pbkdf2(password, salt, iterations, keylen, digest, callback) {
    if (typeof digest === "function") {
      callback = digest;
      digest = undefined;
    }
    let result, error = null;
    try {
      result = pbkdf2Sync(password, salt, iterations, keylen, digest);
    } catch (e) {
      error = e;
    }
    queueMicrotask(() => (error ? callback(error) : callback(null, result)));
  }

  function randomFillSync(buf, offset = 0, size) {
    const bytes = toBytes(buf, undefined, "buf");
    size = size === undefined ? bytes.length - offset : size;
    for (let i = offset; i < offset + size; i += 65536) {
      globalThis.crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, offset + size)));
    }
    return buf;
  }
  function randomBytes(size, callback) {
    const buf = randomFillSync(Buffer.alloc(size));
    if (typeof callback === "function") {
      queueMicrotask(() => callback(null, buf));
      return undefined;
    }
    return buf;
  }
  function randomFill(buf, offset, size, callback) {
    if (typeof offset === "function") [callback, offset, size] = [offset, 0, undefined];
    else if (typeof size === "function") [callback, size] = [size, undefined];
    randomFillSync(buf, offset, size);
    queueMicrotask(() => callback(null, buf));
  }
  function randomInt(min, max, callback) {
    if (max === undefined || typeof max === "function") [callback, max, min] = [max, min, 0];
    const range = max - min;
    if (!(range > 0) || range > 2 ** 48) throw new RangeError(`The value of "max" is out of range. It must be greater than the value of "min" (${min}).`);
    const bytes = new Uint8Array(6);
    const limit = 2 ** 48 - (2 ** 48 % range);
    let x;
    do {
      globalThis.crypto.getRandomValues(bytes);
      x = bytes.reduce((acc, b) => acc * 256 + b, 0);
    } while (x >= limit);
    const n = min + (x % range);
    if (typeof callback === "function") {
      queueMicrotask(() => callback(null, n));
      return undefined;
    }
    return n;
  }
  function timingSafeEqual(a, b) {
    const x = toBytes(a, undefined, "buf1");
    const y = toBytes(b, undefined, "buf2");
    if (x.length !== y.length) {
      const err = new RangeError("Input buffers must have the same byte length");
      err.code = "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH";
      throw err;
    }
    return host.timingSafeEqual(x, y);
  }

  const mod = {
    createHash,
    createHmac,
    hash,
    pbkdf2,
    pbkdf2Sync,
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFill,
    randomFillSync,
    randomInt,
    randomUUID: () => globalThis.crypto.randomUUID(),
    getRandomValues: (a) => globalThis.crypto.getRandomValues(a),
    timingSafeEqual,
    getHashes: () => ["md5", "sha1", "sha256", "sha384", "sha512"],
    getCiphers: () => [],
    getCurves: () => [],
    Hash,
    Hmac,
    constants: {},
    get webcrypto() { return globalThis.crypto; },
    get subtle() { return globalThis.crypto.subtle; },
  };
  internal["module:node:crypto"] = mod;
})
