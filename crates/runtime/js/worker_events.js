(function (host, internal) {
  "use strict";
  // The less common half of worker.js's glue, loaded on first use: the service-worker syntax
  // (`addEventListener("fetch" | "scheduled")`, FetchEvent), events other than HTTP requests (`queue`, cron,
  // Durable Object calls) and streamed response bodies. A worker that only answers requests with whole bodies
  // never loads it.

  const state = internal.workerState;
  const { env, logError, describe, fail, deliver, Invocation, ExecutionContext } = state;

  const listeners = { fetch: [], scheduled: [] };
  internal.listeners = listeners;

  internal.defineGlobal("addEventListener", function addEventListener(type, listener) {
    if (typeof listener !== "function" && !(listener && typeof listener.handleEvent === "function")) {
      throw new TypeError("addEventListener: the listener must be a function or an object with handleEvent().");
    }
    if (type === "fetch") listeners.fetch.push(listener);
    else if (type === "scheduled") listeners.scheduled.push(listener);
  });

  class FetchEvent extends Event {
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
  }
  internal.defineGlobal("FetchEvent", FetchEvent);

  // A request for a service-worker-syntax worker: the "fetch" listeners, one of which must respond.
  internal.serviceWorkerFetch = function (request, invocation) {
    if (listeners.fetch.length === 0) throw new Error("Handler does not export a fetch() function.");
    const event = new FetchEvent("fetch", { request }, invocation);
    for (const listener of listeners.fetch) {
      if (typeof listener === "function") listener.call(globalThis, event);
      else listener.handleEvent(event);
    }
    if (!event.responded) {
      throw new Error("No event handler responded to the fetch event: the script will never generate a response.");
    }
    return event.response;
  };

  // Runs the default export's `name` handler (`queue`, ...) as one invocation: `args`, then `env` and `ctx`
  // (a WorkerEntrypoint class gets only `args`). The promise settles once the handler and every `waitUntil`
  // settled: rejected with the first error, if any. The Rust side counted the invocation in (inflight).
  internal.runEvent = function (name, args) {
    const invocation = new Invocation(0);
    const done = new Promise((resolve) => (invocation.onDone = resolve));
    let result;
    state.current = invocation;
    try {
      const handlers = state.handlers;
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
    state.current = null;
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
    state.current = invocation;
    try {
      const missing = "Handler does not export a scheduled() function.";
      const handlers = state.handlers;
      if (handlers !== null) {
        const ctx = new ExecutionContext(invocation);
        const target = state.handlerIsClass ? new handlers(ctx, env) : handlers;
        if (typeof target.scheduled !== "function") throw new Error(missing);
        result = state.handlerIsClass ? target.scheduled(controller) : target.scheduled(controller, env, ctx);
      } else {
        if (listeners.scheduled.length === 0) throw new Error(missing);
        const event = { ...controller, waitUntil: (p) => invocation.waitUntil(p) };
        for (const l of listeners.scheduled) {
          if (typeof l === "function") l.call(globalThis, event);
          else l.handleEvent(event);
        }
      }
    } catch (e) {
      result = Promise.reject(e);
    }
    state.current = null;
    Promise.resolve(result).then(settle(null), settle("Uncaught (in scheduled)"));
  };

  // Runs `thunk()` (returning a Response or a promise of one) as invocation `id` and delivers its response,
  // as dispatchFetch does: used for Durable Object `fetch` events.
  internal.invoke = function (id, thunk) {
    const invocation = new Invocation(id);
    let result;
    state.current = invocation;
    try {
      result = thunk(invocation);
    } catch (e) {
      state.current = null;
      fail(invocation, e);
      return;
    }
    state.current = null;
    Promise.resolve(result).then(
      (response) => deliver(invocation, response),
      (e) => fail(invocation, e),
    );
  };

  // Streams a response body into the host's sink; resolves when the body ended, failed or lost its client.
  internal.pumpResponseBody = (stream, sink, invocation) =>
    internal
      .pumpToSink(stream, sink, () => {
        // The client went away: stop producing.
        if (state.requestSignals) internal.abortIncomingSignal(invocation.id);
      })
      .catch((e) => logError("Uncaught error while streaming the response body", e));
})
