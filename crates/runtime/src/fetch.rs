//! Outbound `fetch()`: the Rust half (`host.fetch`, `host.fetchAbort`), an HTTP/HTTPS client per thread.

use crate::host::{add_body, bytes_of, settle, spawn_promise};
use crate::isolate::{ByteStream, WeakIsolate};
use futures_util::StreamExt;
use rquickjs::function::Func;
use rquickjs::{Array, Ctx, Object, TypedArray, Value};

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
                    let body = TypedArray::<u8>::from_value(body).ok().map(|a| bytes_of(&a));
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
