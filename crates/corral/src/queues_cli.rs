//! `corral queues`: look at and operate the queues' logs in a data directory (works while a server runs: the
//! consumer picks up messages sent here within its poll interval).

use clap::{Args, Subcommand};
use corral_storage::queue::NewMessage;
use corral_storage::{clock, Storage};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum QueuesAction {
    /// Every queue with its depth, messages in flight, oldest message age and counters.
    List {
        #[command(flatten)]
        place: Place,
    },
    /// Send one message (a JSON value by default) to QUEUE.
    Send {
        queue: String,
        body: String,
        /// json (BODY must be JSON), text or bytes (BODY as UTF-8 bytes).
        #[arg(long, default_value = "json")]
        content_type: String,
        /// Deliver no earlier than this many seconds from now (at most 43200).
        #[arg(long, default_value_t = 0)]
        delay: u32,
        #[command(flatten)]
        place: Place,
    },
    /// Move every message of a dead-letter queue back to the queue it came from (or any queue).
    Redrive {
        /// The dead-letter queue to empty.
        dlq: String,
        /// The queue to move its messages to.
        to: String,
        #[command(flatten)]
        place: Place,
    },
    /// Delete every message of QUEUE that is not being processed.
    Purge {
        queue: String,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Args)]
pub struct Place {
    /// A worker directory: its data directory is `.corral/` beside the config, as for `corral dev`.
    #[arg(long, conflicts_with = "data_dir")]
    config: Option<PathBuf>,
    /// The data directory (default: `.corral/` in the current directory, as for `corral serve`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl Place {
    fn open(&self) -> Result<Arc<Storage>, String> {
        let dir = match (&self.data_dir, &self.config) {
            (Some(d), _) => d.clone(),
            (None, Some(c)) => corral_config::WorkerConfig::load_dir(c)
                .map_err(|e| e.to_string())?
                .dir
                .join(".corral"),
            (None, None) => PathBuf::from(".corral"),
        };
        Storage::open(&dir).map_err(|e| e.to_string())
    }
}

pub fn run(action: QueuesAction) -> Result<(), String> {
    match action {
        QueuesAction::List { place } => {
            let storage = place.open()?;
            let names = storage.queue_names();
            if names.is_empty() {
                println!("no queues in {}", storage.root().display());
                return Ok(());
            }
            println!(
                "{:<24} {:>8} {:>9} {:>12} {:>10} {:>10} {:>9} {:>13} {:>8}",
                "QUEUE",
                "DEPTH",
                "IN-FLIGHT",
                "OLDEST",
                "SENT",
                "ACKED",
                "RETRIED",
                "DEAD-LETTERED",
                "DROPPED"
            );
            let now = clock::now_ms();
            for name in names {
                let s = storage
                    .queue(&name)
                    .and_then(|q| q.stats(now))
                    .map_err(|e| e.to_string())?;
                let oldest = s
                    .oldest_age_ms
                    .map(|ms| format!("{:.1}s", ms as f64 / 1000.0))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{:<24} {:>8} {:>9} {:>12} {:>10} {:>10} {:>9} {:>13} {:>8}",
                    name,
                    s.depth,
                    s.in_flight,
                    oldest,
                    s.sent,
                    s.acked,
                    s.retried,
                    s.dead_lettered,
                    s.dropped
                );
            }
            Ok(())
        }
        QueuesAction::Send {
            queue,
            body,
            content_type,
            delay,
            place,
        } => {
            let bytes = match content_type.as_str() {
                "json" => {
                    serde_json::from_str::<serde_json::Value>(&body).map_err(|e| {
                        format!("the body is not JSON ({e})\n  fix: quote strings ('\"hello\"') or pass --content-type text")
                    })?;
                    body.into_bytes()
                }
                "text" | "bytes" => body.into_bytes(),
                other => {
                    return Err(format!(
                        "unknown content type `{other}`\n  fix: use json, text or bytes"
                    ))
                }
            };
            if u64::from(delay) > corral_config::MAX_DELAY_SECONDS {
                return Err(format!(
                    "--delay {delay} is longer than {} seconds",
                    corral_config::MAX_DELAY_SECONDS
                ));
            }
            let storage = place.open()?;
            let ids = storage
                .queue(&queue)
                .and_then(|q| {
                    q.send(
                        &[NewMessage {
                            body: bytes,
                            content_type,
                            delay_seconds: delay,
                        }],
                        clock::now_ms(),
                    )
                })
                .map_err(|e| e.to_string())?;
            println!("sent {} to {queue}", ids[0]);
            Ok(())
        }
        QueuesAction::Redrive { dlq, to, place } => {
            let storage = place.open()?;
            let from = storage.queue(&dlq).map_err(|e| e.to_string())?;
            let target = storage.queue(&to).map_err(|e| e.to_string())?;
            let messages = from.take_all().map_err(|e| e.to_string())?;
            if let Err(e) = target.append_moved(&messages, clock::now_ms()) {
                // Put them back rather than lose them.
                let _ = from.append_moved(&messages, clock::now_ms());
                return Err(format!("cannot move the messages to {to}: {e}"));
            }
            println!("moved {} message(s) from {dlq} to {to}", messages.len());
            Ok(())
        }
        QueuesAction::Purge { queue, place } => {
            let storage = place.open()?;
            let n = storage
                .queue(&queue)
                .and_then(|q| q.purge())
                .map_err(|e| e.to_string())?;
            println!("deleted {n} message(s) from {queue}");
            Ok(())
        }
    }
}
