(function (host, internal) {
  "use strict";
  // The glue between the Rust dispatcher and the worker's handlers: finds the handlers (module syntax,
  // WorkerEntrypoint class, or service-worker `addEventListener("fetch")`), runs one invocation per request,
  // delivers the response and tracks `waitUntil` work. Runs at boot in every isolate, so it holds only what every
  // request needs: the service-worker syntax, other events and streamed bodies are in worker_events.js.

  const env = {};
  internal.env = env;
  // The engine's own JSON.stringify, before worker code could replace it (fetch_api.js takes over its common case).
  internal.builtinStringify = JSON.stringify;
  const hasOwn = Object.prototype.hasOwnProperty;
  // Shared with worker_events.js.
  const state = {
    env,
    handlers: null, // the default export (object or WorkerEntrypoint class)
    handlerIsClass: false,
    current: null, // the invocation whose synchronous code is running (for `waitUntil` from cloudflare:workers)
    // `enable_request_signal`: an incoming request's `signal` aborts when its client disconnects before the
    // response is out (fetch_api.js keeps the signals; the isolate reports the disconnects).
    requestSignals: false,
  };
  internal.workerState = state;

  Object.defineProperty(globalThis, Symbol.for("corral.internal.workers"), {
    value: {
      env,
      waitUntil(promise) {
        if (state.current) state.current.waitUntil(promise);
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
        host.invocationDone(this.id);
        if (this.onDone) this.onDone();
      }
    }
  }

  // Compatibility flags: explicit ones from the config, plus those on by default from their date. (A plain
  // object, not a Set: touching Set would build QuickJS's Map/Set built-ins in every isolate.)
  const compat = { flags: { __proto__: null }, date: "" };
  const DEFAULT_ON_FROM = {
    upper_case_all_http_methods: "2024-10-14",
    queues_json_messages: "2024-03-18",
    delete_all_deletes_alarm: "2026-02-24",
    nodejs_compat: "2026-08-04",
    nodejs_compat_populate_process_env: "2025-04-01",
  };

  // Called once at boot (then removed): `env` from the vars and secrets (JSON), the other bindings (each
  // `{type, name, ...}` spec becomes an `env` entry made by the prelude file that defines the `binding:<type>` hook:
  // kv.js, durable_objects.js, ...), and the compatibility date and flags.
  internal.configure = function (envJson, bindingsJson, flags, date) {
    Object.assign(env, JSON.parse(envJson));
    for (const spec of JSON.parse(bindingsJson)) {
      const make = internal["binding:" + spec.type];
      if (typeof make !== "function") throw new Error(`corral does not support ${spec.type} bindings yet`);
      env[spec.name] = make(spec);
    }
    for (const f of flags) compat.flags[f] = true;
    compat.date = date || "";
    // nodejs_compat_v2 (implied by nodejs_compat from 2024-09-23) adds Buffer, process, global, setImmediate.
    const v2 =
      compat.flags.nodejs_compat_v2 === true ||
      (internal.hasCompatFlag("nodejs_compat") && compat.date >= "2024-09-23" && compat.flags.no_nodejs_compat_v2 !== true);
    if (v2) internal.installNodeGlobals();
    state.requestSignals = compat.flags.enable_request_signal === true && compat.flags.disable_request_signal !== true;
  };
  internal.hasCompatFlag = function (name) {
    if (compat.flags[name] === true) return true;
    if (compat.flags["no_" + name] === true) return false;
    const from = DEFAULT_ON_FROM[name];
    return from !== undefined && compat.date >= from;
  };

  internal.init = function (namespace) {
    internal.exports = namespace;
    const def = namespace.default;
    if (typeof def === "function" && def.prototype) {
      // A WorkerEntrypoint class (with or without fetch: queue, scheduled, RPC).
      state.handlers = def;
      state.handlerIsClass = true;
    } else if (def && typeof def === "object") {
      state.handlers = def;
    } else if (
      hasOwn.call(internal, "listeners") &&
      (internal.listeners.fetch.length > 0 || internal.listeners.scheduled.length > 0)
    ) {
      // Service-worker syntax: bindings are globals.
      for (const key of Object.keys(env)) internal.defineGlobal(key, env[key]);
    }
  };

  function callFetch(request, invocation) {
    const handlers = state.handlers;
    if (handlers !== null) {
      const ctx = new ExecutionContext(invocation);
      if (state.handlerIsClass) {
        const entrypoint = new handlers(ctx, env);
        if (typeof entrypoint.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
        return entrypoint.fetch(request);
      }
      if (typeof handlers.fetch !== "function") {
        throw new Error("Handler does not export a fetch() function.");
      }
      return handlers.fetch(request, env, ctx);
    }
    return internal.serviceWorkerFetch(request, invocation);
  }

  const cf = Object.freeze({ colo: "LOCAL", httpProtocol: "HTTP/1.1", clientTcpRtt: 0 });

  internal.dispatchFetch = function (id, method, url, headers, bodyHandle) {
    const invocation = new Invocation(id);
    let result;
    state.current = invocation;
    try {
      if (state.requestSignals) internal.trackIncomingSignal(id);
      const request = internal.makeIncomingRequest(method, url, headers, bodyHandle ?? null, cf, state.requestSignals ? id : 0);
      result = callFetch(request, invocation);
    } catch (e) {
      state.current = null;
      fail(invocation, e);
      return;
    }
    state.current = null;
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      result.then(
        (response) => deliver(invocation, response),
        (e) => fail(invocation, e),
      );
    } else {
      deliver(invocation, result);
    }
  };

  internal.logError = logError;

  function fail(invocation, e) {
    host.respondError(invocation.id, e);
    if (state.requestSignals) internal.releaseIncomingSignal(invocation.id);
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
        if (state.requestSignals) internal.releaseIncomingSignal(invocation.id);
      } catch (e) {
        fail(invocation, e);
      }
      return;
    }
    const { status, statusText, headers, body } = parts;
    parts.headers = parts.body = parts.webSocket = null;
    if (body === null || body === undefined || typeof body === "string" || body instanceof Uint8Array) {
      host.respond(invocation.id, status, statusText, headers, body ?? null);
      if (state.requestSignals) internal.releaseIncomingSignal(invocation.id);
      invocation.release();
      return;
    }
    // A handler holding `request.signal` has the isolate watch the client while the body streams, so the signal
    // aborts as soon as the client goes away (otherwise the next write notices).
    const watch = state.requestSignals && internal.incomingSignalWatched(invocation.id);
    const sink = host.respondStream(invocation.id, status, statusText, headers, watch);
    internal.pumpResponseBody(body, sink, invocation).then(() => {
      if (state.requestSignals) internal.releaseIncomingSignal(invocation.id);
      invocation.release();
    });
  }

  Object.assign(state, { logError, describe, fail, deliver, Invocation, ExecutionContext });
})
