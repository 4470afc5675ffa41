//! The bounded pool of origin connections: at most `max_size` open, a FIFO wait queue (tokio's fair semaphore)
//! with a timeout, idle connections checked before reuse and closed after `idle_timeout`.

use crate::origin::{OriginConfig, OriginConn, OriginError};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Pool limits.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolSettings {
    /// Origin connections open at most.
    pub max_size: usize,
    /// How long a client waits for a connection before it gets SQLSTATE 53300.
    pub acquire_timeout: Duration,
    /// Idle origin connections are closed after this long.
    pub idle_timeout: Duration,
    /// Statements the pooler keeps prepared on one origin connection before it deallocates them all.
    pub max_prepared_per_conn: usize,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_size: 20,
            acquire_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
            max_prepared_per_conn: 1000,
        }
    }
}

/// Counters of one pool.
#[derive(Default, Debug)]
pub struct PoolMetrics {
    /// Origin connections open (idle + in use).
    pub open: AtomicUsize,
    pub in_use: AtomicUsize,
    /// Clients waiting for a connection.
    pub waiting: AtomicUsize,
    pub connects: AtomicU64,
    pub connect_failures: AtomicU64,
    /// Sum of successful connect latencies, in microseconds.
    pub connect_micros_total: AtomicU64,
    pub last_connect_micros: AtomicU64,
    /// Clients that gave up waiting (pool exhausted).
    pub acquire_timeouts: AtomicU64,
    /// Broken origin connections thrown away.
    pub discarded: AtomicU64,
    /// Transactions (or single statements) served.
    pub transactions: AtomicU64,
}

/// Why no connection could be had.
#[derive(Debug)]
pub enum AcquireError {
    Timeout(Duration),
    Origin(OriginError),
}

pub struct Pool {
    pub origin: OriginConfig,
    pub settings: PoolSettings,
    pub metrics: PoolMetrics,
    idle: Mutex<Vec<OriginConn>>,
    permits: Arc<Semaphore>,
    /// The origin's ParameterStatus values, learnt from the first connection.
    params: Mutex<Option<Vec<(String, String)>>>,
}

/// A connection taken from the pool. Dropping it closes the connection (it may be in an unknown state);
/// [`Lease::release`] gives a clean one back.
pub struct Lease {
    conn: Option<OriginConn>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    pub fn conn(&mut self) -> &mut OriginConn {
        self.conn.as_mut().expect("lease holds a connection")
    }

    /// Returns a connection that is idle (ReadyForQuery `I`) to the pool.
    pub fn release(mut self) {
        if let Some(mut c) = self.conn.take() {
            c.last_used = Instant::now();
            self.pool.idle.lock().expect("pool").push(c);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.pool.metrics.in_use.fetch_sub(1, Ordering::Relaxed);
        if self.conn.take().is_some() {
            self.pool.metrics.open.fetch_sub(1, Ordering::Relaxed);
            self.pool.metrics.discarded.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Pool {
    pub fn new(origin: OriginConfig, settings: PoolSettings) -> Arc<Pool> {
        Arc::new(Pool {
            permits: Arc::new(Semaphore::new(settings.max_size.max(1))),
            origin,
            settings,
            metrics: PoolMetrics::default(),
            idle: Mutex::default(),
            params: Mutex::default(),
        })
    }

    /// A connection: an idle one if a healthy one is there, else a new one. Waits (FIFO) while `max_size` are in
    /// use, up to `acquire_timeout`.
    pub async fn acquire(self: &Arc<Self>) -> Result<Lease, AcquireError> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                self.metrics.waiting.fetch_add(1, Ordering::Relaxed);
                let r = tokio::time::timeout(
                    self.settings.acquire_timeout,
                    self.permits.clone().acquire_owned(),
                )
                .await;
                self.metrics.waiting.fetch_sub(1, Ordering::Relaxed);
                match r {
                    Ok(Ok(p)) => p,
                    _ => {
                        self.metrics
                            .acquire_timeouts
                            .fetch_add(1, Ordering::Relaxed);
                        return Err(AcquireError::Timeout(self.settings.acquire_timeout));
                    }
                }
            }
        };
        self.metrics.in_use.fetch_add(1, Ordering::Relaxed);
        let mut lease = Lease {
            conn: None,
            pool: self.clone(),
            _permit: permit,
        };
        loop {
            let Some(c) = self.idle.lock().expect("pool").pop() else {
                break;
            };
            // A connection used within the last second is not probed (a syscall per transaction): if the origin
            // closed it since, the session sends the batch again on another one.
            let idle_for = c.last_used.elapsed();
            if idle_for < self.settings.idle_timeout
                && (idle_for < Duration::from_secs(1) || c.looks_alive())
            {
                lease.conn = Some(c);
                return Ok(lease);
            }
            self.metrics.open.fetch_sub(1, Ordering::Relaxed);
            self.metrics.discarded.fetch_add(1, Ordering::Relaxed);
        }
        match OriginConn::connect(&self.origin).await {
            Ok(c) => {
                let micros = c.connect_latency.as_micros() as u64;
                self.metrics.connects.fetch_add(1, Ordering::Relaxed);
                self.metrics
                    .connect_micros_total
                    .fetch_add(micros, Ordering::Relaxed);
                self.metrics
                    .last_connect_micros
                    .store(micros, Ordering::Relaxed);
                self.metrics.open.fetch_add(1, Ordering::Relaxed);
                let mut params = self.params.lock().expect("pool");
                if params.is_none() {
                    *params = Some(c.params.clone());
                }
                drop(params);
                lease.conn = Some(c);
                Ok(lease)
            }
            Err(e) => {
                self.metrics
                    .connect_failures
                    .fetch_add(1, Ordering::Relaxed);
                Err(AcquireError::Origin(e))
            }
        }
    }

    /// The origin's ParameterStatus values (connects once if no connection was made yet).
    pub async fn params(self: &Arc<Self>) -> Result<Vec<(String, String)>, AcquireError> {
        if let Some(p) = self.params.lock().expect("pool").clone() {
            return Ok(p);
        }
        let lease = self.acquire().await?;
        lease.release();
        Ok(self
            .params
            .lock()
            .expect("pool")
            .clone()
            .unwrap_or_default())
    }

    /// Closes idle connections unused for `idle_timeout`.
    pub fn reap_idle(&self) {
        let mut idle = self.idle.lock().expect("pool");
        let before = idle.len();
        let timeout = self.settings.idle_timeout;
        idle.retain(|c| c.last_used.elapsed() < timeout);
        let closed = before - idle.len();
        self.metrics.open.fetch_sub(closed, Ordering::Relaxed);
    }

    /// Idle connections now.
    pub fn idle_count(&self) -> usize {
        self.idle.lock().expect("pool").len()
    }
}
