(function (host, internal) {
  "use strict";
  // Timers, queueMicrotask, structuredClone, console, performance, navigator, scheduler, reportError, self.

  const hostLog = host.log;
  const hostNow = host.now;
  const setTimer = host.setTimer;
  const clearTimer = host.clearTimer;
  const DOMException = internal.DOMException;
  const report = (err) => {
    try {
      internal.reportError(err);
    } catch {
      // ignore a broken reporter
    }
  };
  const objToString = Object.prototype.toString;
  const hasOwn = Object.prototype.hasOwnProperty;
  const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
  const tagOf = (v) => objToString.call(v).slice(8, -1);

  function needArgs(n, count, what) {
    if (n < count) {
      throw new TypeError(`Failed to execute '${what}': ${count} argument${count > 1 ? "s" : ""} required, but only ${n} present.`);
    }
  }

  // ---------------------------------------------------------------------------------------------- timers

  const timers = new Map(); // our id -> host timer id
  let nextTimerId = 1;

  function toDelay(ms) {
    const n = Number(ms);
    return n > 0 && Number.isFinite(n) ? n : 0; // NaN, negatives and -0 become 0
  }

  function checkCallback(callback, what) {
    if (typeof callback !== "function") {
      throw new TypeError(`Failed to execute '${what}': parameter 1 is not of type 'Function'.`);
    }
  }

  function setTimeout(callback, ms = 0, ...args) {
    checkCallback(callback, "setTimeout");
    const id = nextTimerId++;
    timers.set(
      id,
      setTimer(toDelay(ms), () => {
        if (!timers.delete(id)) return;
        try {
          callback.apply(globalThis, args);
        } catch (err) {
          report(err);
        }
      }),
    );
    return id;
  }

  function setInterval(callback, ms = 0, ...args) {
    checkCallback(callback, "setInterval");
    const id = nextTimerId++;
    const delay = toDelay(ms);
    const tick = () => {
      if (!timers.has(id)) return;
      try {
        callback.apply(globalThis, args);
      } catch (err) {
        report(err);
      }
      if (timers.has(id)) timers.set(id, setTimer(delay, tick));
    };
    timers.set(id, setTimer(delay, tick));
    return id;
  }

  function clearTimeout(id = undefined) {
    const key = Number(id);
    const hostId = timers.get(key);
    if (hostId === undefined) return;
    timers.delete(key);
    clearTimer(hostId);
  }

  function queueMicrotask(callback) {
    needArgs(arguments.length, 1, "queueMicrotask");
    checkCallback(callback, "queueMicrotask");
    Promise.resolve().then(() => {
      try {
        callback();
      } catch (err) {
        report(err);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- structuredClone

  const ERROR_TYPES = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const UNCLONEABLE_TAGS = new Set([
    "Symbol", "Promise", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Generator", "AsyncGenerator",
    "Array Iterator", "Map Iterator", "Set Iterator", "String Iterator", "RegExp String Iterator", "Iterator Helper",
    "Module", "SharedArrayBuffer",
  ]);
  const detachedGetter = (Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached") || {}).get;
  const abTransfer = ArrayBuffer.prototype.transfer;

  function cloneError(what, message) {
    return new DOMException(message || `${what} could not be cloned.`, "DataCloneError");
  }

  function describeForClone(v) {
    if (typeof v === "symbol" || typeof v === "function") {
      try {
        return String(v);
      } catch {
        return "function";
      }
    }
    return `#<${tagOf(v)}>`;
  }

  function isDetached(buf) {
    if (detachedGetter) return detachedGetter.call(buf);
    return false;
  }

  function cloneBuffer(buf) {
    if (isDetached(buf)) throw cloneError("", "An ArrayBuffer is detached and could not be cloned.");
    if (buf.resizable) {
      const out = new ArrayBuffer(buf.byteLength, { maxByteLength: buf.maxByteLength });
      new Uint8Array(out).set(new Uint8Array(buf));
      return out;
    }
    return buf.slice(0);
  }

  function structuredClone(value, options = undefined) {
    needArgs(arguments.length, 1, "structuredClone");
    const memory = new Map();
    let transfer = [];
    if (options != null) {
      if (typeof options !== "object" && typeof options !== "function") {
        throw new TypeError("Failed to execute 'structuredClone': The provided value is not of type 'StructuredSerializeOptions'.");
      }
      if (options.transfer !== undefined) {
        if (options.transfer === null || typeof options.transfer[Symbol.iterator] !== "function") {
          throw new TypeError("Failed to execute 'structuredClone': The provided value cannot be converted to a sequence.");
        }
        transfer = [...options.transfer];
      }
    }
    for (let i = 0; i < transfer.length; i++) {
      const t = transfer[i];
      if (!(t instanceof ArrayBuffer) || tagOf(t) !== "ArrayBuffer") {
        throw cloneError("", `Value at index ${i} does not have a transferable type.`);
      }
      if (memory.has(t)) {
        throw cloneError("", `ArrayBuffer at index ${i} is a duplicate of an earlier ArrayBuffer. Duplicate ArrayBuffers cannot be transferred.`);
      }
      if (isDetached(t)) throw cloneError("", `ArrayBuffer at index ${i} is already detached.`);
      memory.set(t, cloneBuffer(t));
    }
    const out = cloneValue(value, memory);
    if (abTransfer) for (const t of transfer) abTransfer.call(t);
    return out;
  }

  function cloneValue(v, memory) {
    const type = typeof v;
    if (type === "symbol" || type === "function") throw cloneError(describeForClone(v));
    if (type !== "object" || v === null) return v;
    const seen = memory.get(v);
    if (seen !== undefined) return seen;
    let out;
    if (Array.isArray(v)) {
      out = new Array(v.length);
      memory.set(v, out);
      return copyProps(v, out, memory);
    }
    if (ArrayBuffer.isView(v)) {
      const buffer = cloneValue(v.buffer, memory);
      const ta = typedArrayTag.call(v);
      out = ta ? new globalThis[ta](buffer, v.byteOffset, v.length) : new DataView(buffer, v.byteOffset, v.byteLength);
      memory.set(v, out);
      return out;
    }
    const tag = tagOf(v);
    switch (tag) {
      case "Object":
      case "Arguments":
        break;
      case "Boolean":
      case "Number":
      case "String":
      case "BigInt":
        try {
          out = Object(globalThis[tag].prototype.valueOf.call(v));
        } catch {
          out = undefined; // a plain object with a spoofed tag
        }
        break;
      case "Date":
        try {
          out = new Date(Date.prototype.getTime.call(v));
        } catch {
          out = undefined;
        }
        break;
      case "RegExp":
        out = new RegExp(v.source, v.flags);
        break;
      case "ArrayBuffer":
        out = cloneBuffer(v);
        break;
      case "Map": {
        out = new Map();
        memory.set(v, out);
        const entries = [...Map.prototype.entries.call(v)];
        for (const [k, val] of entries) out.set(cloneValue(k, memory), cloneValue(val, memory));
        return out;
      }
      case "Set": {
        out = new Set();
        memory.set(v, out);
        const values = [...Set.prototype.values.call(v)];
        for (const val of values) out.add(cloneValue(val, memory));
        return out;
      }
      case "Error": {
        const name = v.name;
        const Ctor = hasOwn.call(ERROR_TYPES, name) ? ERROR_TYPES[name] : Error;
        out = new Ctor();
        memory.set(v, out);
        const msg = Object.getOwnPropertyDescriptor(v, "message");
        if (msg && "value" in msg) {
          Object.defineProperty(out, "message", { value: String(msg.value), writable: true, configurable: true });
        }
        const stack = v.stack;
        if (typeof stack === "string") {
          Object.defineProperty(out, "stack", { value: stack, writable: true, configurable: true });
        }
        if (hasOwn.call(v, "cause")) {
          Object.defineProperty(out, "cause", { value: cloneValue(v.cause, memory), writable: true, configurable: true });
        }
        return out;
      }
      case "DOMException":
        if (v instanceof DOMException) {
          out = new DOMException(v.message, v.name);
          if (typeof v.stack === "string") {
            Object.defineProperty(out, "stack", { value: v.stack, writable: true, configurable: true });
          }
        }
        break;
      default:
        if (UNCLONEABLE_TAGS.has(tag) || (typeof globalThis[tag] === "function" && v instanceof globalThis[tag])) {
          throw cloneError(describeForClone(v));
        }
    }
    if (out !== undefined) {
      memory.set(v, out);
      return out;
    }
    out = {};
    memory.set(v, out);
    return copyProps(v, out, memory);
  }

  function copyProps(v, out, memory) {
    for (const key of Object.keys(v)) {
      const val = cloneValue(v[key], memory);
      if (key === "__proto__") {
        Object.defineProperty(out, key, { value: val, writable: true, enumerable: true, configurable: true });
      } else {
        out[key] = val;
      }
    }
    return out;
  }

  internal.structuredClone = structuredClone;

  // ---------------------------------------------------------------------------------------------- inspect

  const INSPECT = Symbol.for("nodejs.util.inspect.custom");
  const BREAK_LENGTH = 80;
  const MAX_ITEMS = 100;
  const describeError = internal.describeError || ((e) => String(e));

  function quote(s) {
    const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes("`") && !s.includes("${") ? "`" : "'";
    let out = q;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      const c = s.charCodeAt(i);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (c < 0x20 || c === 0x7f) {
        out += ch === "\n" ? "\\n" : ch === "\t" ? "\\t" : ch === "\r" ? "\\r" : ch === "\b" ? "\\b" : ch === "\f" ? "\\f" : ch === "\v" ? "\\v" : "\\x" + c.toString(16).toUpperCase().padStart(2, "0");
      } else out += ch;
    }
    return out + q;
  }

  const formatNumber = (n) => (Object.is(n, -0) ? "-0" : String(n));
  const keyName = (k) =>
    typeof k === "symbol" ? `[${String(k)}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);

  function constructorName(v) {
    let proto = Object.getPrototypeOf(v);
    while (proto) {
      const d = Object.getOwnPropertyDescriptor(proto, "constructor");
      if (d && typeof d.value === "function" && d.value.name) return d.value.name;
      proto = Object.getPrototypeOf(proto);
    }
    return null;
  }

  function inspect(value, options = undefined) {
    const depth = options && options.depth !== undefined ? (options.depth === null ? Infinity : options.depth) : 2;
    return formatValue({ seen: [], circular: new Map(), depth }, value, 0, true);
  }
  internal.inspect = inspect;

  function formatValue(ctx, v, level, nested) {
    switch (typeof v) {
      case "string":
        return nested ? quote(v) : v;
      case "number":
        return formatNumber(v);
      case "bigint":
        return `${v}n`;
      case "symbol":
        return String(v);
      case "undefined":
        return "undefined";
      case "boolean":
        return String(v);
      default:
        if (v === null) return "null";
        try {
          return formatObject(ctx, v, level);
        } catch (e) {
          return "[Uninspectable]";
        }
    }
  }

  function functionBase(fn) {
    let src = "";
    try {
      src = Function.prototype.toString.call(fn);
    } catch {
      // ignore
    }
    const name = fn.name;
    if (src.startsWith("class")) return name ? `[class ${name}]` : "[class (anonymous)]";
    const kind = constructorName(fn) || "Function";
    return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
  }

  function formatObject(ctx, v, level) {
    if (ctx.seen.includes(v)) {
      let idx = ctx.circular.get(v);
      if (idx === undefined) ctx.circular.set(v, (idx = ctx.circular.size + 1));
      return `[Circular *${idx}]`;
    }
    if (typeof v[INSPECT] === "function") {
      const r = v[INSPECT](ctx.depth - level, { depth: ctx.depth - level }, inspect);
      if (r !== v) return typeof r === "string" ? r : formatValue(ctx, r, level, true);
    }
    const tag = tagOf(v);
    const ctor = typeof v === "function" ? null : constructorName(v);
    let prefix = "";
    let braces = ["{", "}"];
    let base = "";
    let entries = [];
    let keys = null; // own keys to show as `key: value`
    let grouped = false;
    const beyond = level > ctx.depth;

    const own = () => Reflect.ownKeys(v).filter((k) => Object.prototype.propertyIsEnumerable.call(v, k));

    if (typeof v === "function") {
      base = functionBase(v);
      keys = own();
      if (keys.length === 0) return base;
    } else if (Array.isArray(v)) {
      prefix = ctor && ctor !== "Array" ? `${ctor}(${v.length}) ` : "";
      braces = ["[", "]"];
      if (beyond && v.length) return `[${ctor || "Array"}]`;
      ctx.seen.push(v);
      let holes = 0;
      const n = Math.min(v.length, MAX_ITEMS);
      const flushHoles = () => {
        if (holes) entries.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
        holes = 0;
      };
      for (let i = 0; i < n; i++) {
        if (!hasOwn.call(v, i)) holes++;
        else {
          flushHoles();
          entries.push(formatValue(ctx, v[i], level + 1, true));
        }
      }
      flushHoles();
      if (v.length > n) entries.push(`... ${v.length - n} more item${v.length - n > 1 ? "s" : ""}`);
      ctx.seen.pop();
      keys = own().filter((k) => typeof k === "symbol" || !(String(k >>> 0) === k && k >>> 0 !== 4294967295));
      grouped = true;
    } else if (ArrayBuffer.isView(v)) {
      const ta = typedArrayTag.call(v);
      if (ta) {
        prefix = `${ta}(${v.length}) `;
        braces = ["[", "]"];
        const n = Math.min(v.length, MAX_ITEMS);
        for (let i = 0; i < n; i++) entries.push(typeof v[i] === "bigint" ? `${v[i]}n` : formatNumber(v[i]));
        if (v.length > n) entries.push(`... ${v.length - n} more item${v.length - n > 1 ? "s" : ""}`);
        grouped = true;
      } else {
        prefix = "DataView ";
        entries.push(`byteLength: ${v.byteLength}`, `byteOffset: ${v.byteOffset}`);
        entries.push(`buffer: ${formatValue(ctx, v.buffer, level + 1, true)}`);
      }
    } else if (tag === "ArrayBuffer" || tag === "SharedArrayBuffer") {
      prefix = `${tag} `;
      const bytes = new Uint8Array(v);
      const shown = Array.from(bytes.subarray(0, 50), (b) => b.toString(16).padStart(2, "0")).join(" ");
      const more = bytes.length > 50 ? ` ... ${bytes.length - 50} more byte${bytes.length - 50 > 1 ? "s" : ""}` : "";
      entries.push(`[Uint8Contents]: <${shown}${more}>`, `byteLength: ${v.byteLength}`);
    } else if (tag === "Map" && v instanceof Map) {
      prefix = `${ctor || "Map"}(${v.size}) `;
      if (beyond && v.size) return `[${ctor || "Map"}]`;
      ctx.seen.push(v);
      for (const [k, val] of v) {
        entries.push(`${formatValue(ctx, k, level + 1, true)} => ${formatValue(ctx, val, level + 1, true)}`);
      }
      ctx.seen.pop();
    } else if (tag === "Set" && v instanceof Set) {
      prefix = `${ctor || "Set"}(${v.size}) `;
      if (beyond && v.size) return `[${ctor || "Set"}]`;
      ctx.seen.push(v);
      for (const val of v) entries.push(formatValue(ctx, val, level + 1, true));
      ctx.seen.pop();
      grouped = true;
    } else if (tag === "Error" || v instanceof Error) {
      base = describeError(v);
      if (level > 0) base = base.split("\n").join("\n" + "  ".repeat(level));
      keys = own().filter((k) => k !== "stack" && k !== "message");
      if (keys.length === 0) return base;
    } else if (tag === "Date" && v instanceof Date) {
      const t = v.getTime();
      base = Number.isNaN(t) ? "Invalid Date" : v.toISOString();
      keys = own();
      if (keys.length === 0) return base;
    } else if (tag === "RegExp" && v instanceof RegExp) {
      base = String(v);
      keys = own().filter((k) => k !== "lastIndex");
      if (keys.length === 0) return base;
    } else if (["Number", "String", "Boolean", "BigInt", "Symbol"].includes(tag) && v instanceof globalThis[tag]) {
      const p = v.valueOf();
      base = `[${tag}: ${formatValue(ctx, p, level + 1, true)}]`;
      keys = own();
      if (tag === "String") keys = keys.filter((k) => typeof k === "symbol" || !/^\d+$/.test(k));
      if (keys.length === 0) return base;
    } else if (tag === "WeakMap" || tag === "WeakSet") {
      return `${tag} { <items unknown> }`;
    } else if (tag === "Promise") {
      return "Promise { <unknown> }";
    } else {
      const p = Object.getPrototypeOf(v);
      prefix = p === null ? "[Object: null prototype] " : ctor && ctor !== "Object" ? `${ctor} ` : "";
      if (tag !== "Object" && tag !== ctor && !prefix.startsWith("[")) prefix = `${ctor || "Object"} [${tag}] `;
      keys = own();
      if (beyond && keys.length) return `[${ctor || "Object"}]`;
    }

    if (keys && keys.length) {
      if (beyond) return base || `[${ctor || "Object"}]`;
      ctx.seen.push(v);
      for (const k of keys) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        let text;
        if (d && (d.get || d.set)) text = d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]";
        else text = formatValue(ctx, d ? d.value : undefined, level + 1, true);
        entries.push(`${keyName(k)}: ${text}`);
      }
      ctx.seen.pop();
    }
    if (base) prefix = `${base} `;
    let out;
    if (entries.length === 0) {
      out = `${prefix}${braces[0]}${braces[1]}`;
    } else {
      const total = entries.reduce((sum, e) => sum + e.length, 0) + entries.length;
      const indent = "  ".repeat(level);
      if (total + prefix.length + level * 2 + 10 <= BREAK_LENGTH && !entries.some((e) => e.includes("\n"))) {
        out = `${prefix}${braces[0]} ${entries.join(", ")} ${braces[1]}`;
      } else if (grouped && entries.length > 6 && entries.every((e) => e.length <= 16 && !e.includes("\n"))) {
        const width = Math.max(...entries.map((e) => e.length));
        const cols = Math.max(1, Math.min(16, Math.floor((BREAK_LENGTH - level * 2 - 2) / (width + 2))));
        const rows = [];
        for (let i = 0; i < entries.length; i += cols) {
          rows.push(entries.slice(i, i + cols).map((e, j, a) => (j < a.length - 1 || i + cols < entries.length ? e + "," : e).padStart(width + 1)).join(" "));
        }
        out = `${prefix}${braces[0]}\n${indent} ${rows.join(`\n${indent} `)}\n${indent}${braces[1]}`;
      } else {
        out = `${prefix}${braces[0]}\n${indent}  ${entries.join(`,\n${indent}  `)}\n${indent}${braces[1]}`;
      }
    }
    const ref = ctx.circular.get(v);
    return ref !== undefined ? `<ref *${ref}> ${out}` : out;
  }

  // ---------------------------------------------------------------------------------------------- console

  function formatArgs(args) {
    let i = 0;
    let out = "";
    if (typeof args[0] === "string") {
      const f = args[0];
      i = 1;
      let last = 0;
      for (let p = 0; p < f.length - 1; p++) {
        if (f.charCodeAt(p) !== 37) continue; // '%'
        const c = f[p + 1];
        let rep;
        if (c === "%") rep = "%";
        else if (i < args.length) {
          const a = args[i];
          switch (c) {
            case "s":
              rep =
                typeof a === "bigint" ? `${a}n` : typeof a === "number" ? formatNumber(a)
                  : typeof a === "object" && a !== null && !(a instanceof Error) ? inspect(a, { depth: 0 })
                  : typeof a === "symbol" ? String(a) : String(a);
              break;
            case "d":
            case "i":
            case "f":
              if (typeof a === "bigint") rep = c === "f" ? formatNumber(Number(a)) : `${a}n`;
              else if (typeof a === "symbol") rep = "NaN";
              else {
                let n;
                try {
                  n = c === "d" ? Number(a) : c === "i" ? parseInt(a) : parseFloat(a);
                } catch {
                  n = NaN;
                }
                rep = formatNumber(n);
              }
              break;
            case "j":
              try {
                rep = JSON.stringify(a);
              } catch {
                rep = "[Circular]";
              }
              break;
            case "o":
              rep = inspect(a, { depth: 4 });
              break;
            case "O":
              rep = inspect(a);
              break;
            case "c":
              rep = "";
              break;
            default:
              continue;
          }
          i++;
        } else continue;
        out += f.slice(last, p) + rep;
        last = p + 2;
        p++;
      }
      out += f.slice(last);
    }
    for (; i < args.length; i++) {
      const a = args[i];
      const s = typeof a === "string" ? a : inspect(a);
      out = out === "" && i === 0 ? s : `${out} ${s}`;
    }
    return out;
  }
  internal.formatLog = formatArgs;

  let groupIndent = "";
  const counts = new Map();
  const timersByLabel = new Map();

  function emit(level, text) {
    hostLog(level, groupIndent ? groupIndent + text.split("\n").join("\n" + groupIndent) : text);
  }
  const logger = (level) =>
    function (...args) {
      emit(level, formatArgs(args));
    };

  function renderTable(data, columns) {
    const rowKeys = [];
    const rows = [];
    const entries = data instanceof Map ? [...data] : Object.keys(data).map((k) => [k, data[k]]);
    const cols = [];
    let hasValues = false;
    for (const [k, row] of entries) {
      rowKeys.push(typeof k === "string" ? k : inspect(k));
      const r = {};
      if (row !== null && typeof row === "object") {
        for (const c of Object.keys(row)) {
          if (columns && !columns.includes(c)) continue;
          if (!cols.includes(c)) cols.push(c);
          r[c] = formatValue({ seen: [], circular: new Map(), depth: 0 }, row[c], 1, true);
        }
      } else {
        hasValues = true;
        r["\0values"] = formatValue({ seen: [], circular: new Map(), depth: 0 }, row, 1, true);
      }
      rows.push(r);
    }
    const useCols = columns ? columns.map(String) : cols;
    const head = ["(index)", ...useCols, ...(hasValues ? ["Values"] : [])];
    const keysOf = [...useCols, ...(hasValues ? ["\0values"] : [])];
    const body = rows.map((r, i) => [rowKeys[i], ...keysOf.map((k) => (k in r ? r[k] : ""))]);
    const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)) + 2);
    const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
    const row = (cells) => "│" + cells.map((s, c) => " " + s.padEnd(widths[c] - 1)).join("│") + "│";
    return [line("┌", "┬", "┐"), row(head), line("├", "┼", "┤"), ...body.map(row), line("└", "┴", "┘")].join("\n");
  }

  const console = {
    log: logger("log"),
    info: logger("info"),
    debug: logger("debug"),
    warn: logger("warn"),
    error: logger("error"),
    dirxml: logger("log"),
    trace(...args) {
      const stack = String(new Error().stack || "").split("\n").filter((l) => l.trim().startsWith("at ")).slice(1).join("\n");
      emit("log", `Trace${args.length ? ": " + formatArgs(args) : ""}${stack ? "\n" + stack : ""}`);
    },
    assert(condition = false, ...args) {
      if (condition) return;
      if (typeof args[0] === "string") args[0] = `Assertion failed: ${args[0]}`;
      else args.unshift("Assertion failed" + (args.length ? ":" : ""));
      emit("error", formatArgs(args));
    },
    dir(obj, options = undefined) {
      emit("log", inspect(obj, options));
    },
    table(data, columns = undefined) {
      if (data === null || typeof data !== "object") return emit("log", formatArgs([data]));
      emit("log", renderTable(data, Array.isArray(columns) ? columns : undefined));
    },
    time(label = "default") {
      label = String(label);
      if (timersByLabel.has(label)) return emit("warn", `Warning: Label '${label}' already exists for console.time()`);
      timersByLabel.set(label, hostNow());
    },
    timeEnd(label = "default") {
      label = String(label);
      const start = timersByLabel.get(label);
      if (start === undefined) return emit("warn", `Warning: No such label '${label}' for console.timeEnd()`);
      timersByLabel.delete(label);
      emit("log", `${label}: ${(hostNow() - start).toFixed(3)}ms`);
    },
    timeLog(label = "default", ...data) {
      label = String(label);
      const start = timersByLabel.get(label);
      if (start === undefined) return emit("warn", `Warning: No such label '${label}' for console.timeLog()`);
      emit("log", [`${label}: ${(hostNow() - start).toFixed(3)}ms`, ...(data.length ? [formatArgs(data)] : [])].join(" "));
    },
    count(label = "default") {
      label = String(label);
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      emit("log", `${label}: ${n}`);
    },
    countReset(label = "default") {
      label = String(label);
      if (!counts.has(label)) return emit("warn", `Warning: Count for '${label}' does not exist`);
      counts.set(label, 0);
    },
    group(...labels) {
      if (labels.length) emit("log", formatArgs(labels));
      groupIndent += "  ";
    },
    groupCollapsed(...labels) {
      console.group(...labels);
    },
    groupEnd() {
      groupIndent = groupIndent.slice(0, -2);
    },
    clear() {},
    profile() {},
    profileEnd() {},
    timeStamp() {},
  };
  Object.defineProperty(console, Symbol.toStringTag, { value: "console", configurable: true });

  // ---------------------------------------------------------------------------------------------- others

  class Performance {
    constructor(token = undefined) {
      if (token !== Performance) throw new TypeError("Illegal constructor");
    }
    get timeOrigin() {
      return 0;
    }
    now() {
      return hostNow();
    }
    toJSON() {
      return { timeOrigin: 0 };
    }
  }
  Object.defineProperty(Performance.prototype, Symbol.toStringTag, { value: "Performance", configurable: true });

  class Navigator {
    constructor(token = undefined) {
      if (token !== Navigator) throw new TypeError("Illegal constructor");
    }
    get userAgent() {
      return "Cloudflare-Workers";
    }
    get hardwareConcurrency() {
      return 1;
    }
    get language() {
      return "en";
    }
    get languages() {
      return ["en"];
    }
  }
  Object.defineProperty(Navigator.prototype, Symbol.toStringTag, { value: "Navigator", configurable: true });

  class Scheduler {
    constructor(token = undefined) {
      if (token !== Scheduler) throw new TypeError("Illegal constructor");
    }
    wait(ms = 0, options = undefined) {
      const signal = options && options.signal;
      if (signal && signal.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        let unregister = null;
        const id = setTimer(toDelay(ms), () => {
          if (unregister) unregister();
          resolve();
        });
        if (signal && internal.signalAddAlgorithm) {
          unregister = internal.signalAddAlgorithm(signal, (reason) => {
            clearTimer(id);
            reject(reason);
          });
        }
      });
    }
  }
  Object.defineProperty(Scheduler.prototype, Symbol.toStringTag, { value: "Scheduler", configurable: true });

  function reportError(e) {
    needArgs(arguments.length, 1, "reportError");
    report(e);
  }

  internal.defineGlobal("setTimeout", setTimeout);
  internal.defineGlobal("setInterval", setInterval);
  internal.defineGlobal("clearTimeout", clearTimeout);
  internal.defineGlobal("clearInterval", function clearInterval(id = undefined) {
    clearTimeout(id);
  });
  internal.defineGlobal("queueMicrotask", queueMicrotask);
  internal.defineGlobal("structuredClone", structuredClone);
  internal.defineGlobal("console", console);
  internal.defineGlobal("Performance", Performance);
  internal.defineGlobal("performance", new Performance(Performance));
  internal.defineGlobal("Navigator", Navigator);
  internal.defineGlobal("navigator", new Navigator(Navigator));
  internal.defineGlobal("scheduler", new Scheduler(Scheduler));
  internal.defineGlobal("reportError", reportError);
  internal.defineGlobal("self", globalThis);
})
