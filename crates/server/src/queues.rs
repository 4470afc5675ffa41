//! Queue consumers: for every `[[queues.consumers]]` entry, a task that waits until a batch is full
//! (`max_batch_size`) or old enough (`max_batch_timeout`), leases it durably, hands it to the worker's `queue()`
//! handler, and settles each message by the handler's decisions: acked ones are deleted, retried ones come back
//! after their delay, and those past `max_retries` move to the dead-letter queue (or are dropped, logged).

use crate::isolates::ThreadIsolates;
use crate::registry::{Registry, WorkerSlot};
use corral_config::QueueConsumer;
use corral_runtime::queues::BatchOutcome;
use corral_storage::clock;
use corral_storage::queue::{Message, QueueLog};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Batches of one queue in flight at once when the config does not say (`max_concurrency`).
const DEFAULT_CONCURRENCY: u32 = 4;
/// The longest a consumer sleeps without looking (sends from `corral queues send`, a moved test clock).
const POLL: Duration = Duration::from_millis(50);

/// Starts one consumer task per consumer entry of every worker (on the calling thread's `LocalSet`).
pub fn spawn_consumers(registry: Arc<Registry>, isolates: Rc<ThreadIsolates>) {
    for slot in registry.workers() {
        let consumers = slot
            .config
            .read()
            .expect("config lock")
            .queue_consumers
            .clone();
        for consumer in consumers {
            tokio::task::spawn_local(run_consumer(
                registry.clone(),
                slot.clone(),
                isolates.clone(),
                consumer,
            ));
        }
    }
}

async fn run_consumer(
    registry: Arc<Registry>,
    slot: Arc<WorkerSlot>,
    isolates: Rc<ThreadIsolates>,
    consumer: QueueConsumer,
) {
    let services = registry.services().clone();
    let log = match services.storage.queue(&consumer.queue) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(worker = %slot.name, queue = %consumer.queue, "queue consumer disabled: {e}");
            return;
        }
    };
    let waker = services.queue_waker(&consumer.queue);
    let permits = Arc::new(tokio::sync::Semaphore::new(
        consumer.max_concurrency.unwrap_or(DEFAULT_CONCURRENCY) as usize,
    ));
    let max_batch = consumer.max_batch_size.max(1) as usize;
    let timeout_ms = (consumer.max_batch_timeout * 1000.0) as i64;
    loop {
        let now = clock::now_ms();
        // A full batch is due whatever its age: only a partial one needs the oldest message's age (and the
        // scan of the ready messages that finding it takes).
        let read = log.ready_count(now, max_batch).and_then(|r| {
            if r >= max_batch {
                Ok((r, None, None))
            } else {
                log.oldest_ready(now).map(|(o, n)| (r, o, n))
            }
        });
        let (ready, oldest, next_visible) = match read {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(queue = %consumer.queue, "cannot read the queue: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let due = ready >= max_batch || oldest.is_some_and(|t| now - t >= timeout_ms);
        if ready > 0 && due {
            let permit = permits.clone().acquire_owned().await.expect("semaphore");
            let batch = match log.lease(clock::now_ms(), max_batch) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(queue = %consumer.queue, "cannot lease a batch: {e}");
                    continue;
                }
            };
            if batch.is_empty() {
                continue;
            }
            let registry = registry.clone();
            let slot = slot.clone();
            let isolates = isolates.clone();
            let consumer = consumer.clone();
            let log = log.clone();
            tokio::task::spawn_local(async move {
                deliver(&registry, &slot, &isolates, &consumer, &log, batch).await;
                drop(permit);
            });
            continue;
        }
        // Sleep until a send wakes us, the oldest ready message times out, a delayed one becomes visible, or
        // the poll interval passes.
        let mut wait = POLL;
        if let Some(t) = oldest {
            wait = wait.min(Duration::from_millis((t + timeout_ms - now).max(1) as u64));
        }
        if let Some(t) = next_visible {
            wait = wait.min(Duration::from_millis((t - now).max(1) as u64));
        }
        let _ = tokio::time::timeout(wait, waker.notified()).await;
    }
}

/// One batch: dispatch, then settle every message.
async fn deliver(
    registry: &Registry,
    slot: &WorkerSlot,
    isolates: &ThreadIsolates,
    consumer: &QueueConsumer,
    log: &Arc<QueueLog>,
    batch: Vec<Message>,
) {
    let started = Instant::now();
    let outcome = match isolates.get(slot) {
        Ok(isolate) => isolate
            .dispatch_queue(&consumer.queue, &batch)
            .await
            .unwrap_or_else(|e| BatchOutcome {
                error: Some(e),
                ..BatchOutcome::default()
            }),
        Err(e) => BatchOutcome {
            error: Some(e.message),
            ..BatchOutcome::default()
        },
    };
    let mut acked = Vec::new();
    let mut retried = Vec::new();
    let mut exhausted = Vec::new();
    for m in &batch {
        // A per-message call wins over a batch-level one; then ackAll/retryAll (whichever came first); then
        // the handler's result.
        let decision: Option<Option<u32>> =
            match outcome.explicit.iter().find(|(id, _)| id == &m.id) {
                Some((_, d)) => *d,
                None => match (outcome.ack_all, outcome.retry_all) {
                    (true, _) => None,
                    (_, Some(delay)) => Some(delay),
                    _ if outcome.success => None,
                    _ => Some(None),
                },
            };
        match decision {
            None => acked.push(m.id.clone()),
            Some(_) if m.attempts > consumer.max_retries => exhausted.push(m.clone()),
            Some(delay) => retried.push((m.id.clone(), delay.unwrap_or(consumer.retry_delay))),
        }
    }
    let now = clock::now_ms();
    let removed_as = if consumer.dead_letter_queue.is_some() {
        "dead_lettered"
    } else {
        "dropped"
    };
    if !exhausted.is_empty() {
        match &consumer.dead_letter_queue {
            Some(dlq) => {
                let moved = registry
                    .services()
                    .storage
                    .queue(dlq)
                    .and_then(|d| d.append_moved(&exhausted, now));
                match moved {
                    Ok(()) => registry.services().queue_waker(dlq).notify_one(),
                    Err(e) => {
                        // Keep them in this queue rather than lose them.
                        tracing::error!(queue = %consumer.queue, "cannot move messages to the dead-letter queue {dlq}: {e}");
                        retried.extend(exhausted.drain(..).map(|m| (m.id, consumer.retry_delay)));
                    }
                }
            }
            None => {
                for m in &exhausted {
                    tracing::warn!(worker = %slot.name, queue = %consumer.queue, id = %m.id, attempts = m.attempts,
                        "message dropped after {} retries (no dead_letter_queue configured)", consumer.max_retries);
                }
            }
        }
    }
    let removed: Vec<String> = exhausted.iter().map(|m| m.id.clone()).collect();
    if let Err(e) = log.settle(&acked, &retried, &removed, removed_as, now) {
        tracing::error!(queue = %consumer.queue, "cannot record the batch's outcome (its messages will be delivered again): {e}");
    }
    if !retried.is_empty() {
        registry
            .services()
            .queue_waker(&consumer.queue)
            .notify_one();
    }
    let level_error = outcome.error.as_deref().unwrap_or("");
    tracing::debug!(worker = %slot.name, queue = %consumer.queue, messages = batch.len(), acked = acked.len(),
        retried = retried.len(), dead_lettered = removed.len(), micros = started.elapsed().as_micros() as u64,
        "queue batch {}", if outcome.success { "delivered" } else { level_error });
}

/// The queues' numbers in Prometheus' text format (`GET /cdn-cgi/corral/metrics`).
pub fn metrics(registry: &Registry) -> String {
    let storage = &registry.services().storage;
    let now = clock::now_ms();
    let mut out = String::new();
    let mut rows = Vec::new();
    for name in storage.queue_names() {
        if let Ok(stats) = storage.queue(&name).and_then(|q| q.stats(now)) {
            rows.push((name, stats));
        }
    }
    let metric = |out: &mut String,
                  name: &str,
                  kind: &str,
                  help: &str,
                  value: &dyn Fn(&corral_storage::queue::QueueStats) -> f64| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for (queue, stats) in &rows {
            out.push_str(&format!(
                "{name}{{queue=\"{}\"}} {}\n",
                queue.replace('"', "\\\""),
                value(stats)
            ));
        }
    };
    metric(
        &mut out,
        "corral_queue_depth",
        "gauge",
        "Messages not yet acknowledged.",
        &|s| s.depth as f64,
    );
    metric(
        &mut out,
        "corral_queue_in_flight",
        "gauge",
        "Messages delivered to a consumer and not settled.",
        &|s| s.in_flight as f64,
    );
    metric(
        &mut out,
        "corral_queue_oldest_age_seconds",
        "gauge",
        "Age of the oldest unacknowledged message.",
        &|s| s.oldest_age_ms.unwrap_or(0) as f64 / 1000.0,
    );
    metric(
        &mut out,
        "corral_queue_sent_total",
        "counter",
        "Messages sent.",
        &|s| s.sent as f64,
    );
    metric(
        &mut out,
        "corral_queue_acked_total",
        "counter",
        "Messages acknowledged (processed).",
        &|s| s.acked as f64,
    );
    metric(
        &mut out,
        "corral_queue_retried_total",
        "counter",
        "Message deliveries retried.",
        &|s| s.retried as f64,
    );
    metric(
        &mut out,
        "corral_queue_dead_lettered_total",
        "counter",
        "Messages moved to the dead-letter queue.",
        &|s| s.dead_lettered as f64,
    );
    metric(
        &mut out,
        "corral_queue_dropped_total",
        "counter",
        "Messages dropped after max_retries without a dead-letter queue.",
        &|s| s.dropped as f64,
    );
    out
}
