(function (host, internal) {
  "use strict";
  // The glue between the Rust dispatcher and the worker's handlers: finds the handlers (module syntax,
  // WorkerEntrypoint class, or service-worker `addEventListener("fetch")`), runs one invocation per event,
  // delivers the response (whole or streamed) and tracks `waitUntil` work.

  const env = {};
  internal.env = env;
  let handlers = null; // the default export (object or WorkerEntrypoint class)
  let handlerIsClass = false;
  const fetchListeners = [];
  const scheduledListeners = [];
  let current = null; // the invocation whose synchronous code is running (for `waitUntil` from cloudflare:workers)
  // `enable_request_signal`: an incoming request's `signal` aborts when its client disconnects before the response
  // is out (fetch_api.js keeps the signals; the isolate reports the disconnects).
  let requestSignals = false;

  Object.defineProperty(globalThis, Symbol.for("corral.internal.workers"), {
    value: {
      env,
      waitUntil(promise) {
        if (current) current.waitUntil(promise);
        else Promise.resolve(promise).catch((e) => logError("Uncaught (in waitUntil)", e));
      },
      // The implementation of a built-in module (builtin_modules.rs): `cloudflare:sockets`, `node:*`.
      module(name) {
        return internal["module:" + name];
      },
      nodeModule(name) {
        if (!internal.hasCompatFlag("nodejs_compat") && !internal.hasCompatFlag("nodejs_compat_v2")) {
          throw new Error(
            `No such module "${name}": Node.js modules need the nodejs_compat compatibility flag ` +
              `(compatibility_flags = ["nodejs_compat"] in the wrangler config).`,
          );
        }
        return internal["module:" + name];
      },
    },
  });

  function describe(e) {
    if (e && typeof e === "object" && "stack" in e) {
      const head = `${e.name || "Error"}: ${e.message}`;
      return e.stack ? `${head}\n${e.stack}` : head;
    }
    return String(e);
  }

  function logError(what, e) {
    host.log("error", `${what}: ${describe(e)}`);
  }

  internal.defineGlobal("addEventListener", function addEventListener(type, listener) {
    if (typeof listener !== "function" && !(listener && typeof listener.handleEvent === "function")) {
      throw new TypeError("addEventListener: the listener must be a function or an object with handleEvent().");
    }
    if (type === "fetch") fetchListeners.push(listener);
    else if (type === "scheduled") scheduledListeners.push(listener);
  });

  let FetchEventClass = null;
  function FetchEventCtor() {
    if (FetchEventClass) return FetchEventClass;
    const Base = globalThis.Event || class {};
    FetchEventClass = class FetchEvent extends Base {
      #invocation;
      constructor(type, init, invocation) {
        super(type);
        this.request = init.request;
        this.#invocation = invocation;
        this.responded = false;
        this.response = undefined;
      }
      respondWith(response) {
        if (this.responded) {
          throw new DOMException("FetchEvent.respondWith() has already been called.", "InvalidStateError");
        }
        this.responded = true;
        this.response = response;
      }
      waitUntil(promise) {
        this.#invocation.waitUntil(promise);
      }
      passThroughOnException() {}
    };
    internal.defineGlobal("FetchEvent", FetchEventClass);
    return FetchEventClass;
  }

  class ExecutionContext {
    #invocation;
    constructor(invocation) {
      this.#invocation = invocation;
    }
    waitUntil(promise) {
      this.#invocation.waitUntil(promise);
    }
    // Without an origin behind the worker, Cloudflare answers a throwing worker with an error page; so do we.
    passThroughOnException() {}
    get props() {
      return {};
    }
  }
  internal.defineGlobal("ExecutionContext", ExecutionContext);

  // One event delivered to the worker; done when the response is out and every waitUntil promise settled.
  class Invocation {
    constructor(id) {
      this.id = id;
      this.pending = 1;
    }
    waitUntil(promise) {
      this.pending++;
      Promise.resolve(promise).then(
        () => this.release(),
        (e) => {
          logError("Uncaught (in waitUntil)", e);
          if (this.failure === undefined) this.failure = e;
          this.release();
        },
      );
    }
    release() {
      if (--this.pending === 0) {
        host.invocationDone();
        if (this.onDone) this.onDone();
      }
    }
  }

  // Runs the default export's `name` handler (`queue`, ...) as one invocation: `args`, then `env` and `ctx`
  // (a WorkerEntrypoint class gets only `args`). The promise settles once the handler and every `waitUntil`
  // settled: rejected with the first error, if any. The Rust side counted the invocation in (inflight).
  internal.runEvent = function (name, args) {
    const invocation = new Invocation(0);
    const done = new Promise((resolve) => (invocation.onDone = resolve));
    let result;
    current = invocation;
    try {
      if (handlers === null) throw new Error(`Handler does not export a ${name}() function.`);
      const ctx = new ExecutionContext(invocation);
      if (typeof handlers === "function") {
        const entrypoint = new handlers(ctx, env);
        if (typeof entrypoint[name] !== "function") throw new Error(`Handler does not export a ${name}() function.`);
        result = entrypoint[name](...args);
      } else {
        if (typeof handlers[name] !== "function") throw new Error(`Handler does not export a ${name}() function.`);
        result = handlers[name](...args, env, ctx);
      }
    } catch (e) {
      result = Promise.reject(e);
    }
    current = null;
    Promise.resolve(result).then(
      () => invocation.release(),
      (e) => {
        invocation.failure = e;
        invocation.release();
      },
    );
    return done.then(() => {
      if (invocation.failure !== undefined) throw invocation.failure;
    });
  };

  internal.setEnv = function (envJson) {
    Object.assign(env, JSON.parse(envJson));
  };

  // Bindings other than vars: each `{type, name, ...}` spec becomes an `env` entry made by the prelude file that
  // defines the `binding:<type>` hook (kv.js, durable_objects.js, ...).
  internal.setBindings = function (json) {
    for (const spec of JSON.parse(json)) {
      const make = internal["binding:" + spec.type];
      if (typeof make !== "function") throw new Error(`corral does not support ${spec.type} bindings yet`);
      env[spec.name] = make(spec);
    }
  };

  // Compatibility flags: explicit ones from the config, plus those on by default from their date.
  const compat = { flags: new Set(), date: "" };
  const DEFAULT_ON_FROM = {
    upper_case_all_http_methods: "2024-10-14",
    queues_json_messages: "2024-03-18",
    delete_all_deletes_alarm: "2026-02-24",
    nodejs_compat: "2026-08-04",
    nodejs_compat_populate_process_env: "2025-04-01",
  };
  internal.setCompat = function (flags, date) {
    for (const f of flags) compat.flags.add(f);
    compat.date = date || "";
    // nodejs_compat_v2 (implied by nodejs_compat from 2024-09-23) adds Buffer, process, global, setImmediate.
    const v2 =
      compat.flags.has("nodejs_compat_v2") ||
      (internal.hasCompatFlag("nodejs_compat") && compat.date >= "2024-09-23" && !compat.flags.has("no_nodejs_compat_v2"));
    if (v2) internal.installNodeGlobals();
    requestSignals = compat.flags.has("enable_request_signal") && !compat.flags.has("disable_request_signal");
  };
  internal.hasCompatFlag = function (name) {
    if (compat.flags.has(name)) return true;
    if (compat.flags.has("no_" + name)) return false;
    const from = DEFAULT_ON_FROM[name];
    return from !== undefined && compat.date >= from;
  };

  internal.init = function (namespace) {
    internal.exports = namespace;
    const def = namespace.default;
    if (typeof def === "function" && def.prototype && typeof def.prototype.fetch === "function") {
      handlers = def;
      handlerIsClass = true;
    } else if (typeof def === "function" && def.prototype) {
      handlers = def; // a WorkerEntrypoint class without fetch (queue, scheduled, RPC)
      handlerIsClass = true;
    } else if (def && typeof def === "object") {
      handlers = def;
    } else if (fetchListeners.length > 0 || scheduledListeners.length > 0) {
      // Service-worker syntax: bindings are globals.
      for (const key of Object.keys(env)) internal.defineGlobal(key, env[key]);
    }
  };

  function callFetch(request, invocation) {
    if (handlers !== null) {
      const ctx = new ExecutionContext(invocation);
      if (handlerIsClass) {
        const entrypoint = new handlers(ctx, env);
        if (typeof entrypoint.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
        return entrypoint.fetch(request);
      }
      if (typeof handlers.fetch !== "function") {
        throw new Error("Handler does not export a fetch() function.");
      }
      return handlers.fetch(request, env, ctx);
    }
    if (fetchListeners.length === 0) throw new Error("Handler does not export a fetch() function.");
    const FetchEvent = FetchEventCtor();
    const event = new FetchEvent("fetch", { request }, invocation);
    for (const listener of fetchListeners) {
      if (typeof listener === "function") listener.call(globalThis, event);
      else listener.handleEvent(event);
    }
    if (!event.responded) {
      throw new Error("No event handler responded to the fetch event: the script will never generate a response.");
    }
    return event.response;
  }

  const cf = Object.freeze({ colo: "LOCAL", httpProtocol: "HTTP/1.1", clientTcpRtt: 0 });

  internal.dispatchFetch = function (id, method, url, headers, bodyHandle) {
    const invocation = new Invocation(id);
    let result;
    current = invocation;
    try {
      const request = internal.makeIncomingRequest(method, url, headers, bodyHandle ?? null, cf, requestSignals ? id : 0);
      result = callFetch(request, invocation);
    } catch (e) {
      current = null;
      fail(invocation, e);
      return;
    }
    current = null;
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      result.then(
        (response) => deliver(invocation, response),
        (e) => fail(invocation, e),
      );
    } else {
      deliver(invocation, result);
    }
  };

  // A cron event: `scheduled(controller, env, ctx)` or the "scheduled" listeners. `done(error)` is called once the
  // handler's promise and every waitUntil promise settled, with null or the first failure (logged as it happens).
  internal.dispatchScheduled = function (cron, scheduledTime, done) {
    let pending = 1;
    let failure = null;
    const settle = (what) => (e) => {
      if (what) {
        logError(what, e);
        if (failure === null) failure = describe(e);
      }
      if (--pending === 0) done(failure);
    };
    const invocation = {
      waitUntil(promise) {
        pending++;
        Promise.resolve(promise).then(settle(null), settle("Uncaught (in waitUntil)"));
      },
    };
    const controller = { cron, scheduledTime, type: "scheduled", noRetry() {} };
    let result;
    current = invocation;
    try {
      const missing = "Handler does not export a scheduled() function.";
      if (handlers !== null) {
        const ctx = new ExecutionContext(invocation);
        const target = handlerIsClass ? new handlers(ctx, env) : handlers;
        if (typeof target.scheduled !== "function") throw new Error(missing);
        result = handlerIsClass ? target.scheduled(controller) : target.scheduled(controller, env, ctx);
      } else {
        if (scheduledListeners.length === 0) throw new Error(missing);
        const event = { ...controller, waitUntil: (p) => invocation.waitUntil(p) };
        for (const l of scheduledListeners) {
          if (typeof l === "function") l.call(globalThis, event);
          else l.handleEvent(event);
        }
      }
    } catch (e) {
      result = Promise.reject(e);
    }
    current = null;
    Promise.resolve(result).then(settle(null), settle("Uncaught (in scheduled)"));
  };

  // Runs `thunk()` (returning a Response or a promise of one) as invocation `id` and delivers its response,
  // as dispatchFetch does: used for Durable Object `fetch` events.
  internal.invoke = function (id, thunk) {
    const invocation = new Invocation(id);
    let result;
    current = invocation;
    try {
      result = thunk(invocation);
    } catch (e) {
      current = null;
      fail(invocation, e);
      return;
    }
    current = null;
    Promise.resolve(result).then(
      (response) => deliver(invocation, response),
      (e) => fail(invocation, e),
    );
  };
  internal.logError = logError;

  function fail(invocation, e) {
    host.respondError(invocation.id, e);
    if (requestSignals) internal.releaseIncomingSignal(invocation.id);
    invocation.release();
  }

  // Filled by responseParts and emptied right after, one response at a time (nothing runs in between).
  const parts = { status: 0, statusText: "", headers: null, body: null, webSocket: null, encodeBody: "" };

  function deliver(invocation, response) {
    try {
      internal.responseParts(response, parts);
    } catch (e) {
      fail(invocation, e);
      return;
    }
    if (parts.webSocket !== null && parts.webSocket !== undefined) {
      // A 101 with a WebSocket: the invocation stays in flight until the socket closes (websocket.js).
      const own = { ...parts };
      parts.headers = parts.body = parts.webSocket = null;
      try {
        internal.webSocketRespond(invocation, own);
        if (requestSignals) internal.releaseIncomingSignal(invocation.id);
      } catch (e) {
        fail(invocation, e);
      }
      return;
    }
    const { status, statusText, headers, body } = parts;
    parts.headers = parts.body = parts.webSocket = null;
    if (body === null || body === undefined || typeof body === "string" || body instanceof Uint8Array) {
      host.respond(invocation.id, status, statusText, headers, body ?? null);
      if (requestSignals) internal.releaseIncomingSignal(invocation.id);
      invocation.release();
      return;
    }
    // A handler holding `request.signal` has the isolate watch the client while the body streams, so the signal
    // aborts as soon as the client goes away (otherwise the next write notices).
    const watch = requestSignals && internal.incomingSignalWatched(invocation.id);
    const sink = host.respondStream(invocation.id, status, statusText, headers, watch);
    pump(body, sink, invocation).then(() => {
      if (requestSignals) internal.releaseIncomingSignal(invocation.id);
      invocation.release();
    });
  }

  function toBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError("This ReadableStream did not return bytes.");
  }

  async function pump(stream, sink, invocation) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        let sent = host.sinkWrite(sink, toBytes(value));
        if (sent !== true && sent !== false) sent = await sent;
        if (sent === false) {
          // The client went away: stop producing.
          if (requestSignals) internal.abortIncomingSignal(invocation.id);
          reader.cancel().catch(() => {});
          break;
        }
      }
      host.sinkClose(sink, null);
    } catch (e) {
      logError("Uncaught error while streaming the response body", e);
      host.sinkClose(sink, e);
    }
  }
})
