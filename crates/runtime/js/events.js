(function (host, internal) {
  "use strict";
  // DOMException, Event, EventTarget, AbortSignal, AbortController, CustomEvent (WebIDL + WHATWG DOM).

  const now = host.now;
  const hostLog = host.log;
  const setTimer = host.setTimer;

  function describeError(e) {
    if (e !== null && typeof e === "object" && "message" in e) {
      let head;
      try {
        head = `${e.name || "Error"}: ${e.message}`;
      } catch {
        head = "Error";
      }
      const stack = typeof e.stack === "string" ? e.stack.trimEnd() : "";
      if (!stack) return head;
      return stack.startsWith(head) || stack.startsWith(String(e.name)) ? stack : `${head}\n${stack}`;
    }
    try {
      return String(e);
    } catch {
      return "<error>";
    }
  }
  if (typeof internal.reportError !== "function") {
    internal.reportError = (err) => hostLog("error", `Uncaught ${describeError(err)}`);
  }
  const report = (err) => {
    try {
      internal.reportError(err);
    } catch {
      // a broken reporter must not break dispatch
    }
  };

  // ---------------------------------------------------------------------------------------------- DOMException

  const LEGACY_CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const CONSTANTS = [
    "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR", "INVALID_CHARACTER_ERR",
    "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR", "NOT_SUPPORTED_ERR",
    "INUSE_ATTRIBUTE_ERR", "INVALID_STATE_ERR", "SYNTAX_ERR", "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR",
    "INVALID_ACCESS_ERR", "VALIDATION_ERR", "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR",
    "URL_MISMATCH_ERR", "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
  ];

  class DOMException extends Error {
    #name;
    #message;
    constructor(message = undefined, options = undefined) {
      super();
      // The Error constructor leaves no own `message`; the attributes live on the prototype as in WebIDL.
      this.#message = message === undefined ? "" : String(message);
      if (options !== null && typeof options === "object") {
        this.#name = options.name === undefined ? "Error" : String(options.name);
        if ("cause" in options) {
          Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true });
        }
      } else {
        this.#name = options === undefined ? "Error" : String(options);
      }
    }
    get name() {
      return this.#name;
    }
    get message() {
      return this.#message;
    }
    get code() {
      return Object.prototype.hasOwnProperty.call(LEGACY_CODES, this.#name) ? LEGACY_CODES[this.#name] : 0;
    }
  }
  CONSTANTS.forEach((name, i) => {
    const d = { value: i + 1, enumerable: true };
    Object.defineProperty(DOMException, name, d);
    Object.defineProperty(DOMException.prototype, name, d);
  });
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
  internal.DOMException = DOMException;
  internal.createAbortError = (message = "The operation was aborted.") => new DOMException(message, "AbortError");

  // ---------------------------------------------------------------------------------------------- Event

  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  let eventState; // (event) -> its internal state (set in the class's static block)

  function requireArgs(n, count, what) {
    if (n < count) {
      throw new TypeError(`Failed to execute '${what}': ${count} argument${count > 1 ? "s" : ""} required, but only ${n} present.`);
    }
  }

  class Event {
    #s;
    constructor(type, eventInitDict = undefined) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
      }
      const init = eventInitDict == null ? {} : eventInitDict;
      if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeError("Failed to construct 'Event': The provided value is not of type 'EventInit'.");
      }
      this.#s = {
        type: String(type),
        bubbles: !!init.bubbles,
        cancelable: !!init.cancelable,
        composed: !!init.composed,
        timeStamp: now(),
        target: null,
        currentTarget: null,
        phase: NONE,
        canceled: false,
        stop: false,
        stopImmediate: false,
        dispatching: false,
        inPassive: false,
        trusted: false,
        initialized: true,
      };
    }
    static {
      eventState = (e) => {
        try {
          return e.#s;
        } catch {
          throw new TypeError("Illegal invocation: the receiver is not an Event.");
        }
      };
    }
    get type() {
      return this.#s.type;
    }
    get target() {
      return this.#s.target;
    }
    get srcElement() {
      return this.#s.target;
    }
    get currentTarget() {
      return this.#s.currentTarget;
    }
    get eventPhase() {
      return this.#s.phase;
    }
    get bubbles() {
      return this.#s.bubbles;
    }
    get cancelable() {
      return this.#s.cancelable;
    }
    get composed() {
      return this.#s.composed;
    }
    get defaultPrevented() {
      return this.#s.canceled;
    }
    get returnValue() {
      return !this.#s.canceled;
    }
    set returnValue(v) {
      if (!v) this.preventDefault();
    }
    get cancelBubble() {
      return this.#s.stop;
    }
    set cancelBubble(v) {
      if (v) this.#s.stop = true;
    }
    get isTrusted() {
      return this.#s.trusted;
    }
    get timeStamp() {
      return this.#s.timeStamp;
    }
    composedPath() {
      const s = this.#s;
      return s.dispatching && s.currentTarget ? [s.currentTarget] : [];
    }
    preventDefault() {
      const s = this.#s;
      if (s.cancelable && !s.inPassive) s.canceled = true;
    }
    stopPropagation() {
      this.#s.stop = true;
    }
    stopImmediatePropagation() {
      const s = this.#s;
      s.stop = true;
      s.stopImmediate = true;
    }
    initEvent(type, bubbles = false, cancelable = false) {
      requireArgs(arguments.length, 1, "initEvent");
      const s = this.#s;
      if (s.dispatching) return;
      Object.assign(s, {
        type: String(type), bubbles: !!bubbles, cancelable: !!cancelable, initialized: true,
        stop: false, stopImmediate: false, canceled: false, trusted: false, target: null,
      });
    }
  }
  for (const [k, v] of Object.entries({ NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE })) {
    Object.defineProperty(Event, k, { value: v, enumerable: true });
    Object.defineProperty(Event.prototype, k, { value: v, enumerable: true });
  }
  Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: "Event", configurable: true });

  class CustomEvent extends Event {
    #detail;
    constructor(type, eventInitDict = undefined) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'CustomEvent': 1 argument required, but only 0 present.");
      }
      super(type, eventInitDict);
      this.#detail = eventInitDict == null || eventInitDict.detail === undefined ? null : eventInitDict.detail;
    }
    get detail() {
      return this.#detail;
    }
    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      requireArgs(arguments.length, 1, "initCustomEvent");
      if (eventState(this).dispatching) return;
      this.initEvent(type, bubbles, cancelable);
      this.#detail = detail;
    }
  }
  Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: "CustomEvent", configurable: true });

  // ---------------------------------------------------------------------------------------------- EventTarget

  let listenersOf; // (target) -> Map<type, listener[]>

  function flattenOptions(options) {
    if (typeof options === "boolean") return { capture: options };
    if (options == null) return { capture: false };
    if (typeof options !== "object" && typeof options !== "function") return { capture: !!options };
    return options;
  }

  function checkCallback(callback, what) {
    if (callback !== null && typeof callback !== "object" && typeof callback !== "function") {
      throw new TypeError(`Failed to execute '${what}' on 'EventTarget': parameter 2 is not of type 'EventListener'.`);
    }
  }

  function removeListener(target, type, listener) {
    const list = listenersOf(target).get(type);
    listener.removed = true;
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) listenersOf(target).delete(type);
  }

  class EventTarget {
    #listeners = new Map();
    static {
      listenersOf = (t) => {
        try {
          return t.#listeners;
        } catch {
          throw new TypeError("Illegal invocation: the receiver is not an EventTarget.");
        }
      };
    }
    addEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "addEventListener");
      checkCallback(callback, "addEventListener");
      const map = this.#listeners;
      const opts = flattenOptions(options);
      type = String(type);
      const capture = !!opts.capture;
      const once = !!opts.once;
      const passive = !!opts.passive;
      const signal = opts.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type AbortSignal.");
      }
      if (callback === null) return;
      if (signal && signal.aborted) return;
      let list = map.get(type);
      if (list) {
        for (const l of list) if (l.callback === callback && l.capture === capture) return;
      } else {
        map.set(type, (list = []));
      }
      const listener = { callback, capture, once, passive, removed: false };
      list.push(listener);
      if (signal) addAlgorithm(signal, () => removeListener(this, type, listener));
    }
    removeEventListener(type, callback, options = undefined) {
      requireArgs(arguments.length, 2, "removeEventListener");
      checkCallback(callback, "removeEventListener");
      type = String(type);
      const capture = !!flattenOptions(options).capture;
      const list = this.#listeners.get(type);
      if (!list) return;
      for (const l of list) {
        if (l.callback === callback && l.capture === capture) {
          removeListener(this, type, l);
          return;
        }
      }
    }
    dispatchEvent(event) {
      requireArgs(arguments.length, 1, "dispatchEvent");
      if (!(event instanceof Event)) {
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      const s = eventState(event);
      if (s.dispatching || !s.initialized) {
        throw new DOMException("The event is already being dispatched.", "InvalidStateError");
      }
      return dispatch(this, event, s);
    }
  }
  Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: "EventTarget", configurable: true });

  function dispatch(target, event, s) {
    s.dispatching = true;
    s.target = target;
    s.currentTarget = target;
    s.phase = AT_TARGET;
    const list = listenersOf(target).get(s.type);
    if (list && list.length) {
      const snapshot = list.slice();
      // At the target, capturing listeners run first, then the others (DOM "invoke" with two phases).
      for (const phaseCapture of [true, false]) {
        if (s.stop) break;
        for (const l of snapshot) {
          if (l.removed || l.capture !== phaseCapture) continue;
          if (l.once) removeListener(target, s.type, l);
          s.inPassive = l.passive;
          try {
            const cb = l.callback;
            if (typeof cb === "function") {
              cb.call(target, event);
            } else {
              const handle = cb.handleEvent;
              if (typeof handle !== "function") throw new TypeError("The listener's handleEvent is not a function.");
              handle.call(cb, event);
            }
          } catch (err) {
            report(err);
          }
          s.inPassive = false;
          if (s.stopImmediate) break;
        }
        if (s.stopImmediate) break;
      }
    }
    s.phase = NONE;
    s.currentTarget = null;
    s.dispatching = false;
    s.stop = false;
    s.stopImmediate = false;
    return !s.canceled;
  }

  // An `on<type>` event handler attribute: the listener is registered when first set to a non-null value.
  function defineEventHandler(proto, type) {
    const handlers = new WeakMap();
    Object.defineProperty(proto, `on${type}`, {
      configurable: true,
      enumerable: true,
      get() {
        const h = handlers.get(this);
        return h ? h.value : null;
      },
      set(value) {
        const fn = typeof value === "function" || (value !== null && typeof value === "object") ? value : null;
        let h = handlers.get(this);
        if (!h) {
          if (fn === null) return;
          h = { value: null };
          handlers.set(this, h);
          this.addEventListener(type, function (event) {
            const v = h.value;
            if (typeof v === "function") {
              const r = v.call(this, event);
              if (r === false) event.preventDefault();
            }
          });
        }
        h.value = fn;
      },
    });
  }
  internal.defineEventHandler = defineEventHandler;

  // ---------------------------------------------------------------------------------------------- AbortSignal

  const TOKEN = Symbol("AbortSignal");
  let signalState; // (signal) -> internal state

  class AbortSignal extends EventTarget {
    #s;
    constructor(token = undefined) {
      if (token !== TOKEN) throw new TypeError("Illegal constructor");
      super();
      this.#s = { aborted: false, reason: undefined, algorithms: null, sources: null, dependents: null, dependent: false };
    }
    static {
      signalState = (sig) => {
        try {
          return sig.#s;
        } catch {
          throw new TypeError("Illegal invocation: the receiver is not an AbortSignal.");
        }
      };
    }
    get aborted() {
      return this.#s.aborted;
    }
    get reason() {
      return this.#s.reason;
    }
    throwIfAborted() {
      if (this.#s.aborted) throw this.#s.reason;
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(TOKEN);
      const s = signal.#s;
      s.aborted = true;
      s.reason = reason === undefined ? internal.createAbortError() : reason;
      return signal;
    }
    static timeout(milliseconds) {
      requireArgs(arguments.length, 1, "timeout");
      const ms = Number(milliseconds);
      if (!Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER) {
        throw new TypeError(
          "Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.",
        );
      }
      const signal = new AbortSignal(TOKEN);
      setTimer(Math.trunc(ms), () => {
        signalAbort(signal, new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      });
      return signal;
    }
    static any(signals) {
      requireArgs(arguments.length, 1, "any");
      if (signals == null || typeof signals[Symbol.iterator] !== "function") {
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
      }
      const list = [];
      for (const sig of signals) {
        if (!(sig instanceof AbortSignal)) {
          throw new TypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
        }
        list.push(sig);
      }
      return createDependent(list);
    }
  }
  Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: "AbortSignal", configurable: true });
  defineEventHandler(AbortSignal.prototype, "abort");

  function createDependent(signals) {
    const result = new AbortSignal(TOKEN);
    const rs = signalState(result);
    for (const sig of signals) {
      const ss = signalState(sig);
      if (ss.aborted) {
        rs.aborted = true;
        rs.reason = ss.reason;
        return result;
      }
    }
    rs.dependent = true;
    rs.sources = new Set();
    const link = (src) => {
      const ss = signalState(src);
      if (ss.aborted || rs.sources.has(src)) return;
      rs.sources.add(src);
      (ss.dependents || (ss.dependents = new Set())).add(result);
    };
    for (const sig of signals) {
      const ss = signalState(sig);
      if (!ss.dependent) link(sig);
      else for (const src of ss.sources) link(src);
    }
    return result;
  }

  function addAlgorithm(signal, fn) {
    const s = signalState(signal);
    if (s.aborted) return;
    (s.algorithms || (s.algorithms = new Set())).add(fn);
  }

  function runAbortSteps(signal) {
    const s = signalState(signal);
    const algorithms = s.algorithms;
    s.algorithms = null;
    if (algorithms) {
      for (const fn of algorithms) {
        try {
          fn(s.reason);
        } catch (err) {
          report(err);
        }
      }
    }
    const event = new Event("abort");
    eventState(event).trusted = true;
    signal.dispatchEvent(event);
  }

  function signalAbort(signal, reason) {
    const s = signalState(signal);
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? internal.createAbortError() : reason;
    const toAbort = [];
    if (s.dependents) {
      for (const dep of s.dependents) {
        const ds = signalState(dep);
        if (ds.aborted) continue;
        ds.aborted = true;
        ds.reason = s.reason;
        toAbort.push(dep);
      }
      s.dependents = null;
    }
    runAbortSteps(signal);
    for (const dep of toAbort) {
      const ds = signalState(dep);
      if (ds.sources) {
        for (const src of ds.sources) {
          const ss = signalState(src);
          if (ss.dependents) ss.dependents.delete(dep);
        }
        ds.sources = null;
      }
      runAbortSteps(dep);
    }
  }

  class AbortController {
    #signal = new AbortSignal(TOKEN);
    get signal() {
      return this.#signal;
    }
    abort(reason = undefined) {
      signalAbort(this.#signal, reason);
    }
  }
  Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: "AbortController", configurable: true });

  // Hooks for other prelude files.
  internal.createAbortSignal = () => new AbortSignal(TOKEN);
  internal.signalAbort = signalAbort;
  internal.abortSignalAny = createDependent;
  // Runs `fn(reason)` when `signal` aborts (not if already aborted); returns a function that unregisters it.
  internal.signalAddAlgorithm = (signal, fn) => {
    addAlgorithm(signal, fn);
    return () => {
      const s = signalState(signal);
      if (s.algorithms) s.algorithms.delete(fn);
    };
  };
  // Makes `follower` abort when `parent` does (the DOM "follow" algorithm).
  internal.signalFollow = (follower, parent) => {
    if (signalState(follower).aborted) return;
    const ps = signalState(parent);
    if (ps.aborted) signalAbort(follower, ps.reason);
    else addAlgorithm(parent, () => signalAbort(follower, ps.reason));
  };
  internal.isAbortSignal = (v) => v instanceof AbortSignal;
  internal.eventSetTrusted = (event) => {
    eventState(event).trusted = true;
  };
  internal.describeError = describeError;

  internal.defineGlobal("DOMException", DOMException);
  internal.defineGlobal("Event", Event);
  internal.defineGlobal("CustomEvent", CustomEvent);
  internal.defineGlobal("EventTarget", EventTarget);
  internal.defineGlobal("AbortSignal", AbortSignal);
  internal.defineGlobal("AbortController", AbortController);
})
