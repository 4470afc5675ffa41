(function (host, internal) {
  "use strict";

  // Web Crypto: `crypto` (Crypto), `crypto.subtle` (SubtleCrypto), CryptoKey, and Cloudflare's extensions
  // `crypto.subtle.timingSafeEqual` and `crypto.DigestStream`. The primitives are Rust host functions
  // (src/web/crypto.rs); argument checking, algorithm normalization and errors follow the W3C Web Cryptography
  // API. Implemented algorithms: digest SHA-1/256/384/512 and MD5; HMAC (importKey raw/jwk, exportKey raw/jwk,
  // generateKey, sign, verify); PBKDF2 (importKey raw, deriveBits). Everything else rejects with NotSupportedError.

  const randomFill = host.randomFill;
  const hostDigest = host.digest;
  const hostHmacSign = host.hmacSign;
  const hostHmacVerify = host.hmacVerify;
  const hostTimingSafeEqual = host.timingSafeEqual;
  const utf8Encode = host.utf8Encode;

  const bootDOMException = globalThis.DOMException;
  function domException(message, name) {
    const DOMExceptionClass = internal.DOMException || bootDOMException || globalThis.DOMException;
    return new DOMExceptionClass(message, name);
  }

  const typedArrayTag = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(Uint8Array.prototype),
    Symbol.toStringTag,
  ).get;
  const INTEGER_ARRAYS = new Set([
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
    "BigInt64Array", "BigUint64Array",
  ]);

  const ILLEGAL = Symbol("illegal constructor");
  function illegalConstructor() {
    return new TypeError("Illegal constructor");
  }

  function requireArgs(count, required, what) {
    if (count < required) {
      throw new TypeError(`${what}: ${required} argument${required > 1 ? "s" : ""} required, but only ${count} present.`);
    }
  }

  // A BufferSource as a Uint8Array view of the same memory (no copy).
  function bufferSourceBytes(data, what) {
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (typeof SharedArrayBuffer === "function" && data instanceof SharedArrayBuffer) return new Uint8Array(data);
    throw new TypeError(`${what} is not of type 'ArrayBuffer' or 'ArrayBufferView'.`);
  }

  function asciiUpper(s) {
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out += c >= 0x61 && c <= 0x7a ? String.fromCharCode(c - 0x20) : s[i];
    }
    return out;
  }

  // ---- algorithm normalization ---------------------------------------------------------------------------

  const DIGESTS = { "SHA-1": "SHA-1", "SHA-256": "SHA-256", "SHA-384": "SHA-384", "SHA-512": "SHA-512", "MD5": "MD5" };
  const HMAC_HASHES = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 }; // → block size in bits
  const JWK_HMAC_ALG = { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };
  // Algorithms of the Web Crypto spec (and Workers) that this runtime does not implement.
  const KNOWN_UNSUPPORTED = new Set([
    "RSASSA-PKCS1-V1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "ED25519", "X25519", "NODE-ED25519", "AES-CTR",
    "AES-CBC", "AES-GCM", "AES-KW", "HKDF",
  ]);

  // AlgorithmIdentifier → { name (as given), upper, alg (the dictionary or null) }.
  function algorithmIdentifier(algorithm) {
    if (algorithm !== null && (typeof algorithm === "object" || typeof algorithm === "function")) {
      const name = algorithm.name;
      if (name === undefined) throw new TypeError("Algorithm: the required member 'name' is undefined.");
      const s = `${name}`;
      return { name: s, upper: asciiUpper(s), alg: algorithm };
    }
    const s = `${algorithm}`;
    return { name: s, upper: asciiUpper(s), alg: null };
  }

  function notSupported(id) {
    if (KNOWN_UNSUPPORTED.has(id.upper)) {
      return domException(`Algorithm "${id.name}" is not implemented by this runtime.`, "NotSupportedError");
    }
    return domException("Unrecognized name.", "NotSupportedError");
  }

  function normalizeDigest(algorithm) {
    const id = algorithmIdentifier(algorithm);
    const name = DIGESTS[id.upper];
    if (name === undefined) throw notSupported(id);
    return name;
  }

  function normalizeHmacHash(hash) {
    if (hash === undefined) throw new TypeError("HmacImportParams: the required member 'hash' is undefined.");
    const id = algorithmIdentifier(hash);
    if (HMAC_HASHES[id.upper] === undefined) throw notSupported(id);
    return id.upper;
  }

  // [EnforceRange] unsigned long, or undefined.
  function optionalLength(length) {
    if (length === undefined) return undefined;
    const n = Number(length);
    if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) {
      throw new TypeError("HMAC key length is outside the range of an unsigned long.");
    }
    return Math.trunc(n);
  }

  // The HMAC dictionaries (HmacImportParams / HmacKeyGenParams) → { hash, length? }; null when not HMAC.
  function normalizeHmacParams(algorithm) {
    const id = algorithmIdentifier(algorithm);
    if (id.upper !== "HMAC") throw notSupported(id);
    if (id.alg === null) throw new TypeError("HMAC parameters must be an object with 'hash'.");
    return { hash: normalizeHmacHash(id.alg.hash), length: optionalLength(id.alg.length) };
  }

  // For sign/verify: only the name matters.
  function normalizeSignAlgorithm(algorithm) {
    const id = algorithmIdentifier(algorithm);
    if (id.upper !== "HMAC") throw notSupported(id);
    return "HMAC";
  }

  // ---- key usages ------------------------------------------------------------------------------------------

  const KEY_USAGES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];

  function normalizeUsages(usages, allowed) {
    if (usages === null || typeof usages !== "object" || typeof usages[Symbol.iterator] !== "function") {
      throw new TypeError("keyUsages must be a sequence of KeyUsage strings.");
    }
    const seen = new Set();
    for (const usage of usages) {
      const s = `${usage}`;
      if (!KEY_USAGES.includes(s)) throw new TypeError(`'${s}' is not a valid enum value of type KeyUsage.`);
      if (!allowed.includes(s)) throw domException(`Unsupported key usage "${s}" for this key.`, "SyntaxError");
      seen.add(s);
    }
    return KEY_USAGES.filter((u) => seen.has(u));
  }

  // ---- CryptoKey ---------------------------------------------------------------------------------------------

  let keyMaterial; // (key) → Uint8Array
  let keyHash; // (key) → canonical hash name

  class CryptoKey {
    #type;
    #extractable;
    #algorithm;
    #usages;
    #material;
    #hash;

    constructor(token, type, extractable, algorithm, usages, material, hash) {
      if (token !== ILLEGAL) throw illegalConstructor();
      this.#type = type;
      this.#extractable = extractable;
      this.#algorithm = algorithm;
      this.#usages = usages;
      this.#material = material;
      this.#hash = hash;
    }

    get type() { return this.#type; }
    get extractable() { return this.#extractable; }
    get algorithm() { return this.#algorithm; }
    get usages() { return this.#usages; }

    static {
      keyMaterial = (key) => key.#material;
      keyHash = (key) => key.#hash;
    }
  }

  function isCryptoKey(value) {
    try {
      keyMaterial(value);
      return true;
    } catch {
      return false;
    }
  }

  function requireKey(key, what) {
    if (!isCryptoKey(key)) throw new TypeError(`${what} is not of type 'CryptoKey'.`);
  }

  function newHmacKey(hash, length, material, extractable, usages) {
    if (usages.length === 0) throw domException("Usages cannot be empty when creating a key.", "SyntaxError");
    const algorithm = { name: "HMAC", hash: { name: hash }, length };
    return new CryptoKey(ILLEGAL, "secret", !!extractable, algorithm, usages, material, hash);
  }

  // ---- base64url (JWK) -----------------------------------------------------------------------------------

  const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  function base64urlEncode(bytes) {
    let out = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
    }
    if (i + 1 === bytes.length) {
      const n = bytes[i] << 16;
      out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
    } else if (i + 2 === bytes.length) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
    }
    return out;
  }

  function base64urlDecode(s) {
    let end = s.length;
    while (end > 0 && s[end - 1] === "=") end--;
    if (end % 4 === 1) return null;
    const out = new Uint8Array(Math.floor((end * 3) / 4));
    let acc = 0, bits = 0, o = 0;
    for (let i = 0; i < end; i++) {
      const v = B64URL.indexOf(s[i]);
      if (v < 0) return null;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
    }
    return out;
  }

  // ---- SubtleCrypto ----------------------------------------------------------------------------------------

  const FORMATS = ["raw", "spki", "pkcs8", "jwk"];
  function checkFormat(format) {
    const f = `${format}`;
    if (!FORMATS.includes(f)) throw new TypeError(`'${f}' is not a valid enum value of type KeyFormat.`);
    return f;
  }

  function importHmac(format, keyData, params, extractable, keyUsages) {
    const usages = normalizeUsages(keyUsages, ["sign", "verify"]);
    let data;
    if (format === "raw") {
      data = bufferSourceBytes(keyData, "keyData").slice();
    } else if (format === "jwk") {
      const jwk = keyData;
      if (jwk.kty !== "oct") throw domException("HMAC JSON Web Key must have kty \"oct\".", "DataError");
      if (typeof jwk.k !== "string") throw domException("HMAC JSON Web Key is missing \"k\".", "DataError");
      data = base64urlDecode(jwk.k);
      if (data === null) throw domException("HMAC JSON Web Key \"k\" is not valid base64url.", "DataError");
      const alg = JWK_HMAC_ALG[params.hash];
      if (jwk.alg !== undefined && jwk.alg !== alg) {
        throw domException(`HMAC JSON Web Key "alg" must be "${alg}" for hash ${params.hash}.`, "DataError");
      }
      if (usages.length !== 0 && jwk.use !== undefined && jwk.use !== "sig") {
        throw domException("HMAC JSON Web Key \"use\" must be \"sig\".", "DataError");
      }
      if (jwk.key_ops !== undefined) {
        const ops = Array.from(jwk.key_ops, (op) => `${op}`);
        for (const usage of usages) {
          if (!ops.includes(usage)) {
            throw domException(`JSON Web Key "key_ops" does not include the requested usage "${usage}".`, "DataError");
          }
        }
      }
      if (jwk.ext === false && extractable) {
        throw domException("JSON Web Key is not extractable (\"ext\" is false).", "DataError");
      }
    } else {
      throw domException(`HMAC keys cannot be imported in "${format}" format.`, "NotSupportedError");
    }
    const bits = data.length * 8;
    if (bits === 0) throw domException("HMAC key data must not be empty.", "DataError");
    let length = bits;
    if (params.length !== undefined) {
      if (params.length > bits || params.length <= bits - 8) {
        throw domException("HMAC key length does not match the key data.", "DataError");
      }
      length = params.length;
    }
    return newHmacKey(params.hash, length, data, extractable, usages);
  }

  // PBKDF2 (importKey "raw" + deriveBits), used by the SCRAM-SHA-256 auth of Postgres drivers; the key
  // derivation runs in the host (`host.pbkdf2`, src/node.rs).
  function importPbkdf2(format, keyData, extractable, keyUsages) {
    if (format !== "raw") throw domException(`PBKDF2 keys cannot be imported in "${format}" format.`, "NotSupportedError");
    if (extractable) throw domException("PBKDF2 keys are not extractable.", "SyntaxError");
    const usages = normalizeUsages(keyUsages, ["deriveBits", "deriveKey"]);
    const material = bufferSourceBytes(keyData, "keyData").slice();
    return new CryptoKey(ILLEGAL, "secret", false, { name: "PBKDF2" }, usages, material, null);
  }

  function derivePbkdf2(algorithm, key, length) {
    requireKey(key, "baseKey");
    const hashId = algorithmIdentifier(algorithm.hash);
    if (HMAC_HASHES[hashId.upper] === undefined) throw notSupported(hashId);
    if (algorithm.salt === undefined) throw new TypeError("Pbkdf2Params: the required member 'salt' is undefined.");
    const salt = bufferSourceBytes(algorithm.salt, "salt");
    const iterations = Number(algorithm.iterations);
    if (!(iterations > 0)) throw domException("PBKDF2 iterations must be greater than 0.", "OperationError");
    if (length === null || length === undefined || length % 8 !== 0) {
      throw domException("PBKDF2 length must be a non-null multiple of 8.", "OperationError");
    }
    checkKeyFor("PBKDF2", key, "deriveBits");
    return host.pbkdf2(hashId.upper, keyMaterial(key), salt, iterations, length / 8);
  }

  function checkKeyFor(algorithmName, key, usage) {
    if (key.algorithm.name !== algorithmName) {
      throw domException(`CryptoKey algorithm "${key.algorithm.name}" does not match "${algorithmName}".`, "InvalidAccessError");
    }
    if (!key.usages.includes(usage)) {
      throw domException(`Requested key usage "${usage}" does not match any usage listed in this CryptoKey.`, "InvalidAccessError");
    }
  }

  async function unsupportedOperation(algorithm, what) {
    const id = algorithmIdentifier(algorithm);
    if (KNOWN_UNSUPPORTED.has(id.upper) || id.upper === "HMAC") {
      throw domException(`${what} with "${id.name}" is not implemented by this runtime.`, "NotSupportedError");
    }
    throw domException("Unrecognized name.", "NotSupportedError");
  }

  class SubtleCrypto {
    constructor(token) {
      if (token !== ILLEGAL) throw illegalConstructor();
    }

    async digest(algorithm, data) {
      requireArgs(arguments.length, 2, "Failed to execute 'digest' on 'SubtleCrypto'");
      const name = normalizeDigest(algorithm);
      return hostDigest(name, bufferSourceBytes(data, "data"));
    }

    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      requireArgs(arguments.length, 5, "Failed to execute 'importKey' on 'SubtleCrypto'");
      format = checkFormat(format);
      if (format === "jwk") {
        if (keyData === undefined || keyData === null) keyData = {};
        else if (typeof keyData !== "object") throw new TypeError("keyData is not a JsonWebKey.");
      } else {
        bufferSourceBytes(keyData, "keyData");
      }
      if (algorithmIdentifier(algorithm).upper === "PBKDF2") return importPbkdf2(format, keyData, extractable, keyUsages);
      const params = normalizeHmacParams(algorithm);
      return importHmac(format, keyData, params, !!extractable, keyUsages);
    }

    async exportKey(format, key) {
      requireArgs(arguments.length, 2, "Failed to execute 'exportKey' on 'SubtleCrypto'");
      format = checkFormat(format);
      requireKey(key, "key");
      if (!key.extractable) throw domException("Key is not extractable.", "InvalidAccessError");
      const material = keyMaterial(key);
      if (format === "raw") return material.slice().buffer;
      if (format === "jwk") {
        return {
          kty: "oct",
          k: base64urlEncode(material),
          alg: JWK_HMAC_ALG[keyHash(key)],
          key_ops: key.usages.slice(),
          ext: key.extractable,
        };
      }
      throw domException(`HMAC keys cannot be exported in "${format}" format.`, "NotSupportedError");
    }

    async generateKey(algorithm, extractable, keyUsages) {
      requireArgs(arguments.length, 3, "Failed to execute 'generateKey' on 'SubtleCrypto'");
      const params = normalizeHmacParams(algorithm);
      const usages = normalizeUsages(keyUsages, ["sign", "verify"]);
      let length = params.length;
      if (length === undefined) length = HMAC_HASHES[params.hash];
      else if (length === 0) throw domException("HMAC key length must not be zero.", "OperationError");
      const bytes = new Uint8Array(Math.ceil(length / 8));
      for (let offset = 0; offset < bytes.length; offset += 65536) {
        randomFill(bytes.subarray(offset, offset + 65536));
      }
      return newHmacKey(params.hash, length, bytes, !!extractable, usages);
    }

    async sign(algorithm, key, data) {
      requireArgs(arguments.length, 3, "Failed to execute 'sign' on 'SubtleCrypto'");
      const name = normalizeSignAlgorithm(algorithm);
      requireKey(key, "key");
      const bytes = bufferSourceBytes(data, "data");
      checkKeyFor(name, key, "sign");
      return hostHmacSign(keyHash(key), keyMaterial(key), bytes);
    }

    async verify(algorithm, key, signature, data) {
      requireArgs(arguments.length, 4, "Failed to execute 'verify' on 'SubtleCrypto'");
      const name = normalizeSignAlgorithm(algorithm);
      requireKey(key, "key");
      const sig = bufferSourceBytes(signature, "signature");
      const bytes = bufferSourceBytes(data, "data");
      checkKeyFor(name, key, "verify");
      return hostHmacVerify(keyHash(key), keyMaterial(key), sig, bytes);
    }

    async encrypt(algorithm, key, data) {
      return unsupportedOperation(algorithm, "encrypt");
    }

    async decrypt(algorithm, key, data) {
      return unsupportedOperation(algorithm, "decrypt");
    }

    async deriveBits(algorithm, baseKey, length) {
      requireArgs(arguments.length, 2, "Failed to execute 'deriveBits' on 'SubtleCrypto'");
      if (algorithmIdentifier(algorithm).upper === "PBKDF2") return derivePbkdf2(algorithm, baseKey, length);
      return unsupportedOperation(algorithm, "deriveBits");
    }

    async deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
      return unsupportedOperation(algorithm, "deriveKey");
    }

    async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
      return unsupportedOperation(wrapAlgorithm, "wrapKey");
    }

    async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
      return unsupportedOperation(unwrapAlgorithm, "unwrapKey");
    }

    // Cloudflare extension: constant-time comparison of two equal-length buffers.
    timingSafeEqual(a, b) {
      requireArgs(arguments.length, 2, "Failed to execute 'timingSafeEqual' on 'SubtleCrypto'");
      const x = bufferSourceBytes(a, "a");
      const y = bufferSourceBytes(b, "b");
      if (x.byteLength !== y.byteLength) throw new TypeError("Input buffers must have the same byte length.");
      return hostTimingSafeEqual(x, y);
    }
  }

  // ---- DigestStream (Cloudflare extension) ----------------------------------------------------------------

  const digestStreams = new WeakMap();
  let digestStreamLinked = false;

  function chunkBytes(chunk) {
    if (typeof chunk === "string") return utf8Encode(chunk);
    if (chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) return bufferSourceBytes(chunk, "chunk").slice();
    throw new TypeError("DigestStream accepts only ArrayBuffer, ArrayBufferView or string chunks.");
  }

  class DigestStream {
    constructor(algorithm) {
      requireArgs(arguments.length, 1, "Failed to construct 'DigestStream'");
      const name = normalizeDigest(algorithm);
      const WritableStreamClass = internal.WritableStream || globalThis.WritableStream;
      if (typeof WritableStreamClass !== "function") throw new TypeError("WritableStream is not available.");
      if (!digestStreamLinked) {
        Object.setPrototypeOf(DigestStream.prototype, WritableStreamClass.prototype);
        Object.setPrototypeOf(DigestStream, WritableStreamClass);
        digestStreamLinked = true;
      }
      let resolve, reject;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => {}); // nobody has to look at the digest of an aborted stream
      const state = { promise, chunks: [], bytesWritten: 0 };
      const sink = {
        write(chunk) {
          try {
            const bytes = chunkBytes(chunk);
            state.chunks.push(bytes);
            state.bytesWritten += bytes.length;
          } catch (e) {
            reject(e);
            throw e;
          }
        },
        close() {
          const chunks = state.chunks;
          state.chunks = null;
          let all;
          if (chunks.length === 1) {
            all = chunks[0];
          } else {
            all = new Uint8Array(state.bytesWritten);
            let offset = 0;
            for (const c of chunks) {
              all.set(c, offset);
              offset += c.length;
            }
          }
          resolve(hostDigest(name, all));
        },
        abort(reason) {
          state.chunks = null;
          reject(reason);
        },
      };
      const stream = Reflect.construct(WritableStreamClass, [sink], new.target);
      digestStreams.set(stream, state);
      return stream;
    }

    get digest() {
      const state = digestStreams.get(this);
      if (state === undefined) throw new TypeError("Illegal invocation");
      return state.promise;
    }

    get bytesWritten() {
      const state = digestStreams.get(this);
      if (state === undefined) throw new TypeError("Illegal invocation");
      return state.bytesWritten;
    }
  }

  // ---- Crypto --------------------------------------------------------------------------------------------

  const subtle = new SubtleCrypto(ILLEGAL);
  let hexTable = null;

  class Crypto {
    constructor(token) {
      if (token !== ILLEGAL) throw illegalConstructor();
    }

    get subtle() {
      return subtle;
    }

    getRandomValues(array) {
      requireArgs(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'");
      if (!ArrayBuffer.isView(array)) {
        throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'.");
      }
      const tag = typedArrayTag.call(array);
      if (tag === undefined || !INTEGER_ARRAYS.has(tag)) {
        // Web Crypto spec (and workerd): a TypeMismatchError DOMException, not a TypeError.
        throw domException(
          "The provided ArrayBufferView is not an integer-typed array (getRandomValues accepts integer TypedArrays only).",
          "TypeMismatchError",
        );
      }
      const length = array.byteLength;
      if (length > 65536) {
        throw domException(
          `The ArrayBufferView's byte length (${length}) exceeds the number of bytes of entropy available via this API (65536)`,
          "QuotaExceededError",
        );
      }
      randomFill(new Uint8Array(array.buffer, array.byteOffset, length));
      return array;
    }

    randomUUID() {
      if (hexTable === null) {
        hexTable = [];
        for (let i = 0; i < 256; i++) hexTable.push((i < 16 ? "0" : "") + i.toString(16));
      }
      const b = randomFill(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = hexTable;
      return (
        h[b[0]] + h[b[1]] + h[b[2]] + h[b[3]] + "-" + h[b[4]] + h[b[5]] + "-" + h[b[6]] + h[b[7]] + "-" +
        h[b[8]] + h[b[9]] + "-" + h[b[10]] + h[b[11]] + h[b[12]] + h[b[13]] + h[b[14]] + h[b[15]]
      );
    }
  }

  Object.defineProperty(Crypto.prototype, "DigestStream", {
    value: DigestStream,
    writable: true,
    configurable: true,
  });

  function finishInterface(cls, name) {
    const proto = cls.prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== "constructor") Object.defineProperty(proto, key, { enumerable: true });
    }
    Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  }
  finishInterface(Crypto, "Crypto");
  finishInterface(SubtleCrypto, "SubtleCrypto");
  finishInterface(CryptoKey, "CryptoKey");
  finishInterface(DigestStream, "DigestStream");

  internal.defineGlobal("Crypto", Crypto);
  internal.defineGlobal("SubtleCrypto", SubtleCrypto);
  internal.defineGlobal("CryptoKey", CryptoKey);
  internal.defineGlobal("crypto", new Crypto(ILLEGAL));
})
