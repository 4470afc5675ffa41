// Payments through a queue, charged exactly once.
//
// Queues deliver at least once: a message comes again when its consumer throws, times out or the server dies
// mid-batch, and a client may submit the same payment twice. The consumer is made idempotent by a dedupe table
// keyed by payment id in a Durable Object: `charge()` checks and charges in one step (a Durable Object runs one
// storage operation at a time, and a multi-key put is atomic), so a second delivery finds the payment charged
// and only records that it saw the message.
import { DurableObject } from "cloudflare:workers";

export class Ledger extends DurableObject {
  // Records a payment as queued when it is submitted (a payment already known keeps its record).
  async submit(paymentId, amount) {
    const key = `payment:${paymentId}`;
    const existing = await this.ctx.storage.get(key);
    if (existing) return existing;
    const record = { paymentId, amount, status: "queued", submittedAt: Date.now(), deliveries: 0, messages: [] };
    await this.ctx.storage.put(key, record);
    return record;
  }

  // The idempotent step: charges `amount` once per payment id; later deliveries only count themselves.
  async charge(paymentId, amount, messageId) {
    const key = `payment:${paymentId}`;
    const record = (await this.ctx.storage.get(key)) ?? { paymentId, amount, status: "queued", deliveries: 0, messages: [] };
    record.deliveries += 1;
    if (!record.messages.includes(messageId)) record.messages.push(messageId);
    if (record.status === "charged") {
      await this.ctx.storage.put(key, record);
      return { charged: false, duplicate: true };
    }
    const total = ((await this.ctx.storage.get("total")) ?? 0) + record.amount;
    const count = ((await this.ctx.storage.get("count")) ?? 0) + 1;
    Object.assign(record, { status: "charged", chargedAt: Date.now(), chargedBy: messageId });
    // One atomic write: the charge and the dedupe record land together or not at all.
    await this.ctx.storage.put({ [key]: record, total, count });
    return { charged: true, duplicate: false };
  }

  async payment(paymentId) {
    return (await this.ctx.storage.get(`payment:${paymentId}`)) ?? null;
  }

  async ledger() {
    return { total: (await this.ctx.storage.get("total")) ?? 0, charged: (await this.ctx.storage.get("count")) ?? 0 };
  }
}

const json = (body, status = 200) => Response.json(body, { status });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const ledger = env.LEDGER.getByName("main");
    if (url.pathname === "/payments" && request.method === "POST") {
      let body;
      try {
        body = await request.json();
      } catch {
        return json({ error: "the body must be JSON: {\"paymentId\": \"p-1\", \"amount\": 1250}" }, 400);
      }
      const paymentId = body?.paymentId ?? crypto.randomUUID();
      const amount = body?.amount;
      if (typeof paymentId !== "string" || paymentId === "" || paymentId.length > 200) {
        return json({ error: "paymentId must be a non-empty string" }, 400);
      }
      if (!Number.isInteger(amount) || amount <= 0) {
        return json({ error: "amount must be a positive integer (cents)" }, 400);
      }
      await ledger.submit(paymentId, amount);
      // `simulateCrash`: the consumer throws right after charging on the first delivery, so the message comes
      // back (the demonstration that the charge still happens once).
      await env.PAYMENTS.send({ paymentId, amount, simulateCrash: body.simulateCrash === true });
      return json({ paymentId, amount, status: "queued" }, 202);
    }
    const m = url.pathname.match(/^\/payments\/([^/]+)$/);
    if (m && request.method === "GET") {
      const record = await ledger.payment(decodeURIComponent(m[1]));
      return record ? json(record) : json({ error: "no such payment" }, 404);
    }
    if (url.pathname === "/ledger" && request.method === "GET") return json(await ledger.ledger());
    if (url.pathname === "/") {
      return new Response(
        "Payments charged exactly once through a queue:\n" +
          "  POST /payments      {\"paymentId\": \"p-1\", \"amount\": 1250}  (add \"simulateCrash\": true to fail once)\n" +
          "  GET  /payments/ID   the payment's status and how often it was delivered\n" +
          "  GET  /ledger        the total charged\n",
      );
    }
    return json({ error: "not found" }, 404);
  },

  async queue(batch, env) {
    const ledger = env.LEDGER.getByName("main");
    for (const msg of batch.messages) {
      const { paymentId, amount, simulateCrash } = msg.body;
      const result = await ledger.charge(paymentId, amount, msg.id);
      console.log(`payment ${paymentId}: ${result.charged ? "charged" : "already charged, skipped"} (message ${msg.id}, attempt ${msg.attempts})`);
      if (simulateCrash && msg.attempts === 1) {
        // As if the process died after the charge but before the ack: this message and every message of the
        // batch not acked yet are delivered again.
        throw new Error(`simulated crash after charging ${paymentId}`);
      }
      msg.ack();
    }
  },
};
