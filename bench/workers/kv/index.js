// KV operations per request, for the `kv` bench section (corral only):
//   /seed            writes KEYS keys of a 100-byte value (once, before the runs)
//   /get?n=N         N gets of random existing keys (text), awaited together
//   /put?n=N         N puts of a 100-byte value to random keys, awaited together (each committed)
const KEYS = 1000;
const VALUE = "v".repeat(100);
const key = () => `key-${Math.floor(Math.random() * KEYS)}`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") || 1);
    if (url.pathname === "/seed") {
      for (let i = 0; i < KEYS; i += 100) {
        const batch = [];
        for (let j = i; j < i + 100; j++) batch.push(env.KV.put(`key-${j}`, VALUE));
        await Promise.all(batch);
      }
      return new Response("seeded\n");
    }
    if (url.pathname === "/get") {
      const ops = [];
      for (let i = 0; i < n; i++) ops.push(env.KV.get(key()));
      const values = await Promise.all(ops);
      const missing = values.filter((v) => v !== VALUE).length;
      return new Response(missing ? `missing ${missing}\n` : "ok\n", { status: missing ? 500 : 200 });
    }
    if (url.pathname === "/put") {
      const ops = [];
      for (let i = 0; i < n; i++) ops.push(env.KV.put(key(), VALUE));
      await Promise.all(ops);
      return new Response("ok\n");
    }
    return new Response("kv bench: /seed, /get?n=N, /put?n=N\n");
  },
};
