// A WebSocket echo server. GET / serves a small page that connects back to /ws; /ws upgrades to a WebSocket
// whose server end echoes every message (text as "echo: <text>", binary unchanged) and answers "/close" by
// closing with code 1000.

const PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>corral WebSocket echo</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; }
      #log { background: #f4f4f4; padding: 1rem; min-height: 8rem; white-space: pre-wrap; }
    </style>
  </head>
  <body>
    <h1>WebSocket echo</h1>
    <form id="form"><input id="text" autocomplete="off" placeholder="say something" /> <button>Send</button></form>
    <p>Send <code>/close</code> to have the server close the socket.</p>
    <pre id="log"></pre>
    <script>
      const log = (line) => (document.getElementById("log").textContent += line + "\\n");
      const url = new URL("/ws", location.href);
      url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(url);
      ws.addEventListener("open", () => log("connected to " + url));
      ws.addEventListener("message", (e) => log("< " + e.data));
      ws.addEventListener("close", (e) => log("closed: " + e.code + " " + e.reason));
      document.getElementById("form").addEventListener("submit", (e) => {
        e.preventDefault();
        const input = document.getElementById("text");
        ws.send(input.value);
        log("> " + input.value);
        input.value = "";
      });
    </script>
  </body>
</html>
`;

function echo(request) {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade (Upgrade: websocket).\n", { status: 426 });
  }
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.addEventListener("message", (event) => {
    if (event.data === "/close") server.close(1000, "closed on request");
    else if (typeof event.data === "string") server.send(`echo: ${event.data}`);
    else server.send(event.data);
  });
  server.addEventListener("close", (event) => {
    console.log(`socket closed: ${event.code} ${event.reason}`);
  });
  return new Response(null, { status: 101, webSocket: client });
}

export default {
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws") return echo(request);
    if (pathname === "/") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    return new Response("Not found\n", { status: 404 });
  },
};
