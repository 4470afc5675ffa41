(function (host, internal) {
  "use strict";
  // Queues: the producer binding (`send`, `sendBatch`; a message is durable when the promise resolves) and the
  // consumer side (`queue(batch, env, ctx)` with `MessageBatch` / `Message`, ack and retry decisions reported
  // back to the dispatcher).

  const MAX_MESSAGE_BYTES = 128000;
  const MAX_BATCH_MESSAGES = 100;
  const MAX_BATCH_BYTES = 256000;
  const MAX_DELAY_SECONDS = 43200;
  const CONTENT_TYPES = ["json", "text", "bytes", "v8"];

  function defaultContentType() {
    return internal.hasCompatFlag("queues_json_messages") ? "json" : "v8";
  }

  function checkDelay(delay, what) {
    if (delay === undefined) return undefined;
    if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) {
      throw new TypeError(`${what} must be an integer between 0 and ${MAX_DELAY_SECONDS} seconds, got ${delay}.`);
    }
    return delay;
  }

  function encodeBody(body, contentType) {
    contentType = contentType ?? defaultContentType();
    if (!CONTENT_TYPES.includes(contentType)) {
      throw new TypeError(`Unknown Queue content type "${contentType}". Expected one of "json", "text", "bytes" or "v8".`);
    }
    let bytes;
    switch (contentType) {
      case "json": {
        const text = JSON.stringify(body);
        if (text === undefined) throw new TypeError("Queue message body could not be serialized as JSON.");
        bytes = internal.utf8Encode(text);
        break;
      }
      case "text":
        if (typeof body !== "string") throw new TypeError('Content Type "text" requires a value of type string.');
        bytes = internal.utf8Encode(body);
        break;
      case "bytes":
        if (body instanceof ArrayBuffer) bytes = new Uint8Array(body.slice(0));
        else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
        else throw new TypeError('Content Type "bytes" requires a value of type ArrayBuffer or ArrayBufferView.');
        break;
      case "v8":
        bytes = internal.serialize(body);
        break;
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new RangeError(`Queue message is too large: ${bytes.length} bytes, the limit is ${MAX_MESSAGE_BYTES} bytes (128 KB).`);
    }
    return { bytes, contentType };
  }

  function decodeBody(bytes, contentType) {
    switch (contentType) {
      case "json":
        return JSON.parse(host.utf8Decode(bytes));
      case "text":
        return host.utf8Decode(bytes);
      case "bytes":
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      default:
        return internal.deserialize(bytes);
    }
  }

  class WorkerQueue {
    #spec;
    constructor(spec) {
      this.#spec = spec;
    }
    async send(body, options = {}) {
      const delay = checkDelay(options.delaySeconds, "delaySeconds") ?? this.#spec.delay ?? 0;
      const { bytes, contentType } = encodeBody(body, options.contentType);
      host.queueSend(this.#spec.queue, [bytes], [contentType], [delay]);
    }
    async sendBatch(messages, options = {}) {
      if (messages === null || typeof messages !== "object" || typeof messages[Symbol.iterator] !== "function") {
        throw new TypeError("sendBatch() requires an iterable of messages.");
      }
      const batchDelay = checkDelay(options.delaySeconds, "delaySeconds");
      const list = [...messages];
      if (list.length === 0) throw new TypeError("sendBatch() requires at least one message.");
      if (list.length > MAX_BATCH_MESSAGES) {
        throw new RangeError(`Queue sendBatch() accepts at most ${MAX_BATCH_MESSAGES} messages, got ${list.length}.`);
      }
      const bodies = [];
      const types = [];
      const delays = [];
      let total = 0;
      for (const m of list) {
        if (m === null || typeof m !== "object" || !("body" in m)) {
          throw new TypeError("Each message of sendBatch() must be an object with a body.");
        }
        const { bytes, contentType } = encodeBody(m.body, m.contentType);
        total += bytes.length;
        bodies.push(bytes);
        types.push(contentType);
        delays.push(checkDelay(m.delaySeconds, "delaySeconds") ?? batchDelay ?? this.#spec.delay ?? 0);
      }
      if (total > MAX_BATCH_BYTES) {
        throw new RangeError(`Queue batch is too large: ${total} bytes, the limit is ${MAX_BATCH_BYTES} bytes (256 KB).`);
      }
      host.queueSend(this.#spec.queue, bodies, types, delays);
    }
  }
  internal.defineGlobal("WorkerQueue", WorkerQueue);
  internal["binding:queue"] = (spec) => new WorkerQueue(spec);

  // ----------------------------------------------------------------------------------------------- consumer

  class Message {
    #decide;
    constructor(raw, body, decide) {
      this.id = raw.id;
      this.timestamp = new Date(raw.timestamp);
      this.body = body;
      this.attempts = raw.attempts;
      this.#decide = decide;
    }
    ack() {
      this.#decide(this.id, { action: "ack" });
    }
    retry(options = {}) {
      const delaySeconds = checkDelay(options?.delaySeconds, "delaySeconds");
      this.#decide(this.id, { action: "retry", delaySeconds });
    }
  }

  class MessageBatch {
    #state;
    constructor(queue, messages, state) {
      this.queue = queue;
      this.messages = messages;
      this.#state = state;
    }
    ackAll() {
      if (this.#state.ackAll === false && this.#state.retryAll === null) this.#state.ackAll = true;
    }
    retryAll(options = {}) {
      const delaySeconds = checkDelay(options?.delaySeconds, "delaySeconds");
      if (this.#state.ackAll === false && this.#state.retryAll === null) this.#state.retryAll = { delaySeconds };
    }
  }

  internal.dispatchQueue = function (call, queue, rawMessages) {
    const state = { ackAll: false, retryAll: null, decisions: new Map() };
    const decide = (id, decision) => {
      if (!state.decisions.has(id)) state.decisions.set(id, decision);
    };
    const reply = (success, error) => {
      const outcome = {
        success,
        error: error === undefined ? undefined : String(error && error.stack ? `${error.name}: ${error.message}` : error),
        ackAll: state.ackAll,
        retryAll: state.retryAll,
        messages: [...state.decisions].map(([id, d]) => ({ id, action: d.action, delaySeconds: d.delaySeconds })),
      };
      host.callReply(call, true, internal.utf8Encode(JSON.stringify(outcome)));
    };
    let messages;
    try {
      messages = rawMessages.map((m) => new Message(m, decodeBody(m.body, m.contentType), decide));
    } catch (e) {
      internal.logError(`Uncaught (in queue ${queue}): a message body could not be decoded`, e);
      host.invocationDone();
      reply(false, e);
      return;
    }
    const batch = new MessageBatch(queue, Object.freeze(messages), state);
    internal.runEvent("queue", [batch]).then(
      () => reply(true),
      (e) => {
        internal.logError(`Uncaught (in queue ${queue})`, e);
        reply(false, e);
      },
    );
  };
})
