(function (host, internal) {
  "use strict";
  // WebSockets as Cloudflare Workers has them: `WebSocketPair`, `WebSocket` (accept/send/close and events),
  // `MessageEvent`, `CloseEvent`, `ErrorEvent`. Both ends of a pair live here; once one end is returned in a
  // 101 response (`internal.webSocketRespond`, from worker.js), the other end talks to the host by socket id
  // (`host.wsSend`, `host.wsClose`) and the host delivers the client's events through `internal.webSocketEvent`.
  // Events that arrive before `accept()` are queued and delivered after it. A close received is answered
  // automatically (as with Cloudflare's `web_socket_auto_reply_to_close`), so `readyState` is CLOSED after the
  // `close` event and a `close()` from its listener is a no-op.

  const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
  const TOKEN = Symbol("WebSocket");

  function needArgs(n, count, what) {
    if (n < count) {
      throw new TypeError(`Failed to execute '${what}': ${count} argument${count > 1 ? "s" : ""} required, but only ${n} present.`);
    }
  }

  function initDict(init, what) {
    if (init === undefined || init === null) return {};
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError(`Failed to construct '${what}': The provided value is not of type '${what}Init'.`);
    }
    return init;
  }

  class MessageEvent extends Event {
    #data;
    constructor(type, init = undefined) {
      needArgs(arguments.length, 1, "MessageEvent");
      init = initDict(init, "MessageEvent");
      super(type, init);
      this.#data = init.data === undefined ? null : init.data;
    }
    get data() {
      return this.#data;
    }
    get origin() {
      return "";
    }
    get lastEventId() {
      return "";
    }
    get source() {
      return null;
    }
    get ports() {
      return [];
    }
  }
  Object.defineProperty(MessageEvent.prototype, Symbol.toStringTag, { value: "MessageEvent", configurable: true });

  class CloseEvent extends Event {
    #code;
    #reason;
    #wasClean;
    constructor(type, init = undefined) {
      needArgs(arguments.length, 1, "CloseEvent");
      init = initDict(init, "CloseEvent");
      super(type, init);
      this.#code = init.code === undefined ? 0 : Number(init.code) & 0xffff;
      this.#reason = init.reason === undefined ? "" : String(init.reason);
      this.#wasClean = !!init.wasClean;
    }
    get code() {
      return this.#code;
    }
    get reason() {
      return this.#reason;
    }
    get wasClean() {
      return this.#wasClean;
    }
  }
  Object.defineProperty(CloseEvent.prototype, Symbol.toStringTag, { value: "CloseEvent", configurable: true });

  class ErrorEvent extends Event {
    #s;
    constructor(type, init = undefined) {
      needArgs(arguments.length, 1, "ErrorEvent");
      init = initDict(init, "ErrorEvent");
      super(type, init);
      this.#s = {
        message: init.message === undefined ? "" : String(init.message),
        filename: init.filename === undefined ? "" : String(init.filename),
        lineno: init.lineno === undefined ? 0 : Number(init.lineno) >>> 0,
        colno: init.colno === undefined ? 0 : Number(init.colno) >>> 0,
        error: init.error,
      };
    }
    get message() {
      return this.#s.message;
    }
    get filename() {
      return this.#s.filename;
    }
    get lineno() {
      return this.#s.lineno;
    }
    get colno() {
      return this.#s.colno;
    }
    get error() {
      return this.#s.error;
    }
  }
  Object.defineProperty(ErrorEvent.prototype, Symbol.toStringTag, { value: "ErrorEvent", configurable: true });

  // ---------------------------------------------------------------------------------------------- WebSocket

  // Socket state records: { ws, accepted, released, peer (record of the other end, while both are local),
  // hostId (while connected to the host), inbox (events waiting for accept), closedIncoming, closedOutgoing,
  // binaryType, onDone (releases the invocation that returned the 101) }.
  let stateOf;
  const hostSockets = new Map(); // host socket id -> record

  function newRecord(ws) {
    return {
      ws,
      accepted: false,
      released: false,
      peer: null,
      hostId: null,
      inbox: [],
      closedIncoming: false,
      closedOutgoing: false,
      binaryType: "arraybuffer",
      onDone: null,
    };
  }

  class WebSocket extends EventTarget {
    #s;
    constructor(url, protocols = undefined) {
      super();
      if (url !== TOKEN) {
        needArgs(arguments.length, 1, "WebSocket");
        throw new TypeError("new WebSocket(url) (outgoing WebSockets) is not supported by corral yet.");
      }
      this.#s = newRecord(this);
      void protocols;
    }
    static {
      stateOf = (ws) => {
        try {
          return ws.#s;
        } catch {
          throw new TypeError("Illegal invocation: the receiver is not a WebSocket.");
        }
      };
    }
    get readyState() {
      const s = this.#s;
      if (s.released) return CLOSED;
      if (s.closedIncoming && s.closedOutgoing) return CLOSED;
      if (s.closedIncoming || s.closedOutgoing) return CLOSING;
      return OPEN;
    }
    get url() {
      return null;
    }
    get protocol() {
      return null;
    }
    get extensions() {
      return null;
    }
    get binaryType() {
      return this.#s.binaryType;
    }
    set binaryType(value) {
      value = String(value);
      if (value === "arraybuffer" || value === "blob") this.#s.binaryType = value;
    }

    accept() {
      const s = this.#s;
      if (s.released) throw new TypeError("Can't accept() WebSocket that was already used in a response.");
      if (s.accepted) return;
      s.accepted = true;
      const pending = s.inbox;
      s.inbox = [];
      for (const event of pending) schedule(s, event);
    }

    send(message) {
      needArgs(arguments.length, 1, "send");
      const s = this.#s;
      if (s.closedOutgoing) throw new TypeError("Can't call WebSocket send() after close().");
      if (s.released) return;
      if (!s.accepted) {
        throw new TypeError(
          "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.",
        );
      }
      let data;
      if (typeof message === "string") data = message;
      else if (message instanceof ArrayBuffer) data = new Uint8Array(message.slice(0));
      else if (ArrayBuffer.isView(message)) {
        data = new Uint8Array(message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength));
      } else data = String(message);
      transmit(s, { type: "message", data });
    }

    close(code = undefined, reason = undefined) {
      const s = this.#s;
      if (s.closedOutgoing || s.released) return;
      if (!s.accepted) {
        throw new TypeError(
          "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.",
        );
      }
      if (code !== undefined) {
        code = Number(code);
        if (!Number.isInteger(code) || code < 1000 || code >= 5000 || code === 1004 || code === 1005 || code === 1006 || code === 1015) {
          throw new TypeError(`Invalid WebSocket close code: ${code}.`);
        }
      }
      if (reason !== undefined) {
        if (code === undefined) throw new TypeError("If you specify a WebSocket close reason, you must also specify a code.");
        reason = String(reason);
        if (host.utf8Encode(reason).length > 123) {
          throw new TypeError("Invalid WebSocket close reason: the reason must be at most 123 bytes of UTF-8.");
        }
      }
      s.closedOutgoing = true;
      transmit(s, { type: "close", code: code === undefined ? 1005 : code, reason: reason ?? "", wasClean: true });
    }

    // Hibernation API placeholders (Durable Objects): not supported in plain workers.
    serializeAttachment() {
      throw new TypeError("serializeAttachment() is only available on hibernatable WebSockets of Durable Objects.");
    }
    deserializeAttachment() {
      return null;
    }
  }
  for (const [k, v] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
    for (const name of [k, `READY_STATE_${k}`]) {
      Object.defineProperty(WebSocket, name, { value: v, enumerable: true });
      Object.defineProperty(WebSocket.prototype, name, { value: v, enumerable: true });
    }
  }
  Object.defineProperty(WebSocket.prototype, Symbol.toStringTag, { value: "WebSocket", configurable: true });
  for (const type of ["open", "message", "close", "error"]) internal.defineEventHandler(WebSocket.prototype, type);

  // Sends an event from `s` to whatever is on the other side: the host, or the local peer.
  function transmit(s, event) {
    if (s.hostId !== null) {
      if (event.type === "message") host.wsSend(s.hostId, event.data);
      else host.wsClose(s.hostId, event.code === 1005 ? 0 : event.code, event.reason);
      return;
    }
    if (s.peer !== null) {
      const data = event.type === "message" && typeof event.data !== "string" ? event.data.buffer : event.data;
      receive(s.peer, event.type === "message" ? { type: "message", data } : event);
    }
  }

  // An event arriving at `s`: queued until accept(), then dispatched in a later microtask, in order.
  function receive(s, event) {
    if (s.accepted) schedule(s, event);
    else s.inbox.push(event);
  }

  function schedule(s, event) {
    Promise.resolve().then(() => fire(s, event));
  }

  function fire(s, event) {
    let e;
    if (event.type === "message") {
      let data = event.data;
      if (typeof data !== "string" && s.binaryType === "blob") data = new Blob([data]);
      e = new MessageEvent("message", { data });
    } else if (event.type === "close") {
      if (s.closedIncoming) return;
      s.closedIncoming = true;
      if (!s.closedOutgoing) {
        // Automatic reply to a close (a host socket's was already answered on the wire).
        s.closedOutgoing = true;
        if (s.peer !== null && event.wasClean) {
          receive(s.peer, { type: "close", code: event.code, reason: event.reason, wasClean: true });
        }
      }
      e = new CloseEvent("close", { code: event.code, reason: event.reason, wasClean: event.wasClean });
    } else if (event.type === "error") {
      e = new ErrorEvent("error", { message: event.message, error: new Error(event.message) });
    } else {
      e = new Event(event.type);
    }
    internal.eventSetTrusted(e);
    s.ws.dispatchEvent(e);
  }

  class WebSocketPair {
    constructor() {
      const client = new WebSocket(TOKEN);
      const server = new WebSocket(TOKEN);
      const c = stateOf(client);
      const s = stateOf(server);
      c.peer = s;
      s.peer = c;
      Object.defineProperty(this, 0, { value: client, enumerable: true, writable: true, configurable: true });
      Object.defineProperty(this, 1, { value: server, enumerable: true, writable: true, configurable: true });
    }
    *[Symbol.iterator]() {
      yield this[0];
      yield this[1];
    }
  }
  Object.defineProperty(WebSocketPair.prototype, Symbol.toStringTag, { value: "WebSocketPair", configurable: true });

  // From worker.js: the handler returned `new Response(null, { status: 101, webSocket })`. Hands `webSocket`'s
  // peer to the host; the invocation stays in flight until that socket has closed.
  internal.webSocketRespond = function (invocation, parts) {
    const ws = parts.webSocket;
    if (!(ws instanceof WebSocket)) throw new TypeError("Response's webSocket must be a WebSocket.");
    const c = stateOf(ws);
    if (c.released) throw new TypeError("Can't return WebSocket that was already used in a response.");
    if (c.accepted) throw new TypeError("Can't return WebSocket in a Response after calling accept().");
    const s = c.peer;
    if (s === null) throw new TypeError("Can't return WebSocket in a Response: its peer is gone.");
    const id = host.respondWebSocket(invocation.id, parts.statusText, parts.headers);
    c.released = true;
    c.peer = null;
    s.peer = null;
    s.hostId = id;
    s.onDone = () => invocation.release();
    hostSockets.set(id, s);
    // What the worker sent before returning the response went to the client end's queue: forward it.
    const early = c.inbox;
    c.inbox = [];
    for (const event of early) {
      if (event.type === "message") host.wsSend(id, typeof event.data === "string" ? event.data : new Uint8Array(event.data));
      else if (event.type === "close") host.wsClose(id, event.code === 1005 ? 0 : event.code, event.reason);
    }
  };

  // From the host (websocket.rs): an event of host socket `id`.
  internal.webSocketEvent = function (id, type, a, b, c) {
    const s = hostSockets.get(id);
    if (s === undefined) return;
    if (type === "message") receive(s, { type, data: a });
    else if (type === "error") receive(s, { type, message: a });
    else if (type === "close") {
      hostSockets.delete(id);
      s.hostId = null;
      receive(s, { type, code: a, reason: b, wasClean: c });
      const done = s.onDone;
      s.onDone = null;
      if (done) done();
    }
  };

  internal.defineGlobal("WebSocketPair", WebSocketPair);
  internal.defineGlobal("WebSocket", WebSocket);
  internal.defineGlobal("MessageEvent", MessageEvent);
  internal.defineGlobal("CloseEvent", CloseEvent);
  internal.defineGlobal("ErrorEvent", ErrorEvent);
})
