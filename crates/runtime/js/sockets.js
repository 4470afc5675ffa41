(function (host, internal) {
  "use strict";
  // `connect()` from `cloudflare:sockets`: outbound TCP (and TLS) sockets as a pair of streams, as in workerd
  // (`src/workerd/api/sockets.h`). The bytes move through `host.socket*` (src/sockets.rs). The readable side
  // pulls from the host only when read (highWaterMark 0: TCP flow control is the back-pressure), and a write
  // settles only once the host wrote it. Destinations are limited by the host to Hyperdrive endpoints and
  // allowed services.

  class SocketError extends Error {
    constructor(message) {
      super(message);
      this.name = "SocketError";
    }
  }

  function parseAddress(address) {
    if (typeof address === "string") {
      const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
      if (!m) throw new TypeError(`The address must be "host:port" or {hostname, port}; got "${address}".`);
      return { hostname: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
    }
    if (address !== null && typeof address === "object") {
      const hostname = address.hostname;
      if (typeof hostname !== "string" || hostname === "") throw new TypeError("The address must have a hostname.");
      const port = Number(address.port);
      return { hostname, port };
    }
    throw new TypeError("The address must be a string or a SocketAddress ({hostname, port}).");
  }

  function asError(e) {
    if (e instanceof Error && !(e instanceof TypeError)) return e;
    return new SocketError(e && e.message !== undefined ? e.message : String(e));
  }

  function toBytes(chunk) {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError("This WritableStream only supports writing byte types (ArrayBuffer or ArrayBufferView).");
  }

  function deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // observed or not, a failed socket must not be an unhandled rejection
    return { promise, resolve, reject };
  }

  const TOKEN = Symbol("Socket");

  class Socket {
    #id = null; // host socket id once opened
    #hostname;
    #secureTransport;
    #allowHalfOpen;
    #opened = deferred();
    #closed = deferred();
    #state = "connecting"; // connecting, open, closed, upgraded
    #readEnded = false;
    #writeEnded = false;
    #readable;
    #writable;

    constructor(token, hostname, secureTransport, allowHalfOpen, start) {
      if (token !== TOKEN) throw new TypeError("Illegal constructor");
      this.#hostname = hostname;
      this.#secureTransport = secureTransport;
      this.#allowHalfOpen = allowHalfOpen;
      const self = this;
      this.#readable = new ReadableStream(
        {
          async pull(controller) {
            const id = await self.#ready();
            let chunk;
            try {
              chunk = await host.socketRead(id);
            } catch (e) {
              if (self.#state === "closed" || self.#state === "upgraded") {
                controller.close();
                return;
              }
              const err = asError(e);
              controller.error(err);
              self.#fail(err);
              return;
            }
            if (chunk === undefined) {
              controller.close();
              self.#readEnded = true;
              if (!self.#allowHalfOpen && !self.#writeEnded) {
                self.#writeEnded = true;
                host.socketShutdown(id).catch(() => {});
              }
              self.#maybeClosed();
              return;
            }
            controller.enqueue(chunk);
          },
          cancel() {
            self.#readEnded = true;
            self.#maybeClosed();
          },
        },
        { highWaterMark: 0 },
      );
      this.#writable = new WritableStream(
        {
          async write(chunk) {
            const bytes = toBytes(chunk);
            const id = await self.#ready();
            if (self.#writeEnded) throw new SocketError("The socket's writable side is closed.");
            try {
              await host.socketWrite(id, bytes.slice());
            } catch (e) {
              const err = asError(e);
              self.#fail(err);
              throw err;
            }
          },
          async close() {
            const id = await self.#ready();
            if (!self.#writeEnded) {
              self.#writeEnded = true;
              await host.socketShutdown(id);
            }
            self.#maybeClosed();
          },
          async abort() {
            self.close();
          },
        },
        { highWaterMark: 1 },
      );
      start.then(
        ([id, remoteAddress, localAddress]) => {
          if (this.#state !== "connecting") {
            host.socketClose(id);
            return;
          }
          this.#id = id;
          this.#state = "open";
          this.#opened.resolve({ remoteAddress, localAddress });
        },
        (e) => this.#fail(asError(e)),
      );
    }

    // The host id, once the connection is up; rejects if it failed or the socket was closed.
    async #ready() {
      if (this.#id !== null && this.#state === "open") return this.#id;
      await this.#opened.promise;
      if (this.#state !== "open") throw new SocketError("The socket is closed.");
      return this.#id;
    }

    #fail(err) {
      if (this.#state === "closed" || this.#state === "upgraded") return;
      const wasOpen = this.#id !== null;
      this.#state = "closed";
      if (wasOpen) host.socketClose(this.#id);
      this.#opened.reject(err);
      this.#closed.reject(err);
    }

    #maybeClosed() {
      if (this.#readEnded && this.#writeEnded && this.#state === "open") {
        this.#state = "closed";
        host.socketClose(this.#id);
        this.#closed.resolve();
      }
    }

    get readable() {
      return this.#readable;
    }
    get writable() {
      return this.#writable;
    }
    get opened() {
      return this.#opened.promise;
    }
    get closed() {
      return this.#closed.promise;
    }
    get upgraded() {
      return this.#state === "upgraded";
    }
    get secureTransport() {
      return this.#secureTransport;
    }

    close() {
      if (this.#state === "connecting" || this.#state === "open") {
        if (this.#id !== null) host.socketClose(this.#id);
        this.#state = "closed";
        this.#opened.reject(new SocketError("The socket was closed before it opened."));
        this.#closed.resolve();
        this.#readable.cancel().catch(() => {});
        this.#writable.abort().catch(() => {});
      }
      return this.#closed.promise;
    }

    startTls(options = {}) {
      if (this.#secureTransport !== "starttls") {
        throw new TypeError('startTls() requires the socket to be created with secureTransport: "starttls".');
      }
      if (this.#state === "upgraded") throw new TypeError("This socket was already upgraded.");
      if (this.#state === "closed") throw new TypeError("This socket is closed.");
      const hostname = (options && options.expectedServerHostname) || this.#hostname;
      const start = this.#ready().then((id) => {
        this.#state = "upgraded";
        this.#closed.resolve();
        return host.socketStartTls(id, hostname);
      });
      return new Socket(TOKEN, this.#hostname, "on", this.#allowHalfOpen, start);
    }

    get [Symbol.toStringTag]() {
      return "Socket";
    }
  }

  function connect(address, options = {}) {
    const { hostname, port } = parseAddress(address);
    const secureTransport = (options && options.secureTransport) || "off";
    if (!["off", "on", "starttls"].includes(secureTransport)) {
      throw new TypeError(`secureTransport must be "off", "on" or "starttls", got "${secureTransport}".`);
    }
    const allowHalfOpen = !!(options && options.allowHalfOpen);
    let start;
    try {
      start = host.socketConnect(hostname, port, secureTransport === "on" ? "on" : "off");
    } catch (e) {
      start = Promise.reject(e instanceof RangeError ? new TypeError(e.message) : new SocketError(e.message));
    }
    return new Socket(TOKEN, hostname, secureTransport, allowHalfOpen, start);
  }

  internal.socketConnect = connect;
  internal["module:cloudflare:sockets"] = { connect, SocketError, default: { connect } };
})
