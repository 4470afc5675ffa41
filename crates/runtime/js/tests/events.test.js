// DOMException, Event, CustomEvent, EventTarget, AbortSignal, AbortController.

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

test("DOMException basics and legacy codes", () => {
  const e = new DOMException("boom", "AbortError");
  assert(e instanceof DOMException && e instanceof Error, "instanceof");
  assertEq(e.name, "AbortError");
  assertEq(e.message, "boom");
  assertEq(e.code, 20);
  assertEq(String(e), "AbortError: boom");
  assertEq(Object.prototype.toString.call(e), "[object DOMException]");
  const d = new DOMException();
  assertEq(d.name, "Error");
  assertEq(d.message, "");
  assertEq(d.code, 0);
  assertEq(new DOMException("x", "TimeoutError").code, 23);
  assertEq(new DOMException("x", "DataCloneError").code, 25);
  assertEq(new DOMException("x", "InvalidCharacterError").code, 5);
  assertEq(new DOMException("x", "NotSupportedError").code, 9);
  assertEq(new DOMException("x", "SomethingElse").code, 0);
  assertEq(DOMException.ABORT_ERR, 20);
  assertEq(DOMException.INDEX_SIZE_ERR, 1);
  assertEq(DOMException.DATA_CLONE_ERR, 25);
  assertEq(e.TIMEOUT_ERR, 23);
  assert(!Object.prototype.hasOwnProperty.call(e, "message"), "message is a prototype attribute");
  const withCause = new DOMException("m", { name: "SyntaxError", cause: 42 });
  assertEq(withCause.name, "SyntaxError");
  assertEq(withCause.cause, 42);
  assertEq(withCause.code, 12);
});

test("Event constructor and attributes", () => {
  assertThrows(() => new Event(), TypeError);
  const e = new Event("ping", { bubbles: true, cancelable: true });
  assertEq(e.type, "ping");
  assertEq(e.bubbles, true);
  assertEq(e.cancelable, true);
  assertEq(e.composed, false);
  assertEq(e.defaultPrevented, false);
  assertEq(e.isTrusted, false);
  assertEq(e.eventPhase, Event.NONE);
  assertEq(e.target, null);
  assertEq(e.currentTarget, null);
  assertEq(typeof e.timeStamp, "number");
  assert(e.timeStamp >= 0, "timeStamp");
  assertEq(e.composedPath().length, 0);
  e.preventDefault();
  assertEq(e.defaultPrevented, true);
  assertEq(e.returnValue, false);
  const n = new Event("x");
  n.preventDefault();
  assertEq(n.defaultPrevented, false, "not cancelable");
  assertEq(Event.AT_TARGET, 2);
  assertEq(Object.prototype.toString.call(n), "[object Event]");
  assertEq(new Event(undefined).type, "undefined");
});

test("CustomEvent detail", () => {
  const e = new CustomEvent("c", { detail: { a: 1 } });
  assert(e instanceof Event, "is an Event");
  assertEq(e.detail.a, 1);
  assertEq(new CustomEvent("c").detail, null);
  assertThrows(() => new CustomEvent(), TypeError);
});

test("EventTarget dispatch, this, target and return value", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("foo", function (e) {
    seen.push([this === t, e.target === t, e.currentTarget === t, e.eventPhase, e.composedPath()[0] === t]);
  });
  const e = new Event("foo");
  assertEq(t.dispatchEvent(e), true);
  assertEq(seen.length, 1);
  assertEq(seen[0], [true, true, true, Event.AT_TARGET, true]);
  assertEq(e.currentTarget, null);
  assertEq(e.target, t);
  assertEq(e.eventPhase, 0);
  t.addEventListener("bar", (ev) => ev.preventDefault());
  assertEq(t.dispatchEvent(new Event("bar", { cancelable: true })), false);
  assertEq(t.dispatchEvent(new Event("bar")), true);
  assertEq(t.dispatchEvent(new Event("none")), true);
  assertThrows(() => t.dispatchEvent({ type: "foo" }), TypeError);
});

test("EventTarget duplicates, capture, removal and handleEvent", () => {
  const t = new EventTarget();
  const calls = [];
  const fn = () => calls.push("fn");
  t.addEventListener("a", fn);
  t.addEventListener("a", fn);
  t.addEventListener("a", fn, { capture: true });
  t.dispatchEvent(new Event("a"));
  assertEq(calls, ["fn", "fn"], "one per capture flag");
  calls.length = 0;
  t.removeEventListener("a", fn);
  t.dispatchEvent(new Event("a"));
  assertEq(calls, ["fn"]);
  calls.length = 0;
  t.removeEventListener("a", fn, true);
  t.dispatchEvent(new Event("a"));
  assertEq(calls, []);
  const obj = {
    handleEvent(e) {
      calls.push(this === obj ? e.type : "bad this");
    },
  };
  t.addEventListener("h", obj);
  t.dispatchEvent(new Event("h"));
  assertEq(calls, ["h"]);
  t.addEventListener("n", null);
  assertThrows(() => t.addEventListener("n", "str"), TypeError);
  assertThrows(() => t.addEventListener("n"), TypeError);
});

test("capture listeners run first at the target", () => {
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", () => order.push("bubble"));
  t.addEventListener("x", () => order.push("capture"), true);
  t.dispatchEvent(new Event("x"));
  assertEq(order, ["capture", "bubble"]);
});

test("once, passive, signal options", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("o", () => n++, { once: true });
  t.dispatchEvent(new Event("o"));
  t.dispatchEvent(new Event("o"));
  assertEq(n, 1, "once");
  let prevented = null;
  t.addEventListener("p", (e) => {
    e.preventDefault();
    prevented = e.defaultPrevented;
  }, { passive: true });
  assertEq(t.dispatchEvent(new Event("p", { cancelable: true })), true);
  assertEq(prevented, false, "passive ignores preventDefault");
  const ac = new AbortController();
  let s = 0;
  t.addEventListener("s", () => s++, { signal: ac.signal });
  t.dispatchEvent(new Event("s"));
  ac.abort();
  t.dispatchEvent(new Event("s"));
  assertEq(s, 1, "signal removes listener");
  t.addEventListener("s", () => s++, { signal: AbortSignal.abort() });
  t.dispatchEvent(new Event("s"));
  assertEq(s, 1, "aborted signal never adds");
  assertThrows(() => t.addEventListener("s", () => {}, { signal: "no" }), TypeError);
});

test("stopImmediatePropagation and listener removal during dispatch", () => {
  const t = new EventTarget();
  const calls = [];
  const second = () => calls.push(2);
  t.addEventListener("x", () => {
    calls.push(1);
    t.removeEventListener("x", second);
  });
  t.addEventListener("x", second);
  t.addEventListener("x", () => calls.push(3));
  t.dispatchEvent(new Event("x"));
  assertEq(calls, [1, 3]);
  calls.length = 0;
  t.addEventListener("y", (e) => {
    calls.push("a");
    e.stopImmediatePropagation();
  });
  t.addEventListener("y", () => calls.push("b"));
  t.dispatchEvent(new Event("y"));
  assertEq(calls, ["a"]);
  calls.length = 0;
  t.addEventListener("z", () => calls.push("added-late-never"), { once: true });
  t.addEventListener("w", () => t.addEventListener("w", () => calls.push("late")));
  t.dispatchEvent(new Event("w"));
  assertEq(calls, [], "listeners added during dispatch do not run");
});

test("redispatching an event being dispatched throws InvalidStateError", () => {
  const t = new EventTarget();
  const e = new Event("r");
  let err = null;
  t.addEventListener("r", () => {
    try {
      t.dispatchEvent(e);
    } catch (x) {
      err = x;
    }
  });
  t.dispatchEvent(e);
  assert(err instanceof DOMException, "DOMException");
  assertEq(err.name, "InvalidStateError");
  assertEq(t.dispatchEvent(e), true, "can be dispatched again afterwards");
});

test("listener errors are reported, not thrown", () => {
  const t = new EventTarget();
  let after = false;
  t.addEventListener("e", () => {
    throw new Error("listener failure");
  });
  t.addEventListener("e", () => {
    after = true;
  });
  assertEq(t.dispatchEvent(new Event("e")), true);
  assert(after, "later listeners still run");
});

test("EventTarget subclass", () => {
  class Emitter extends EventTarget {
    fire() {
      return this.dispatchEvent(new CustomEvent("fire", { detail: 7 }));
    }
  }
  const em = new Emitter();
  let got = 0;
  em.addEventListener("fire", (e) => {
    got = e.detail;
  });
  em.fire();
  assertEq(got, 7);
  assert(em instanceof EventTarget, "instanceof");
});

test("AbortController and AbortSignal", () => {
  const ac = new AbortController();
  const s = ac.signal;
  assert(s instanceof AbortSignal && s instanceof EventTarget, "types");
  assertEq(s.aborted, false);
  assertEq(s.reason, undefined);
  s.throwIfAborted();
  const events = [];
  s.addEventListener("abort", (e) => events.push(["listener", e.type, e.isTrusted, e.target === s]));
  s.onabort = (e) => events.push(["onabort", e.type]);
  assertEq(typeof s.onabort, "function");
  ac.abort();
  assertEq(s.aborted, true);
  assert(s.reason instanceof DOMException, "default reason");
  assertEq(s.reason.name, "AbortError");
  assertEq(s.reason.message, "The operation was aborted.");
  assertEq(s.reason.code, 20);
  assertEq(events.length, 2);
  assertEq(events[0], ["listener", "abort", true, true]);
  assertEq(events[1], ["onabort", "abort"]);
  ac.abort("again");
  assertEq(events.length, 2, "abort fires once");
  assertEq(s.reason.name, "AbortError", "reason unchanged");
  const thrown = assertThrows(() => s.throwIfAborted(), DOMException, "aborted");
  assertEq(thrown, s.reason);
  assertThrows(() => new AbortSignal(), TypeError, "Illegal constructor");
});

test("abort with a custom reason", () => {
  const ac = new AbortController();
  ac.abort("why");
  assertEq(ac.signal.reason, "why");
  try {
    ac.signal.throwIfAborted();
    assert(false, "should throw");
  } catch (e) {
    assertEq(e, "why");
  }
  const s = AbortSignal.abort(new TypeError("custom"));
  assertEq(s.aborted, true);
  assert(s.reason instanceof TypeError, "custom reason");
  const d = AbortSignal.abort();
  assertEq(d.reason.name, "AbortError");
});

test("AbortSignal.timeout", async () => {
  assertThrows(() => AbortSignal.timeout(-1), TypeError);
  assertThrows(() => AbortSignal.timeout(Infinity), TypeError);
  const s = AbortSignal.timeout(5);
  assertEq(s.aborted, false);
  let fired = false;
  s.addEventListener("abort", () => {
    fired = true;
  });
  await tick(40);
  assertEq(s.aborted, true);
  assert(fired, "abort event");
  assert(s.reason instanceof DOMException, "DOMException reason");
  assertEq(s.reason.name, "TimeoutError");
  assertEq(s.reason.message, "The operation was aborted due to timeout");
  assertEq(s.reason.code, 23);
});

test("AbortSignal.any", () => {
  const a = new AbortController();
  const b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  assertEq(any.aborted, false);
  let fired = 0;
  any.addEventListener("abort", () => fired++);
  b.abort("b-reason");
  assertEq(any.aborted, true);
  assertEq(any.reason, "b-reason");
  assertEq(fired, 1);
  a.abort("a-reason");
  assertEq(any.reason, "b-reason");
  assertEq(fired, 1);
  const pre = AbortSignal.any([new AbortController().signal, AbortSignal.abort("pre")]);
  assertEq(pre.aborted, true);
  assertEq(pre.reason, "pre");
  const c = new AbortController();
  const nested = AbortSignal.any([AbortSignal.any([c.signal])]);
  c.abort("deep");
  assertEq(nested.reason, "deep");
  assertEq(AbortSignal.any([]).aborted, false);
  assertThrows(() => AbortSignal.any([{}]), TypeError);
  assertThrows(() => AbortSignal.any(5), TypeError);
});

test("abort event order: source before dependents", () => {
  const c = new AbortController();
  const dep = AbortSignal.any([c.signal]);
  const order = [];
  c.signal.addEventListener("abort", () => order.push(["source", dep.aborted]));
  dep.addEventListener("abort", () => order.push(["dependent", dep.aborted]));
  c.abort();
  assertEq(order.length, 2);
  assertEq(order[0], ["source", true]);
  assertEq(order[1], ["dependent", true]);
});
