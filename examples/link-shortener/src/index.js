// A link shortener on Workers KV.
//
//   POST /links            {"url": "https://example.com/page", "ttl": 3600?}  → 201 {"code", "short", "url"}
//   GET  /:code            → 302 to the stored URL (and counts the visit)
//   GET  /:code/stats      → {"code", "url", "visits", "created"}
//   DELETE /:code          → 204
//   GET  /links?cursor=... → one page of {code, url} (from list() metadata: no value reads)
//
// Each link is one KV entry `link:<code>` whose value is the URL and whose metadata is {url, created}; visits
// are counted under `visits:<code>`.

const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

function newCode(length = 7) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let code = "";
  for (const b of bytes) code += ALPHABET[b % ALPHABET.length];
  return code;
}

function validUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const json = (value, status = 200) => Response.json(value, { status });

async function create(request, env) {
  let body;
  try {
    body = await request.json();
  } catch {
    return json({ error: "send a JSON body like {\"url\": \"https://...\"}" }, 400);
  }
  const url = validUrl(body && body.url);
  if (!url) return json({ error: "`url` must be an absolute http(s) URL" }, 400);
  const options = { metadata: { url, created: new Date().toISOString() } };
  if (body.ttl !== undefined) {
    if (!Number.isInteger(body.ttl) || body.ttl < 60) {
      return json({ error: "`ttl` must be an integer number of seconds, at least 60" }, 400);
    }
    options.expirationTtl = body.ttl;
  }
  let code = newCode();
  while ((await env.LINKS.get(`link:${code}`)) !== null) code = newCode();
  await env.LINKS.put(`link:${code}`, url, options);
  const short = new URL(`/${code}`, request.url).href;
  return json({ code, short, url }, 201);
}

async function listLinks(request, env) {
  const cursor = new URL(request.url).searchParams.get("cursor") || undefined;
  const page = await env.LINKS.list({ prefix: "link:", limit: 100, cursor });
  return json({
    links: page.keys.map((k) => ({ code: k.name.slice(5), url: k.metadata && k.metadata.url })),
    cursor: page.list_complete ? null : page.cursor,
  });
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/links") {
      if (request.method === "POST") return create(request, env);
      if (request.method === "GET") return listLinks(request, env);
      return json({ error: "method not allowed" }, 405);
    }
    const m = pathname.match(/^\/([A-Za-z0-9]+)(\/stats)?$/);
    if (!m) {
      return json({ routes: ["POST /links", "GET /links", "GET /:code", "GET /:code/stats", "DELETE /:code"] }, 404);
    }
    const code = m[1];
    if (request.method === "DELETE" && !m[2]) {
      await Promise.all([env.LINKS.delete(`link:${code}`), env.LINKS.delete(`visits:${code}`)]);
      return new Response(null, { status: 204 });
    }
    const { value: url, metadata } = await env.LINKS.getWithMetadata(`link:${code}`);
    if (url === null) return json({ error: `no link ${code}` }, 404);
    const visits = Number((await env.LINKS.get(`visits:${code}`)) || 0);
    if (m[2]) {
      return json({ code, url, visits, created: metadata && metadata.created });
    }
    // Count the visit after answering (KV is last-write-wins: concurrent visits may undercount, as on Cloudflare).
    ctx.waitUntil(env.LINKS.put(`visits:${code}`, String(visits + 1)));
    return Response.redirect(url, 302);
  },
};
