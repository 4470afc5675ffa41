(function (host, internal) {
  "use strict";
  // WebSockets as Cloudflare Workers has them: `WebSocketPair`, `WebSocket` (accept/send/close and events),
  // `MessageEvent`, `CloseEvent`, `ErrorEvent`. Both ends of a pair live here; once one end is returned in a
  // 101 response (`internal.webSocketRespond`, from worker.js), the other end talks to the host by socket id
  // (`host.wsSend`, `host.wsClose`) and the host delivers the client's events through `internal.webSocketEvent`.
  // Events that arrive before `accept()` are queued and delivered after it. A close received is answered
  // automatically (as with Cloudflare's `web_socket_auto_reply_to_close`), so `readyState` is CLOSED after the
  // `close` event and a `close()` from its listener is a no-op.
  //
  // Durable Objects: `ctx.acceptWebSocket(ws, tags)` (durable_objects.js) marks a socket hibernatable. Once its
  // pair is returned in a 101, the host entry remembers the owning object, tags and attachment, and its events go
  // to the object's `webSocketMessage/Close/Error` handlers (`internal.dispatchHibernatedEvent`), through a
  // wrapper made on demand: the object may have been evicted and rebuilt since. A 101 that comes back from a
  // stub's `fetch` carries a forwarded socket (`internal.forwardedWebSocket`) the caller can only return.

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
  const pendingHibernatable = new Set(); // records accepted with acceptWebSocket(), not yet given to the host
  const MAX_ATTACHMENT_BYTES = 2048;
  const MAX_TAGS = 10;
  const MAX_TAG_LENGTH = 256;

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
      hibernatable: false, // events go to the owning object's handlers
      hibernate: null, // { target, tags } between acceptWebSocket() and the 101
      attachment: null, // serialized attachment (kept by the host once the socket is hibernatable)
      forwarded: null, // host handle of a socket that came back from a Durable Object stub
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
      if (s.forwarded !== null) {
        throw new TypeError(
          "corral cannot accept() a WebSocket returned by a Durable Object stub yet; return it in a Response instead.",
        );
      }
      if (s.hibernate !== null || s.hibernatable) {
        throw new TypeError("Can't accept() a WebSocket that was accepted with state.acceptWebSocket().");
      }
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

    serializeAttachment(value) {
      needArgs(arguments.length, 1, "serializeAttachment");
      const s = this.#s;
      const bytes = internal.serialize(value);
      if (bytes.length > MAX_ATTACHMENT_BYTES) {
        throw new Error(
          `A WebSocket 'attachment' cannot be larger than ${MAX_ATTACHMENT_BYTES} bytes. 'attachment' was ${bytes.length} bytes.`,
        );
      }
      s.attachment = bytes;
      if (s.hibernatable && s.hostId !== null) host.wsSetAttachment(s.hostId, bytes);
    }
    deserializeAttachment() {
      const s = this.#s;
      const bytes = s.hibernatable && s.hostId !== null ? host.wsGetAttachment(s.hostId) : s.attachment;
      return bytes === null || bytes === undefined ? null : internal.deserialize(bytes);
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
    if (c.forwarded !== null) {
      // A socket from a Durable Object stub: the object keeps its end; this invocation is done.
      host.respondForwardedWebSocket(invocation.id, c.forwarded, parts.statusText, parts.headers);
      c.released = true;
      c.forwarded = null;
      invocation.release();
      return;
    }
    if (c.accepted) throw new TypeError("Can't return WebSocket in a Response after calling accept().");
    const s = c.peer;
    if (s === null) throw new TypeError("Can't return WebSocket in a Response: its peer is gone.");
    const id = host.respondWebSocket(invocation.id, parts.statusText, parts.headers);
    c.released = true;
    c.peer = null;
    s.peer = null;
    s.hostId = id;
    hostSockets.set(id, s);
    if (s.hibernate !== null) {
      // Hibernatable: the host entry outlives the object's instance, so the invocation ends now.
      s.hibernatable = true;
      host.wsHibernate(id, s.hibernate.target, s.hibernate.tags, s.attachment ?? undefined);
      s.hibernate = null;
      pendingHibernatable.delete(s);
      invocation.release();
    } else {
      s.onDone = () => invocation.release();
    }
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
    if (s === undefined || s.hibernatable) {
      const target = host.wsObject(id);
      if (target !== null && target !== undefined) {
        const ws = internal.hibernatedWebSocket(id);
        if (type === "close") {
          // The host entry goes away after this event; the handler may run later (blockConcurrencyWhile).
          const w = stateOf(ws);
          w.closedIncoming = true;
          w.closedOutgoing = true;
          w.attachment = host.wsGetAttachment(id) ?? null;
          w.hostId = null;
          hostSockets.delete(id);
        }
        internal.dispatchHibernatedEvent(target, ws, type, a, b, c);
        return;
      }
      if (s === undefined) return;
    }
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

  // ------------------------------------------------------------------- Durable Objects (durable_objects.js)

  // `ctx.acceptWebSocket(ws, tags)` for the object `target` ([class, id, name]).
  internal.acceptHibernatable = function (ws, target, tags) {
    if (!(ws instanceof WebSocket)) {
      throw new TypeError("Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 1 is not of type 'WebSocket'.");
    }
    const s = stateOf(ws);
    if (s.accepted) {
      throw new Error("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`");
    }
    if (s.released || s.forwarded !== null || s.hostId !== null || s.peer === null) {
      throw new Error(
        "Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been accepted or used in a Response.",
      );
    }
    const list = [];
    if (tags !== undefined && tags !== null) {
      if (typeof tags[Symbol.iterator] !== "function") {
        throw new TypeError("Failed to execute 'acceptWebSocket' on 'DurableObjectState': tags must be an array of strings.");
      }
      for (const t of tags) {
        const tag = String(t);
        if (tag.length > MAX_TAG_LENGTH) {
          throw new Error(`"${tag}" is longer than the max tag length (${MAX_TAG_LENGTH} characters).`);
        }
        if (list.includes(tag)) throw new Error(`"${tag}" is a duplicate tag. Please remove duplicates.`);
        list.push(tag);
      }
      if (list.length > MAX_TAGS) {
        throw new Error(`a Hibernatable WebSocket cannot have more than ${MAX_TAGS} tags`);
      }
    }
    s.accepted = true;
    s.hibernate = { target, tags: list };
    pendingHibernatable.add(s);
    // Events that reached this end before (from its local peer) have no listeners to go to.
    s.inbox = [];
  };

  // The wrapper of hibernatable host socket `id` (made anew after the object was evicted).
  internal.hibernatedWebSocket = function (id) {
    const existing = hostSockets.get(id);
    if (existing !== undefined) return existing.ws;
    const ws = new WebSocket(TOKEN);
    const s = stateOf(ws);
    s.accepted = true;
    s.hibernatable = true;
    s.hostId = id;
    hostSockets.set(id, s);
    return ws;
  };

  // The object's evicted: forget its wrappers (its sockets stay open in the host).
  internal.dropHibernatedWrappers = function (target) {
    for (const id of host.wsList(target[0], target[1], null)) {
      const s = hostSockets.get(id);
      if (s !== undefined && s.hibernatable) hostSockets.delete(id);
    }
    for (const s of pendingHibernatable) {
      if (s.hibernate.target[0] === target[0] && s.hibernate.target[1] === target[1]) pendingHibernatable.delete(s);
    }
  };

  // `ctx.getWebSockets(tag)`.
  internal.hibernatedWebSockets = function (target, tag) {
    const out = [];
    for (const s of pendingHibernatable) {
      const h = s.hibernate;
      if (h.target[0] === target[0] && h.target[1] === target[1] && (tag === null || h.tags.includes(tag))) out.push(s.ws);
    }
    for (const id of host.wsList(target[0], target[1], tag)) out.push(internal.hibernatedWebSocket(id));
    return out;
  };

  // `ctx.getTags(ws)`.
  internal.hibernatedTags = function (ws) {
    const s = ws instanceof WebSocket ? stateOf(ws) : null;
    if (s !== null && s.hibernate !== null) return s.hibernate.tags.slice();
    if (s === null || !s.hibernatable || s.hostId === null) {
      throw new TypeError("getTags() can only be called on a WebSocket accepted with state.acceptWebSocket().");
    }
    return host.wsTags(s.hostId);
  };

  // `ctx.getWebSocketAutoResponseTimestamp(ws)`.
  internal.autoResponseTimestamp = function (ws) {
    const s = ws instanceof WebSocket ? stateOf(ws) : null;
    if (s === null || !s.hibernatable || s.hostId === null) return null;
    const at = host.wsAutoResponseAt(s.hostId);
    return at === null || at === undefined ? null : new Date(at);
  };

  // A 101 response's socket that came back from a Durable Object stub (host handle `handle`).
  // Dropping it unreturned closes the object's socket (the object sees 1006).
  const unreturned = new FinalizationRegistry((handle) => host.wsDropForwarded(handle));
  internal.forwardedWebSocket = function (handle) {
    const ws = new WebSocket(TOKEN);
    const s = stateOf(ws);
    s.forwarded = handle;
    s.ws = null; // no events reach a forwarded socket; without the cycle, dropping the Response frees it at once
    unreturned.register(ws, handle);
    return ws;
  };

  internal.defineGlobal("WebSocketPair", WebSocketPair);
  internal.defineGlobal("WebSocket", WebSocket);
  internal.defineGlobal("MessageEvent", MessageEvent);
  internal.defineGlobal("CloseEvent", CloseEvent);
  internal.defineGlobal("ErrorEvent", ErrorEvent);
})
