(function (host, internal) {
  "use strict";
  // `request.signal` of incoming requests under the `enable_request_signal` compatibility flag: it aborts when the
  // client disconnects before the response is out. Loaded only by workers with the flag.
  //
  // By invocation id, for the requests whose response is not out yet: LIVE until the handler first reads a
  // `signal`, `true` when the client went away before that, then the AbortController made at that first read (kept,
  // aborted or not, so later readers see the same state). worker.js registers each request (`trackIncomingSignal`)
  // and removes it once the response is out (`releaseIncomingSignal`). The request's clones and the requests made
  // from it (`new Request(request)`) carry the same id: their signals follow the first one.

  const LIVE = 0;
  const signals = new Map();
  const disconnectReason = () => new DOMException("The client has disconnected", "AbortError");

  internal.trackIncomingSignal = (id) => {
    signals.set(id, LIVE);
  };

  // A `signal` for incoming request `id` (Request's `signal` getter, on first read by each request object).
  internal.incomingSignal = (id) => {
    const entry = signals.get(id);
    // The response is out: the signal can no longer abort.
    if (entry === undefined) return new AbortController().signal;
    if (entry !== LIVE && entry !== true) return AbortSignal.any([entry.signal]);
    const controller = new AbortController();
    if (entry === true) controller.abort(disconnectReason());
    signals.set(id, controller);
    return controller.signal;
  };

  // The client of incoming request `id` went away before its response was out: aborts its signal with an
  // AbortError (now, or when the handler first reads `signal`). Called by the isolate and by worker_events.js.
  internal.abortIncomingSignal = (id) => {
    const entry = signals.get(id);
    if (entry === LIVE) signals.set(id, true);
    else if (entry !== undefined && entry !== true && !entry.signal.aborted) entry.abort(disconnectReason());
  };

  // Whether the handler of incoming request `id` holds a signal that has not aborted yet.
  internal.incomingSignalWatched = (id) => {
    const entry = signals.get(id);
    return entry instanceof AbortController && !entry.signal.aborted;
  };

  // The response of incoming request `id` is fully out: its signal never aborts now.
  internal.releaseIncomingSignal = (id) => {
    signals.delete(id);
  };
})
