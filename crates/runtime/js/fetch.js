(function (host, internal) {
  "use strict";
  // Global fetch(): builds a Request, hands it to the host's HTTP client (`host.fetch`, which answers
  // synchronously with `{id, promise}`, plus `sink` when the request body is a stream for us to pump), and wraps
  // the answer in a Response whose body streams from the host.
  // An AbortSignal, before or during the request, rejects with the signal's reason and calls host.fetchAbort(id);
  // after the response arrived, it errors the response body with the reason.

  const FETCHABLE = /^https?:/i;

  function raceAbort(promise, aborted) {
    return aborted === null ? promise : Promise.race([promise, aborted]);
  }

  async function fetch(input, init = undefined) {
    const request = new Request(input, init);
    const url = request.url;
    if (!FETCHABLE.test(url)) throw new TypeError(`Fetch API cannot load: ${url}`);
    const signal = internal.requestSignal(request);
    if (signal !== null && signal.aborted) throw signal.reason;

    let id = null;
    let onAbort = null;
    let aborted = null;
    if (signal !== null) {
      aborted = new Promise((_, reject) => {
        onAbort = () => {
          if (id !== null) host.fetchAbort(id);
          reject(signal.reason);
        };
      });
      signal.addEventListener("abort", onAbort, { once: true });
    }
    try {
      const body = internal.requestBodyForHost(request);
      const started = host.fetch(request.method, url, internal.requestHeadersFlat(request), body, request.redirect, signal);
      id = started.id;
      // A failing stream fails the upload, and so this fetch.
      if (started.sink !== undefined) internal.pumpToSink(body, started.sink).catch(() => {});
      const [status, statusText, headers, handle, finalUrl, redirected] = await raceAbort(started.promise, aborted);
      if ((status === 307 || status === 308) && request.redirect === "follow" && body !== null && !(body instanceof Uint8Array)) {
        // A streamed body cannot be sent again to the new location (Fetch: a network error).
        host.bodyCancel(handle);
        throw new TypeError(`Fetch API cannot follow a ${status} redirect with a streamed request body (${url}).`);
      }
      return internal.makeResponseFromHost(status, statusText, headers, handle, finalUrl, redirected, signal);
    } finally {
      if (onAbort !== null) signal.removeEventListener("abort", onAbort);
    }
  }

  // A fetch() response body read from the host that errors with the signal's reason when the signal aborts.
  internal.abortableHostStream = function (handle, signal) {
    let controller;
    let done = false;
    const finish = () => {
      done = true;
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      if (done) return;
      finish();
      host.bodyCancel(handle);
      controller.error(signal.reason);
    };
    return new ReadableStream(
      {
        type: "bytes",
        start(c) {
          controller = c;
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        },
        async pull(c) {
          let chunk;
          try {
            chunk = await host.bodyRead(handle);
          } catch (e) {
            if (done) return;
            finish();
            throw e;
          }
          if (done) return;
          if (chunk === undefined) {
            finish();
            c.close();
          } else if (chunk.byteLength > 0) {
            c.enqueue(chunk);
          }
        },
        cancel() {
          if (done) return;
          finish();
          host.bodyCancel(handle);
        },
      },
      { highWaterMark: 0 },
    );
  };

  internal.defineGlobal("fetch", fetch);
})
