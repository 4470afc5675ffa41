//! Modules built into the runtime that worker code imports by name (`cloudflare:workers`).

const CLOUDFLARE_WORKERS: &str = r#"
const internal = globalThis[Symbol.for("corral.internal.workers")];
export class DurableObject {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class RpcTarget {}
export class WorkflowEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export const env = internal.env;
export function waitUntil(promise) { internal.waitUntil(promise); }
export default { DurableObject, WorkerEntrypoint, RpcTarget, WorkflowEntrypoint, env, waitUntil };
"#;

pub fn is_builtin(name: &str) -> bool {
    source(name).is_some()
}

pub fn source(name: &str) -> Option<&'static str> {
    match name {
        "cloudflare:workers" => Some(CLOUDFLARE_WORKERS),
        _ => None,
    }
}
