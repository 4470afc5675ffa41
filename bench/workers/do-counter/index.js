// Bench worker "do-counter": every request increments one Durable Object counter through JS RPC; the object
// reads and writes its value in durable storage. The same file runs under corral and workerd.
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  async increment() {
    const value = ((await this.ctx.storage.get("value")) ?? 0) + 1;
    await this.ctx.storage.put("value", value);
    return value;
  }
}

export default {
  async fetch(request, env) {
    const stub = env.COUNTER.get(env.COUNTER.idFromName("bench"));
    const value = await stub.increment();
    return new Response(String(value));
  },
};
