// A WebSocket chat room. GET / serves a page that joins a room; /room/<name>/ws upgrades to a WebSocket held by
// that room's Durable Object. The object accepts sockets with the hibernation API (`ctx.acceptWebSocket`), keeps
// each member's name in the socket's attachment, broadcasts to `ctx.getWebSockets()`, and keeps the last messages
// in its storage, so it can be evicted between messages and rebuilt on the next one.
//
// Protocol (JSON text frames), server → client:
//   {type: "history", messages: [...]}   on joining
//   {type: "joined" | "left", name}      membership changes
//   {type: "message", name, text, at}    a chat message
// client → server: any text is a chat message; "/name <new name>" renames.

import { DurableObject } from "cloudflare:workers";

const HISTORY = 50;

export class ChatRoom extends DurableObject {
  async fetch(request) {
    if (request.headers.get("upgrade") !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const url = new URL(request.url);
    const name = (url.searchParams.get("name") || "anonymous").slice(0, 32);
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ name });
    server.send(JSON.stringify({ type: "history", messages: this.history() }));
    this.broadcast({ type: "joined", name });
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws, message) {
    if (typeof message !== "string") return;
    const { name } = ws.deserializeAttachment();
    if (message.startsWith("/name ")) {
      const renamed = message.slice(6).trim().slice(0, 32) || name;
      ws.serializeAttachment({ name: renamed });
      this.broadcast({ type: "renamed", from: name, name: renamed });
      return;
    }
    const entry = { type: "message", name, text: message.slice(0, 2000), at: Date.now() };
    const history = this.history();
    history.push(entry);
    this.ctx.storage.kv.put("history", history.slice(-HISTORY));
    this.broadcast(entry);
  }

  async webSocketClose(ws, code, reason, wasClean) {
    this.broadcast({ type: "left", name: ws.deserializeAttachment().name });
  }

  async webSocketError(ws, error) {
    this.broadcast({ type: "left", name: ws.deserializeAttachment().name });
  }

  history() {
    return this.ctx.storage.kv.get("history") ?? [];
  }

  broadcast(event) {
    const text = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // A socket closing right now: its webSocketClose follows.
      }
    }
  }
}

const PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>corral chat room</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; }
      #log { background: #f4f4f4; padding: 1rem; height: 20rem; overflow: auto; white-space: pre-wrap; }
      input { padding: 0.3rem; }
    </style>
  </head>
  <body>
    <h1>Chat room</h1>
    <form id="join">
      Room <input id="room" value="lobby" size="10" /> Name <input id="name" placeholder="your name" size="12" />
      <button>Join</button>
    </form>
    <pre id="log"></pre>
    <form id="say"><input id="text" autocomplete="off" placeholder="message, or /name new-name" size="40" /> <button>Send</button></form>
    <script>
      const log = (line) => {
        const el = document.getElementById("log");
        el.textContent += line + "\\n";
        el.scrollTop = el.scrollHeight;
      };
      const show = (m) => {
        if (m.type === "message") log(m.name + ": " + m.text);
        else if (m.type === "history") m.messages.forEach(show);
        else if (m.type === "renamed") log("* " + m.from + " is now " + m.name);
        else log("* " + m.name + " " + m.type);
      };
      let ws = null;
      document.getElementById("join").addEventListener("submit", (e) => {
        e.preventDefault();
        if (ws) ws.close(1000, "switching rooms");
        const room = encodeURIComponent(document.getElementById("room").value || "lobby");
        const url = new URL("/room/" + room + "/ws", location.href);
        url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
        url.searchParams.set("name", document.getElementById("name").value || "anonymous");
        document.getElementById("log").textContent = "";
        ws = new WebSocket(url);
        ws.addEventListener("open", () => log("* connected to " + decodeURIComponent(room)));
        ws.addEventListener("message", (e) => show(JSON.parse(e.data)));
        ws.addEventListener("close", (e) => log("* disconnected (" + e.code + ")"));
      });
      document.getElementById("say").addEventListener("submit", (e) => {
        e.preventDefault();
        const input = document.getElementById("text");
        if (ws && ws.readyState === WebSocket.OPEN && input.value) ws.send(input.value);
        input.value = "";
      });
    </script>
  </body>
</html>
`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/") {
      return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    const m = url.pathname.match(/^\/room\/([^/]{1,64})\/ws$/);
    if (m) return env.ROOMS.getByName(decodeURIComponent(m[1])).fetch(request);
    return new Response("Not found", { status: 404 });
  },
};
