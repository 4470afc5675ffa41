// The todo list: kept in module state, so it lives as long as the isolate (in `corral dev`, until the next
// reload). A real app would use KV, D1 or a Durable Object.

import { HttpError, json, readJsonObject } from "./http.js";

const todos = new Map();
let nextId = 1;

function validate(input, { partial }) {
  const problems = [];
  const out = {};
  for (const key of Object.keys(input)) {
    if (key !== "title" && key !== "done") problems.push(`unknown field "${key}"`);
  }
  if ("title" in input) {
    const title = input.title;
    if (typeof title !== "string" || title.trim() === "") problems.push("title must be a non-empty string");
    else if (title.length > 200) problems.push("title must be at most 200 characters");
    else out.title = title.trim();
  } else if (!partial) {
    problems.push("title is required");
  }
  if ("done" in input) {
    if (typeof input.done !== "boolean") problems.push("done must be true or false");
    else out.done = input.done;
  }
  if (problems.length > 0) throw new HttpError(400, "Invalid todo.", problems);
  return out;
}

function find(params) {
  const todo = todos.get(params.id);
  if (!todo) throw new HttpError(404, `No todo with id ${params.id}.`);
  return todo;
}

export function listTodos({ url }) {
  let items = [...todos.values()];
  const done = url.searchParams.get("done");
  if (done === "true" || done === "false") items = items.filter((t) => t.done === (done === "true"));
  return json({ todos: items, count: items.length });
}

export async function createTodo({ request, env, url }) {
  const fields = validate(await readJsonObject(request), { partial: false });
  const max = Number(env.MAX_TODOS ?? 100);
  if (todos.size >= max) throw new HttpError(409, `The list is full (${max} todos).`);
  const id = String(nextId++);
  const todo = { id, title: fields.title, done: fields.done ?? false, createdAt: new Date().toISOString() };
  todos.set(id, todo);
  return json(todo, 201, { location: new URL(`/todos/${id}`, url).pathname });
}

export function getTodo({ params }) {
  return json(find(params));
}

export async function updateTodo({ request, params }) {
  const todo = find(params);
  Object.assign(todo, validate(await readJsonObject(request), { partial: true }));
  return json(todo);
}

export function deleteTodo({ params }) {
  find(params);
  todos.delete(params.id);
  return new Response(null, { status: 204 });
}
