//! Cron Triggers: a task on listener thread 0 fires each worker's `[triggers] crons` in UTC on the storage clock
//! (`corral_storage::clock`, so `--unsafe-test-clock` moves it), dispatching into that thread's isolate of the
//! worker; and wrangler's dev route `GET /cdn-cgi/handler/scheduled?cron=...&time=...` (legacy `/__scheduled`)
//! that fires the handler once by hand in `corral dev`.
//!
//! The schedule rule: when the scheduler first sees a worker's crons (server start, or a reload that changed
//! them), each expression's next fire time is computed from *now*, so schedules missed while the server was down
//! are not replayed. A fire time that is due fires once, and the next one is computed from the current time: if
//! the server stalls (or the test clock jumps) across several fire times, the cron fires once, for the first
//! of them, not in a burst.

use crate::http::Body;
use crate::isolates::ThreadIsolates;
use crate::registry::{Registry, WorkerSlot};
use bytes::Bytes;
use corral_config::CronSchedule;
use corral_storage::clock;
use http_body_util::{BodyExt, Full};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the scheduler looks at the clock: a cron fires within this much of its minute.
const CRON_POLL: Duration = Duration::from_millis(25);

/// One worker's crons as last seen in its config, with each expression's next fire time.
struct WorkerCrons {
    crons: Vec<String>,
    entries: Vec<(CronSchedule, Option<i64>)>,
}

/// Fires the crons of every worker in `registry`, forever. Runs on one listener thread (thread 0).
pub(crate) async fn run_cron_scheduler(registry: Arc<Registry>, isolates: Rc<ThreadIsolates>) {
    let mut state: HashMap<String, WorkerCrons> = HashMap::new();
    loop {
        tokio::time::sleep(CRON_POLL).await;
        let now = clock::now_ms();
        for slot in registry.workers() {
            let changed = {
                let config = slot.config.read().expect("config lock");
                match state.get(&slot.name) {
                    Some(seen) => seen.crons != config.crons,
                    None => !config.crons.is_empty(),
                }
                .then(|| config.crons.clone())
            };
            if let Some(crons) = changed {
                state.insert(slot.name.clone(), schedule(&slot.name, crons, now));
            }
            let Some(worker) = state.get_mut(&slot.name) else {
                continue;
            };
            for (cron, next) in &mut worker.entries {
                let Some(due) = *next else { continue };
                if due > now {
                    continue;
                }
                *next = cron.next_after_ms(now);
                let expr = cron.expr().to_string();
                tokio::task::spawn_local(fire(slot.clone(), isolates.clone(), expr, due));
            }
        }
    }
}

/// Parses `crons` (already checked when the config was read) and computes each one's next fire time after `now`.
fn schedule(worker: &str, crons: Vec<String>, now: i64) -> WorkerCrons {
    let entries: Vec<(CronSchedule, Option<i64>)> = crons
        .iter()
        .filter_map(|expr| match CronSchedule::parse(expr) {
            Ok(s) => {
                let next = s.next_after_ms(now);
                Some((s, next))
            }
            Err(e) => {
                tracing::error!(worker, cron = ?expr, "cron trigger ignored: {e}");
                None
            }
        })
        .collect();
    if !entries.is_empty() {
        let list: Vec<String> = entries
            .iter()
            .map(|(s, next)| format!("{:?} next at {}", s.expr(), describe_time(*next)))
            .collect();
        tracing::info!(worker, "cron triggers: {}", list.join(", "));
    }
    WorkerCrons { crons, entries }
}

fn describe_time(ms: Option<i64>) -> String {
    ms.and_then(chrono_free_utc)
        .unwrap_or_else(|| "never".to_string())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for ms since the epoch (civil-from-days, to avoid a date crate here).
fn chrono_free_utc(ms: i64) -> Option<String> {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Runs one scheduled event and logs its outcome in one line.
async fn fire(slot: Arc<WorkerSlot>, isolates: Rc<ThreadIsolates>, cron: String, time: i64) {
    let started = Instant::now();
    let outcome = run_scheduled(&slot, &isolates, &cron, time).await;
    log_outcome(&slot.name, &cron, time, &outcome, started.elapsed());
}

/// Dispatches a scheduled event into this thread's isolate of `slot`.
async fn run_scheduled(
    slot: &WorkerSlot,
    isolates: &ThreadIsolates,
    cron: &str,
    time: i64,
) -> Result<(), String> {
    let isolate = isolates
        .get(slot)
        .map_err(|e| format!("worker failed to start: {}", e.message))?;
    isolate.dispatch_scheduled(cron, time).await
}

fn log_outcome(
    worker: &str,
    cron: &str,
    time: i64,
    outcome: &Result<(), String>,
    elapsed: Duration,
) {
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let at = describe_time(Some(time));
    match outcome {
        Ok(()) => tracing::info!(
            worker,
            cron = ?cron,
            scheduled_time = %at,
            outcome = "ok",
            "scheduled event ran in {duration_ms:.1} ms"
        ),
        Err(e) => tracing::error!(
            worker,
            cron = ?cron,
            scheduled_time = %at,
            outcome = "exception",
            "scheduled event failed after {duration_ms:.1} ms: {}",
            e.lines().next().unwrap_or_default()
        ),
    }
}

/// `GET /cdn-cgi/handler/scheduled?cron=<expr>&time=<ms>` (and the legacy `/__scheduled`), dev only: fires the
/// scheduled handler once. `cron` defaults to `""` (as in workerd), `time` to the current clock.
pub(crate) async fn dev_trigger(
    req: &hyper::Request<hyper::body::Incoming>,
    registry: &Registry,
    isolates: &ThreadIsolates,
) -> hyper::Response<Body> {
    let mut cron = String::new();
    let mut time = None;
    for pair in req.uri().query().unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "cron" => cron = decode_query_value(value),
            "time" => match decode_query_value(value).trim().parse::<f64>() {
                Ok(t) if t.is_finite() => time = Some(t as i64),
                _ => {
                    return text(
                        400,
                        "`time` must be a time in milliseconds since the epoch.\n",
                    )
                }
            },
            _ => {}
        }
    }
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let Some(slot) = registry.route(host, req.uri().path()) else {
        return text(404, &format!("No worker is routed for host {host}.\n"));
    };
    let time = time.unwrap_or_else(clock::now_ms);
    let started = Instant::now();
    let outcome = run_scheduled(slot, isolates, &cron, time).await;
    log_outcome(&slot.name, &cron, time, &outcome, started.elapsed());
    match outcome {
        Ok(()) => text(200, "Ran scheduled event"),
        Err(e) => text(500, &e),
    }
}

/// Decodes a `application/x-www-form-urlencoded` value: `+` is a space, `%XX` a byte.
fn decode_query_value(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn text(status: u16, body: &str) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(
            Full::new(Bytes::from(body.to_string()))
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .expect("static response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_values() {
        assert_eq!(decode_query_value("*+*+*+*+*"), "* * * * *");
        assert_eq!(decode_query_value("*%2F5%20*+*+*+*"), "*/5 * * * *");
        assert_eq!(decode_query_value("0+3+*+*+MON"), "0 3 * * MON");
        assert_eq!(decode_query_value("50%"), "50%");
        assert_eq!(decode_query_value("%zz"), "%zz");
    }

    #[test]
    fn formats_utc_times() {
        assert_eq!(chrono_free_utc(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            chrono_free_utc(1_772_433_000_000).as_deref(),
            Some("2026-03-02T06:30:00Z")
        );
        assert_eq!(
            chrono_free_utc(951_782_400_000).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
    }
}
