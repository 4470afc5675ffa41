(function (host, internal) {
  "use strict";
  // Global fetch(): builds a Request, hands it to the host's HTTP client, and wraps the answer in a Response
  // whose body streams from the host. AbortSignal aborts the host request and rejects with the signal's reason.

  const SCHEMES = /^https?:$/;

  async function fetch(input, init = undefined) {
    const request = new Request(input, init);
    const url = request.url;
    const scheme = url.slice(0, url.indexOf(":") + 1).toLowerCase();
    if (!SCHEMES.test(scheme)) throw new TypeError(`Fetch API cannot load: ${url}`);
    const signal = init && init.signal !== undefined ? init.signal : request.signal;
    if (signal && signal.aborted) throw signal.reason;
    const body = internal.requestHasBody(request) ? await internal.requestBodyBytes(request) : null;
    if (signal && signal.aborted) throw signal.reason;
    const { id, promise } = host.fetch(request.method, url, internal.headersFlat(request.headers), body, request.redirect);
    let onAbort = null;
    const aborted = new Promise((_, reject) => {
      if (!signal) return;
      onAbort = () => {
        host.fetchAbort(id);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const [status, statusText, headers, handle, finalUrl, redirected] = await Promise.race([promise, aborted]);
      return internal.makeResponseFromHost(status, statusText, headers, handle, finalUrl, redirected);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  }

  internal.defineGlobal("fetch", fetch);
})
