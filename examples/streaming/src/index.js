// Streaming responses three ways: a paced counter built on a ReadableStream, server-sent events written
// through a TransformStream, and the request body upper-cased on its way back out.

import { upperCase } from "./transforms.js";

const encoder = new TextEncoder();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function intParam(url, name, fallback, max) {
  const value = Number.parseInt(url.searchParams.get(name) ?? "", 10);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
}

// GET /count?n=5&delay=200: one line per number, `delay` ms apart, each sent as soon as it is produced.
function count(url) {
  const n = intParam(url, "n", 5, 1000);
  const delay = intParam(url, "delay", 200, 10000);
  let i = 0;
  const stream = new ReadableStream({
    async pull(controller) {
      if (i >= n) {
        controller.close();
        return;
      }
      if (i > 0) await sleep(delay);
      i++;
      controller.enqueue(encoder.encode(`${i}\n`));
    },
  });
  return new Response(stream, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

// GET /events?n=3&delay=500: server-sent events; the writer side of a TransformStream feeds the response.
function events(url, ctx) {
  const n = intParam(url, "n", 3, 1000);
  const delay = intParam(url, "delay", 500, 10000);
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  const send = (event, data) => writer.write(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  ctx.waitUntil(
    (async () => {
      try {
        for (let i = 1; i <= n; i++) {
          if (i > 1) await sleep(delay);
          await send("tick", { n: i, at: new Date().toISOString() });
        }
        await send("done", { total: n });
        await writer.close();
      } catch {
        // The client went away; nothing left to do.
      }
    })(),
  );
  return new Response(readable, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

// POST /upper: the request body streamed back upper-cased, chunk by chunk.
function upper(request) {
  if (request.body === null) return new Response("POST a body to upper-case it.\n", { status: 400 });
  const body = request.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(upperCase())
    .pipeThrough(new TextEncoderStream());
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

const HELP = `Streaming examples:
  GET  /count?n=5&delay=200    numbers, one line every delay ms
  GET  /events?n=3&delay=500   server-sent events
  POST /upper                  echoes the request body upper-cased
`;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (`${request.method} ${url.pathname}`) {
      case "GET /":
        return new Response(HELP, { headers: { "content-type": "text/plain; charset=utf-8" } });
      case "GET /count":
        return count(url);
      case "GET /events":
        return events(url, ctx);
      case "POST /upper":
        return upper(request);
      default:
        return new Response(`Not found: ${request.method} ${url.pathname}\n\n${HELP}`, { status: 404 });
    }
  },
};
