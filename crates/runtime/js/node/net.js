(function (host, internal) {
  "use strict";
  // node:net and node:tls on top of `cloudflare:sockets` (as on Workers): `net.Socket` is a Duplex whose
  // connect(port, host) opens a Socket with `connect()`; `tls.connect({socket})` upgrades one made with
  // secureTransport "starttls" (net.Socket always is), `tls.connect({host, port})` opens a TLS socket.
  // Servers (createServer, listen) are not available in Workers and throw.

  const { Duplex } = internal["module:node:stream"];
  const { Buffer } = internal["module:node:buffer"];

  function notSupported(what) {
    const err = new Error(`${what} is not supported in Workers`);
    err.code = "ERR_METHOD_NOT_IMPLEMENTED";
    return err;
  }

  function isIPv4(s) {
    return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s);
  }
  function isIPv6(s) {
    if (typeof s !== "string" || !s.includes(":")) return false;
    try {
      new URL(`http://[${s}]/`);
      return true;
    } catch {
      return false;
    }
  }
  function isIP(s) {
    return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0;
  }

  class Socket extends Duplex {
    constructor(options = {}) {
      super({ ...options, allowHalfOpen: !!options.allowHalfOpen });
      this.connecting = false;
      this.pending = true;
      this.encrypted = false;
      this.remoteAddress = undefined;
      this.remotePort = undefined;
      this.localAddress = undefined;
      this.localPort = undefined;
      this.bytesRead = 0;
      this.bytesWritten = 0;
      this._cf = null;
      this._writer = null;
      this._reader = null;
      this._reading = false;
      this._secureTransport = options._secureTransport || "starttls";
    }

    connect(...args) {
      let options = {};
      let listener;
      if (typeof args[0] === "object" && args[0] !== null) {
        options = args[0];
        listener = args[1];
      } else {
        options = { port: args[0], host: typeof args[1] === "string" ? args[1] : "localhost" };
        listener = typeof args[1] === "function" ? args[1] : args[2];
      }
      if (options.path) throw notSupported("Unix domain sockets");
      if (typeof listener === "function") this.once("connect", listener);
      const hostname = options.host || "localhost";
      const port = Number(options.port);
      this.connecting = true;
      let cf;
      try {
        cf = internal.socketConnect({ hostname, port }, {
          secureTransport: options._secureTransport || this._secureTransport,
          allowHalfOpen: true,
        });
      } catch (e) {
        queueMicrotask(() => this.destroy(e));
        return this;
      }
      this._attach(cf, "connect");
      this.remotePort = port;
      return this;
    }

    _attach(cf, event) {
      this._cf = cf;
      this._writer = cf.writable.getWriter();
      this._reader = cf.readable.getReader();
      cf.opened.then(
        (info) => {
          this.connecting = false;
          this.pending = false;
          const [ra] = (info.remoteAddress || "").split(/:(?=\d+$)/);
          if (ra) this.remoteAddress = ra.replace(/^\[|\]$/g, "");
          const [la, lp] = (info.localAddress || "").split(/:(?=\d+$)/);
          if (la) {
            this.localAddress = la.replace(/^\[|\]$/g, "");
            this.localPort = Number(lp);
          }
          this.emit(event);
          if (event === "connect") this.emit("ready");
          this._pump();
        },
        (e) => this.destroy(e),
      );
    }

    async _pump() {
      if (this._reading) return;
      this._reading = true;
      const reader = this._reader;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (reader !== this._reader) return; // upgraded to TLS meanwhile
          if (done) {
            this.push(null);
            return;
          }
          this.bytesRead += value.length;
          if (!this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) {
            await new Promise((resolve) => (this._resumeRead = resolve));
          }
        }
      } catch (e) {
        if (reader === this._reader) this.destroy(e);
      } finally {
        if (reader === this._reader) this._reading = false;
      }
    }

    _read() {
      const resume = this._resumeRead;
      if (resume) {
        this._resumeRead = null;
        resume();
      }
    }

    _write(chunk, encoding, cb) {
      const go = () => {
        this.bytesWritten += chunk.length;
        this._writer.write(chunk).then(() => cb(), cb);
      };
      if (this._writer) go();
      else this.once("connect", go);
    }

    _final(cb) {
      if (!this._writer) return cb();
      this._writer.close().then(() => cb(), () => cb());
    }

    _destroy(err, cb) {
      if (this._cf) this._cf.close().catch(() => {});
      cb(err);
    }

    // Replaces the plain connection with a TLS one (node:tls connect({socket})).
    _startTls(servername) {
      const old = this._cf;
      this._writer.releaseLock();
      this._reader.releaseLock();
      this._reading = false;
      this.encrypted = true;
      this._attach(old.startTls({ expectedServerHostname: servername }), "secureConnect");
    }

    setNoDelay() {
      return this;
    }
    setKeepAlive() {
      return this;
    }
    setTimeout(ms, cb) {
      if (cb) this.once("timeout", cb);
      return this;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    address() {
      return { address: this.localAddress, port: this.localPort, family: isIPv6(this.localAddress) ? "IPv6" : "IPv4" };
    }
    get readyState() {
      if (this.connecting) return "opening";
      if (this.readable && this.writable) return "open";
      if (this.readable) return "readOnly";
      if (this.writable) return "writeOnly";
      return "closed";
    }
  }

  function connect(...args) {
    const options = typeof args[0] === "object" && args[0] !== null ? args[0] : {};
    const socket = new Socket(options);
    return socket.connect(...args);
  }

  const net = {
    Socket,
    Stream: Socket,
    connect,
    createConnection: connect,
    isIP,
    isIPv4,
    isIPv6,
    createServer() {
      throw notSupported("net.createServer()");
    },
    Server: class Server {
      constructor() {
        throw notSupported("net.Server");
      }
    },
    getDefaultAutoSelectFamily: () => false,
    setDefaultAutoSelectFamily() {},
  };

  class TLSSocket extends Socket {
    constructor(socket, options = {}) {
      super({ ...options, _secureTransport: "on" });
      this.encrypted = true;
      this.authorized = true;
      this.alpnProtocol = false;
    }
    getPeerCertificate() {
      return {};
    }
    getProtocol() {
      return "TLSv1.3";
    }
    getCipher() {
      return {};
    }
  }

  function tlsConnect(...args) {
    let options = typeof args[0] === "object" && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
    const listener = args.find((a) => typeof a === "function");
    if (options.socket) {
      const socket = options.socket;
      if (!(socket instanceof Socket)) throw new TypeError("tls.connect({socket}) needs a net.Socket");
      if (listener) socket.once("secureConnect", listener);
      socket._startTls(options.servername || options.host);
      return socket;
    }
    const socket = new TLSSocket(null, options);
    if (listener) socket.once("secureConnect", listener);
    socket.once("connect", () => socket.emit("secureConnect"));
    return socket.connect({ ...options, _secureTransport: "on" });
  }

  const tls = {
    connect: tlsConnect,
    TLSSocket,
    createSecureContext: (options) => ({ context: options || {} }),
    checkServerIdentity: () => undefined,
    DEFAULT_ECDH_CURVE: "auto",
    DEFAULT_MIN_VERSION: "TLSv1.2",
    DEFAULT_MAX_VERSION: "TLSv1.3",
    rootCertificates: [],
    createServer() {
      throw notSupported("tls.createServer()");
    },
  };

  internal["module:node:net"] = net;
  internal["module:node:tls"] = tls;
})
