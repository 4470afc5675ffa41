// The same kind of API with the npm driver `postgres` (postgres.js) instead of `pg`, through the Hyperdrive
// binding `env.DB`: a parameterized query, inserts in a transaction (`sql.begin`) that commits or rolls back.
// postgres.js picks its Cloudflare build (the "workerd" export condition) which reaches Postgres through
// `cloudflare:sockets`. One client per request, ended in waitUntil, with the options Cloudflare's Hyperdrive
// guide gives (`max: 5`, `fetch_types: false`).
import postgres from "postgres";

interface Env {
  DB?: { connectionString: string };
  DATABASE_URL?: string;
}

type Sql = ReturnType<typeof postgres>;

let schemaReady = false;

class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

async function body(request: Request): Promise<any> {
  try {
    return await request.json();
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
}

async function route(request: Request, sql: Sql): Promise<Response> {
  const url = new URL(request.url);
  if (!schemaReady) {
    await sql`CREATE TABLE IF NOT EXISTS notes (
      id serial PRIMARY KEY,
      body text NOT NULL CHECK (body <> ''),
      created timestamptz NOT NULL DEFAULT now()
    )`;
    schemaReady = true;
  }
  // GET /info?n=41: a parameterized query and the server's version.
  if (url.pathname === "/info" && request.method === "GET") {
    const n = Number(url.searchParams.get("n") ?? "0");
    const [row] = await sql`SELECT ${n}::int + 1 AS next, current_setting('server_version') AS version`;
    return json(row);
  }
  if (url.pathname === "/notes" && request.method === "GET") {
    const like = url.searchParams.get("q");
    const rows = like
      ? await sql`SELECT id, body FROM notes WHERE body LIKE ${"%" + like + "%"} ORDER BY id`
      : await sql`SELECT id, body FROM notes ORDER BY id`;
    return json(rows);
  }
  // POST /notes {"bodies": ["a", "b"]}: all inserted in one transaction, or none (an empty body fails the
  // CHECK constraint, and the whole transaction rolls back).
  if (url.pathname === "/notes" && request.method === "POST") {
    const { bodies } = await body(request);
    if (!Array.isArray(bodies) || !bodies.every((b) => typeof b === "string")) {
      throw new HttpError(400, "bodies must be an array of strings");
    }
    try {
      const rows = await sql.begin(async (tx) => {
        const inserted = [];
        for (const b of bodies) {
          const [row] = await tx`INSERT INTO notes (body) VALUES (${b}) RETURNING id, body`;
          inserted.push(row);
        }
        const [{ count }] = await tx`SELECT count(*)::int AS count FROM notes`;
        return { inserted, count };
      });
      return json(rows, 201);
    } catch (e: any) {
      if (e && e.code === "23514") throw new HttpError(400, "an empty body: nothing was inserted");
      throw e;
    }
  }
  throw new HttpError(404, "not found");
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const connectionString = env.DB ? env.DB.connectionString : env.DATABASE_URL;
    if (!connectionString) return json({ error: "no DB binding and no DATABASE_URL" }, 500);
    const via = env.DB ? "hyperdrive" : "direct";
    const sql = postgres(connectionString, { max: 5, fetch_types: false });
    try {
      const response = await route(request, sql);
      response.headers.set("x-db-via", via);
      return response;
    } catch (e: any) {
      if (e instanceof HttpError) return json({ error: e.message }, e.status, { "x-db-via": via });
      return json({ error: String(e && e.message) }, 500, { "x-db-via": via });
    } finally {
      ctx.waitUntil(sql.end());
    }
  },
};
