//! Scheduled (cron) events: `scheduled(controller, env, ctx)` or `addEventListener("scheduled", ...)`, run
//! through `internal.dispatchScheduled` in `js/worker.js`. The event lasts until the handler's promise and every
//! `waitUntil` promise settle; the JS side then calls back with the outcome.

use crate::isolate::{DispatchError, Isolate};
use rquickjs::Function;
use std::cell::Cell;
use std::time::Duration;
use tokio::sync::oneshot;

/// How often a wait for a scheduled event checks whether the isolate was discarded (a limit hit) meanwhile.
const POISON_CHECK: Duration = Duration::from_millis(100);

impl Isolate {
    /// Runs the worker's scheduled handler for `cron` at `scheduled_time` (ms since the Unix epoch) and waits
    /// until it and its `waitUntil` work settle. `Err` carries the exception (`Name: message` and the stack) or
    /// the limit that was hit.
    pub async fn dispatch_scheduled(&self, cron: &str, scheduled_time: i64) -> Result<(), String> {
        if let Some(p) = self.poisoned() {
            return Err(DispatchError::from(p).to_string());
        }
        let inner = self.inner().clone();
        let (tx, mut rx) = oneshot::channel::<Result<(), String>>();
        inner.begin_invocation();
        let called = inner.enter(|ctx| -> rquickjs::Result<()> {
            let internal = inner
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            let dispatch: Function = internal.get("dispatchScheduled")?;
            let reply = Cell::new(Some(tx));
            let weak = std::rc::Rc::downgrade(&inner);
            let done = Function::new(ctx.clone(), move |error: Option<String>| {
                if let Some(tx) = reply.take() {
                    if let Some(inner) = weak.upgrade() {
                        inner.invocation_done(0);
                    }
                    let _ = tx.send(error.map_or(Ok(()), Err));
                }
            })?;
            dispatch.call((cron, scheduled_time as f64, done))
        });
        if let Err(message) = called {
            inner.invocation_done(0);
            return Err(self
                .poisoned()
                .map(|p| DispatchError::from(p).to_string())
                .unwrap_or(message));
        }
        loop {
            tokio::select! {
                outcome = &mut rx => {
                    return outcome.unwrap_or_else(|_| Err(DispatchError::Discarded.to_string()));
                }
                _ = tokio::time::sleep(POISON_CHECK) => {
                    if let Some(p) = self.poisoned() {
                        return Err(DispatchError::from(p).to_string());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::isolate::HttpRequest;
    use crate::{Isolate, ResponseBody, WorkerBundle};
    use corral_config::Limits;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        tokio::task::LocalSet::new().block_on(&rt, f)
    }

    fn isolate(source: &str) -> Isolate {
        let bundle = WorkerBundle::from_sources(
            "t",
            "index.js",
            &[("index.js", source)],
            "{}",
            Limits::default(),
        )
        .unwrap();
        Isolate::new(bundle).unwrap()
    }

    async fn body(iso: &Isolate) -> String {
        let response = iso
            .fetch(HttpRequest {
                method: "GET".into(),
                url: "http://x/".into(),
                headers: vec![],
                body: None,
            })
            .await
            .unwrap();
        match response.body {
            ResponseBody::Full(b) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn module_handler_gets_controller_and_waits_for_wait_until() {
        run(async {
            let iso = isolate(
                "let seen = [];
                 export default {
                   async scheduled(controller, env, ctx) {
                     controller.noRetry();
                     ctx.waitUntil(new Promise((r) => setTimeout(r, 30)).then(() => seen.push('later')));
                     seen.push([controller.type, controller.cron, controller.scheduledTime].join('|'));
                   },
                   fetch() { return new Response(seen.join(',')); },
                 };",
            );
            iso.dispatch_scheduled("*/5 * * * *", 1_700_000_100_000)
                .await
                .unwrap();
            assert_eq!(
                body(&iso).await,
                "scheduled|*/5 * * * *|1700000100000,later"
            );
            assert_eq!(iso.inflight(), 0);
        });
    }

    #[test]
    fn service_worker_listener_and_errors() {
        run(async {
            let iso = isolate(
                "let n = 0;
                 addEventListener('scheduled', (event) => {
                   n++;
                   event.waitUntil(Promise.resolve());
                   if (event.cron === 'bad') throw new RangeError('cron broke at ' + event.scheduledTime);
                 });
                 addEventListener('fetch', (e) => e.respondWith(new Response(String(n))));",
            );
            iso.dispatch_scheduled("* * * * *", 5).await.unwrap();
            let err = iso.dispatch_scheduled("bad", 7).await.unwrap_err();
            assert!(err.starts_with("RangeError: cron broke at 7"), "{err}");
            assert!(err.contains("index.js"), "{err}");
            assert_eq!(body(&iso).await, "2");

            let iso = isolate("export default { fetch() { return new Response('x'); } }");
            let err = iso.dispatch_scheduled("* * * * *", 0).await.unwrap_err();
            assert!(
                err.contains("does not export a scheduled() function"),
                "{err}"
            );
            let iso = isolate(
                "export default { scheduled(c, env, ctx) { ctx.waitUntil(Promise.reject(new Error('late'))); } }",
            );
            let err = iso.dispatch_scheduled("* * * * *", 0).await.unwrap_err();
            assert!(err.starts_with("Error: late"), "{err}");
            assert_eq!(iso.inflight(), 0);
        });
    }
}
