//! Host functions behind queue producers (`js/queues.js`: `host.queueSend`, durable before it returns, refused
//! past the back-pressure limit) and the delivery of a batch to a consumer's `queue()` handler.

use crate::host::{bytes_of, upgrade};
use crate::isolate::{Isolate, WeakIsolate};
use corral_storage::clock;
use corral_storage::queue::{Message, NewMessage};
use rquickjs::function::Func;
use rquickjs::{Array, Ctx, Function, Object, TypedArray};
use std::sync::atomic::Ordering;

/// What a consumer's handler decided for a batch (the JSON `internal.dispatchQueue` answers with).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BatchOutcome {
    /// The handler (and its `waitUntil`s) finished without throwing.
    pub success: bool,
    /// The error, when it threw.
    pub error: Option<String>,
    /// `batch.ackAll()` was called (before any `retryAll()`).
    pub ack_all: bool,
    /// `batch.retryAll({delaySeconds})` was called first: `Some(delay)` (delay `None` = the queue's default).
    pub retry_all: Option<Option<u32>>,
    /// Explicit per-message decisions, first call wins: id → `None` for ack, `Some(delay)` for retry.
    pub explicit: Vec<(String, Option<Option<u32>>)>,
}

impl BatchOutcome {
    fn from_json(v: &serde_json::Value) -> BatchOutcome {
        let delay = |d: &serde_json::Value| d.as_u64().map(|n| n as u32);
        BatchOutcome {
            success: v["success"].as_bool().unwrap_or(false),
            error: v["error"].as_str().map(str::to_string),
            ack_all: v["ackAll"].as_bool().unwrap_or(false),
            retry_all: v
                .get("retryAll")
                .filter(|r| !r.is_null())
                .map(|r| delay(&r["delaySeconds"])),
            explicit: v["messages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| {
                            let id = m["id"].as_str()?.to_string();
                            let decision = if m["action"] == "ack" {
                                None
                            } else {
                                Some(delay(&m["delaySeconds"]))
                            };
                            Some((id, decision))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

pub(crate) fn register<'js>(
    _ctx: &Ctx<'js>,
    host: &Object<'js>,
    weak: WeakIsolate,
) -> rquickjs::Result<()> {
    host.set(
        "queueSend",
        Func::from(
            move |ctx: Ctx<'js>,
                  queue: String,
                  bodies: Vec<TypedArray<'js, u8>>,
                  content_types: Vec<String>,
                  delays: Vec<f64>|
                  -> rquickjs::Result<()> {
                let inner = upgrade(&weak);
                let services = &inner.bundle.services;
                let log = services
                    .storage
                    .queue(&queue)
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e.to_string()))?;
                let limit = services.queue_max_backlog.load(Ordering::Relaxed);
                if log.depth() + bodies.len() as u64 > limit {
                    return Err(rquickjs::Exception::throw_message(
                        &ctx,
                        &format!(
                            "Queue send failed: queue `{queue}` has {} unacknowledged messages, its limit is {limit} (back-pressure: retry later, or raise --queue-max-backlog)",
                            log.depth()
                        ),
                    ));
                }
                let messages: Vec<NewMessage> = bodies
                    .iter()
                    .zip(content_types)
                    .zip(delays)
                    .map(|((b, content_type), delay)| NewMessage {
                        body: bytes_of(b),
                        content_type,
                        delay_seconds: delay.max(0.0) as u32,
                    })
                    .collect();
                log.send(&messages, clock::now_ms())
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &format!("Queue send failed: {e}")))?;
                services.queue_waker(&queue).notify_one();
                Ok(())
            },
        ),
    )?;
    Ok(())
}

impl Isolate {
    /// Delivers `messages` of `queue` to the worker's `queue()` handler and waits for its decisions.
    pub async fn dispatch_queue(
        &self,
        queue: &str,
        messages: &[Message],
    ) -> Result<BatchOutcome, String> {
        let inner = self.inner();
        if let Some(p) = self.poisoned() {
            return Err(crate::DispatchError::from(p).to_string());
        }
        let (call, rx) = inner.objects.borrow_mut().register_call();
        inner.begin_invocation();
        let called = inner.enter(|ctx| -> rquickjs::Result<()> {
            let internal = inner
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            let dispatch: Function = internal.get("dispatchQueue")?;
            let list = Array::new(ctx.clone())?;
            for (i, m) in messages.iter().enumerate() {
                let o = Object::new(ctx.clone())?;
                o.set("id", m.id.as_str())?;
                o.set("timestamp", m.timestamp as f64)?;
                o.set("body", TypedArray::<u8>::new(ctx.clone(), m.body.clone())?)?;
                o.set("contentType", m.content_type.as_str())?;
                o.set("attempts", m.attempts)?;
                list.set(i, o)?;
            }
            dispatch.call((call as f64, queue, list))
        });
        if let Err(message) = called {
            inner.objects.borrow_mut().forget_call(call);
            inner.invocation_done(0);
            return Err(message);
        }
        let reply = rx.await.map_err(|_| {
            self.poisoned()
                .map(|p| crate::DispatchError::from(p).to_string())
                .unwrap_or_else(|| "the consumer's isolate was discarded".to_string())
        })?;
        let bytes = reply.unwrap_or_else(|e| e);
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("internal error: bad queue outcome: {e}"))?;
        Ok(BatchOutcome::from_json(&json))
    }
}
