(function (host, internal) {
  "use strict";
  // node:util — inherits, promisify/callbackify, deprecate, format/formatWithOptions, a basic inspect,
  // isDeepStrictEqual, types (node:util/types), TextEncoder/TextDecoder, debuglog, and the legacy is* helpers.

  const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
  const kInspect = Symbol.for("nodejs.util.inspect.custom");

  function inherits(ctor, superCtor) {
    if (typeof ctor !== "function" || typeof superCtor !== "function") {
      const err = new TypeError('The "ctor" and "superCtor" arguments must be of type function');
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  function promisify(original) {
    if (typeof original !== "function") {
      const err = new TypeError('The "original" argument must be of type function');
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    if (original[kCustomPromisify]) return original[kCustomPromisify];
    function fn(...args) {
      return new Promise((resolve, reject) => {
        original.call(this, ...args, (err, ...values) => {
          if (err) reject(err);
          else resolve(values.length > 1 ? values : values[0]);
        });
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    Object.defineProperty(fn, kCustomPromisify, { value: fn, configurable: true });
    return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
  }
  promisify.custom = kCustomPromisify;

  function callbackify(original) {
    return function (...args) {
      const cb = args.pop();
      original.apply(this, args).then(
        (v) => queueMicrotask(() => cb(null, v)),
        (e) => queueMicrotask(() => cb(e || Object.assign(new Error("Promise was rejected with a falsy value"), { reason: e }))),
      );
    };
  }

  const warned = new Set();
  function deprecate(fn, msg, code) {
    let warnedOnce = false;
    return function (...args) {
      if (!warnedOnce && !(code && warned.has(code))) {
        warnedOnce = true;
        if (code) warned.add(code);
        console.warn(`DeprecationWarning: ${msg}`);
      }
      return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
    };
  }

  // ---- inspect -----------------------------------------------------------------------------------------------

  function inspect(value, opts) {
    const options = typeof opts === "object" && opts !== null ? opts : {};
    const depth = options.depth === undefined ? 2 : options.depth === null ? Infinity : options.depth;
    return formatValue(value, depth, new Set());
  }
  inspect.custom = kInspect;
  inspect.defaultOptions = { depth: 2 };

  function quote(s) {
    return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
  }
  function formatKey(k) {
    return typeof k === "symbol" ? `[${k.toString()}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
  }
  function formatValue(v, depth, seen) {
    switch (typeof v) {
      case "string": return quote(v);
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "bigint": return `${v}n`;
      case "boolean": case "undefined": return String(v);
      case "symbol": return v.toString();
      case "function": {
        const name = v.name ? `: ${v.name}` : " (anonymous)";
        return /^class\s/.test(Function.prototype.toString.call(v)) ? `[class ${v.name || "(anonymous)"}]` : `[Function${name}]`;
      }
    }
    if (v === null) return "null";
    if (typeof v[kInspect] === "function") return String(v[kInspect](depth, { depth }, inspect));
    if (seen.has(v)) return "[Circular *1]";
    if (v instanceof Error) return v.stack && String(v.stack).includes(v.message) ? String(v.stack) : `${v.name}: ${v.message}${v.stack ? "\n" + v.stack : ""}`;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Promise) return "Promise { <pending> }";
    if (depth < 0) return Array.isArray(v) ? "[Array]" : `[${(v.constructor && v.constructor.name) || "Object"}]`;
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const name = v.constructor ? v.constructor.name : "TypedArray";
        const items = Array.from(v.subarray(0, 50), (x) => (name === "Buffer" ? x.toString(16).padStart(2, "0") : String(x)));
        if (v.length > 50) items.push(`... ${v.length - 50} more ${name === "Buffer" ? "bytes" : "items"}`);
        return name === "Buffer" ? `<Buffer ${items.join(" ")}>` : `${name}(${v.length}) [ ${items.join(", ")} ]`;
      }
      if (Array.isArray(v)) {
        const items = v.slice(0, 100).map((x) => formatValue(x, depth - 1, seen));
        if (v.length > 100) items.push(`... ${v.length - 100} more items`);
        return items.length ? `[ ${items.join(", ")} ]` : "[]";
      }
      if (v instanceof Map) {
        const items = [...v].map(([k, x]) => `${formatValue(k, depth - 1, seen)} => ${formatValue(x, depth - 1, seen)}`);
        return `Map(${v.size}) {${items.length ? " " + items.join(", ") + " " : ""}}`;
      }
      if (v instanceof Set) {
        const items = [...v].map((x) => formatValue(x, depth - 1, seen));
        return `Set(${v.size}) {${items.length ? " " + items.join(", ") + " " : ""}}`;
      }
      const keys = Reflect.ownKeys(v).filter((k) => Object.prototype.propertyIsEnumerable.call(v, k));
      const items = keys.map((k) => `${formatKey(k)}: ${formatValue(v[k], depth - 1, seen)}`);
      const ctor = Object.getPrototypeOf(v) === null ? "[Object: null prototype] " : v.constructor && v.constructor.name !== "Object" ? `${v.constructor.name} ` : "";
      return items.length ? `${ctor}{ ${items.join(", ")} }` : `${ctor}{}`;
    } finally {
      seen.delete(v);
    }
  }

  function format(...args) {
    return formatWithOptions({}, ...args);
  }
  function formatWithOptions(options, first, ...rest) {
    if (typeof first !== "string") {
      return [first, ...rest].map((a) => (typeof a === "string" ? a : inspect(a, options))).join(" ");
    }
    let i = 0;
    let out = first.replace(/%([sdifjoOc%])/g, (m, c) => {
      if (c === "%") return "%";
      if (i >= rest.length) return m;
      const a = rest[i++];
      switch (c) {
        case "s": return typeof a === "string" ? a : typeof a === "bigint" ? `${a}n` : typeof a === "object" && a !== null ? inspect(a, { depth: 0 }) : String(a);
        case "d": case "i": {
          if (typeof a === "bigint") return `${a}n`;
          const n = Number(a);
          return String(c === "i" ? Math.trunc(n) : n);
        }
        case "f": return String(parseFloat(a));
        case "j": try { return JSON.stringify(a); } catch { return "[Circular]"; }
        case "o": case "O": return inspect(a, options);
        case "c": return "";
      }
      return m;
    });
    for (; i < rest.length; i++) out += " " + (typeof rest[i] === "string" ? rest[i] : inspect(rest[i], options));
    return out;
  }

  // ---- isDeepStrictEqual -----------------------------------------------------------------------------------

  function isDeepStrictEqual(a, b, seen = new Map()) {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return String(a) === String(b);
    if (ArrayBuffer.isView(a)) {
      if (a.byteLength !== b.byteLength) return false;
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !isDeepStrictEqual(v, b.get(k), seen)) return false;
      return true;
    }
    if (a instanceof Set) {
      if (a.size !== b.size) return false;
      for (const v of a) if (!b.has(v)) return false;
      return true;
    }
    const ka = Reflect.ownKeys(a).filter((k) => Object.prototype.propertyIsEnumerable.call(a, k));
    const kb = Reflect.ownKeys(b).filter((k) => Object.prototype.propertyIsEnumerable.call(b, k));
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !isDeepStrictEqual(a[k], b[k], seen)) return false;
    return true;
  }

  // ---- types ---------------------------------------------------------------------------------------------

  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
  const types = {
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isPromise: (v) => v instanceof Promise,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isSharedArrayBuffer: (v) => typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isDataView: (v) => v instanceof DataView,
    isTypedArray: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) !== undefined,
    isUint8Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Uint8Array",
    isUint8ClampedArray: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Uint8ClampedArray",
    isUint16Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Uint16Array",
    isUint32Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Uint32Array",
    isInt8Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Int8Array",
    isInt16Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Int16Array",
    isInt32Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Int32Array",
    isFloat32Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Float32Array",
    isFloat64Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "Float64Array",
    isBigInt64Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "BigInt64Array",
    isBigUint64Array: (v) => ArrayBuffer.isView(v) && typedArrayTag.call(v) === "BigUint64Array",
    isAsyncFunction: (v) => typeof v === "function" && tag(v) === "AsyncFunction",
    isGeneratorFunction: (v) => typeof v === "function" && /GeneratorFunction$/.test(tag(v)),
    isGeneratorObject: (v) => tag(v) === "Generator",
    isNativeError: (v) => v instanceof Error,
    isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt || v instanceof Symbol,
    isNumberObject: (v) => v instanceof Number,
    isStringObject: (v) => v instanceof String,
    isBooleanObject: (v) => v instanceof Boolean,
    isBigIntObject: (v) => typeof v === "object" && v instanceof BigInt,
    isSymbolObject: (v) => typeof v === "object" && v instanceof Symbol,
    isProxy: () => false,
    isKeyObject: () => false,
    isCryptoKey: (v) => typeof CryptoKey === "function" && v instanceof CryptoKey,
  };

  function debuglog() {
    const fn = () => {};
    fn.enabled = false;
    return fn;
  }

  function toUSVString(s) {
    return `${s}`.toWellFormed();
  }
  function stripVTControlCharacters(s) {
    return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  }

  const util = {
    inherits,
    promisify,
    callbackify,
    deprecate,
    inspect,
    format,
    formatWithOptions,
    isDeepStrictEqual,
    types,
    debuglog,
    debug: debuglog,
    toUSVString,
    stripVTControlCharacters,
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === "boolean",
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNumber: (v) => typeof v === "number",
    isString: (v) => typeof v === "string",
    isSymbol: (v) => typeof v === "symbol",
    isUndefined: (v) => v === undefined,
    isRegExp: types.isRegExp,
    isObject: (v) => v !== null && typeof v === "object",
    isDate: types.isDate,
    isError: (v) => v instanceof Error,
    isFunction: (v) => typeof v === "function",
    isPrimitive: (v) => v === null || (typeof v !== "object" && typeof v !== "function"),
    isBuffer: (v) => internal["module:node:buffer"].Buffer.isBuffer(v),
    get TextEncoder() { return globalThis.TextEncoder; },
    get TextDecoder() { return globalThis.TextDecoder; },
  };
  internal["module:node:util"] = util;
  internal["module:node:util/types"] = types;
})
