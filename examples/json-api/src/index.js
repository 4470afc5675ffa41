// A JSON API over an in-memory todo list. Routing lives in router.js, the handlers in todos.js, and the
// JSON/error helpers in http.js; every error leaves as {"error": {"status", "message", "details"?}}.

import { Router } from "./router.js";
import { HttpError, errorResponse, json } from "./http.js";
import { createTodo, deleteTodo, getTodo, listTodos, updateTodo } from "./todos.js";

const router = new Router()
  .get("/", () =>
    json({
      name: "json-api example",
      routes: ["GET /todos", "POST /todos", "GET /todos/:id", "PATCH /todos/:id", "DELETE /todos/:id"],
    }),
  )
  .get("/todos", listTodos)
  .post("/todos", createTodo)
  .get("/todos/:id", getTodo)
  .patch("/todos/:id", updateTodo)
  .delete("/todos/:id", deleteTodo);

export default {
  async fetch(request, env, ctx) {
    try {
      return await router.handle(request, env, ctx);
    } catch (err) {
      if (err instanceof HttpError) return errorResponse(err);
      console.error("unexpected error:", err);
      return errorResponse(new HttpError(500, "Internal error."));
    }
  },
};
