// A counter per name, each a Durable Object: increments are race-free (one instance per name, storage awaits
// never interleave) and durable (a response leaves only after its write is committed).
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  async increment(by = 1) {
    const value = ((await this.ctx.storage.get("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async get() {
    return (await this.ctx.storage.get("value")) ?? 0;
  }

  async reset() {
    await this.ctx.storage.deleteAll();
    return 0;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, name, action] = url.pathname.split("/");
    if (!name) {
      return new Response(
        "Counters backed by Durable Objects:\n" +
          "  POST /NAME/increment   add one (or ?by=N)\n" +
          "  GET  /NAME             the current value\n" +
          "  POST /NAME/reset       back to zero\n",
      );
    }
    const counter = env.COUNTERS.getByName(name);
    if (request.method === "GET" && !action) return Response.json({ name, value: await counter.get() });
    if (request.method === "POST" && action === "increment") {
      const by = Number(url.searchParams.get("by") ?? 1);
      if (!Number.isInteger(by)) return Response.json({ error: "by must be an integer" }, { status: 400 });
      return Response.json({ name, value: await counter.increment(by) });
    }
    if (request.method === "POST" && action === "reset") return Response.json({ name, value: await counter.reset() });
    return Response.json({ error: "not found" }, { status: 404 });
  },
};
