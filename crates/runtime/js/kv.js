(function (host, internal) {
  "use strict";
  // Workers KV: the `env` entry for a `kv_namespaces` binding. Arguments are checked here against Cloudflare's
  // limits with Cloudflare's error texts and types; the bytes live in the namespace's SQLite database
  // (`src/kv.rs`, `storage/src/kv.rs`).

  const MAX_KEY_BYTES = 512;
  const MAX_VALUE_BYTES = 25 * 1024 * 1024;
  const MAX_METADATA_BYTES = 1024;
  const MAX_LIST_KEYS = 1000;
  const MAX_BULK_KEYS = 100;
  const MIN_CACHE_TTL = 30;
  const MIN_EXPIRATION_TTL = 60;

  function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          n += 4;
          i++;
        } else n += 3;
      } else n += 3;
    }
    return n;
  }

  // A failure the way workerd reports a KV API error: `Error: KV <OP> failed: <status> <text>`.
  function failed(op, status, text) {
    return new Error(`KV ${op} failed: ${status} ${text}`);
  }

  function storageFailed(op) {
    return (e) => {
      throw failed(op, 500, e && e.message !== undefined ? e.message : String(e));
    };
  }

  function checkKeyLength(op, key) {
    const n = utf8Length(key);
    if (n > MAX_KEY_BYTES) {
      throw failed(op, 414, `UTF-8 encoded length of ${n} exceeds key length limit of ${MAX_KEY_BYTES}.`);
    }
  }

  function checkKey(op, key) {
    key = String(key);
    if (key === "") throw new TypeError("Key name cannot be empty.");
    if (key === "." || key === "..") throw new TypeError(`"${key}" is not allowed as a key name.`);
    checkKeyLength(op, key);
    return key;
  }

  // An integer the way workerd sends numeric options: NaN and non-numbers become 0.
  function integer(v) {
    const n = Math.trunc(Number(v));
    return Number.isFinite(n) ? n : 0;
  }

  const TYPES = ["text", "json", "arrayBuffer", "stream"];

  function readOptions(op, options) {
    let type = "text";
    let cacheTtl;
    if (typeof options === "string") type = options;
    else if (options !== undefined && options !== null) {
      if (typeof options !== "object") {
        throw new TypeError("The second argument to get() must be a string type or an options object.");
      }
      if (options.type !== undefined) type = String(options.type);
      cacheTtl = options.cacheTtl;
    }
    if (cacheTtl !== undefined) {
      const ttl = integer(cacheTtl);
      if (ttl < MIN_CACHE_TTL) {
        throw failed(op, 400, `Invalid cache_ttl of ${ttl}. Cache TTL must be at least ${MIN_CACHE_TTL}.`);
      }
    }
    return type;
  }

  function byteStream(buffer) {
    return new ReadableStream({
      type: "bytes",
      start(controller) {
        if (buffer.byteLength > 0) controller.enqueue(new Uint8Array(buffer));
        controller.close();
      },
    });
  }

  function convert(value, type) {
    switch (type) {
      case "text":
        return value;
      case "json":
        return JSON.parse(value);
      case "arrayBuffer":
        return value;
      case "stream":
        return byteStream(value);
    }
    return value;
  }

  function parseMetadata(json) {
    return json === null || json === undefined ? null : JSON.parse(json);
  }

  async function getOne(id, key, options, withMetadata) {
    const type = readOptions("GET", options);
    if (!TYPES.includes(type)) {
      throw new TypeError(
        'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".',
      );
    }
    key = checkKey("GET", key);
    const [entry] = await host.kvGet(id, [key], type === "text" || type === "json").catch(storageFailed("GET"));
    if (!withMetadata) return entry === null ? null : convert(entry[0], type);
    if (entry === null) return { value: null, metadata: null, cacheStatus: null };
    return { value: convert(entry[0], type), metadata: parseMetadata(entry[1]), cacheStatus: null };
  }

  async function getBulk(id, keys, options, withMetadata) {
    const type = readOptions("GET_BULK", options);
    if (type !== "text" && type !== "json") {
      throw failed("GET_BULK", 400, `"${type}" is not a valid type. Use "json" or "text"`);
    }
    if (keys.length === 0) throw failed("GET_BULK", 400, "You must request a minimum of 1 key");
    if (keys.length > MAX_BULK_KEYS) {
      throw failed("GET_BULK", 400, `You can request a maximum of ${MAX_BULK_KEYS} keys`);
    }
    const names = keys.map((k) => checkKey("GET_BULK", k));
    const entries = await host.kvGet(id, names, true).catch(storageFailed("GET_BULK"));
    let total = 0;
    for (const e of entries) if (e !== null) total += e[0].length;
    if (total > MAX_VALUE_BYTES) {
      throw failed("GET_BULK", 413, "Total size of request exceeds the limit of 25MB");
    }
    const out = new Map();
    for (let i = 0; i < names.length; i++) {
      const e = entries[i];
      let value = null;
      if (e !== null) {
        if (type === "json") {
          try {
            value = JSON.parse(e[0]);
          } catch {
            throw failed("GET_BULK", 400, "At least one of the requested keys corresponds to a non-json value");
          }
        } else value = e[0];
      }
      if (!withMetadata) out.set(names[i], value);
      else out.set(names[i], e === null ? null : { value, metadata: parseMetadata(e[1]) });
    }
    return out;
  }

  // The bytes of a put() value; a stream is read to its end (or until it passes the size limit).
  async function valueBytes(value) {
    if (typeof value === "string") return host.utf8Encode(value);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (value !== null && typeof value === "object" && typeof value.getReader === "function") {
      const reader = value.getReader();
      const chunks = [];
      let length = 0;
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        let bytes = chunk;
        if (typeof chunk === "string") bytes = host.utf8Encode(chunk);
        else if (chunk instanceof ArrayBuffer) bytes = new Uint8Array(chunk);
        else if (ArrayBuffer.isView(chunk)) bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        else throw new TypeError("KV put() stream chunks must be ArrayBuffers or ArrayBufferViews.");
        length += bytes.byteLength;
        // Past the limit, keep counting (the error reports the whole length) but stop buffering.
        if (length <= MAX_VALUE_BYTES) chunks.push(bytes);
      }
      if (length > MAX_VALUE_BYTES) {
        throw failed("PUT", 413, `Value length of ${length} exceeds limit of ${MAX_VALUE_BYTES}.`);
      }
      if (chunks.length === 1) return chunks[0];
      const out = new Uint8Array(length);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    }
    if (value === null || value === undefined || typeof value === "object" || typeof value === "function") {
      throw new TypeError(
        "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.",
      );
    }
    return host.utf8Encode(String(value));
  }

  class KVNamespace {
    #id;
    constructor(id) {
      this.#id = id;
    }

    async get(key, options) {
      if (Array.isArray(key)) return getBulk(this.#id, key, options, false);
      return getOne(this.#id, key, options, false);
    }

    async getWithMetadata(key, options) {
      if (Array.isArray(key)) return getBulk(this.#id, key, options, true);
      return getOne(this.#id, key, options, true);
    }

    async put(key, value, options) {
      key = checkKey("PUT", key);
      options = options === undefined || options === null ? {} : options;
      let expiration;
      const now = host.kvNow();
      if (options.expirationTtl !== undefined && options.expirationTtl !== null) {
        const ttl = integer(options.expirationTtl);
        if (ttl <= 0) {
          throw failed("PUT", 400, `Invalid expiration_ttl of ${ttl}. Please specify integer greater than 0.`);
        }
        if (ttl < MIN_EXPIRATION_TTL) {
          throw failed(
            "PUT",
            400,
            `Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${MIN_EXPIRATION_TTL}.`,
          );
        }
        expiration = now + ttl;
      } else if (options.expiration !== undefined && options.expiration !== null) {
        const at = integer(options.expiration);
        if (at <= now) {
          throw failed(
            "PUT",
            400,
            `Invalid expiration of ${at}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
          );
        }
        if (at < now + MIN_EXPIRATION_TTL) {
          throw failed(
            "PUT",
            400,
            `Invalid expiration of ${at}. Expiration times must be at least ${MIN_EXPIRATION_TTL} seconds in the future.`,
          );
        }
        expiration = at;
      }
      let metadata;
      if (options.metadata !== undefined) {
        metadata = JSON.stringify(options.metadata);
        const n = utf8Length(metadata);
        if (n > MAX_METADATA_BYTES) {
          throw failed("PUT", 413, `Metadata length of ${n} exceeds limit of ${MAX_METADATA_BYTES}.`);
        }
      }
      const bytes = await valueBytes(value);
      if (bytes.byteLength > MAX_VALUE_BYTES) {
        throw failed("PUT", 413, `Value length of ${bytes.byteLength} exceeds limit of ${MAX_VALUE_BYTES}.`);
      }
      await host.kvPut(this.#id, key, bytes, expiration, metadata).catch(storageFailed("PUT"));
    }

    async delete(key) {
      key = checkKey("DELETE", key);
      await host.kvDelete(this.#id, key).catch(storageFailed("DELETE"));
    }

    async list(options) {
      options = options === undefined || options === null ? {} : options;
      let limit = MAX_LIST_KEYS;
      if (options.limit !== undefined && options.limit !== null) {
        const n = integer(options.limit);
        // workerd only sends a positive limit; anything else means the default.
        if (n > MAX_LIST_KEYS) {
          throw failed(
            "GET",
            400,
            `Invalid key_count_limit of ${n}. Please specify an integer less than ${MAX_LIST_KEYS}.`,
          );
        }
        if (n > 0) limit = n;
      }
      const prefix = options.prefix === undefined || options.prefix === null ? "" : String(options.prefix);
      checkKeyLength("GET", prefix);
      const cursor =
        options.cursor === undefined || options.cursor === null || options.cursor === ""
          ? undefined
          : String(options.cursor);
      const json = await host.kvList(this.#id, prefix, limit, cursor).catch((e) => {
        const text = e && e.message !== undefined ? e.message : String(e);
        throw failed("GET", text === "Invalid cursor" ? 400 : 500, text);
      });
      const result = JSON.parse(json);
      result.cacheStatus = null;
      return result;
    }

    get [Symbol.toStringTag]() {
      return "KvNamespace";
    }
  }

  internal["binding:kv"] = function (spec) {
    return new KVNamespace(spec.id);
  };
})
