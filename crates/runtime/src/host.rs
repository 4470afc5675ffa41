//! The host functions the JS prelude calls (`host.*`, see `js/README.md`): encoding, logging, clocks, timers,
//! body sources, response delivery and outbound fetch. Async ones return promises settled by local tasks.

use crate::isolate::{
    ByteStream, DispatchError, HttpResponse, IsolateInner, ResponseBody, WeakIsolate,
};
use bytes::Bytes;
use futures_util::StreamExt;
use rquickjs::function::{Func, Opt};
use rquickjs::{Ctx, Function, Object, Persistent, Promise, TypedArray, Value};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::mpsc;

/// What a host operation settles its promise with, built once the isolate is entered again.
pub(crate) type Settle = Box<dyn for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<Value<'js>>>;

/// Capacity of a streamed body's chunk channel (a response's, or a fetch upload's): a slow reader pushes back on the
/// worker after this many.
pub(crate) const SINK_CAPACITY: usize = 8;

pub(crate) fn upgrade(weak: &WeakIsolate) -> Rc<IsolateInner> {
    weak.upgrade()
        .expect("host function called on a dropped isolate")
}

/// Copies the bytes of a `Uint8Array`.
pub(crate) fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JS can run and detach or resize the buffer.
    unsafe { array.as_bytes() }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

pub(crate) fn type_error<'js>(ctx: &Ctx<'js>, message: &str) -> rquickjs::Result<Value<'js>> {
    let ctor: rquickjs::Constructor = ctx.globals().get("TypeError")?;
    ctor.construct((message,))
}

/// Starts `op` as a local task and returns a promise it settles: `Ok` resolves with the built value, `Err`
/// rejects with a `TypeError` carrying the text. Returns the promise and the task's id (for cancellation).
pub(crate) fn spawn_promise<'js, F>(
    ctx: &Ctx<'js>,
    weak: &WeakIsolate,
    op: F,
) -> rquickjs::Result<(Promise<'js>, u64)>
where
    F: Future<Output = Result<Settle, String>> + 'static,
{
    let (promise, resolve, reject) = Promise::new(ctx)?;
    let inner = upgrade(weak);
    let id = inner.state.borrow_mut().next_id();
    // Settling the promise is charged to the invocation that started the operation.
    let owner = inner.turn_owner();
    let weak2 = weak.clone();
    let task = tokio::task::spawn_local(async move {
        let outcome = op.await;
        let Some(inner) = weak2.upgrade() else { return };
        let Some((resolve, reject, _)) = inner.state.borrow_mut().resolvers.remove(&id) else {
            return;
        };
        let _ = inner.enter_as(owner, |ctx| {
            match outcome {
                Ok(settle) => {
                    let value = settle(&ctx)?;
                    resolve.restore(&ctx)?.call::<_, ()>((value,))?;
                }
                Err(message) => {
                    let err = type_error(&ctx, &message)?;
                    reject.restore(&ctx)?.call::<_, ()>((err,))?;
                }
            }
            Ok(())
        });
    });
    inner.state.borrow_mut().resolvers.insert(
        id,
        (
            Persistent::save(ctx, resolve),
            Persistent::save(ctx, reject),
            Some(task.abort_handle()),
        ),
    );
    Ok((promise, id))
}

pub(crate) fn headers_from_flat(flat: Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
}

/// The host functions every isolate needs at once: delivering a whole response and ending an invocation. The rest
/// of the core (`register_more`) and the optional APIs are registered on first use (`host_groups.rs`).
pub(crate) fn register<'js>(
    ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    {
        let weak = weak.clone();
        host.set(
            "respond",
            Func::from(
                move |id: f64,
                      status: u16,
                      status_text: String,
                      headers: Vec<String>,
                      body: Value<'js>|
                      -> rquickjs::Result<()> {
                    let body = if body.is_null() || body.is_undefined() {
                        ResponseBody::Empty
                    } else if let Some(s) = body.as_string() {
                        ResponseBody::Full(Bytes::from(s.to_string()?))
                    } else if let Ok(array) = TypedArray::<u8>::from_value(body) {
                        ResponseBody::Full(Bytes::from(bytes_of(&array)))
                    } else {
                        ResponseBody::Empty
                    };
                    let response = HttpResponse {
                        status,
                        status_text: non_empty(status_text),
                        headers: headers_from_flat(headers),
                        body,
                    };
                    upgrade(&weak).finish_response(id as u64, Ok(response));
                    Ok(())
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "invocationDone",
            Func::from(move |id: Opt<f64>| {
                upgrade(&weak).invocation_done(id.0.unwrap_or(0.0) as u64)
            }),
        )?;
    }
    let _ = ctx;
    Ok(())
}

/// The host functions of the core group that a request which is answered with a whole body does not need:
/// text encoding, logging, timers, request and streamed response bodies, error responses. Registered on first use
/// (`host_groups.rs`), like the optional APIs.
pub(crate) fn register_more<'js>(
    ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    host.set(
        "utf8Encode",
        Func::from(|ctx: Ctx<'js>, s: rquickjs::String<'js>| {
            let text = match s.to_string() {
                Ok(text) => text,
                // Lone surrogates: encode them as U+FFFD, as TextEncoder does.
                Err(_) => {
                    let well_formed: Function = ctx.eval("(s) => s.toWellFormed()")?;
                    well_formed.call::<_, rquickjs::String>((s,))?.to_string()?
                }
            };
            TypedArray::<u8>::new(ctx, text.into_bytes())
        }),
    )?;
    host.set(
        "utf8Decode",
        Func::from(
            |ctx: Ctx<'js>, bytes: TypedArray<'js, u8>, fatal: Opt<bool>, ignore_bom: Opt<bool>| {
                let data = bytes_of(&bytes);
                let mut slice = data.as_slice();
                if !ignore_bom.0.unwrap_or(false) && slice.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    slice = &slice[3..];
                }
                if fatal.0.unwrap_or(false) {
                    match std::str::from_utf8(slice) {
                        Ok(s) => rquickjs::String::from_str(ctx, s),
                        Err(_) => Err(rquickjs::Exception::throw_type(
                            &ctx,
                            "The encoded data was not valid for encoding utf-8",
                        )),
                    }
                } else {
                    rquickjs::String::from_str(ctx, &String::from_utf8_lossy(slice))
                }
            },
        ),
    )?;
    {
        let weak = weak.clone();
        host.set(
            "log",
            Func::from(move |level: String, message: String| upgrade(&weak).log(&level, &message)),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "now",
            Func::from(move || upgrade(&weak).started.elapsed().as_secs_f64() * 1000.0),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "setTimer",
            Func::from(
                move |ctx: Ctx<'js>, ms: f64, callback: Function<'js>| -> rquickjs::Result<f64> {
                    let inner = upgrade(&weak);
                    let id = inner.state.borrow_mut().next_id();
                    let delay = Duration::from_micros((ms.max(0.0) * 1000.0) as u64);
                    // The callback is charged to the invocation that set the timer.
                    let owner = inner.turn_owner();
                    let weak2 = weak.clone();
                    let task = tokio::task::spawn_local(async move {
                        tokio::time::sleep(delay).await;
                        let Some(inner) = weak2.upgrade() else { return };
                        let Some((callback, _)) = inner.state.borrow_mut().timers.remove(&id)
                        else {
                            return;
                        };
                        let _ =
                            inner.enter_as(owner, |ctx| callback.restore(&ctx)?.call::<_, ()>(()));
                    });
                    inner
                        .state
                        .borrow_mut()
                        .timers
                        .insert(id, (Persistent::save(&ctx, callback), task.abort_handle()));
                    Ok(id as f64)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "clearTimer",
            Func::from(move |id: f64| {
                if let Some((_, task)) = upgrade(&weak)
                    .state
                    .borrow_mut()
                    .timers
                    .remove(&(id as u64))
                {
                    task.abort();
                }
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "bodyRead",
            Func::from(
                move |ctx: Ctx<'js>, handle: f64| -> rquickjs::Result<Promise<'js>> {
                    let handle = handle as u64;
                    let inner = upgrade(&weak);
                    let source = inner
                        .state
                        .borrow_mut()
                        .bodies
                        .get_mut(&handle)
                        .and_then(Option::take);
                    let weak2 = weak.clone();
                    let (promise, _) = spawn_promise(&ctx, &weak, async move {
                        let Some(mut stream) = source else {
                            return Err(
                                "This body is already being read or was cancelled.".to_string()
                            );
                        };
                        let next = stream.next().await;
                        let at_end = !matches!(next, Some(Ok(_)));
                        if let Some(inner) = weak2.upgrade() {
                            let mut state = inner.state.borrow_mut();
                            if at_end {
                                state.bodies.remove(&handle);
                            } else if let Some(slot) = state.bodies.get_mut(&handle) {
                                *slot = Some(stream);
                            }
                        }
                        match next {
                            None => Ok(undefined_settle()),
                            Some(Ok(chunk)) => Ok(settle(move |ctx| {
                                TypedArray::<u8>::new(ctx.clone(), chunk.to_vec())
                                    .map(|a| a.into_value())
                            })),
                            Some(Err(e)) => Err(format!("Network connection lost: {e}")),
                        }
                    })?;
                    Ok(promise)
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "bodyCancel",
            Func::from(move |handle: f64| {
                upgrade(&weak)
                    .state
                    .borrow_mut()
                    .bodies
                    .remove(&(handle as u64));
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "respondError",
            Func::from(move |id: f64, error: Value<'js>| {
                let err = IsolateInner::exception_from_js(&error);
                let inner = upgrade(&weak);
                if let DispatchError::Exception { .. } = &err {
                    // Caught by the glue, but a heap exhaustion still poisons the isolate; `enter` then fails
                    // this response (and every other pending one) with the memory limit.
                    inner.note_limit();
                    if inner.is_poisoned() {
                        return;
                    }
                }
                inner.finish_response(id as u64, Err(err));
            }),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "respondStream",
            Func::from(
                move |id: f64,
                      status: u16,
                      status_text: String,
                      headers: Vec<String>,
                      watch: Opt<bool>|
                      -> f64 {
                    let inner = upgrade(&weak);
                    let (tx, rx) = mpsc::channel(SINK_CAPACITY);
                    let mut state = inner.state.borrow_mut();
                    let sink = state.next_id();
                    if watch.0 == Some(true) {
                        // The handler holds `request.signal`: abort it once the client drops the body.
                        let (closed, weak) = (tx.clone(), weak.clone());
                        let watcher = tokio::task::spawn_local(async move {
                            closed.closed().await;
                            let Some(inner) = weak.upgrade() else { return };
                            let watched = inner.state.borrow_mut().sink_watchers.remove(&sink);
                            if watched.is_some() {
                                inner.abort_incoming_signal(id as u64);
                            }
                        });
                        state.sink_watchers.insert(sink, watcher.abort_handle());
                    }
                    state.sinks.insert(sink, tx);
                    drop(state);
                    let response = HttpResponse {
                        status,
                        status_text: non_empty(status_text),
                        headers: headers_from_flat(headers),
                        body: ResponseBody::Stream(rx),
                    };
                    inner.finish_response(id as u64, Ok(response));
                    sink as f64
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "sinkWrite",
            Func::from(
                move |ctx: Ctx<'js>,
                      sink: f64,
                      chunk: TypedArray<'js, u8>|
                      -> rquickjs::Result<Value<'js>> {
                    let inner = upgrade(&weak);
                    let Some(tx) = inner.state.borrow().sinks.get(&(sink as u64)).cloned() else {
                        return Ok(Value::new_bool(ctx, false));
                    };
                    let bytes = Bytes::from(bytes_of(&chunk));
                    match tx.try_send(Ok(bytes)) {
                        Ok(()) => Ok(Value::new_bool(ctx, true)),
                        Err(mpsc::error::TrySendError::Closed(_)) => {
                            inner.state.borrow_mut().sinks.remove(&(sink as u64));
                            Ok(Value::new_bool(ctx, false))
                        }
                        Err(mpsc::error::TrySendError::Full(item)) => {
                            let (promise, _) = spawn_promise(&ctx, &weak, async move {
                                let sent = tx.send(item).await.is_ok();
                                Ok(settle(move |ctx| Ok(Value::new_bool(ctx.clone(), sent))))
                            })?;
                            Ok(promise.into_value())
                        }
                    }
                },
            ),
        )?;
    }
    {
        let weak = weak.clone();
        host.set(
            "sinkClose",
            Func::from(move |sink: f64, error: Opt<Value<'js>>| {
                let inner = upgrade(&weak);
                let tx = inner.state.borrow_mut().sinks.remove(&(sink as u64));
                if !inner.state.borrow().sink_watchers.is_empty() {
                    // Its Sender clone goes with it, so the body can end.
                    let watcher = inner
                        .state
                        .borrow_mut()
                        .sink_watchers
                        .remove(&(sink as u64));
                    if let Some(watcher) = watcher {
                        watcher.abort();
                    }
                }
                if let (Some(tx), Some(err)) = (tx, error.0) {
                    if !(err.is_null() || err.is_undefined()) {
                        let text = crate::errors::describe_value(&err);
                        let _ = tx.try_send(Err(text));
                    }
                }
            }),
        )?;
    }
    let _ = ctx;
    Ok(())
}

fn undefined_settle() -> Settle {
    settle(|ctx| Ok(Value::new_undefined(ctx.clone())))
}

/// Boxes a settle closure (a plain function so the closure's lifetimes are inferred as higher-ranked).
pub(crate) fn settle<F>(f: F) -> Settle
where
    F: for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<Value<'js>> + 'static,
{
    Box::new(f)
}

/// Registers a byte source as a body handle the prelude can read with `host.bodyRead`.
pub(crate) fn add_body(inner: &IsolateInner, stream: ByteStream) -> u64 {
    let mut state = inner.state.borrow_mut();
    let handle = state.next_id();
    state.bodies.insert(handle, Some(stream));
    handle
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}
