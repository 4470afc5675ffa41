// A small method + path router: patterns like "/todos/:id", 404 for unknown paths and 405 (with an Allow
// header) for a known path asked with the wrong method.

import { HttpError } from "./http.js";

export class Router {
  #routes = [];

  on(method, pattern, handler) {
    const parts = pattern.split("/").filter(Boolean);
    this.#routes.push({ method, parts, handler });
    return this;
  }

  get(pattern, handler) {
    return this.on("GET", pattern, handler);
  }
  post(pattern, handler) {
    return this.on("POST", pattern, handler);
  }
  patch(pattern, handler) {
    return this.on("PATCH", pattern, handler);
  }
  delete(pattern, handler) {
    return this.on("DELETE", pattern, handler);
  }

  async handle(request, env, ctx) {
    const url = new URL(request.url);
    let segments;
    try {
      segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, `Malformed path ${url.pathname}.`);
    }
    const allowed = [];
    for (const route of this.#routes) {
      const params = match(route.parts, segments);
      if (params === null) continue;
      if (route.method === request.method || (route.method === "GET" && request.method === "HEAD")) {
        return route.handler({ request, env, ctx, url, params });
      }
      allowed.push(route.method);
    }
    if (allowed.length > 0) {
      const err = new HttpError(405, `Method ${request.method} is not allowed on ${url.pathname}.`);
      err.headers = { allow: allowed.join(", ") };
      throw err;
    }
    throw new HttpError(404, `No route for ${url.pathname}.`);
  }
}

function match(parts, segments) {
  if (parts.length !== segments.length) return null;
  const params = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(":")) params[parts[i].slice(1)] = segments[i];
    else if (parts[i] !== segments[i]) return null;
  }
  return params;
}
