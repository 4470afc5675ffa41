//! Where Durable Objects run: every object lives on exactly one listener thread (chosen by hashing its address),
//! so there is one live instance per id in the server. Calls from any thread travel to the owner over a channel;
//! the alarm scheduler fires due alarms (kept in the alarm index, so they survive restarts) with retries.

use crate::isolates::ThreadIsolates;
use crate::registry::Registry;
use corral_runtime::{ObjectAddress, ObjectCall, ObjectReply, ObjectRouter};
use corral_storage::clock;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Retries of a failing alarm handler before the alarm is dropped (Cloudflare: 6).
const ALARM_MAX_RETRIES: u32 = 6;
/// The first retry's delay; each further retry doubles it (Cloudflare: exponential backoff from 2 s).
const ALARM_FIRST_BACKOFF_MS: i64 = 2000;
/// How often the scheduler looks for due alarms.
const ALARM_POLL: Duration = Duration::from_millis(25);

/// One call on its way to the owner thread.
pub struct ObjectJob {
    pub address: ObjectAddress,
    pub call: ObjectCall,
    pub reply: oneshot::Sender<Result<ObjectReply, String>>,
}

/// The router shared by every thread: one channel per thread.
#[derive(Default)]
pub struct ObjectMesh {
    threads: OnceLock<Vec<mpsc::UnboundedSender<ObjectJob>>>,
}

impl ObjectMesh {
    /// Creates the per-thread channels; returns the receiving ends, one per thread in order.
    pub fn connect(&self, threads: usize) -> Vec<mpsc::UnboundedReceiver<ObjectJob>> {
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..threads.max(1))
            .map(|_| mpsc::unbounded_channel())
            .unzip();
        let _ = self.threads.set(senders);
        receivers
    }
}

fn owner(address: &ObjectAddress, threads: usize) -> usize {
    let mut h = DefaultHasher::new();
    (&address.worker, &address.class, &address.id).hash(&mut h);
    (h.finish() % threads as u64) as usize
}

impl ObjectRouter for ObjectMesh {
    fn call(
        &self,
        address: ObjectAddress,
        call: ObjectCall,
    ) -> oneshot::Receiver<Result<ObjectReply, String>> {
        let (tx, rx) = oneshot::channel();
        let Some(threads) = self.threads.get() else {
            let _ = tx.send(Err("the server is not running".into()));
            return rx;
        };
        let thread = owner(&address, threads.len());
        let job = ObjectJob {
            address,
            call,
            reply: tx,
        };
        if let Err(mpsc::error::SendError(job)) = threads[thread].send(job) {
            let _ = job
                .reply
                .send(Err("the server is shutting down".to_string()));
        }
        rx
    }
}

/// Runs the calls routed to this thread (spawned on the thread's `LocalSet`).
pub async fn run_thread_jobs(
    mut jobs: mpsc::UnboundedReceiver<ObjectJob>,
    registry: Arc<Registry>,
    isolates: Rc<ThreadIsolates>,
) {
    while let Some(job) = jobs.recv().await {
        let registry = registry.clone();
        let isolates = isolates.clone();
        tokio::task::spawn_local(async move {
            let result = match registry.by_name(&job.address.worker) {
                None => Err(format!(
                    "no worker called `{}` runs Durable Object class `{}` in this server",
                    job.address.worker, job.address.class
                )),
                Some(slot) => match isolates.get(slot) {
                    Err(e) => Err(e.message),
                    Ok(isolate) => isolate.dispatch_object(&job.address, job.call).await,
                },
            };
            let _ = job.reply.send(result);
        });
    }
}

/// Fires due alarms through `router`, forever (spawned once per server).
pub async fn run_alarm_scheduler(registry: Arc<Registry>, router: Arc<dyn ObjectRouter>) {
    let index = match registry.services().storage.alarms() {
        Ok(i) => i,
        Err(e) => {
            tracing::error!("alarms are disabled: {e}");
            return;
        }
    };
    let running: Rc<Mutex<HashSet<(String, String, String)>>> = Rc::default();
    loop {
        tokio::time::sleep(ALARM_POLL).await;
        let due = match index.due(clock::now_ms(), 256) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("cannot read the alarm index: {e}");
                continue;
            }
        };
        for alarm in due {
            let key = (alarm.worker.clone(), alarm.class.clone(), alarm.id.clone());
            if !running.lock().expect("alarm set").insert(key.clone()) {
                continue;
            }
            let index = index.clone();
            let router = router.clone();
            let running = running.clone();
            tokio::task::spawn_local(async move {
                let address = ObjectAddress {
                    worker: alarm.worker.clone(),
                    class: alarm.class.clone(),
                    id: alarm.id.clone(),
                    name: alarm.name.clone(),
                };
                let outcome = router
                    .call(
                        address,
                        ObjectCall::Alarm {
                            retry_count: alarm.retries,
                        },
                    )
                    .await
                    .unwrap_or_else(|_| Err("the object went away".into()));
                let stored = match outcome {
                    Ok(_) => index.delete_if(&alarm.worker, &alarm.class, &alarm.id, alarm.time),
                    Err(e) if alarm.retries + 1 > ALARM_MAX_RETRIES => {
                        tracing::error!(worker = %alarm.worker, class = %alarm.class, id = %alarm.id,
                            "alarm failed {} times, giving up: {e}", alarm.retries + 1);
                        index.delete_if(&alarm.worker, &alarm.class, &alarm.id, alarm.time)
                    }
                    Err(e) => {
                        let backoff = ALARM_FIRST_BACKOFF_MS << alarm.retries.min(20);
                        tracing::warn!(worker = %alarm.worker, class = %alarm.class, id = %alarm.id,
                            "alarm handler failed (attempt {}), retrying in {} ms: {e}", alarm.retries + 1, backoff);
                        index.retry_later(&alarm, clock::now_ms() + backoff)
                    }
                };
                if let Err(e) = stored {
                    tracing::error!("cannot update the alarm index: {e}");
                }
                running
                    .lock()
                    .expect("alarm set")
                    .remove(&(alarm.worker, alarm.class, alarm.id));
            });
        }
    }
}
