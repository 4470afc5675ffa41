// Timers, queueMicrotask, structuredClone, console, performance, navigator, scheduler, reportError, self.

const sleep = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

test("setTimeout passes extra arguments and returns numeric ids", async () => {
  let got = null;
  const id = setTimeout((a, b) => {
    got = [a, b];
  }, 1, "x", 2);
  assertEq(typeof id, "number");
  assert(id > 0, "positive id");
  await sleep(20);
  assertEq(got, ["x", 2]);
  const id2 = setTimeout(() => {});
  assert(id2 !== id, "ids are unique");
  clearTimeout(id2);
  assertThrows(() => setTimeout("code", 1), TypeError);
});

test("clearTimeout cancels; unknown ids are ignored", async () => {
  let fired = false;
  const id = setTimeout(() => {
    fired = true;
  }, 5);
  clearTimeout(id);
  clearTimeout(123456789);
  clearTimeout(undefined);
  clearTimeout("nope");
  clearInterval(id);
  await sleep(20);
  assertEq(fired, false);
});

test("timers run in order of their delay", async () => {
  const order = [];
  setTimeout(() => order.push(2), 10);
  setTimeout(() => order.push(1), 0);
  setTimeout(() => order.push(0), -5);
  await sleep(30);
  assertEq(order, [1, 0, 2]);
});

test("setInterval re-arms until cleared", async () => {
  let n = 0;
  const args = [];
  const id = setInterval((a) => {
    n++;
    args.push(a);
    if (n === 3) clearInterval(id);
  }, 1, "arg");
  await sleep(60);
  assertEq(n, 3);
  assertEq(args, ["arg", "arg", "arg"]);
});

test("a throwing timer callback does not stop other timers", async () => {
  let ok = false;
  setTimeout(() => {
    throw new Error("timer failure (expected in this test)");
  }, 0);
  setTimeout(() => {
    ok = true;
  }, 1);
  for (let waited = 0; !ok && waited < 3000; waited += 5) await sleep(5);
  assert(ok, "second timer ran");
  let count = 0;
  const id = setInterval(() => {
    count++;
    if (count >= 2) clearInterval(id);
    throw new Error("interval failure (expected in this test)");
  }, 1);
  // Wait for the second tick (generously: a loaded machine delays timers), then make sure there is no third.
  for (let waited = 0; count < 2 && waited < 3000; waited += 5) await sleep(5);
  await sleep(20);
  assertEq(count, 2, "an interval keeps going after an error");
});

test("queueMicrotask", async () => {
  const order = [];
  queueMicrotask(() => order.push("micro"));
  setTimeout(() => order.push("timer"), 0);
  order.push("sync");
  await sleep(10);
  assertEq(order, ["sync", "micro", "timer"]);
  assertThrows(() => queueMicrotask(), TypeError);
  assertThrows(() => queueMicrotask("x"), TypeError);
  queueMicrotask(() => {
    throw new Error("microtask failure (expected in this test)");
  });
  await sleep(1);
});

test("structuredClone primitives and wrappers", () => {
  assertEq(structuredClone(1), 1);
  assertEq(structuredClone("s"), "s");
  assertEq(structuredClone(null), null);
  assertEq(structuredClone(undefined), undefined);
  assertEq(structuredClone(true), true);
  assertEq(structuredClone(NaN), NaN);
  assert(Object.is(structuredClone(-0), -0), "-0");
  assertEq(structuredClone(10n ** 20n), 10n ** 20n);
  const b = structuredClone(new Boolean(false));
  assert(b instanceof Boolean && b.valueOf() === false, "Boolean wrapper");
  const s = structuredClone(new String("str"));
  assert(s instanceof String && s.valueOf() === "str", "String wrapper");
  const n = structuredClone(new Number(4));
  assert(n instanceof Number && n.valueOf() === 4, "Number wrapper");
  const big = structuredClone(Object(5n));
  assertEq(typeof big, "object");
  assertEq(big.valueOf(), 5n);
  assertThrows(() => structuredClone(), TypeError);
});

test("structuredClone objects, arrays, Date, RegExp, Map, Set", () => {
  const date = new Date(1700000000000);
  const src = {
    a: 1,
    nested: { list: [1, "two", { three: 3 }] },
    date,
    re: /ab+c/gi,
    map: new Map([["k", { v: 1 }], [{ key: true }, "objkey"]]),
    set: new Set([1, "x", 1]),
  };
  const c = structuredClone(src);
  assert(c !== src && c.nested !== src.nested, "new objects");
  assertEq(c.nested.list[2].three, 3);
  assert(c.date instanceof Date && c.date !== date, "Date");
  assertEq(c.date.getTime(), 1700000000000);
  assert(c.re instanceof RegExp && c.re !== src.re, "RegExp");
  assertEq(c.re.source, "ab+c");
  assertEq(c.re.flags, "gi");
  assert(c.map instanceof Map, "Map");
  assertEq(c.map.get("k").v, 1);
  assertEq([...c.map.keys()][1].key, true);
  assert(c.set instanceof Set && c.set.size === 2 && c.set.has("x"), "Set");
  const holes = structuredClone([1, , 3]);
  assertEq(holes.length, 3);
  assert(!(1 in holes), "hole kept");
  const arr = [1, 2];
  arr.extra = "yes";
  assertEq(structuredClone(arr).extra, "yes");
});

test("structuredClone drops prototypes, accessors and non-enumerables", () => {
  class Point {
    constructor() {
      this.x = 1;
    }
    get y() {
      return 2;
    }
  }
  const p = structuredClone(new Point());
  assertEq(Object.getPrototypeOf(p), Object.prototype);
  assertEq(p.x, 1);
  assertEq(p.y, undefined);
  const o = {};
  Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
  Object.defineProperty(o, "getter", { get: () => 42, enumerable: true });
  o[Symbol("s")] = 1;
  const c = structuredClone(o);
  assertEq(Object.keys(c), ["getter"]);
  assertEq(c.getter, 42);
  assertEq(Object.getOwnPropertySymbols(c).length, 0);
  const weird = JSON.parse('{"__proto__": {"polluted": 1}}');
  const w = structuredClone(weird);
  assertEq(Object.getPrototypeOf(w), Object.prototype);
  assertEq(w.__proto__.polluted, 1);
});

test("structuredClone circular and shared references", () => {
  const o = { name: "root" };
  o.self = o;
  o.list = [o, o];
  const shared = { s: 1 };
  o.a = shared;
  o.b = shared;
  const c = structuredClone(o);
  assert(c.self === c, "self reference");
  assert(c.list[0] === c && c.list[1] === c, "array refs");
  assert(c.a === c.b && c.a !== shared, "shared object kept shared");
  const m = new Map();
  m.set("me", m);
  const mc = structuredClone(m);
  assert(mc.get("me") === mc, "circular Map");
});

test("structuredClone binary data", () => {
  const buf = new ArrayBuffer(8);
  const u8 = new Uint8Array(buf);
  u8.set([1, 2, 3, 4, 5, 6, 7, 8]);
  const c = structuredClone({ buf, u8, view: new DataView(buf, 2, 4), i16: new Int16Array(buf, 2, 2) });
  assert(c.buf instanceof ArrayBuffer && c.buf !== buf, "ArrayBuffer copied");
  assertEq(new Uint8Array(c.buf), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert(c.u8 instanceof Uint8Array, "Uint8Array");
  assert(c.u8.buffer === c.buf, "views share the cloned buffer");
  assert(c.view instanceof DataView && c.view.buffer === c.buf, "DataView");
  assertEq(c.view.byteOffset, 2);
  assertEq(c.view.byteLength, 4);
  assert(c.i16.buffer === c.buf && c.i16.length === 2 && c.i16.byteOffset === 2, "Int16Array");
  u8[0] = 99;
  assertEq(c.u8[0], 1, "independent copy");
  const f = structuredClone(new Float64Array([1.5, -2]));
  assertEq(f, [1.5, -2]);
  const big = structuredClone(new BigInt64Array([1n, -1n]));
  assertEq(big[1], -1n);
});

test("structuredClone transfer", () => {
  const buf = new Uint8Array([1, 2, 3]).buffer;
  const c = structuredClone({ buf }, { transfer: [buf] });
  assertEq(new Uint8Array(c.buf), [1, 2, 3]);
  if (typeof ArrayBuffer.prototype.transfer === "function") {
    assertEq(buf.byteLength, 0, "transferred buffer is detached");
  }
  const b2 = new ArrayBuffer(2);
  const e = assertThrows(() => structuredClone(b2, { transfer: [b2, b2] }), DOMException);
  assertEq(e.name, "DataCloneError");
  assertThrows(() => structuredClone(1, { transfer: [{}] }), DOMException);
  assertThrows(() => structuredClone(1, { transfer: 5 }), TypeError);
});

test("structuredClone errors", () => {
  const err = new TypeError("bad thing", { cause: { why: 1 } });
  const c = structuredClone(err);
  assert(c instanceof TypeError && c !== err, "TypeError");
  assertEq(c.name, "TypeError");
  assertEq(c.message, "bad thing");
  assertEq(c.cause.why, 1);
  assertEq(typeof c.stack, "string");
  const r = structuredClone(new RangeError("r"));
  assert(r instanceof RangeError, "RangeError");
  class MyError extends Error {}
  const m = structuredClone(new MyError("mine"));
  assertEq(Object.getPrototypeOf(m), Error.prototype);
  assertEq(m.message, "mine");
  const renamed = new Error("x");
  renamed.name = "Custom";
  assertEq(structuredClone(renamed).name, "Error");
  const d = structuredClone(new DOMException("dom", "AbortError"));
  assert(d instanceof DOMException, "DOMException");
  assertEq(d.name, "AbortError");
  assertEq(d.message, "dom");
});

test("structuredClone rejects uncloneable values with DataCloneError", () => {
  const cases = [() => {}, function named() {}, Symbol("s"), new WeakMap(), new WeakSet(), Promise.resolve(), { f() {} }];
  for (const v of cases) {
    const e = assertThrows(() => structuredClone(v), DOMException, "could not be cloned");
    assertEq(e.name, "DataCloneError");
    assertEq(e.code, 25);
  }
  assertThrows(() => structuredClone(new EventTarget()), DOMException, "could not be cloned");
  assertThrows(() => structuredClone({ nested: [new WeakMap()] }), DOMException, "#<WeakMap> could not be cloned.");
});

test("console methods accept anything", () => {
  const o = { a: 1, nested: { deep: { deeper: { deepest: 1 } } }, list: [1, 2, 3] };
  o.self = o;
  console.log("plain", 1, true, null, undefined, 10n, Symbol("s"), o);
  console.info("%s is %d years and %i days, %f%% %j %o %O %c.", "Bob", 42.5, 3.9, "1.5", { j: 1 }, [1], o, "color: red");
  console.debug(new Map([[1, 2]]), new Set([1]), new Uint8Array(3), new ArrayBuffer(2), new DataView(new ArrayBuffer(1)));
  console.warn(new Error("warned error"), [1, , 3], () => {}, class Foo {}, new Date(0), /re/g);
  console.error(Object.create(null), new (class Thing {})(), new String("s"), new WeakMap(), Promise.resolve());
  console.trace("trace", 1);
  console.assert(true, "never");
  console.assert(false, "expected assertion %s", "output");
  console.assert(false);
  console.dir({ a: "str" }, { depth: 0 });
  console.table([{ a: 1, b: "x" }, { a: 2, c: true }]);
  console.table([1, 2]);
  console.table("not tabular");
  console.time();
  console.time();
  console.timeLog();
  console.timeLog("default", "extra");
  console.timeEnd();
  console.timeEnd();
  console.timeLog("missing");
  console.count();
  console.count("x");
  console.countReset("x");
  console.countReset("missing");
  console.group("group label");
  console.log("indented");
  console.groupCollapsed();
  console.groupEnd();
  console.groupEnd();
  console.groupEnd();
  const { log } = console;
  log("detached call works");
  assertEq(Object.prototype.toString.call(console), "[object console]");
});

test("console output format (only where the log is observable)", () => {
  const logs = globalThis.__logs;
  if (!logs) return; // the QuickJS harness cannot see host.log
  const last = (fn) => {
    fn();
    return logs[logs.length - 1];
  };
  assertEq(last(() => console.log("a", 1, "b")), ["log", "a 1 b"]);
  assertEq(last(() => console.warn({ a: 1, b: "x" })), ["warn", "{ a: 1, b: 'x' }"]);
  assertEq(last(() => console.log("%s=%d %i %f %j%% %c|", "n", 42.5, 3.9, "1.5", { j: 1 }, "css")), ["log", "n=42.5 3 1.5 {\"j\":1}% |"]);
  assertEq(last(() => console.log("%s", "only", "rest", 2)), ["log", "only rest 2"]);
  assertEq(last(() => console.log("%d")), ["log", "%d"]);
  assertEq(last(() => console.log([1, , 3, "s"])), ["log", "[ 1, <1 empty item>, 3, 's' ]"]);
  assertEq(last(() => console.log({ a: { b: { c: { d: 1 } } } })), ["log", "{ a: { b: { c: [Object] } } }"]);
  assertEq(last(() => console.log(new Map([["k", 1]]), new Set([1, 2]))), ["log", "Map(1) { 'k' => 1 } Set(2) { 1, 2 }"]);
  assertEq(last(() => console.log(new Uint8Array([1, 2]))), ["log", "Uint8Array(2) [ 1, 2 ]"]);
  assertEq(last(() => console.log(new ArrayBuffer(2))), ["log", "ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 }"]);
  const circ = { x: 1 };
  circ.me = circ;
  assertEq(last(() => console.log(circ)), ["log", "<ref *1> { x: 1, me: [Circular *1] }"]);
  assertEq(last(() => console.log(function foo() {}, class Bar {}, Symbol("q"), -0, 5n)), ["log", "[Function: foo] [class Bar] Symbol(q) -0 5n"]);
  assertEq(last(() => console.log(Object.create(null))), ["log", "[Object: null prototype] {}"]);
  assertEq(last(() => console.log(new (class Thing {})())), ["log", "Thing {}"]);
  assertEq(last(() => console.log({ "a-b": 1, get g() { return 1; } })), ["log", "{ 'a-b': 1, g: [Getter] }"]);
  assertEq(last(() => console.log(["it's"])), ["log", "[ \"it's\" ]"]);
  const errLine = last(() => console.error(new Error("kaput")));
  assertEq(errLine[0], "error");
  assert(errLine[1].startsWith("Error: kaput"), errLine[1]);
  assertEq(last(() => console.assert(false, "x %s", "y")), ["error", "Assertion failed: x y"]);
  assertEq(last(() => console.count("cc")), ["log", "cc: 1"]);
  assertEq(last(() => console.count("cc")), ["log", "cc: 2"]);
  console.group("G");
  assertEq(last(() => console.log("in\nside")), ["log", "  in\n  side"]);
  console.groupEnd();
  assertEq(last(() => console.table([{ a: 1 }])), ["log", "┌─────────┬───┐\n│ (index) │ a │\n├─────────┼───┤\n│ 0       │ 1 │\n└─────────┴───┘"]);
  console.time("t");
  assert(/^t: \d+\.\d{3}ms$/.test(last(() => console.timeEnd("t"))[1]), "timeEnd format");
  const long = last(() => console.log({ abc: "x".repeat(30), def: "y".repeat(30), g: 1 }))[1];
  assertEq(long, "{\n  abc: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',\n  def: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',\n  g: 1\n}");
});

test("performance, navigator, self", () => {
  const a = performance.now();
  const b = performance.now();
  assertEq(typeof a, "number");
  assert(b >= a, "monotonic");
  assertEq(performance.timeOrigin, 0);
  assertEq(navigator.userAgent, "Cloudflare-Workers");
  assertEq(navigator.hardwareConcurrency, 1);
  assertEq(navigator.language, "en");
  assert(self === globalThis, "self");
  assertThrows(() => new Performance(), TypeError);
});

test("scheduler.wait", async () => {
  const start = Date.now();
  const r = scheduler.wait(15);
  assert(r instanceof Promise, "promise");
  assertEq(await r, undefined);
  assert(Date.now() - start >= 10, "waited");
  const ac = new AbortController();
  const p = scheduler.wait(10000, { signal: ac.signal });
  ac.abort();
  await assertRejects(p, DOMException, "aborted");
  await assertRejects(scheduler.wait(1, { signal: AbortSignal.abort("r") }).then(() => 1, (e) => Promise.reject(new TypeError(e))), TypeError, "r");
});

test("reportError", () => {
  reportError(new Error("reported (expected in this test)"));
  reportError("a string");
  assertThrows(() => reportError(), TypeError);
});
