//! The wall clock durable state runs on: system time plus an offset that tests (and `--unsafe-test-clock`)
//! move forward, so expirations, alarms and cron schedules are tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Milliseconds since the Unix epoch, on the (possibly advanced) clock.
pub fn now_ms() -> i64 {
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    real + OFFSET_MS.load(Ordering::Relaxed)
}

/// Moves the clock forward by `ms` (process-wide); returns the new time.
pub fn advance(ms: i64) -> i64 {
    OFFSET_MS.fetch_add(ms.max(0), Ordering::Relaxed);
    now_ms()
}

/// How far the clock has been moved ahead of real time.
pub fn offset_ms() -> i64 {
    OFFSET_MS.load(Ordering::Relaxed)
}
