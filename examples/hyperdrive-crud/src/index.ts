// A CRUD API over Postgres with the npm driver `pg`, through the Hyperdrive binding `env.DB`.
// One pg Client per request (as Cloudflare recommends with Hyperdrive: the pooler keeps the warm connections),
// closed in waitUntil once the response is out.
import { Client } from "pg";

interface Env {
  DB?: { connectionString: string };
  // Without a Hyperdrive binding, a plain connection string (reached with --unsafe-allow-connect).
  DATABASE_URL?: string;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS items (
  id serial PRIMARY KEY,
  name text NOT NULL,
  qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0)
)`;

let schemaReady = false;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

async function body(request: Request): Promise<any> {
  try {
    return await request.json();
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
}

function validItem(b: any): { name: string; qty: number } {
  if (typeof b?.name !== "string" || b.name === "") throw new HttpError(400, "name must be a non-empty string");
  const qty = b.qty ?? 0;
  if (!Number.isInteger(qty) || qty < 0) throw new HttpError(400, "qty must be a non-negative integer");
  return { name: b.name, qty };
}

async function route(request: Request, db: Client): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter(Boolean);
  if (!schemaReady) {
    await db.query(SCHEMA);
    schemaReady = true;
  }
  if (parts[0] === "items" && parts.length === 1) {
    if (request.method === "GET") {
      const { rows } = await db.query("SELECT id, name, qty FROM items ORDER BY id");
      return json(rows);
    }
    if (request.method === "POST") {
      const item = validItem(await body(request));
      const { rows } = await db.query("INSERT INTO items (name, qty) VALUES ($1, $2) RETURNING id, name, qty", [
        item.name,
        item.qty,
      ]);
      return json(rows[0], 201);
    }
    throw new HttpError(405, "use GET or POST");
  }
  if (parts[0] === "items" && parts.length === 2) {
    const id = Number(parts[1]);
    if (!Number.isInteger(id)) throw new HttpError(400, "the id must be an integer");
    let result;
    if (request.method === "GET") {
      result = await db.query("SELECT id, name, qty FROM items WHERE id = $1", [id]);
    } else if (request.method === "PUT") {
      const item = validItem(await body(request));
      result = await db.query("UPDATE items SET name = $2, qty = $3 WHERE id = $1 RETURNING id, name, qty", [
        id,
        item.name,
        item.qty,
      ]);
    } else if (request.method === "DELETE") {
      result = await db.query("DELETE FROM items WHERE id = $1 RETURNING id", [id]);
      if (result.rowCount === 1) return new Response(null, { status: 204 });
    } else {
      throw new HttpError(405, "use GET, PUT or DELETE");
    }
    if (result.rows.length === 0) throw new HttpError(404, `no item ${id}`);
    return json(result.rows[0]);
  }
  // POST /transfer {from, to, qty}: moves stock between two items in one transaction.
  if (parts[0] === "transfer" && parts.length === 1 && request.method === "POST") {
    const { from, to, qty } = await body(request);
    if (![from, to, qty].every(Number.isInteger) || qty <= 0) throw new HttpError(400, "from, to and qty must be integers, qty > 0");
    await db.query("BEGIN");
    try {
      const taken = await db.query("UPDATE items SET qty = qty - $2 WHERE id = $1 AND qty >= $2 RETURNING qty", [from, qty]);
      if (taken.rowCount !== 1) throw new HttpError(409, `item ${from} does not exist or has less than ${qty}`);
      const given = await db.query("UPDATE items SET qty = qty + $2 WHERE id = $1 RETURNING qty", [to, qty]);
      if (given.rowCount !== 1) throw new HttpError(404, `no item ${to}`);
      await db.query("COMMIT");
      return json({ from: { id: from, qty: taken.rows[0].qty }, to: { id: to, qty: given.rows[0].qty } });
    } catch (e) {
      await db.query("ROLLBACK");
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
    const db = new Client({ connectionString });
    try {
      await db.connect();
      const response = await route(request, db);
      response.headers.set("x-db-via", via);
      return response;
    } catch (e: any) {
      if (e instanceof HttpError) return json({ error: e.message }, e.status, { "x-db-via": via });
      return json({ error: String(e && e.message) }, 500, { "x-db-via": via });
    } finally {
      ctx.waitUntil(db.end());
    }
  },
};
