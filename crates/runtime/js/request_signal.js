(function (host, internal) {
  "use strict";
  // `request.signal` of incoming requests under the `enable_request_signal` compatibility flag: it aborts when the
  // client disconnects before the response is out. Loaded only by workers with the flag.
  //
  // By invocation id: the AbortController made when the handler first read `signal`, or `true` when the client
  // went away before that. Only requests whose handler reads `signal` or whose client disconnects get an entry;
  // worker.js removes it once the response is out (`releaseIncomingSignal`).

  const signals = new Map();
  const disconnectReason = () => new DOMException("The client has disconnected", "AbortError");

  // The signal of incoming request `id` (Request's `signal` getter, on first read).
  internal.incomingSignal = (id) => {
    const controller = new AbortController();
    if (signals.get(id) === true) {
      signals.delete(id);
      controller.abort(disconnectReason());
    } else {
      signals.set(id, controller);
    }
    return controller.signal;
  };

  // The client of incoming request `id` went away before its response was out: aborts its signal with an
  // AbortError (now, or when the handler first reads `signal`). Called by the isolate and by worker_events.js.
  internal.abortIncomingSignal = (id) => {
    const entry = signals.get(id);
    if (entry === undefined) {
      signals.set(id, true);
    } else if (entry !== true) {
      signals.delete(id);
      entry.abort(disconnectReason());
    }
  };

  // Whether the handler of incoming request `id` holds a signal that has not aborted yet.
  internal.incomingSignalWatched = (id) => signals.size !== 0 && signals.get(id) instanceof AbortController;

  // The response of incoming request `id` is fully out: its signal never aborts now.
  internal.releaseIncomingSignal = (id) => {
    if (signals.size !== 0) signals.delete(id);
  };
})
