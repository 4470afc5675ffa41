// Queues end to end, for the `queues` bench section (corral only):
//   /produce?q=1|10|100&batches=N   N sendBatch() calls of 100 small JSON messages to bench-q<q>
//   /count?q=1|10|100               messages this isolate's consumer has seen (cheap, for polling)
//   /reset?q=1|10|100               forget them
//   /stats?q=1|10|100               what this isolate's consumer saw: messages, batches, and the queueing latency
//                                   (Date.now() at delivery - msg.timestamp) p50/p99/max in ms
// The consumer runs on one server thread; /stats answers "consumer": false from an isolate that consumed nothing,
// and the bench asks again on a new connection until it reaches the consuming one.
const seen = {};

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = url.searchParams.get("q") ?? "100";
    if (url.pathname === "/produce") {
      const queue = env[`Q${q}`];
      if (!queue) return new Response(`no queue Q${q}\n`, { status: 404 });
      const batches = Number(url.searchParams.get("batches") ?? 1);
      for (let i = 0; i < batches; i++) {
        const messages = [];
        for (let j = 0; j < 100; j++) messages.push({ body: { order: i * 100 + j, item: "widget" }, contentType: "json" });
        await queue.sendBatch(messages);
      }
      return new Response(`${batches * 100}\n`);
    }
    if (url.pathname === "/count") return new Response(`${seen[`bench-q${q}`]?.messages ?? 0}\n`);
    if (url.pathname === "/reset") {
      delete seen[`bench-q${q}`];
      return new Response("reset\n");
    }
    if (url.pathname === "/stats") {
      const s = seen[`bench-q${q}`];
      if (!s) return Response.json({ consumer: false, messages: 0 });
      const sorted = Float64Array.from(s.latencies).sort();
      return Response.json({
        consumer: true,
        messages: s.messages,
        batches: s.batches,
        p50_ms: percentile(sorted, 50),
        p99_ms: percentile(sorted, 99),
        max_ms: sorted[sorted.length - 1],
      });
    }
    return new Response("ok\n");
  },

  async queue(batch) {
    const now = Date.now();
    const s = (seen[batch.queue] ??= { messages: 0, batches: 0, latencies: [] });
    for (const m of batch.messages) s.latencies.push(now - m.timestamp.getTime());
    s.messages += batch.messages.length;
    s.batches += 1;
  },
};
