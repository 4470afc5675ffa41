(function (host, internal) {
  "use strict";
  // The glue between the Rust dispatcher and the worker's handlers: finds the handlers (module syntax,
  // WorkerEntrypoint class, or service-worker `addEventListener("fetch")`), runs one invocation per event,
  // delivers the response (whole or streamed) and tracks `waitUntil` work.

  const env = {};
  let handlers = null; // the default export (object or WorkerEntrypoint class)
  let handlerIsClass = false;
  const fetchListeners = [];
  let current = null; // the invocation whose synchronous code is running (for `waitUntil` from cloudflare:workers)

  Object.defineProperty(globalThis, Symbol.for("corral.internal.workers"), {
    value: {
      env,
      waitUntil(promise) {
        if (current) current.waitUntil(promise);
        else Promise.resolve(promise).catch((e) => logError("Uncaught (in waitUntil)", e));
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
          this.release();
        },
      );
    }
    release() {
      if (--this.pending === 0) host.invocationDone();
    }
  }

  internal.setEnv = function (envJson) {
    Object.assign(env, JSON.parse(envJson));
  };

  // Compatibility flags: explicit ones from the config, plus those on by default from their date.
  const compat = { flags: new Set(), date: "" };
  const DEFAULT_ON_FROM = { upper_case_all_http_methods: "2024-10-14" };
  internal.setCompat = function (flags, date) {
    for (const f of flags) compat.flags.add(f);
    compat.date = date || "";
  };
  internal.hasCompatFlag = function (name) {
    if (compat.flags.has(name)) return true;
    if (compat.flags.has("no_" + name)) return false;
    const from = DEFAULT_ON_FROM[name];
    return from !== undefined && compat.date >= from;
  };

  internal.init = function (namespace) {
    const def = namespace.default;
    if (typeof def === "function" && def.prototype && typeof def.prototype.fetch === "function") {
      handlers = def;
      handlerIsClass = true;
    } else if (def && typeof def === "object") {
      handlers = def;
    } else if (fetchListeners.length > 0) {
      // Service-worker syntax: bindings are globals.
      for (const key of Object.keys(env)) internal.defineGlobal(key, env[key]);
    }
  };

  function callFetch(request, invocation) {
    if (handlers !== null) {
      const ctx = new ExecutionContext(invocation);
      if (handlerIsClass) {
        const entrypoint = new handlers(ctx, env);
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
      const request = internal.makeIncomingRequest(method, url, headers, bodyHandle ?? null, cf);
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

  function fail(invocation, e) {
    host.respondError(invocation.id, e);
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
    const { status, statusText, headers, body } = parts;
    parts.headers = parts.body = parts.webSocket = null;
    if (body === null || body === undefined || typeof body === "string" || body instanceof Uint8Array) {
      host.respond(invocation.id, status, statusText, headers, body ?? null);
      invocation.release();
      return;
    }
    const sink = host.respondStream(invocation.id, status, statusText, headers);
    pump(body, sink).then(() => invocation.release());
  }

  function toBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError("This ReadableStream did not return bytes.");
  }

  async function pump(stream, sink) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        let sent = host.sinkWrite(sink, toBytes(value));
        if (sent !== true && sent !== false) sent = await sent;
        if (sent === false) {
          // The client went away: stop producing.
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
