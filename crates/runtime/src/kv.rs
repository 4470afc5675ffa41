//! Host functions behind the KV binding (`js/kv.js`): reads and writes of the namespace's SQLite database.
//!
//! The binding validates arguments and makes Cloudflare's error texts; these functions only move bytes. Each
//! database call runs on tokio's blocking pool (a write waits for its commit; nothing blocks the listener
//! thread) and settles a promise when it is done:
//!
//! | function | result |
//! |---|---|
//! | `host.kvGet(id, keys, asText)` | `Promise<Array<null \| [value, metadataJson \| null]>>`, value a string or an `ArrayBuffer` |
//! | `host.kvPut(id, key, bytes, expiration?, metadataJson?)` | `Promise<undefined>` once committed |
//! | `host.kvDelete(id, key)` | `Promise<undefined>` once committed |
//! | `host.kvList(id, prefix, limit, cursor)` | `Promise<string>`: the JSON of `{keys, list_complete, cursor?}` |
//! | `host.kvNow()` | seconds since the epoch on the storage clock (for expirations) |
//!
//! A storage failure rejects with a `TypeError` carrying the text; the binding rewraps it.

use crate::host::{bytes_of, settle, spawn_promise, upgrade};
use crate::isolate::WeakIsolate;
use corral_storage::kv::KvNamespace;
use rquickjs::function::{Func, Opt};
use rquickjs::{Array, ArrayBuffer, Ctx, Object, Promise, TypedArray, Value};
use std::sync::Arc;

fn namespace(weak: &WeakIsolate, id: &str) -> Result<Arc<KvNamespace>, String> {
    upgrade(weak)
        .bundle
        .services
        .storage
        .kv(id)
        .map_err(|e| e.to_string())
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, corral_storage::StorageError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("storage task failed: {e}")),
    }
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    host.set(
        "kvNow",
        Func::from(|| corral_storage::clock::now_ms().div_euclid(1000) as f64),
    )?;
    {
        let weak = weak.clone();
        host.set(
            "kvGet",
            Func::from(
                move |ctx: Ctx<'js>,
                      id: String,
                      keys: Vec<String>,
                      as_text: bool|
                      -> rquickjs::Result<Promise<'js>> {
                    let ns = namespace(&weak, &id);
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let ns = ns?;
                        let entries = blocking(move || ns.get_many(&keys)).await?;
                        Ok(settle(move |ctx| {
                            let out = Array::new(ctx.clone())?;
                            for (i, entry) in entries.into_iter().enumerate() {
                                let Some(entry) = entry else {
                                    out.set(i, Value::new_null(ctx.clone()))?;
                                    continue;
                                };
                                let value = if as_text {
                                    rquickjs::String::from_str(
                                        ctx.clone(),
                                        &String::from_utf8_lossy(&entry.value),
                                    )?
                                    .into_value()
                                } else {
                                    ArrayBuffer::new(ctx.clone(), entry.value)?.into_value()
                                };
                                let pair = Array::new(ctx.clone())?;
                                pair.set(0, value)?;
                                pair.set(1, entry.metadata)?;
                                out.set(i, pair)?;
                            }
                            Ok(out.into_value())
                        }))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "kvPut",
            Func::from(
                move |ctx: Ctx<'js>,
                      id: String,
                      key: String,
                      bytes: TypedArray<'js, u8>,
                      expiration: Opt<Option<f64>>,
                      metadata: Opt<Option<String>>|
                      -> rquickjs::Result<Promise<'js>> {
                    let ns = namespace(&weak, &id);
                    let value = bytes_of(&bytes);
                    let expiration = expiration.0.flatten().map(|e| e as i64);
                    let metadata = metadata.0.flatten();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let ns = ns?;
                        blocking(move || ns.put(&key, &value, expiration, metadata.as_deref()))
                            .await?;
                        Ok(settle(|ctx| Ok(Value::new_undefined(ctx.clone()))))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "kvDelete",
            Func::from(
                move |ctx: Ctx<'js>, id: String, key: String| -> rquickjs::Result<Promise<'js>> {
                    let ns = namespace(&weak, &id);
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let ns = ns?;
                        blocking(move || ns.delete(&key)).await?;
                        Ok(settle(|ctx| Ok(Value::new_undefined(ctx.clone()))))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "kvList",
            Func::from(
                move |ctx: Ctx<'js>,
                      id: String,
                      prefix: String,
                      limit: f64,
                      cursor: Opt<Option<String>>|
                      -> rquickjs::Result<Promise<'js>> {
                    let ns = namespace(&weak, &id);
                    let cursor = cursor.0.flatten();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let ns = ns?;
                        let page =
                            blocking(move || ns.list(&prefix, limit as usize, cursor.as_deref()))
                                .await?;
                        let json = page.to_json();
                        Ok(settle(move |ctx| {
                            rquickjs::String::from_str(ctx.clone(), &json).map(|s| s.into_value())
                        }))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    Ok(())
}
