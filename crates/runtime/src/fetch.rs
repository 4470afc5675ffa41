//! Outbound `fetch()`: the Rust half (`host.fetch`, `host.fetchAbort`), an HTTP/HTTPS client per thread.
//!
//! A request body goes out as bytes, or streamed: a body the host already holds (an incoming request's, when a
//! worker forwards it) is piped from its source without passing through JS; a `ReadableStream` is written by
//! fetch.js chunk by chunk into a sink (`host.sinkWrite`, with backpressure) whose other end is the upload.

use crate::host::{add_body, bytes_of, settle, spawn_promise, upgrade, SINK_CAPACITY};
use crate::isolate::{ByteStream, WeakIsolate};
use bytes::Bytes;
use futures_util::StreamExt;
use rquickjs::function::Func;
use rquickjs::{Array, Ctx, Object, TypedArray, Value};
use tokio::sync::mpsc;

/// The upload end of a streamed request body.
fn upload_body(rx: mpsc::Receiver<Result<Bytes, String>>) -> reqwest::Body {
    reqwest::Body::wrap_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        Some((item, rx))
    }))
}

/// Pipes a body the host holds into an upload; stops when the upload goes away (the fetch failed or was aborted).
fn pipe_to_upload(mut source: ByteStream, tx: mpsc::Sender<Result<Bytes, String>>) {
    tokio::task::spawn_local(async move {
        while let Some(item) = source.next().await {
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
}

/// Redirects followed before `fetch` fails, as browsers and workerd do.
const MAX_REDIRECTS: usize = 20;

thread_local! {
    static FOLLOWING: reqwest::Client = client(reqwest::redirect::Policy::limited(MAX_REDIRECTS));
    static NOT_FOLLOWING: reqwest::Client = client(reqwest::redirect::Policy::none());
}

fn client(policy: reqwest::redirect::Policy) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(policy)
        .build()
        .expect("HTTP client")
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    {
        let weak = weak.clone();
        host.set(
            "fetch",
            Func::from(
                move |ctx: Ctx<'js>,
                      method: String,
                      url: String,
                      headers: Vec<String>,
                      body: Value<'js>,
                      redirect: String|
                      -> rquickjs::Result<Object<'js>> {
                    // Bytes; a host body handle (a number); a stream (any other object) that fetch.js pumps into
                    // the sink returned as `sink`; or nothing.
                    let mut sink = None;
                    let body = if let Ok(bytes) = TypedArray::<u8>::from_value(body.clone()) {
                        Some(reqwest::Body::from(bytes_of(&bytes)))
                    } else if let Some(handle) = body.as_number() {
                        let inner = upgrade(&weak);
                        let source = inner.state.borrow_mut().bodies.remove(&(handle as u64)).flatten();
                        let Some(source) = source else {
                            return Err(rquickjs::Exception::throw_type(&ctx, "This body is already being read or was cancelled."));
                        };
                        let (tx, rx) = mpsc::channel(SINK_CAPACITY);
                        pipe_to_upload(source, tx);
                        Some(upload_body(rx))
                    } else if body.is_object() {
                        let inner = upgrade(&weak);
                        let (tx, rx) = mpsc::channel(SINK_CAPACITY);
                        let mut state = inner.state.borrow_mut();
                        let id = state.next_id();
                        state.sinks.insert(id, tx);
                        sink = Some(id);
                        Some(upload_body(rx))
                    } else {
                        None
                    };
                    let follow = redirect == "follow";
                    let client = if follow { FOLLOWING.with(Clone::clone) } else { NOT_FOLLOWING.with(Clone::clone) };
                    let method = reqwest::Method::from_bytes(method.as_bytes())
                        .map_err(|_| rquickjs::Exception::throw_type(&ctx, &format!("Invalid method: {method}")))?;
                    let mut request = client.request(method, url.as_str());
                    let mut it = headers.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        request = request.header(k, v);
                    }
                    if let Some(body) = body {
                        request = request.body(body);
                    }
                    let weak2 = weak.clone();
                    let (promise, id) = spawn_promise(&ctx, &weak, async move {
                        let response = request.send().await.map_err(|e| describe_client_error(&e))?;
                        let status = response.status();
                        if redirect == "error" && status.is_redirection() {
                            return Err(format!("Redirect was not followed because the request's redirect mode is \"error\" ({url})"));
                        }
                        let final_url = response.url().to_string();
                        let redirected = follow && final_url != url;
                        let headers: Vec<String> = response
                            .headers()
                            .iter()
                            .flat_map(|(k, v)| [k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()])
                            .collect();
                        let stream: ByteStream =
                            Box::pin(response.bytes_stream().map(|r| r.map_err(|e| describe_client_error(&e))));
                        let inner = weak2.upgrade().ok_or("isolate gone")?;
                        let handle = add_body(&inner, stream);
                        let reason = status.canonical_reason().unwrap_or("").to_string();
                        Ok(settle(move |ctx| {
                            let a = Array::new(ctx.clone())?;
                            a.set(0, status.as_u16())?;
                            a.set(1, reason)?;
                            a.set(2, headers)?;
                            a.set(3, handle as f64)?;
                            a.set(4, final_url)?;
                            a.set(5, redirected)?;
                            Ok(a.into_value())
                        }))
                    })?;
                    let result = Object::new(ctx)?;
                    result.set("id", id as f64)?;
                    result.set("promise", promise)?;
                    if let Some(sink) = sink {
                        result.set("sink", sink as f64)?;
                    }
                    Ok(result)
                },
            ),
        )?;
    }
    host.set(
        "fetchAbort",
        Func::from(move |id: f64| {
            if let Some(inner) = weak.upgrade() {
                if let Some((_, _, Some(task))) =
                    inner.state.borrow_mut().resolvers.remove(&(id as u64))
                {
                    task.abort();
                }
            }
        }),
    )?;
    Ok(())
}

fn describe_client_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    format!("Network connection lost. ({text})")
}
