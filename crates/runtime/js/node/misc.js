(function (host, internal) {
  "use strict";
  // The small Node.js modules: node:process (and the `process` global), node:path (POSIX), node:url,
  // node:string_decoder, node:timers (+ /promises), node:assert (+ /strict), node:os, node:perf_hooks (the
  // global performance), node:dns (lookup of IP literals only), node:fs (a stub: no files in Workers),
  // node:diagnostics_channel (no subscribers), and the globals nodejs_compat adds (Buffer, process, global,
  // setImmediate, clearImmediate).

  function nodeError(Ctor, code, message) {
    const err = new Ctor(message);
    err.code = code;
    return err;
  }

  // ---- process -------------------------------------------------------------------------------------------

  const PROCESS_EXPORTS = [
    "default", "env", "nextTick", "version", "versions", "release", "platform", "arch", "argv", "argv0", "execArgv",
    "execPath", "pid", "ppid", "title", "cwd", "chdir", "umask", "uptime", "hrtime", "memoryUsage", "cpuUsage",
    "emitWarning", "exit", "abort", "kill", "exitCode", "features", "config", "getuid", "getgid", "geteuid",
    "getegid", "stdout", "stderr", "stdin", "binding",
  ];
  let processObject = null;
  function makeProcess() {
    const { EventEmitter } = internal["module:node:events"];
    const env = {};
    if (internal.hasCompatFlag("nodejs_compat_populate_process_env")) {
      for (const [k, v] of Object.entries(internal.env)) if (typeof v === "string") env[k] = v;
    }
    const started = Date.now();
    const p = new EventEmitter();
    const nodeVersion = "22.14.0";
    Object.assign(p, {
      title: "node",
      version: `v${nodeVersion}`,
      versions: { node: nodeVersion },
      release: { name: "node" },
      platform: "linux",
      arch: "x64",
      argv: [],
      argv0: "node",
      execArgv: [],
      execPath: "/bin/node",
      pid: 1,
      ppid: 0,
      env,
      exitCode: undefined,
      features: { inspector: false },
      config: { variables: {} },
      browser: false,
      nextTick(fn, ...args) {
        if (typeof fn !== "function") throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "callback" argument must be of type function.');
        queueMicrotask(() => fn(...args));
      },
      cwd: () => "/bundle",
      chdir() {
        throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "process.chdir() is not supported in Workers");
      },
      umask: () => 0o22,
      uptime: () => (Date.now() - started) / 1000,
      hrtime: Object.assign(
        function hrtime(prev) {
          const ns = BigInt(Math.round(performance.now() * 1e6));
          let s = Number(ns / 1000000000n), n = Number(ns % 1000000000n);
          if (prev) {
            s -= prev[0];
            n -= prev[1];
            if (n < 0) {
              s--;
              n += 1e9;
            }
          }
          return [s, n];
        },
        { bigint: () => BigInt(Math.round(performance.now() * 1e6)) },
      ),
      memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
      cpuUsage: () => ({ user: 0, system: 0 }),
      emitWarning(warning) {
        console.warn(typeof warning === "string" ? `Warning: ${warning}` : warning);
      },
      exit(code) {
        throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `process.exit(${code ?? ""}) is not supported in Workers`);
      },
      abort() {
        throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "process.abort() is not supported in Workers");
      },
      kill() {
        throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "process.kill() is not supported in Workers");
      },
      getuid: () => 0,
      getgid: () => 0,
      geteuid: () => 0,
      getegid: () => 0,
      stdout: { isTTY: false, write: (s) => (console.log(String(s).replace(/\n$/, "")), true) },
      stderr: { isTTY: false, write: (s) => (console.error(String(s).replace(/\n$/, "")), true) },
      stdin: { isTTY: false },
      binding() {
        throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "process.binding() is not supported");
      },
    });
    return p;
  }
  function getProcess() {
    if (processObject === null) processObject = makeProcess();
    return processObject;
  }

  // ---- path (POSIX) ------------------------------------------------------------------------------------------

  function checkPath(p, name = "path") {
    if (typeof p !== "string") throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be of type string. Received ${typeof p}`);
  }
  function normalizeSegments(p, absolute) {
    const out = [];
    for (const seg of p.split("/")) {
      if (seg === "" || seg === ".") continue;
      if (seg === "..") {
        if (out.length && out[out.length - 1] !== "..") out.pop();
        else if (!absolute) out.push("..");
      } else out.push(seg);
    }
    return out;
  }
  const path = {
    sep: "/",
    delimiter: ":",
    normalize(p) {
      checkPath(p);
      if (p === "") return ".";
      const abs = p.startsWith("/");
      const trailing = p.endsWith("/");
      let out = normalizeSegments(p, abs).join("/");
      if (out === "" && !abs) out = ".";
      if (out !== "" && trailing) out += "/";
      return (abs ? "/" : "") + out;
    },
    join(...parts) {
      for (const p of parts) checkPath(p);
      const joined = parts.filter((p) => p !== "").join("/");
      return joined === "" ? "." : path.normalize(joined);
    },
    resolve(...parts) {
      let resolved = "";
      for (let i = parts.length - 1; i >= -1 && !resolved.startsWith("/"); i--) {
        const p = i >= 0 ? parts[i] : getProcess().cwd();
        checkPath(p);
        if (p !== "") resolved = resolved === "" ? p : `${p}/${resolved}`;
      }
      const out = "/" + normalizeSegments(resolved, true).join("/");
      return out;
    },
    isAbsolute(p) {
      checkPath(p);
      return p.startsWith("/");
    },
    dirname(p) {
      checkPath(p);
      if (p === "") return ".";
      const trimmed = p.replace(/\/+$/, "") || "/";
      const i = trimmed.lastIndexOf("/");
      if (i < 0) return ".";
      if (i === 0) return "/";
      return trimmed.slice(0, i).replace(/\/+$/, "") || "/";
    },
    basename(p, ext) {
      checkPath(p);
      const trimmed = p.replace(/\/+$/, "");
      let base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
      if (ext !== undefined && base.endsWith(ext) && base !== ext) base = base.slice(0, -ext.length);
      return base;
    },
    extname(p) {
      checkPath(p);
      const base = path.basename(p);
      const i = base.lastIndexOf(".");
      return i <= 0 ? "" : base.slice(i);
    },
    relative(from, to) {
      const a = path.resolve(from).split("/").filter(Boolean);
      const b = path.resolve(to).split("/").filter(Boolean);
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      return [...Array(a.length - i).fill(".."), ...b.slice(i)].join("/");
    },
    parse(p) {
      checkPath(p);
      const root = p.startsWith("/") ? "/" : "";
      const base = path.basename(p);
      const ext = path.extname(p);
      let dir = path.dirname(p);
      if (dir === "." && !p.startsWith(".")) dir = "";
      return { root, dir, base, ext, name: ext ? base.slice(0, -ext.length) : base };
    },
    format(o) {
      const dir = o.dir || o.root || "";
      const base = o.base || `${o.name || ""}${o.ext || ""}`;
      return dir ? (dir === o.root ? `${dir}${base}` : `${dir}/${base}`) : base;
    },
    toNamespacedPath: (p) => p,
  };
  path.posix = path;
  path.win32 = path;

  // ---- url ---------------------------------------------------------------------------------------------------

  function fileURLToPath(u) {
    const url = typeof u === "string" ? new URL(u) : u;
    if (url.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
    return decodeURIComponent(url.pathname);
  }
  function pathToFileURL(p) {
    return new URL(`file://${encodeURI(path.resolve(p)).replace(/[?#]/g, encodeURIComponent)}`);
  }
  function legacyParse(s, parseQuery) {
    let u;
    try {
      u = new URL(s);
    } catch {
      const rel = new URL(s, "relative:///");
      return {
        protocol: null, slashes: null, auth: null, host: null, port: null, hostname: null, hash: rel.hash || null,
        search: rel.search || null, query: parseQuery ? Object.fromEntries(rel.searchParams) : (rel.search.slice(1) || null),
        pathname: rel.pathname, path: rel.pathname + rel.search, href: s,
      };
    }
    const auth = u.username ? decodeURIComponent(u.username) + (u.password ? ":" + decodeURIComponent(u.password) : "") : null;
    return {
      protocol: u.protocol,
      slashes: /^[a-z][a-z0-9+.-]*:\/\//i.test(s),
      auth,
      host: u.host || null,
      port: u.port || null,
      hostname: u.hostname || null,
      hash: u.hash || null,
      search: u.search || null,
      query: parseQuery ? Object.fromEntries(u.searchParams) : (u.search.slice(1) || null),
      pathname: u.pathname,
      path: u.pathname + u.search,
      href: u.href,
    };
  }
  function legacyFormat(o) {
    if (o instanceof URL) return o.href;
    if (typeof o === "string") return o;
    const auth = o.auth ? `${o.auth}@` : "";
    const host = o.host || (o.hostname ? o.hostname + (o.port ? `:${o.port}` : "") : "");
    const search = o.search || (o.query && typeof o.query === "object" ? "?" + new URLSearchParams(o.query) : o.query ? `?${o.query}` : "");
    const protocol = o.protocol ? (o.protocol.endsWith(":") ? o.protocol : `${o.protocol}:`) : "";
    const slashes = o.slashes || host ? "//" : "";
    return `${protocol}${slashes}${auth}${host}${o.pathname || ""}${search}${o.hash || ""}`;
  }
  const url = {
    get URL() { return globalThis.URL; },
    get URLSearchParams() { return globalThis.URLSearchParams; },
    fileURLToPath,
    pathToFileURL,
    parse: legacyParse,
    format: legacyFormat,
    resolve: (from, to) => {
      const r = new URL(to, new URL(from, "resolve://"));
      return r.protocol === "resolve:" ? r.pathname + r.search + r.hash : r.href;
    },
    domainToASCII: (d) => {
      try {
        return new URL(`http://${d}`).hostname;
      } catch {
        return "";
      }
    },
    domainToUnicode: (d) => d,
  };

  // ---- string_decoder --------------------------------------------------------------------------------------

  class StringDecoder {
    constructor(encoding) {
      const { normalizeEncoding } = internal.nodeEncoding;
      const enc = normalizeEncoding(encoding);
      if (enc === null) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${encoding}`);
      this.encoding = enc;
      this._decoder = enc === "utf8" ? new TextDecoder("utf-8") : enc === "utf16le" ? new TextDecoder("utf-16le") : null;
      this._rest = new Uint8Array(0);
    }
    write(buf) {
      if (typeof buf === "string") return buf;
      const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf.buffer || buf, buf.byteOffset || 0, buf.byteLength);
      if (this._decoder) return this._decoder.decode(bytes, { stream: true });
      const { decode } = internal.nodeEncoding;
      if (this.encoding === "base64" || this.encoding === "base64url") {
        const all = new Uint8Array(this._rest.length + bytes.length);
        all.set(this._rest);
        all.set(bytes, this._rest.length);
        const usable = all.length - (all.length % 3);
        this._rest = all.slice(usable);
        return decode(all.subarray(0, usable), this.encoding);
      }
      return decode(bytes, this.encoding);
    }
    end(buf) {
      let out = buf === undefined ? "" : this.write(buf);
      if (this._decoder) out += this._decoder.decode();
      else if (this._rest.length) {
        out += internal.nodeEncoding.decode(this._rest, this.encoding);
        this._rest = new Uint8Array(0);
      }
      return out;
    }
  }

  // ---- timers ------------------------------------------------------------------------------------------------

  function setImmediate(fn, ...args) {
    return setTimeout(fn, 0, ...args);
  }
  function clearImmediate(id) {
    clearTimeout(id);
  }
  const timers = {
    setTimeout: (...a) => setTimeout(...a),
    clearTimeout: (id) => clearTimeout(id),
    setInterval: (...a) => setInterval(...a),
    clearInterval: (id) => clearInterval(id),
    setImmediate,
    clearImmediate,
  };
  function abortable(options, executor) {
    const signal = options && options.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const id = executor(resolve);
      if (signal) signal.addEventListener("abort", () => {
        clearTimeout(id);
        reject(signal.reason);
      }, { once: true });
    });
  }
  const timersPromises = {
    setTimeout: (ms, value, options) => abortable(options, (resolve) => setTimeout(() => resolve(value), ms)),
    setImmediate: (value, options) => abortable(options, (resolve) => setTimeout(() => resolve(value), 0)),
    scheduler: { wait: (ms, options) => abortable(options, (resolve) => setTimeout(resolve, ms)), yield: () => Promise.resolve() },
  };

  // ---- assert ------------------------------------------------------------------------------------------------

  class AssertionError extends Error {
    constructor(options = {}) {
      super(options.message || `${options.actual} ${options.operator} ${options.expected}`);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = !options.message;
    }
  }
  function fail(actual, expected, message, operator) {
    if (message instanceof Error) throw message;
    const show = (v) => internal["module:node:util"].inspect(v);
    throw new AssertionError({
      actual, expected, operator,
      message: message || (operator === "fail" ? "Failed" : `Expected values to be ${operator}:\n${show(actual)}\nshould equal\n${show(expected)}`),
    });
  }
  function assert(value, message) {
    if (!value) fail(value, true, message || "The expression evaluated to a falsy value", "==");
  }
  const deepEq = (a, b) => internal["module:node:util"].isDeepStrictEqual(a, b);
  function matchesError(err, expected) {
    if (expected === undefined) return true;
    if (typeof expected === "function") {
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected(err) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(err && err.message !== undefined ? err.message : err)) || expected.test(String(err));
    if (typeof expected === "object") {
      return Object.keys(expected).every((k) =>
        expected[k] instanceof RegExp && typeof err[k] === "string" ? expected[k].test(err[k]) : deepEq(err[k], expected[k]));
    }
    return true;
  }
  Object.assign(assert, {
    AssertionError,
    ok: assert,
    fail: (message) => fail(undefined, undefined, message || "Failed", "fail"),
    equal: (a, b, m) => { if (a != b && !(a !== a && b !== b)) fail(a, b, m, "=="); },
    notEqual: (a, b, m) => { if (a == b) fail(a, b, m, "!="); },
    strictEqual: (a, b, m) => { if (!Object.is(a, b)) fail(a, b, m, "strictEqual"); },
    notStrictEqual: (a, b, m) => { if (Object.is(a, b)) fail(a, b, m, "notStrictEqual"); },
    deepEqual: (a, b, m) => { if (!deepEq(a, b)) fail(a, b, m, "deepEqual"); },
    deepStrictEqual: (a, b, m) => { if (!deepEq(a, b)) fail(a, b, m, "deepStrictEqual"); },
    notDeepEqual: (a, b, m) => { if (deepEq(a, b)) fail(a, b, m, "notDeepEqual"); },
    notDeepStrictEqual: (a, b, m) => { if (deepEq(a, b)) fail(a, b, m, "notDeepStrictEqual"); },
    match: (s, re, m) => { if (!re.test(s)) fail(s, re, m, "match"); },
    doesNotMatch: (s, re, m) => { if (re.test(s)) fail(s, re, m, "doesNotMatch"); },
    ifError: (v) => { if (v !== null && v !== undefined) throw v; },
    throws(fn, expected, message) {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      try {
        fn();
      } catch (e) {
        if (!matchesError(e, expected)) throw e;
        return;
      }
      fail(undefined, expected, message || "Missing expected exception.", "throws");
    },
    doesNotThrow(fn, message) {
      try {
        fn();
      } catch (e) {
        fail(e, undefined, typeof message === "string" ? message : `Got unwanted exception.\nActual message: "${e && e.message}"`, "doesNotThrow");
      }
    },
    async rejects(p, expected, message) {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      try {
        await (typeof p === "function" ? p() : p);
      } catch (e) {
        if (!matchesError(e, expected)) throw e;
        return;
      }
      fail(undefined, expected, message || "Missing expected rejection.", "rejects");
    },
    async doesNotReject(p, message) {
      try {
        await (typeof p === "function" ? p() : p);
      } catch (e) {
        fail(e, undefined, message || `Got unwanted rejection.\nActual message: "${e && e.message}"`, "doesNotReject");
      }
    },
  });
  assert.strict = assert;

  // ---- os ----------------------------------------------------------------------------------------------------

  const os = {
    EOL: "\n",
    devNull: "/dev/null",
    platform: () => "linux",
    type: () => "Linux",
    arch: () => "x64",
    machine: () => "x86_64",
    release: () => "",
    version: () => "",
    hostname: () => "localhost",
    homedir: () => "/",
    tmpdir: () => "/tmp",
    endianness: () => "LE",
    uptime: () => 0,
    loadavg: () => [0, 0, 0],
    totalmem: () => 0,
    freemem: () => 0,
    availableParallelism: () => 1,
    cpus: () => [],
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 0, gid: 0, username: "worker", homedir: "/", shell: null }),
    constants: { signals: {}, errno: {} },
  };

  // ---- perf_hooks --------------------------------------------------------------------------------------------

  // The global `performance` (what postgres.js's Node build imports); no observers or histograms in Workers.
  const perfHooks = {
    get performance() {
      return globalThis.performance;
    },
    constants: {
      NODE_PERFORMANCE_GC_MAJOR: 4,
      NODE_PERFORMANCE_GC_MINOR: 1,
      NODE_PERFORMANCE_GC_INCREMENTAL: 8,
      NODE_PERFORMANCE_GC_WEAKCB: 16,
      NODE_PERFORMANCE_GC_FLAGS_NO: 0,
      NODE_PERFORMANCE_GC_FLAGS_CONSTRUCT_RETAINED: 2,
      NODE_PERFORMANCE_GC_FLAGS_FORCED: 4,
      NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING: 8,
      NODE_PERFORMANCE_GC_FLAGS_ALL_AVAILABLE_GARBAGE: 16,
      NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY: 32,
      NODE_PERFORMANCE_GC_FLAGS_SCHEDULE_IDLE: 64,
    },
    monitorEventLoopDelay() {
      throw new Error("perf_hooks.monitorEventLoopDelay() is not implemented in Workers");
    },
    createHistogram() {
      throw new Error("perf_hooks.createHistogram() is not implemented in Workers");
    },
  };
  perfHooks.default = perfHooks;

  // ---- dns ---------------------------------------------------------------------------------------------------

  function ipFamily(h) {
    return internal["module:node:net"].isIP(h);
  }
  function lookup(hostname, options, callback) {
    if (typeof options === "function") [callback, options] = [options, {}];
    const family = ipFamily(hostname);
    queueMicrotask(() => {
      if (family) {
        if (options && options.all) callback(null, [{ address: hostname, family }]);
        else callback(null, hostname, family);
      } else {
        const err = nodeError(Error, "ENOTFOUND", `getaddrinfo ENOTFOUND ${hostname} (corral's node:dns resolves only IP literals; connect() resolves names itself)`);
        err.hostname = hostname;
        callback(err);
      }
    });
  }
  const dnsPromises = {
    lookup: (hostname, options) =>
      new Promise((resolve, reject) =>
        lookup(hostname, options || {}, (err, address, family) => (err ? reject(err) : resolve(Array.isArray(address) ? address : { address, family })))),
  };
  const dns = { lookup, promises: dnsPromises, ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256 };

  // ---- fs (stub) ---------------------------------------------------------------------------------------------

  function enoent(syscall, p) {
    const err = nodeError(Error, "ENOENT", `ENOENT: no such file or directory, ${syscall} '${p}' (Workers have no file system)`);
    err.errno = -2;
    err.syscall = syscall;
    err.path = p;
    return err;
  }
  const fsPromises = {};
  const fs = { constants: { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 }, promises: fsPromises, existsSync: () => false };
  for (const name of ["readFile", "writeFile", "appendFile", "stat", "lstat", "access", "open", "readdir", "mkdir", "unlink", "rm", "rmdir", "rename", "realpath", "readlink", "copyFile", "chmod"]) {
    fs[name] = (p, ...rest) => {
      const cb = rest.reverse().find((a) => typeof a === "function");
      const err = enoent(name, p);
      if (cb) queueMicrotask(() => cb(err));
      else throw err;
    };
    fs[`${name}Sync`] = (p) => {
      throw enoent(name, p);
    };
    fsPromises[name] = (p) => Promise.reject(enoent(name, p));
  }
  fs.exists = (p, cb) => queueMicrotask(() => cb(false));
  fs.createReadStream = (p) => {
    throw enoent("open", p);
  };
  fs.createWriteStream = (p) => {
    throw enoent("open", p);
  };

  // ---- diagnostics_channel (no subscribers) -------------------------------------------------------------

  const channels = new Map();
  class Channel {
    constructor(name) {
      this.name = name;
      this._subscribers = [];
    }
    get hasSubscribers() {
      return this._subscribers.length > 0;
    }
    publish(message) {
      for (const s of this._subscribers.slice()) s(message, this.name);
    }
    subscribe(fn) {
      this._subscribers.push(fn);
    }
    unsubscribe(fn) {
      const i = this._subscribers.indexOf(fn);
      if (i >= 0) this._subscribers.splice(i, 1);
      return i >= 0;
    }
    bindStore() {}
    unbindStore() {}
    runStores(data, fn, thisArg, ...args) {
      return fn.apply(thisArg, args);
    }
  }
  function channel(name) {
    let c = channels.get(name);
    if (!c) channels.set(name, (c = new Channel(name)));
    return c;
  }
  const diagnosticsChannel = {
    channel,
    Channel,
    hasSubscribers: (name) => channel(name).hasSubscribers,
    subscribe: (name, fn) => channel(name).subscribe(fn),
    unsubscribe: (name, fn) => channel(name).unsubscribe(fn),
    tracingChannel(name) {
      const names = ["start", "end", "asyncStart", "asyncEnd", "error"];
      const t = Object.fromEntries(names.map((n) => [n, channel(`tracing:${name}:${n}`)]));
      return {
        ...t,
        get hasSubscribers() { return names.some((n) => t[n].hasSubscribers); },
        subscribe() {},
        unsubscribe() {},
        traceSync: (fn, ctx, thisArg, ...args) => fn.apply(thisArg, args),
        tracePromise: (fn, ctx, thisArg, ...args) => fn.apply(thisArg, args),
        traceCallback: (fn, pos, ctx, thisArg, ...args) => fn.apply(thisArg, args),
      };
    },
  };

  // ---- the hooks ---------------------------------------------------------------------------------------------

  // The process object is made on first use (it needs the worker's env and flags, known only after boot).
  const processModule = {};
  for (const name of PROCESS_EXPORTS) {
    Object.defineProperty(processModule, name, {
      enumerable: true,
      get: () => (name === "default" ? getProcess() : getProcess()[name]),
    });
  }
  internal["module:node:process"] = processModule;
  internal["module:node:path"] = { default: path, ...path };
  internal["module:node:path/posix"] = { default: path, ...path };
  internal["module:node:url"] = url;
  internal["module:node:string_decoder"] = { StringDecoder };
  internal["module:node:timers"] = timers;
  internal["module:node:timers/promises"] = timersPromises;
  internal["module:node:assert"] = { default: assert, ...assert };
  internal["module:node:assert/strict"] = { default: assert, ...assert };
  internal["module:node:os"] = os;
  internal["module:node:perf_hooks"] = perfHooks;
  internal["module:node:dns"] = dns;
  internal["module:node:dns/promises"] = dnsPromises;
  internal["module:node:fs"] = fs;
  internal["module:node:fs/promises"] = fsPromises;
  internal["module:node:diagnostics_channel"] = diagnosticsChannel;

  // The globals of nodejs_compat (v2): defined lazily, each loads its module on first touch.
  internal.installNodeGlobals = function () {
    const lazy = (name, get) =>
      Object.defineProperty(globalThis, name, {
        configurable: true,
        enumerable: false,
        get() {
          const value = get();
          internal.defineGlobal(name, value);
          return value;
        },
        set(value) {
          internal.defineGlobal(name, value);
        },
      });
    lazy("Buffer", () => internal["module:node:buffer"].Buffer);
    lazy("process", getProcess);
    lazy("global", () => globalThis);
    lazy("setImmediate", () => setImmediate);
    lazy("clearImmediate", () => clearImmediate);
  };
})
