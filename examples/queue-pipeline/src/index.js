// A two-stage pipeline on queues (queue-based load levelling: the HTTP handler only enqueues).
//
//   POST /jobs  (text body)  -> queue `ingest`      202 {"id": ...}
//   ingest consumer          -> normalizes each text, forwards the batch's results with one sendBatch() to `results`
//   results consumer         -> stores each result in KV
//   GET /results/:id         -> 200 the result, 202 while queued, 422 when the job was dead-lettered
//
// A job the normalizer cannot handle (here: text with control characters) is retried; after max_retries it
// moves to `ingest-dlq`, whose consumer records the failure.

const json = (body, status = 200) => Response.json(body, { status });

// Collapses whitespace, trims, and counts words; throws on input it cannot handle.
function normalize(text) {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new Error("the text contains control characters");
  }
  const normalized = text.trim().replace(/\s+/g, " ");
  return { normalized, words: normalized === "" ? 0 : normalized.split(" ").length, length: normalized.length };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/jobs" && request.method === "POST") {
      const text = await request.text();
      if (text.length > 100_000) return json({ error: "the text is limited to 100000 characters" }, 413);
      const id = crypto.randomUUID();
      await env.RESULTS_KV.put(`job:${id}`, JSON.stringify({ status: "queued", submittedAt: Date.now() }));
      await env.INGEST.send({ id, text });
      return json({ id, status: "queued" }, 202);
    }
    const m = url.pathname.match(/^\/results\/([^/]+)$/);
    if (m && request.method === "GET") {
      const id = m[1];
      const result = await env.RESULTS_KV.get(`result:${id}`, "json");
      if (result) return json({ id, status: "done", ...result });
      const dead = await env.RESULTS_KV.get(`dead:${id}`, "json");
      if (dead) return json({ id, status: "failed", ...dead }, 422);
      const job = await env.RESULTS_KV.get(`job:${id}`, "json");
      if (job) return json({ id, ...job }, 202);
      return json({ error: "no such job" }, 404);
    }
    if (url.pathname === "/") {
      return new Response(
        "A queue pipeline: POST /jobs (text) -> ingest -> normalize -> results -> KV\n" +
          "  POST /jobs          enqueue a text; answers {\"id\": ...}\n" +
          "  GET  /results/ID    the normalized text once both stages ran\n",
      );
    }
    return json({ error: "not found" }, 404);
  },

  async queue(batch, env) {
    switch (batch.queue) {
      case "ingest": {
        const done = [];
        const out = [];
        for (const msg of batch.messages) {
          try {
            out.push({ body: { id: msg.body.id, ...normalize(msg.body.text), attempts: msg.attempts } });
            done.push(msg);
          } catch (e) {
            console.warn(`job ${msg.body.id} failed (attempt ${msg.attempts}): ${e.message}`);
            msg.retry();
          }
        }
        // One sendBatch for the whole batch; only then are its messages acked. Should the send fail, the handler
        // throws and everything not acked comes back.
        if (out.length > 0) await env.RESULTS.sendBatch(out);
        for (const msg of done) msg.ack();
        break;
      }
      case "results":
        await Promise.all(
          batch.messages.map((msg) => {
            const { id, ...result } = msg.body;
            return env.RESULTS_KV.put(`result:${id}`, JSON.stringify({ ...result, storedAt: Date.now() }));
          }),
        );
        break;
      case "ingest-dlq":
        for (const msg of batch.messages) {
          await env.RESULTS_KV.put(
            `dead:${msg.body.id}`,
            JSON.stringify({ error: "the normalizer rejected this job after 3 attempts", deadLetteredAt: Date.now() }),
          );
        }
        break;
    }
  },
};
