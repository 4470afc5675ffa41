//! The Hyperdrive query cache: results of read-only statements, keyed by
//! (database, user, statement, parameters, result formats), served fresh for
//! `max_age`, then stale for `stale_while_revalidate` while one background
//! refresh runs, then dropped.
//!
//! A result is the raw backend messages to replay to the client
//! (`RowDescription`, `DataRow`…, `CommandComplete`), kept behind an `Arc` so
//! a hit costs one hash of the key, a short critical section and a
//! reference-count increment. Memory is bounded by `max_bytes`, evicting the
//! least recently used entries.
//!
//! Usage by the pooler:
//!
//! ```text
//! match cache.lookup(&key) {
//!     Lookup::Fresh(r) => replay(r.messages),
//!     Lookup::Stale(r) => {
//!         replay(r.messages);
//!         if cache.begin_refresh(&key) { spawn(refresh: query origin, then
//!             cache.store(key, result) — or cache.end_refresh(&key) on error) }
//!     }
//!     Lookup::Miss => { run on origin; if cacheable and it succeeded,
//!         cache.store(key, CachedResult { messages }) }
//! }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Cache settings of one Hyperdrive configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// Cache on/off. When off, `lookup` always misses and `store` is a no-op.
    pub enabled: bool,
    /// How long a result is served fresh (default 60 s).
    pub max_age: Duration,
    /// How long past `max_age` a result is still served, stale, while it is
    /// refreshed in the background (default 15 s).
    pub stale_while_revalidate: Duration,
    /// Memory bound: results (plus their keys) beyond it evict the least
    /// recently used entries; a single result larger than this is not kept.
    pub max_bytes: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            enabled: true,
            max_age: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(15),
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What identifies a cached result. Two executions share a result only when
/// all of these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub database: String,
    pub user: String,
    /// The statement text as the client sent it.
    pub sql: String,
    /// Bound parameter values (`None` is SQL NULL), as sent in `Bind`.
    pub params: Vec<Option<Vec<u8>>>,
    /// Parameter format codes (from `Bind`).
    pub param_formats: Vec<i16>,
    /// Parameter type OIDs (from `Parse`; 0 = unspecified).
    pub param_types: Vec<u32>,
    /// Result column format codes (from `Bind`).
    pub result_formats: Vec<i16>,
}

impl CacheKey {
    /// Approximate heap size, counted against `max_bytes`.
    fn approx_size(&self) -> usize {
        std::mem::size_of::<CacheKey>()
            + self.database.len()
            + self.user.len()
            + self.sql.len()
            + self
                .params
                .iter()
                .map(|p| std::mem::size_of::<Option<Vec<u8>>>() + p.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
            + self.param_formats.len() * 2
            + self.param_types.len() * 4
            + self.result_formats.len() * 2
    }
}

/// A cached result: the backend messages (`RowDescription`, `DataRow`…,
/// `CommandComplete`), exactly as the origin sent them, to replay to a
/// client. Its age is counted from [`QueryCache::store`].
#[derive(Debug, Clone, PartialEq)]
pub struct CachedResult {
    pub messages: Bytes,
}

/// The answer of [`QueryCache::lookup`].
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Younger than `max_age`: serve it.
    Fresh(Arc<CachedResult>),
    /// Older than `max_age` but within `stale_while_revalidate`: serve it and
    /// refresh in the background (see [`QueryCache::begin_refresh`]).
    Stale(Arc<CachedResult>),
    /// Not cached (or expired): run the query on the origin.
    Miss,
}

type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

struct Entry {
    key: Arc<CacheKey>,
    result: Arc<CachedResult>,
    stored_at: Instant,
    size: usize,
    /// Position in the LRU order (`Inner::order`).
    tick: u64,
}

#[derive(Default)]
struct Inner {
    map: HashMap<Arc<CacheKey>, Entry>,
    /// Least recently used first.
    order: BTreeMap<u64, Arc<CacheKey>>,
    next_tick: u64,
    bytes: usize,
    /// Keys with a background refresh running, and since when.
    refreshing: HashMap<Arc<CacheKey>, Instant>,
}

impl Inner {
    fn tick(&mut self) -> u64 {
        self.next_tick += 1;
        self.next_tick
    }

    fn remove(&mut self, key: &CacheKey) -> bool {
        match self.map.remove(key) {
            Some(entry) => {
                self.order.remove(&entry.tick);
                self.bytes -= entry.size;
                true
            }
            None => false,
        }
    }
}

/// A thread-safe, byte-bounded LRU cache of query results.
pub struct QueryCache {
    settings: CacheSettings,
    clock: Clock,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
    stale_hits: AtomicU64,
    evictions: AtomicU64,
}

impl fmt::Debug for QueryCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryCache")
            .field("settings", &self.settings)
            .field("entries", &self.entries())
            .field("bytes", &self.bytes())
            .field("hits", &self.hits())
            .field("misses", &self.misses())
            .field("stale_hits", &self.stale_hits())
            .finish()
    }
}

impl QueryCache {
    /// A cache on the real clock.
    pub fn new(settings: CacheSettings) -> Self {
        Self::with_clock(settings, Instant::now)
    }

    /// A cache whose notion of "now" is `clock` (tests advance it instead of
    /// sleeping).
    pub fn with_clock(
        settings: CacheSettings,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> Self {
        QueryCache {
            settings,
            clock: Arc::new(clock),
            inner: Mutex::new(Inner::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stale_hits: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    pub fn settings(&self) -> &CacheSettings {
        &self.settings
    }

    pub fn is_enabled(&self) -> bool {
        self.settings.enabled
    }

    /// The cache's clock.
    pub fn now(&self) -> Instant {
        (self.clock)()
    }

    /// The largest result (in bytes of messages) `store` keeps; a pooler
    /// buffering a result can give up once it is exceeded.
    pub fn max_entry_bytes(&self) -> usize {
        self.settings.max_bytes
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent-enough state (the
        // worst case is a wrong byte count); keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Looks `key` up. Counts a hit (fresh or stale), a stale hit, or a miss.
    /// Expired entries are dropped here. Disabled cache: `Miss`, uncounted.
    pub fn lookup(&self, key: &CacheKey) -> Lookup {
        if !self.settings.enabled {
            return Lookup::Miss;
        }
        let now = self.now();
        let mut guard = self.lock();
        let inner = &mut *guard;
        let tick = inner.tick();
        let lookup = match inner.map.get_mut(key) {
            Some(entry) => {
                let age = now.saturating_duration_since(entry.stored_at);
                let lookup = if age < self.settings.max_age {
                    Lookup::Fresh(entry.result.clone())
                } else if age < self.settings.max_age + self.settings.stale_while_revalidate {
                    Lookup::Stale(entry.result.clone())
                } else {
                    Lookup::Miss
                };
                if !matches!(lookup, Lookup::Miss) {
                    // Most recently used now.
                    inner.order.remove(&entry.tick);
                    inner.order.insert(tick, entry.key.clone());
                    entry.tick = tick;
                }
                lookup
            }
            None => Lookup::Miss,
        };
        if matches!(lookup, Lookup::Miss) {
            inner.remove(key);
        }
        drop(guard);
        let counter = match lookup {
            Lookup::Fresh(_) => &self.hits,
            Lookup::Stale(_) => {
                self.stale_hits.fetch_add(1, Ordering::Relaxed);
                &self.hits
            }
            Lookup::Miss => &self.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        lookup
    }

    /// Claims the background refresh of `key`: true for the first caller,
    /// false while that refresh runs (until `store` or `end_refresh` for the
    /// key, or until `max_age + stale_while_revalidate` has passed, in case
    /// the refresher died).
    pub fn begin_refresh(&self, key: &CacheKey) -> bool {
        let now = self.now();
        let timeout = self.settings.max_age + self.settings.stale_while_revalidate;
        let mut inner = self.lock();
        if let Some(started) = inner.refreshing.get(key) {
            if now.saturating_duration_since(*started) < timeout {
                return false;
            }
        }
        inner.refreshing.insert(Arc::new(key.clone()), now);
        true
    }

    /// Releases a refresh claimed by `begin_refresh` without storing (the
    /// refresh failed). `store` releases it too.
    pub fn end_refresh(&self, key: &CacheKey) {
        self.lock().refreshing.remove(key);
    }

    /// Stores (or replaces) the result for `key`, evicting least recently
    /// used entries beyond `max_bytes`. A result larger than `max_bytes` is
    /// not kept (and drops any older result for the key).
    pub fn store(&self, key: CacheKey, result: CachedResult) {
        let stored_at = self.now();
        let mut inner = self.lock();
        inner.refreshing.remove(&key);
        if !self.settings.enabled {
            return;
        }
        let size = key.approx_size() + result.messages.len();
        inner.remove(&key);
        if size > self.settings.max_bytes {
            return;
        }
        let key = Arc::new(key);
        let tick = inner.tick();
        inner.order.insert(tick, key.clone());
        inner.bytes += size;
        inner.map.insert(
            key.clone(),
            Entry {
                key,
                result: Arc::new(result),
                stored_at,
                size,
                tick,
            },
        );
        let mut evicted = 0;
        while inner.bytes > self.settings.max_bytes {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            if let Some(entry) = inner.map.remove(&*oldest) {
                inner.bytes -= entry.size;
                evicted += 1;
            }
        }
        drop(inner);
        if evicted > 0 {
            self.evictions.fetch_add(evicted, Ordering::Relaxed);
        }
    }

    /// Drops the result for `key`, if any.
    pub fn invalidate(&self, key: &CacheKey) -> bool {
        self.lock().remove(key)
    }

    /// Drops every result.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.order.clear();
        inner.bytes = 0;
    }

    /// Drops results past `max_age + stale_while_revalidate`; returns how
    /// many (lookups drop them too; this is for a periodic sweep).
    pub fn purge_expired(&self) -> usize {
        let now = self.now();
        let limit = self.settings.max_age + self.settings.stale_while_revalidate;
        let mut inner = self.lock();
        let expired: Vec<Arc<CacheKey>> = inner
            .map
            .values()
            .filter(|e| now.saturating_duration_since(e.stored_at) >= limit)
            .map(|e| e.key.clone())
            .collect();
        for key in &expired {
            inner.remove(key);
        }
        expired.len()
    }

    /// Lookups answered from the cache, fresh or stale.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that found nothing usable.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// The hits that were served stale (a subset of `hits`).
    pub fn stale_hits(&self) -> u64 {
        self.stale_hits.load(Ordering::Relaxed)
    }

    /// Entries dropped to stay within `max_bytes`.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// Results held.
    pub fn entries(&self) -> usize {
        self.lock().map.len()
    }

    /// Bytes held (messages plus approximate key sizes).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock the test moves by hand.
    #[derive(Clone)]
    struct TestClock(Arc<Mutex<Instant>>);

    impl TestClock {
        fn new() -> Self {
            TestClock(Arc::new(Mutex::new(Instant::now())))
        }
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
    }

    fn cache(settings: CacheSettings) -> (QueryCache, TestClock) {
        let clock = TestClock::new();
        let c = clock.clone();
        (QueryCache::with_clock(settings, move || c.now()), clock)
    }

    fn key(sql: &str) -> CacheKey {
        CacheKey {
            database: "db".into(),
            user: "alice".into(),
            sql: sql.into(),
            params: vec![Some(b"1".to_vec()), None],
            param_formats: vec![0],
            param_types: vec![23, 25],
            result_formats: vec![],
        }
    }

    fn result(bytes: &[u8]) -> CachedResult {
        CachedResult {
            messages: Bytes::copy_from_slice(bytes),
        }
    }

    fn fresh(lookup: Lookup) -> Option<Bytes> {
        match lookup {
            Lookup::Fresh(r) => Some(r.messages.clone()),
            _ => None,
        }
    }

    #[test]
    fn defaults() {
        let s = CacheSettings::default();
        assert!(s.enabled);
        assert_eq!(s.max_age, Duration::from_secs(60));
        assert_eq!(s.stale_while_revalidate, Duration::from_secs(15));
        assert!(s.max_bytes > 0);
    }

    #[test]
    fn miss_then_fresh_hit() {
        let (c, _) = cache(CacheSettings::default());
        assert!(matches!(c.lookup(&key("SELECT 1")), Lookup::Miss));
        c.store(key("SELECT 1"), result(b"rows"));
        assert_eq!(
            fresh(c.lookup(&key("SELECT 1"))).as_deref(),
            Some(&b"rows"[..])
        );
        // The same Arc is handed out, not a copy.
        let (Lookup::Fresh(a), Lookup::Fresh(b)) =
            (c.lookup(&key("SELECT 1")), c.lookup(&key("SELECT 1")))
        else {
            panic!("expected hits");
        };
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((c.hits(), c.misses(), c.stale_hits()), (3, 1, 0));
        assert_eq!(c.entries(), 1);
        assert!(c.bytes() >= 4);
    }

    #[test]
    fn every_key_field_matters() {
        let (c, _) = cache(CacheSettings::default());
        c.store(key("SELECT $1"), result(b"x"));
        let variants: Vec<CacheKey> = vec![
            CacheKey {
                database: "other".into(),
                ..key("SELECT $1")
            },
            CacheKey {
                user: "bob".into(),
                ..key("SELECT $1")
            },
            key("SELECT $2"),
            CacheKey {
                params: vec![Some(b"2".to_vec()), None],
                ..key("SELECT $1")
            },
            CacheKey {
                params: vec![Some(b"1".to_vec()), Some(vec![])],
                ..key("SELECT $1")
            },
            CacheKey {
                param_formats: vec![1],
                ..key("SELECT $1")
            },
            CacheKey {
                param_types: vec![20, 25],
                ..key("SELECT $1")
            },
            CacheKey {
                result_formats: vec![1],
                ..key("SELECT $1")
            },
        ];
        for k in &variants {
            assert!(matches!(c.lookup(k), Lookup::Miss), "{k:?}");
        }
        assert!(fresh(c.lookup(&key("SELECT $1"))).is_some());
        assert_eq!((c.hits(), c.misses()), (1, variants.len() as u64));
    }

    #[test]
    fn fresh_then_stale_then_gone() {
        let settings = CacheSettings {
            max_age: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(15),
            ..CacheSettings::default()
        };
        let (c, clock) = cache(settings);
        let k = key("SELECT 1");
        c.store(k.clone(), result(b"v1"));
        clock.advance(Duration::from_secs(59));
        assert!(matches!(c.lookup(&k), Lookup::Fresh(_)));
        clock.advance(Duration::from_secs(1)); // exactly max_age: stale
        assert!(matches!(c.lookup(&k), Lookup::Stale(_)));
        clock.advance(Duration::from_secs(14));
        match c.lookup(&k) {
            Lookup::Stale(r) => assert_eq!(&r.messages[..], b"v1"),
            other => panic!("expected stale, got {other:?}"),
        }
        clock.advance(Duration::from_secs(1)); // max_age + swr: gone
        assert!(matches!(c.lookup(&k), Lookup::Miss));
        assert_eq!(c.entries(), 0);
        assert_eq!(c.bytes(), 0);
        assert_eq!((c.hits(), c.stale_hits(), c.misses()), (3, 2, 1));
    }

    #[test]
    fn store_refreshes_the_age() {
        let (c, clock) = cache(CacheSettings::default());
        let k = key("SELECT 1");
        c.store(k.clone(), result(b"v1"));
        clock.advance(Duration::from_secs(70));
        assert!(matches!(c.lookup(&k), Lookup::Stale(_)));
        assert!(c.begin_refresh(&k));
        c.store(k.clone(), result(b"v2"));
        assert_eq!(fresh(c.lookup(&k)).as_deref(), Some(&b"v2"[..]));
        assert_eq!(c.entries(), 1);
        // store ended the refresh: the next stale period may refresh again.
        clock.advance(Duration::from_secs(61));
        assert!(matches!(c.lookup(&k), Lookup::Stale(_)));
        assert!(c.begin_refresh(&k));
    }

    #[test]
    fn only_one_refresh_per_key() {
        let (c, clock) = cache(CacheSettings::default());
        let (a, b) = (key("SELECT 1"), key("SELECT 2"));
        assert!(c.begin_refresh(&a));
        assert!(!c.begin_refresh(&a));
        assert!(!c.begin_refresh(&a));
        assert!(c.begin_refresh(&b), "other keys are independent");
        // A failed refresh releases the claim.
        c.end_refresh(&a);
        assert!(c.begin_refresh(&a));
        assert!(!c.begin_refresh(&a));
        // A refresher that never reports back is given up on eventually.
        clock.advance(Duration::from_secs(75));
        assert!(c.begin_refresh(&a));
        assert!(!c.begin_refresh(&a));
    }

    #[test]
    fn concurrent_refresh_claims() {
        let c = Arc::new(QueryCache::new(CacheSettings::default()));
        let k = key("SELECT 1");
        let winners: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| c.begin_refresh(&k) as usize))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(winners, 1);
    }

    #[test]
    fn evicts_least_recently_used_by_bytes() {
        let one = key("SELECT 1").approx_size() + 100;
        let (c, _) = cache(CacheSettings {
            max_bytes: one * 3,
            ..CacheSettings::default()
        });
        let body = [7u8; 100];
        for sql in ["SELECT 1", "SELECT 2", "SELECT 3"] {
            c.store(key(sql), result(&body));
        }
        assert_eq!(c.entries(), 3);
        assert_eq!(c.bytes(), one * 3);
        // Touch 1, so 2 is the least recently used.
        assert!(fresh(c.lookup(&key("SELECT 1"))).is_some());
        c.store(key("SELECT 4"), result(&body));
        assert_eq!(c.entries(), 3);
        assert_eq!(c.evictions(), 1);
        assert!(c.bytes() <= one * 3);
        assert!(matches!(c.lookup(&key("SELECT 2")), Lookup::Miss));
        for sql in ["SELECT 1", "SELECT 3", "SELECT 4"] {
            assert!(fresh(c.lookup(&key(sql))).is_some(), "{sql}");
        }
        // A bigger result evicts as many as it takes.
        c.store(key("SELECT 5"), result(&[0u8; 150]));
        assert_eq!(c.entries(), 2);
        assert!(c.bytes() <= one * 3);
        // Too big to keep at all: not stored, and the old value for that
        // key is dropped rather than served.
        c.store(key("SELECT 5"), result(&vec![0u8; one * 3]));
        assert!(matches!(c.lookup(&key("SELECT 5")), Lookup::Miss));
        assert!(c.bytes() <= one * 3);
    }

    #[test]
    fn replacing_keeps_byte_count_right() {
        let (c, _) = cache(CacheSettings::default());
        let k = key("SELECT 1");
        c.store(k.clone(), result(&[1u8; 1000]));
        let with_big = c.bytes();
        c.store(k.clone(), result(&[1u8; 10]));
        assert_eq!(c.bytes(), with_big - 990);
        assert_eq!(c.entries(), 1);
        assert!(c.invalidate(&k));
        assert_eq!((c.entries(), c.bytes()), (0, 0));
        assert!(!c.invalidate(&k));
    }

    #[test]
    fn purge_and_clear() {
        let (c, clock) = cache(CacheSettings::default());
        c.store(key("SELECT 1"), result(b"a"));
        clock.advance(Duration::from_secs(50));
        c.store(key("SELECT 2"), result(b"b"));
        clock.advance(Duration::from_secs(30));
        assert_eq!(c.purge_expired(), 1);
        assert_eq!(c.entries(), 1);
        c.clear();
        assert_eq!((c.entries(), c.bytes()), (0, 0));
        assert!(matches!(c.lookup(&key("SELECT 2")), Lookup::Miss));
    }

    #[test]
    fn disabled_cache_keeps_nothing() {
        let (c, _) = cache(CacheSettings {
            enabled: false,
            ..CacheSettings::default()
        });
        c.store(key("SELECT 1"), result(b"a"));
        assert!(matches!(c.lookup(&key("SELECT 1")), Lookup::Miss));
        assert_eq!((c.entries(), c.hits(), c.misses()), (0, 0, 0));
    }

    #[test]
    fn shared_between_threads() {
        let c = Arc::new(QueryCache::new(CacheSettings::default()));
        std::thread::scope(|s| {
            for t in 0..4 {
                let c = &c;
                s.spawn(move || {
                    for i in 0..200 {
                        let k = key(&format!("SELECT {}", i % 20));
                        if let Lookup::Miss = c.lookup(&k) {
                            c.store(k, result(format!("{t}").as_bytes()));
                        }
                    }
                });
            }
        });
        assert_eq!(c.hits() + c.misses(), 800);
        assert_eq!(c.entries(), 20);
        assert!(c.misses() >= 20);
    }

    #[test]
    fn lookup_is_cheap() {
        let c = QueryCache::new(CacheSettings::default());
        let k = CacheKey {
            sql: "SELECT id, name, email FROM users WHERE id = $1".into(),
            ..key("")
        };
        c.store(k.clone(), result(&vec![0u8; 64 * 1024]));
        let n = 20_000;
        let start = Instant::now();
        for _ in 0..n {
            assert!(matches!(c.lookup(&k), Lookup::Fresh(_)));
        }
        let per = start.elapsed() / n;
        // Generous bound (debug builds, shared CI box); release is ~100 ns.
        assert!(per < Duration::from_micros(20), "lookup took {per:?}");
    }
}
