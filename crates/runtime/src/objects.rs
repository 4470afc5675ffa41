//! Host functions behind Durable Objects (`js/durable_objects.js`): each live object's SQLite storage (synchronous
//! calls: a storage `await` never lets another event in, which is the input gate), the commit of its writes before
//! any response or RPC result leaves the isolate (the output gate), alarms, and calls to objects through the
//! server's router (`Services::objects`), which runs every object on exactly one thread.

use crate::host::{add_body, bytes_of, headers_from_flat, settle, spawn_promise, upgrade};
use crate::isolate::{
    ByteStream, DispatchError, HttpRequest, IntoJsArray, Isolate, IsolateInner, ResponseBody,
    WeakIsolate,
};
use crate::services::{ObjectAddress, ObjectCall, ObjectReply, ObjectRequest};
use bytes::Bytes;
use corral_storage::object::{ListOptions, ObjectStorage};
use rquickjs::function::{Func, Opt};
use rquickjs::{Array, Ctx, Function, Object, TypedArray, Value};
use rusqlite::types::Value as SqlValue;
use std::collections::HashMap;
use tokio::sync::oneshot;

/// Where an RPC or alarm call's result goes: `Ok(serialized result)` or `Err(serialized error)`.
type CallReply = oneshot::Sender<Result<Vec<u8>, Vec<u8>>>;
/// The receiving end of a [`CallReply`].
pub(crate) type CallResult = oneshot::Receiver<Result<Vec<u8>, Vec<u8>>>;

/// The objects' storage handles and the RPC calls awaiting an answer, per isolate.
#[derive(Default)]
pub(crate) struct ObjectsState {
    next: u64,
    storages: HashMap<u64, ObjectStorage>,
    /// `(worker, class, id)` → storage handle, so an object re-created after an error reuses its database.
    by_address: HashMap<(String, String, String), u64>,
    calls: HashMap<u64, CallReply>,
}

impl ObjectsState {
    /// Registers a call whose result JS sends with `host.callReply(call, ok, bytes)` (also used for queue batches).
    pub(crate) fn register_call(&mut self) -> (u64, CallResult) {
        let (tx, rx) = oneshot::channel();
        self.next += 1;
        self.calls.insert(self.next, tx);
        (self.next, rx)
    }

    pub(crate) fn forget_call(&mut self, call: u64) {
        self.calls.remove(&call);
    }

    /// Commits every object's pending writes; logs (and drops) writes that fail to commit.
    pub(crate) fn commit_all(&mut self, worker: &str) {
        for storage in self.storages.values_mut() {
            if storage.has_pending_writes() {
                if let Err(e) = storage.commit() {
                    tracing::error!(worker, "Durable Object storage commit failed: {e}");
                    storage.rollback();
                }
            }
        }
    }

    pub(crate) fn has_pending_writes(&self) -> bool {
        self.storages
            .values()
            .any(ObjectStorage::has_pending_writes)
    }
}

fn storage_err<'js>(ctx: &Ctx<'js>, e: impl std::fmt::Display) -> rquickjs::Error {
    rquickjs::Exception::throw_message(ctx, &e.to_string())
}

fn with_storage<'js, R>(
    ctx: &Ctx<'js>,
    weak: &WeakIsolate,
    handle: f64,
    f: impl FnOnce(&mut ObjectStorage) -> Result<R, corral_storage::StorageError>,
) -> rquickjs::Result<R> {
    let inner = upgrade(weak);
    let mut objects = inner.objects.borrow_mut();
    let Some(storage) = objects.storages.get_mut(&(handle as u64)) else {
        return Err(storage_err(ctx, "this Durable Object's storage is closed"));
    };
    f(storage).map_err(|e| storage_err(ctx, e))
}

fn sql_to_js<'js>(ctx: &Ctx<'js>, v: SqlValue) -> rquickjs::Result<Value<'js>> {
    Ok(match v {
        SqlValue::Null => Value::new_null(ctx.clone()),
        SqlValue::Integer(i) => {
            if i.unsigned_abs() <= (1u64 << 53) {
                Value::new_number(ctx.clone(), i as f64)
            } else {
                let big: Function = ctx.globals().get("BigInt")?;
                big.call((i.to_string(),))?
            }
        }
        SqlValue::Real(f) => Value::new_number(ctx.clone(), f),
        SqlValue::Text(s) => rquickjs::String::from_str(ctx.clone(), &s)?.into_value(),
        SqlValue::Blob(b) => TypedArray::<u8>::new(ctx.clone(), b)?
            .as_object()
            .clone()
            .into_value(),
    })
}

fn js_to_sql<'js>(ctx: &Ctx<'js>, v: Value<'js>) -> rquickjs::Result<SqlValue> {
    if v.is_null() || v.is_undefined() {
        return Ok(SqlValue::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(SqlValue::Integer(b as i64));
    }
    if let Some(i) = v.as_int() {
        return Ok(SqlValue::Integer(i as i64));
    }
    if let Some(f) = v.as_float() {
        return Ok(if f.fract() == 0.0 && f.abs() < 9.0e15 {
            SqlValue::Integer(f as i64)
        } else {
            SqlValue::Real(f)
        });
    }
    if let Some(s) = v.as_string() {
        return Ok(SqlValue::Text(s.to_string()?));
    }
    if v.is_big_int() {
        let text: String = ctx.eval::<Function, _>("(b) => String(b)")?.call((v,))?;
        return text
            .parse::<i64>()
            .map(SqlValue::Integer)
            .map_err(|_| storage_err(ctx, "Error: BigInt value is too large for SQLite"));
    }
    if let Ok(array) = TypedArray::<u8>::from_value(v.clone()) {
        return Ok(SqlValue::Blob(bytes_of(&array)));
    }
    Err(rquickjs::Exception::throw_type(
        ctx,
        "Unsupported type for a SQL binding: use a string, number, bigint, boolean, null or ArrayBuffer view.",
    ))
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    {
        let weak = weak.clone();
        host.set(
            "objectStorageOpen",
            Func::from(
                move |ctx: Ctx<'js>,
                      worker: String,
                      class: String,
                      id: String|
                      -> rquickjs::Result<f64> {
                    let inner = upgrade(&weak);
                    let key = (worker.clone(), class.clone(), id.clone());
                    let mut objects = inner.objects.borrow_mut();
                    if let Some(h) = objects.by_address.get(&key) {
                        return Ok(*h as f64);
                    }
                    let dir = inner.bundle.services.storage.object_dir(&worker, &class);
                    let path = dir.join(format!("{}.sqlite", corral_storage::safe_file_name(&id)));
                    let storage = ObjectStorage::open(&path).map_err(|e| storage_err(&ctx, e))?;
                    objects.next += 1;
                    let h = objects.next;
                    objects.storages.insert(h, storage);
                    objects.by_address.insert(key, h);
                    Ok(h as f64)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "objectStorageClose",
            Func::from(move |handle: f64| {
                let inner = upgrade(&weak);
                let mut objects = inner.objects.borrow_mut();
                let Some(mut storage) = objects.storages.remove(&(handle as u64)) else {
                    return;
                };
                objects.by_address.retain(|_, h| *h != handle as u64);
                if storage.has_pending_writes() {
                    if let Err(e) = storage.commit() {
                        tracing::error!(worker = %inner.bundle.name, "Durable Object storage commit failed: {e}");
                        storage.rollback();
                    }
                }
            }),
        )?;
    }
    host.set("objectIdleMs", Func::from(|| idle_ms() as f64))?;
    {
        let weak = weak.clone();
        host.set(
            "storageGet",
            Func::from(
                move |ctx: Ctx<'js>,
                      handle: f64,
                      keys: Vec<String>|
                      -> rquickjs::Result<Array<'js>> {
                    let values = with_storage(&ctx, &weak, handle, |s| s.get(&keys))?;
                    let out = Array::new(ctx.clone())?;
                    for (i, v) in values.into_iter().enumerate() {
                        match v {
                            Some(bytes) => {
                                out.set(i, TypedArray::<u8>::new(ctx.clone(), bytes)?)?
                            }
                            None => out.set(i, Value::new_undefined(ctx.clone()))?,
                        }
                    }
                    Ok(out)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "storagePut",
            Func::from(
                move |ctx: Ctx<'js>,
                      handle: f64,
                      keys: Vec<String>,
                      values: Vec<TypedArray<'js, u8>>|
                      -> rquickjs::Result<()> {
                    let entries: Vec<(String, Vec<u8>)> = keys
                        .into_iter()
                        .zip(values.iter().map(|v| bytes_of(v)))
                        .collect();
                    with_storage(&ctx, &weak, handle, |s| s.put(&entries))
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "storageDelete",
            Func::from(
                move |ctx: Ctx<'js>, handle: f64, keys: Vec<String>| -> rquickjs::Result<f64> {
                    with_storage(&ctx, &weak, handle, |s| s.delete(&keys)).map(|n| n as f64)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "storageDeleteAll",
            Func::from(move |ctx: Ctx<'js>, handle: f64| -> rquickjs::Result<()> {
                with_storage(&ctx, &weak, handle, |s| s.delete_all())
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "storageList",
            Func::from(
                move |ctx: Ctx<'js>,
                      handle: f64,
                      opts: Object<'js>|
                      -> rquickjs::Result<Array<'js>> {
                    let opts = ListOptions {
                        start: opts.get("start")?,
                        start_after: opts.get("startAfter")?,
                        end: opts.get("end")?,
                        prefix: opts.get("prefix")?,
                        reverse: opts.get::<_, Option<bool>>("reverse")?.unwrap_or(false),
                        limit: opts.get::<_, Option<f64>>("limit")?.map(|l| l as usize),
                    };
                    let rows = with_storage(&ctx, &weak, handle, |s| s.list(&opts))?;
                    let out = Array::new(ctx.clone())?;
                    for (i, (k, v)) in rows.into_iter().enumerate() {
                        out.set(2 * i, k)?;
                        out.set(2 * i + 1, TypedArray::<u8>::new(ctx.clone(), v)?)?;
                    }
                    Ok(out)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "storageTransaction",
            Func::from(
                move |ctx: Ctx<'js>, handle: f64, action: String| -> rquickjs::Result<()> {
                    with_storage(&ctx, &weak, handle, |s| match action.as_str() {
                        "begin" => s.savepoint(),
                        "commit" => s.release(true),
                        _ => s.release(false),
                    })
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "sqlExec",
            Func::from(
                move |ctx: Ctx<'js>,
                      handle: f64,
                      query: String,
                      bindings: Opt<Vec<Value<'js>>>|
                      -> rquickjs::Result<Object<'js>> {
                    let bindings = bindings
                        .0
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| js_to_sql(&ctx, v))
                        .collect::<rquickjs::Result<Vec<_>>>()?;
                    let result = with_storage(&ctx, &weak, handle, |s| s.exec(&query, &bindings))?;
                    let out = Object::new(ctx.clone())?;
                    out.set("columns", result.columns)?;
                    let rows = Array::new(ctx.clone())?;
                    for (i, row) in result.rows.into_iter().enumerate() {
                        let r = Array::new(ctx.clone())?;
                        for (j, v) in row.into_iter().enumerate() {
                            r.set(j, sql_to_js(&ctx, v)?)?;
                        }
                        rows.set(i, r)?;
                    }
                    out.set("rows", rows)?;
                    out.set("rowsRead", result.rows_read as f64)?;
                    out.set("rowsWritten", result.rows_written as f64)?;
                    Ok(out)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "sqlDatabaseSize",
            Func::from(move |ctx: Ctx<'js>, handle: f64| -> rquickjs::Result<f64> {
                with_storage(&ctx, &weak, handle, |s| s.database_size()).map(|n| n as f64)
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "alarmGet",
            Func::from(
                move |ctx: Ctx<'js>,
                      worker: String,
                      class: String,
                      id: String|
                      -> rquickjs::Result<Option<f64>> {
                    let index = alarm_index(&ctx, &weak)?;
                    index
                        .get(&worker, &class, &id)
                        .map(|t| t.map(|t| t as f64))
                        .map_err(|e| storage_err(&ctx, e))
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "alarmSet",
            Func::from(
                move |ctx: Ctx<'js>,
                      worker: String,
                      class: String,
                      id: String,
                      name: Option<String>,
                      time: Option<f64>|
                      -> rquickjs::Result<()> {
                    let index = alarm_index(&ctx, &weak)?;
                    match time {
                        Some(t) => index.set(&worker, &class, &id, name.as_deref(), t as i64),
                        None => index.delete(&worker, &class, &id),
                    }
                    .map_err(|e| storage_err(&ctx, e))
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "objectClasses",
            Func::from(move || {
                let inner = upgrade(&weak);
                serde_json::to_string(&inner.bundle.object_classes).unwrap_or_else(|_| "[]".into())
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "workerName",
            Func::from(move || upgrade(&weak).bundle.name.clone()),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "objectFetch",
            Func::from(
                move |ctx: Ctx<'js>,
                      target: Object<'js>,
                      method: String,
                      url: String,
                      headers: Vec<String>,
                      body: Value<'js>|
                      -> rquickjs::Result<rquickjs::Promise<'js>> {
                    let address = address_of(&target)?;
                    let body = TypedArray::<u8>::from_value(body)
                        .ok()
                        .map(|a| Bytes::from(bytes_of(&a)));
                    let request = ObjectRequest {
                        method,
                        url,
                        headers: headers_from_flat(headers),
                        body,
                    };
                    let rx = route(&ctx, &weak, address, ObjectCall::Fetch(request))?;
                    let weak2 = weak.clone();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let reply = rx
                            .await
                            .map_err(|_| "the Durable Object went away".to_string())??;
                        let ObjectReply::Fetch(response) = reply else {
                            return Err(
                                "internal error: wrong reply to a Durable Object fetch".into()
                            );
                        };
                        let inner = weak2.upgrade().ok_or("isolate gone")?;
                        let status = response.status;
                        let reason = response.status_text.clone().unwrap_or_default();
                        let headers: Vec<String> = response
                            .headers
                            .into_iter()
                            .flat_map(|(k, v)| [k, v])
                            .collect();
                        let mut forwarded = None;
                        let handle = match response.body {
                            ResponseBody::Empty => None,
                            ResponseBody::Full(b) => {
                                let s: ByteStream = Box::pin(futures_util::stream::iter([Ok(b)]));
                                Some(add_body(&inner, s))
                            }
                            ResponseBody::Stream(rx) => {
                                let s: ByteStream = Box::pin(futures_util::stream::unfold(
                                    rx,
                                    |mut rx| async move { rx.recv().await.map(|item| (item, rx)) },
                                ));
                                Some(add_body(&inner, s))
                            }
                            ResponseBody::WebSocket(conn) => {
                                // The object's end stays with the object; the caller may only return this one.
                                let mut state = inner.state.borrow_mut();
                                let h = state.next_id();
                                state.forwarded.insert(h, conn);
                                forwarded = Some(h as f64);
                                None
                            }
                        };
                        Ok(settle(move |ctx| {
                            let a = Array::new(ctx.clone())?;
                            a.set(0, status)?;
                            a.set(1, reason)?;
                            a.set(2, headers)?;
                            a.set(3, handle.map(|h| h as f64))?;
                            a.set(4, forwarded)?;
                            Ok(a.into_value())
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
            "objectRpc",
            Func::from(
                move |ctx: Ctx<'js>,
                      target: Object<'js>,
                      method: String,
                      args: TypedArray<'js, u8>|
                      -> rquickjs::Result<rquickjs::Promise<'js>> {
                    let address = address_of(&target)?;
                    let call = ObjectCall::Rpc {
                        method,
                        args: bytes_of(&args),
                    };
                    let rx = route(&ctx, &weak, address, call)?;
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let reply = rx
                            .await
                            .map_err(|_| "the Durable Object went away".to_string())??;
                        let ObjectReply::Rpc(result) = reply else {
                            return Err(
                                "internal error: wrong reply to a Durable Object call".into()
                            );
                        };
                        Ok(settle(move |ctx| {
                            let a = Array::new(ctx.clone())?;
                            let (ok, bytes) = match result {
                                Ok(b) => (true, b),
                                Err(b) => (false, b),
                            };
                            a.set(0, ok)?;
                            a.set(1, TypedArray::<u8>::new(ctx.clone(), bytes)?)?;
                            Ok(a.into_value())
                        }))
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    host.set(
        "callReply",
        Func::from(move |call: f64, ok: bool, bytes: TypedArray<'js, u8>| {
            let inner = upgrade(&weak);
            let tx = inner.objects.borrow_mut().calls.remove(&(call as u64));
            if let Some(tx) = tx {
                // The output gate: writes made before this result are durable before it leaves.
                inner.objects.borrow_mut().commit_all(&inner.bundle.name);
                let bytes = bytes_of(&bytes);
                let _ = tx.send(if ok { Ok(bytes) } else { Err(bytes) });
            }
        }),
    )?;
    Ok(())
}

/// How long an object may go without events before it is evicted from memory (rebuilt from storage on its next
/// event): `CORRAL_OBJECT_IDLE_MS`, default 60 s; 0 keeps objects forever.
fn idle_ms() -> u64 {
    static IDLE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *IDLE.get_or_init(|| {
        std::env::var("CORRAL_OBJECT_IDLE_MS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(60_000)
    })
}

/// The server's alarm index (opened on first use).
fn alarm_index(
    ctx: &Ctx<'_>,
    weak: &WeakIsolate,
) -> rquickjs::Result<std::sync::Arc<corral_storage::object::AlarmIndex>> {
    upgrade(weak)
        .bundle
        .services
        .storage
        .alarms()
        .map_err(|e| storage_err(ctx, e))
}

fn address_of(target: &Object<'_>) -> rquickjs::Result<ObjectAddress> {
    Ok(ObjectAddress {
        worker: target.get("worker")?,
        class: target.get("class")?,
        id: target.get("id")?,
        name: target.get("name")?,
    })
}

fn route<'js>(
    ctx: &Ctx<'js>,
    weak: &WeakIsolate,
    address: ObjectAddress,
    call: ObjectCall,
) -> rquickjs::Result<oneshot::Receiver<Result<ObjectReply, String>>> {
    let inner = upgrade(weak);
    let Some(router) = inner.bundle.services.objects.get() else {
        return Err(rquickjs::Exception::throw_message(
            ctx,
            "Durable Objects are not available in this process (no server is running them)",
        ));
    };
    Ok(router.call(address, call))
}

impl Isolate {
    /// Delivers `call` to the object at `address`, which lives in this isolate (the router chose this thread).
    pub async fn dispatch_object(
        &self,
        address: &ObjectAddress,
        call: ObjectCall,
    ) -> Result<ObjectReply, String> {
        let target = (
            address.class.clone(),
            address.id.clone(),
            address.name.clone(),
        );
        match call {
            ObjectCall::Fetch(request) => {
                let request = HttpRequest {
                    method: request.method,
                    url: request.url,
                    headers: request.headers,
                    body: request.body.map(|b| {
                        let s: ByteStream = Box::pin(futures_util::stream::iter([Ok(b)]));
                        s
                    }),
                };
                self.fetch_object(request, target)
                    .await
                    .map(ObjectReply::Fetch)
                    .map_err(|e| describe_dispatch_error(&e))
            }
            ObjectCall::Rpc { method, args } => {
                let result = self
                    .call_object(target, "rpc", Some(method), Some(args), 0)
                    .await?;
                Ok(ObjectReply::Rpc(result))
            }
            ObjectCall::Alarm { retry_count } => {
                match self
                    .call_object(target, "alarm", None, None, retry_count)
                    .await?
                {
                    Ok(_) => Ok(ObjectReply::Alarm),
                    Err(e) => Err(String::from_utf8_lossy(&e).into_owned()),
                }
            }
        }
    }

    /// Runs one RPC or alarm event through `internal.dispatchObjectCall`.
    async fn call_object(
        &self,
        target: (String, String, Option<String>),
        kind: &str,
        method: Option<String>,
        args: Option<Vec<u8>>,
        retry_count: u32,
    ) -> Result<Result<Vec<u8>, Vec<u8>>, String> {
        let inner = self.inner();
        if let Some(p) = self.poisoned() {
            return Err(DispatchError::from(p).to_string());
        }
        let (tx, rx) = oneshot::channel();
        let call = {
            let mut objects = inner.objects.borrow_mut();
            objects.next += 1;
            let call = objects.next;
            objects.calls.insert(call, tx);
            call
        };
        inner.begin_invocation();
        let called = inner.enter(|ctx| -> rquickjs::Result<()> {
            let internal = inner
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            let dispatch: Function = internal.get("dispatchObjectCall")?;
            let args = match args {
                Some(a) => TypedArray::<u8>::new(ctx.clone(), a)?.into_value(),
                None => Value::new_undefined(ctx.clone()),
            };
            dispatch.call((
                call as f64,
                kind,
                target.into_js_array(&ctx)?,
                method,
                args,
                retry_count,
            ))
        });
        if let Err(message) = called {
            inner.objects.borrow_mut().calls.remove(&call);
            inner.invocation_done(0);
            return Err(message);
        }
        rx.await.map_err(|_| {
            self.poisoned()
                .map(|p| DispatchError::from(p).to_string())
                .unwrap_or_else(|| "the Durable Object was reset".to_string())
        })
    }
}

fn describe_dispatch_error(e: &DispatchError) -> String {
    match e {
        DispatchError::Exception { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Commits pending object writes before a response leaves (called by `finish_response`).
pub(crate) fn commit_before_output(inner: &IsolateInner) {
    let pending = inner.objects.borrow().has_pending_writes();
    if pending {
        inner.objects.borrow_mut().commit_all(&inner.bundle.name);
    }
}
