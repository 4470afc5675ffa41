//! Hyperdrive for corral: a Postgres connection pooler that impersonates a Postgres server to clients (a worker's
//! driver, or any client of the standalone `corral hyperdrive serve`), keeps a transaction-mode pool of warm
//! connections to the origin database, replays prepared statements across pooled connections, and caches the
//! results of read-only queries.
//!
//! - `proto`: message framing and builders; `auth`: SCRAM-SHA-256 (both sides) and MD5;
//! - `origin`: the connection string and one authenticated (optionally TLS) origin connection;
//! - `pool`: the bounded pool with its wait queue; `session`: one client, the transaction-mode loop;
//! - `session_state`: the statements a pool cannot keep for a client (refused or reset, see its table);
//! - `cache` / `classify`: the query cache and which statements it may hold;
//! - `binding`: starting one pooler per Hyperdrive config of the workers a server runs.

pub mod auth;
pub mod binding;
pub mod cache;
pub mod classify;
pub mod origin;
pub mod pool;
pub mod proto;
mod session;
pub mod session_state;

pub use binding::start_for_configs;
pub use cache::{CacheKey, CacheSettings, CachedResult, Lookup, QueryCache};
pub use origin::{OriginConfig, OriginConn, OriginError};
pub use pool::{Pool, PoolSettings};

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The origin backend (pid, secret) a client uses now, if any.
pub(crate) type CancelSlot = Arc<Mutex<Option<(i32, i32)>>>;

/// How clients prove who they are.
#[derive(Clone)]
pub enum ClientAuth {
    /// No password (loopback endpoints only).
    Trust,
    /// A cleartext password (`AuthenticationCleartextPassword`): what the worker-facing endpoints use, with a
    /// random per-binding password, so a connect costs no key derivation.
    Password(String),
    /// SCRAM-SHA-256 against this verifier (the standalone server's default: the origin's password).
    Scram(auth::ScramVerifier),
}

/// Everything one pooler needs.
#[derive(Clone)]
pub struct PoolerConfig {
    pub origin: OriginConfig,
    pub pool: PoolSettings,
    pub cache: CacheSettings,
    pub client_auth: ClientAuth,
}

/// One pooler: its pool, its cache, and the clients it serves.
pub struct Pooler {
    pub config: PoolerConfig,
    pub pool: Arc<Pool>,
    pub cache: Arc<QueryCache>,
    /// (client pid, client secret) → the origin backend the client uses now.
    cancels: Mutex<HashMap<(i32, i32), CancelSlot>>,
    next_pid: AtomicI32,
    /// Function volatility learnt from `pg_proc`, by lowercase name.
    volatility: Mutex<HashMap<String, classify::Volatility>>,
    /// Cacheability of statement texts already classified (cleared when it grows past 10 000).
    cacheable: Mutex<HashMap<String, bool>>,
    clients: std::sync::atomic::AtomicUsize,
}

/// A running pooler.
pub struct PoolerHandle {
    pub addr: SocketAddr,
    pub pooler: Arc<Pooler>,
}

/// A snapshot of a pooler's counters.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub clients: usize,
    pub pool_size: usize,
    pub pool_open: usize,
    pub pool_in_use: usize,
    pub pool_idle: usize,
    pub pool_waiting: usize,
    pub origin_connects: u64,
    pub origin_connect_failures: u64,
    pub origin_connect_avg_micros: u64,
    pub origin_connect_last_micros: u64,
    pub acquire_timeouts: u64,
    pub discarded: u64,
    pub transactions: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
}

impl Metrics {
    /// (name, value) pairs, as `SHOW CORRAL STATS` prints them.
    pub fn rows(&self) -> Vec<(String, String)> {
        [
            ("clients", self.clients as u64),
            ("pool_size", self.pool_size as u64),
            ("pool_open", self.pool_open as u64),
            ("pool_in_use", self.pool_in_use as u64),
            ("pool_idle", self.pool_idle as u64),
            ("pool_waiting", self.pool_waiting as u64),
            ("origin_connects", self.origin_connects),
            ("origin_connect_failures", self.origin_connect_failures),
            ("origin_connect_avg_us", self.origin_connect_avg_micros),
            ("origin_connect_last_us", self.origin_connect_last_micros),
            ("acquire_timeouts", self.acquire_timeouts),
            ("discarded_connections", self.discarded),
            ("transactions", self.transactions),
            ("cache_hits", self.cache_hits),
            ("cache_misses", self.cache_misses),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

impl Pooler {
    pub fn new(config: PoolerConfig) -> Arc<Pooler> {
        let mut first_pid = [0u8; 2];
        getrandom::getrandom(&mut first_pid).ok();
        Arc::new(Pooler {
            pool: Pool::new(config.origin.clone(), config.pool.clone()),
            cache: Arc::new(QueryCache::new(config.cache.clone())),
            config,
            cancels: Mutex::default(),
            next_pid: AtomicI32::new(1_000_000 + u16::from_le_bytes(first_pid) as i32),
            volatility: Mutex::default(),
            cacheable: Mutex::default(),
            clients: Default::default(),
        })
    }

    pub fn metrics(&self) -> Metrics {
        let m = &self.pool.metrics;
        let connects = m.connects.load(Ordering::Relaxed);
        Metrics {
            clients: self.clients.load(Ordering::Relaxed),
            pool_size: self.pool.settings.max_size,
            pool_open: m.open.load(Ordering::Relaxed),
            pool_in_use: m.in_use.load(Ordering::Relaxed),
            pool_idle: self.pool.idle_count(),
            pool_waiting: m.waiting.load(Ordering::Relaxed),
            origin_connects: connects,
            origin_connect_failures: m.connect_failures.load(Ordering::Relaxed),
            origin_connect_avg_micros: m.connect_micros_total.load(Ordering::Relaxed)
                / connects.max(1),
            origin_connect_last_micros: m.last_connect_micros.load(Ordering::Relaxed),
            acquire_timeouts: m.acquire_timeouts.load(Ordering::Relaxed),
            discarded: m.discarded.load(Ordering::Relaxed),
            transactions: m.transactions.load(Ordering::Relaxed),
            cache_hits: self.cache.hits(),
            cache_misses: self.cache.misses(),
        }
    }

    /// Accepts clients on `listener` until the runtime stops; closes idle origin connections as they expire.
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> io::Result<()> {
        let reaper = Arc::downgrade(&self);
        let period = (self.pool.settings.idle_timeout / 2).max(Duration::from_millis(100));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                match reaper.upgrade() {
                    Some(p) => p.pool.reap_idle(),
                    None => return,
                }
            }
        });
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "hyperdrive accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let pooler = self.clone();
            tokio::spawn(async move {
                pooler.clients.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = session::Session::run(pooler.clone(), stream).await {
                    tracing::debug!(error = %e, "hyperdrive client ended with an error");
                }
                pooler.clients.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }

    /// Binds `listen` and serves on a background thread with its own tokio runtime (`threads` worker threads;
    /// 1 means a current-thread runtime).
    pub fn spawn(
        config: PoolerConfig,
        listen: SocketAddr,
        threads: usize,
    ) -> io::Result<PoolerHandle> {
        let std_listener = std::net::TcpListener::bind(listen)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let pooler = Pooler::new(config);
        let runtime = if threads <= 1 {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .on_thread_start(batch_scheduling)
                .enable_all()
                .build()?
        };
        let serving = pooler.clone();
        std::thread::Builder::new()
            .name(format!("hyperdrive-{}", addr.port()))
            .spawn(move || {
                batch_scheduling();
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(l) => {
                            let _ = serving.serve(l).await;
                        }
                        Err(e) => tracing::error!(error = %e, "hyperdrive listener"),
                    }
                })
            })?;
        Ok(PoolerHandle { addr, pooler })
    }

    pub(crate) fn register_client(&self) -> (i32, i32, CancelSlot) {
        let pid = self.next_pid.fetch_add(1, Ordering::Relaxed);
        let mut s = [0u8; 4];
        getrandom::getrandom(&mut s).ok();
        let secret = i32::from_le_bytes(s);
        let slot = Arc::new(Mutex::new(None));
        self.cancels
            .lock()
            .expect("cancels")
            .insert((pid, secret), slot.clone());
        (pid, secret, slot)
    }

    pub(crate) fn unregister_client(&self, pid: i32, secret: i32) {
        self.cancels.lock().expect("cancels").remove(&(pid, secret));
    }

    /// A client's CancelRequest: forwarded to the origin backend the client is using, if any.
    pub(crate) async fn cancel(&self, pid: i32, secret: i32) {
        let target = self
            .cancels
            .lock()
            .expect("cancels")
            .get(&(pid, secret))
            .and_then(|slot| *slot.lock().expect("cancel slot"));
        let Some((spid, ssecret)) = target else {
            return;
        };
        let origin = &self.pool.origin;
        if let Ok(mut s) = tokio::net::TcpStream::connect((origin.host.as_str(), origin.port)).await
        {
            use tokio::io::AsyncWriteExt;
            let req = proto::Builder::untagged()
                .i32(proto::CANCEL_REQUEST)
                .i32(spid)
                .i32(ssecret)
                .finish();
            let _ = s.write_all(&req).await;
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut [0u8; 1]).await;
        }
    }
}

/// Puts the calling thread (a pooler's) under `SCHED_BATCH` on Linux, unless `CORRAL_HYPERDRIVE_SCHED=normal`.
///
/// A pooler's work is short bursts between the client's and the origin's replies. As a normal thread it preempts
/// whichever pgbench/Postgres/worker thread is running each time a socket becomes readable, handles the one or
/// two messages that woke it and sleeps again: a context switch in and out per message. A batch thread does not
/// preempt on wakeup (it runs when a CPU is free, or at the next tick), so when it runs it finds several
/// sockets ready: fewer wakeups, fewer `epoll_wait`s, and ~10% less CPU per TPC-B transaction on a loaded
/// 2-core box (see BENCHMARKS.md). Its priority is unchanged (nice 0). An idle CPU still runs it at once.
fn batch_scheduling() {
    if std::env::var("CORRAL_HYPERDRIVE_SCHED").is_ok_and(|v| v == "normal") {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct SchedParam {
            sched_priority: i32,
        }
        extern "C" {
            fn sched_setscheduler(pid: i32, policy: i32, param: *const SchedParam) -> i32;
        }
        const SCHED_BATCH: i32 = 3;
        let param = SchedParam { sched_priority: 0 };
        // SAFETY: plain libc call on the calling thread (pid 0) with a valid, live parameter struct.
        if unsafe { sched_setscheduler(0, SCHED_BATCH, &param) } != 0 {
            tracing::debug!(error = %io::Error::last_os_error(), "SCHED_BATCH for the pooler thread");
        }
    }
}

/// A random password for a worker-facing endpoint (hex, 32 characters).
pub fn random_password() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("random bytes");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
