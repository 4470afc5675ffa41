// JSON helpers shared by the handlers: answers, errors with a stable shape, and body parsing.

export class HttpError extends Error {
  constructor(status, message, details = undefined) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

export function json(data, status = 200, headers = {}) {
  return Response.json(data, { status, headers });
}

export function errorResponse(err) {
  const body = { error: { status: err.status, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  return json(body, err.status, err.headers ?? {});
}

// Parses a JSON object body, or throws a 400 (415 when the client did not say it sends JSON).
export async function readJsonObject(request) {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new HttpError(415, "Send the body as application/json.");
  }
  let value;
  try {
    value = await request.json();
  } catch {
    throw new HttpError(400, "The body is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "The body must be a JSON object.");
  }
  return value;
}
