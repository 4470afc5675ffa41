// WebSocketPair, WebSocket and their events inside one isolate (no network).

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function pair() {
  const p = new WebSocketPair();
  const [client, server] = Object.values(p);
  return { p, client, server };
}

function record(ws) {
  const events = [];
  for (const type of ["message", "close", "error"]) {
    ws.addEventListener(type, (e) => events.push(e));
  }
  return events;
}

test("WebSocketPair has two WebSockets at 0 and 1", () => {
  const { p, client, server } = pair();
  assert(client instanceof WebSocket, "client");
  assert(server instanceof WebSocket, "server");
  assert(client !== server);
  assertEq(Object.keys(p), ["0", "1"]);
  assert(p[0] === client && p[1] === server);
  const [a, b] = p;
  assert(a === client && b === server, "iterable");
  assertEq(Object.prototype.toString.call(client), "[object WebSocket]");
});

test("readyState constants", () => {
  assertEq(WebSocket.CONNECTING, 0);
  assertEq(WebSocket.OPEN, 1);
  assertEq(WebSocket.CLOSING, 2);
  assertEq(WebSocket.CLOSED, 3);
  assertEq(WebSocket.READY_STATE_OPEN, 1);
  const { client } = pair();
  assertEq(client.OPEN, 1);
  assertEq(client.readyState, WebSocket.OPEN);
  assertEq(client.binaryType, "arraybuffer");
});

test("echo between the two ends of a pair", async () => {
  const { client, server } = pair();
  client.accept();
  server.accept();
  server.addEventListener("message", (e) => server.send(`echo: ${e.data}`));
  const got = record(client);
  client.send("hello");
  client.send("world");
  await tick();
  assertEq(got.map((e) => e.data), ["echo: hello", "echo: world"]);
  assert(got[0] instanceof MessageEvent, "MessageEvent");
  assertEq(got[0].type, "message");
});

test("binary messages arrive as ArrayBuffer copies", async () => {
  const { client, server } = pair();
  client.accept();
  server.accept();
  const got = record(server);
  const bytes = new Uint8Array([1, 2, 3, 4]);
  client.send(bytes);
  client.send(bytes.buffer);
  client.send(new DataView(bytes.buffer, 1, 2));
  bytes[0] = 99;
  await tick();
  assertEq(got.length, 3);
  assert(got[0].data instanceof ArrayBuffer, "ArrayBuffer");
  assertEq(new Uint8Array(got[0].data), new Uint8Array([1, 2, 3, 4]));
  assertEq(new Uint8Array(got[2].data), new Uint8Array([2, 3]));
});

test("events sent before accept() are delivered after it, in order", async () => {
  const { client, server } = pair();
  client.accept();
  client.send("one");
  client.send("two");
  client.close(1000, "done");
  const got = record(server);
  await tick();
  assertEq(got.length, 0, "nothing before accept");
  server.accept();
  await tick();
  assertEq(got.map((e) => e.type), ["message", "message", "close"]);
  assertEq(got[1].data, "two");
});

test("close delivers CloseEvent with code and reason to both ends", async () => {
  const { client, server } = pair();
  client.accept();
  server.accept();
  const atServer = record(server);
  const atClient = record(client);
  let onclose = null;
  server.onclose = (e) => (onclose = e);
  server.close(4000, "bye");
  assertEq(server.readyState, WebSocket.CLOSING);
  await tick();
  const c = atClient.find((e) => e.type === "close");
  assert(c instanceof CloseEvent, "CloseEvent");
  assertEq([c.code, c.reason, c.wasClean], [4000, "bye", true]);
  const s = atServer.find((e) => e.type === "close");
  assert(s, "the automatic reply closes the initiator too");
  assertEq(s.code, 4000);
  assert(onclose === s, "onclose handler");
  assertEq(server.readyState, WebSocket.CLOSED);
  assertEq(client.readyState, WebSocket.CLOSED);
  client.close(); // no-op once closed
});

test("close without a code is 1005", async () => {
  const { client, server } = pair();
  client.accept();
  server.accept();
  const got = record(server);
  client.close();
  await tick();
  assertEq(got[0].code, 1005);
  assertEq(got[0].reason, "");
});

test("send before accept throws", () => {
  const { client } = pair();
  assertThrows(() => client.send("x"), TypeError, "You must call one of accept()");
  assertThrows(() => client.close(1000), TypeError, "You must call one of accept()");
});

test("send after close throws", () => {
  const { client } = pair();
  client.accept();
  client.close(1000);
  assertThrows(() => client.send("x"), TypeError, "Can't call WebSocket send() after close().");
  client.close(1000); // a second close is ignored
});

test("close code and reason validation", () => {
  const { client } = pair();
  client.accept();
  assertThrows(() => client.close(999), TypeError, "Invalid WebSocket close code: 999.");
  assertThrows(() => client.close(1005), TypeError, "Invalid WebSocket close code");
  assertThrows(() => client.close(1006), TypeError, "Invalid WebSocket close code");
  assertThrows(() => client.close(5000), TypeError, "Invalid WebSocket close code");
  assertThrows(() => client.close(undefined, "why"), TypeError, "you must also specify a code");
  assertThrows(() => client.close(1000, "x".repeat(124)), TypeError, "123 bytes");
  assertThrows(() => client.close(1000, "é".repeat(62)), TypeError, "123 bytes");
  client.close(4999, "x".repeat(123));
  assertEq(client.readyState, WebSocket.CLOSING);
});

test("a returned end cannot be accepted; new WebSocket(url) is not supported", () => {
  const { client } = pair();
  const r = new Response(null, { status: 101, webSocket: client });
  assertEq(r.status, 101);
  assert(r.webSocket === client);
  assertThrows(() => new WebSocket("wss://example.com"), TypeError, "not supported");
  assertThrows(() => new Response(null, { status: 200, webSocket: client }), RangeError);
});

test("event classes", () => {
  const m = new MessageEvent("message", { data: 5 });
  assertEq(m.data, 5);
  assert(m instanceof Event);
  const c = new CloseEvent("close", { code: 1001, reason: "r", wasClean: true });
  assertEq([c.code, c.reason, c.wasClean], [1001, "r", true]);
  const d = new CloseEvent("close");
  assertEq([d.code, d.reason, d.wasClean], [0, "", false]);
  const e = new ErrorEvent("error", { message: "m", error: 1 });
  assertEq([e.message, e.error, e.filename, e.lineno], ["m", 1, "", 0]);
  assertThrows(() => new MessageEvent(), TypeError);
});

test("listener errors do not stop delivery", async () => {
  const { client, server } = pair();
  client.accept();
  server.accept();
  const seen = [];
  server.addEventListener("message", () => {
    throw new Error("listener failed (expected in this test)");
  });
  server.addEventListener("message", (e) => seen.push(e.data));
  client.send("a");
  await tick();
  assertEq(seen, ["a"]);
});
