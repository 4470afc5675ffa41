(function (host, internal) {
  "use strict";
  // node:events — EventEmitter (on/once/off/emit/prepend*, listener counts, the 'error' and 'newListener'
  // conventions, captureRejections off), and the helpers once() and on() as promises / async iterators.

  const kCapture = Symbol("kCapture");

  function checkListener(listener) {
    if (typeof listener !== "function") {
      const err = new TypeError(`The "listener" argument must be of type Function. Received type ${typeof listener}`);
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
  }

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.captureRejections = false;
  EventEmitter.errorMonitor = Symbol("events.errorMonitor");
  EventEmitter.captureRejectionSymbol = Symbol.for("nodejs.rejection");

  EventEmitter.init = function (opts) {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
    if (opts && opts.captureRejections) this[kCapture] = true;
  };

  EventEmitter.prototype.setMaxListeners = function (n) {
    this._maxListeners = n;
    return this;
  };
  EventEmitter.prototype.getMaxListeners = function () {
    return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners;
  };

  EventEmitter.prototype.emit = function (type, ...args) {
    const events = this._events;
    if (type === "error" && events !== undefined && events[EventEmitter.errorMonitor] !== undefined) {
      this.emit(EventEmitter.errorMonitor, ...args);
    }
    const handler = events === undefined ? undefined : events[type];
    if (handler === undefined) {
      if (type === "error") {
        const er = args[0];
        if (er instanceof Error) throw er;
        const err = new Error("Unhandled error." + (er === undefined ? "" : ` (${er})`));
        err.code = "ERR_UNHANDLED_ERROR";
        err.context = er;
        throw err;
      }
      return false;
    }
    if (typeof handler === "function") {
      callListener(this, handler, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; i++) callListener(this, listeners[i], args);
    }
    return true;
  };

  function callListener(emitter, fn, args) {
    const result = fn.apply(emitter, args);
    if (emitter[kCapture] && result && typeof result.then === "function") {
      result.then(undefined, (err) => {
        if (typeof emitter[EventEmitter.captureRejectionSymbol] === "function") {
          emitter[EventEmitter.captureRejectionSymbol](err, args);
        } else {
          emitter.emit("error", err);
        }
      });
    }
  }

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    if (events === undefined) {
      events = target._events = Object.create(null);
      target._eventsCount = 0;
    } else if (events.newListener !== undefined) {
      target.emit("newListener", type, listener.listener ? listener.listener : listener);
      events = target._events;
    }
    const existing = events[type];
    if (existing === undefined) {
      events[type] = listener;
      target._eventsCount++;
    } else if (typeof existing === "function") {
      events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) {
      existing.unshift(listener);
    } else {
      existing.push(listener);
    }
    return target;
  }

  EventEmitter.prototype.addListener = function (type, listener) {
    return addListener(this, type, listener, false);
  };
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function (type, listener) {
    return addListener(this, type, listener, true);
  };

  function onceWrapper(target, type, listener) {
    const state = { fired: false, target, type, listener };
    const wrapped = function (...args) {
      if (!state.fired) {
        state.target.removeListener(state.type, wrapped);
        state.fired = true;
        return state.listener.apply(state.target, args);
      }
    };
    wrapped.listener = listener;
    return wrapped;
  }
  EventEmitter.prototype.once = function (type, listener) {
    checkListener(listener);
    this.on(type, onceWrapper(this, type, listener));
    return this;
  };
  EventEmitter.prototype.prependOnceListener = function (type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrapper(this, type, listener));
    return this;
  };

  EventEmitter.prototype.removeListener = function (type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
      if (events.removeListener) this.emit("removeListener", type, list.listener || listener);
    } else if (typeof list !== "function") {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) {
          position = i;
          break;
        }
      }
      if (position < 0) return this;
      const removed = list[position];
      list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit("removeListener", type, removed.listener || listener);
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

  EventEmitter.prototype.removeAllListeners = function (type) {
    const events = this._events;
    if (events === undefined) return this;
    if (type === undefined) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    } else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
    }
    return this;
  };

  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const list = events[type];
    if (list === undefined) return [];
    if (typeof list === "function") return unwrap ? [list.listener || list] : [list];
    return unwrap ? list.map((l) => l.listener || l) : list.slice();
  }
  EventEmitter.prototype.listeners = function (type) {
    return listenersOf(this, type, true);
  };
  EventEmitter.prototype.rawListeners = function (type) {
    return listenersOf(this, type, false);
  };
  EventEmitter.prototype.listenerCount = function (type) {
    return listenersOf(this, type, false).length;
  };
  EventEmitter.listenerCount = function (emitter, type) {
    return emitter.listenerCount(type);
  };
  EventEmitter.prototype.eventNames = function () {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };

  function once(emitter, name, options) {
    return new Promise((resolve, reject) => {
      const signal = options && options.signal;
      if (signal && signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onError = (err) => {
        emitter.removeListener(name, resolver);
        reject(err);
      };
      const resolver = (...args) => {
        if (name !== "error" && typeof emitter.removeListener === "function") emitter.removeListener("error", onError);
        resolve(args);
      };
      if (typeof emitter.addEventListener === "function" && typeof emitter.on !== "function") {
        emitter.addEventListener(name, (...args) => resolve(args), { once: true });
        return;
      }
      emitter.once(name, resolver);
      if (name !== "error") emitter.once("error", onError);
    });
  }

  function on(emitter, event) {
    const queue = [];
    const waiting = [];
    let error = null;
    let done = false;
    const handler = (...args) => {
      if (waiting.length) waiting.shift().resolve({ value: args, done: false });
      else queue.push(args);
    };
    const onError = (err) => {
      done = true;
      if (waiting.length) waiting.shift().reject(err);
      else error = err;
    };
    emitter.on(event, handler);
    if (event !== "error") emitter.on("error", onError);
    const cleanup = () => {
      emitter.removeListener(event, handler);
      emitter.removeListener("error", onError);
    };
    return {
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (error) {
          const e = error;
          error = null;
          return Promise.reject(e);
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return() {
        done = true;
        cleanup();
        for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(err) {
        done = true;
        cleanup();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  function getEventListeners(emitter, name) {
    if (typeof emitter.listeners === "function") return emitter.listeners(name);
    return [];
  }
  function setMaxListeners(n, ...targets) {
    if (targets.length === 0) EventEmitter.defaultMaxListeners = n;
    for (const t of targets) if (typeof t.setMaxListeners === "function") t.setMaxListeners(n);
  }

  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.once = once;
  EventEmitter.on = on;
  EventEmitter.getEventListeners = getEventListeners;
  EventEmitter.setMaxListeners = setMaxListeners;
  EventEmitter.usingDomains = false;

  internal["module:node:events"] = {
    default: EventEmitter,
    EventEmitter,
    once,
    on,
    getEventListeners,
    setMaxListeners,
    listenerCount: EventEmitter.listenerCount,
    errorMonitor: EventEmitter.errorMonitor,
    captureRejectionSymbol: EventEmitter.captureRejectionSymbol,
    get defaultMaxListeners() {
      return EventEmitter.defaultMaxListeners;
    },
    get EventTarget() {
      return globalThis.EventTarget;
    },
    get Event() {
      return globalThis.Event;
    },
  };
})
