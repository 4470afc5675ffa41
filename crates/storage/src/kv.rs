//! Workers KV namespaces: one SQLite database per namespace id, keys ordered by their UTF-8 bytes.
//!
//! Keys are stored as BLOBs (so SQLite compares them with `memcmp`, which is UTF-8 byte order), values as raw
//! bytes, metadata as its JSON text, and expirations as seconds since the Unix epoch. An entry whose expiration
//! is at or before [`crate::clock::now_ms`] does not exist: reads skip it and delete it lazily. Every write is
//! one committed transaction by the time the call returns.
//!
//! Validation of Cloudflare's limits (key length, value size, metadata size, expirations) happens in the
//! binding (`runtime/js/kv.js`) and in `corral kv`, where the error texts are made; this layer stores what it
//! is given.

use crate::{clock, open_database, StorageError};
use base64::Engine;
use rusqlite::{params, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// Cloudflare's limits on KV (mirrored from the Workers docs).
pub const MAX_KEY_BYTES: usize = 512;
pub const MAX_VALUE_BYTES: usize = 25 * 1024 * 1024;
pub const MAX_METADATA_BYTES: usize = 1024;
pub const MAX_LIST_LIMIT: usize = 1000;
pub const MIN_EXPIRATION_TTL_S: i64 = 60;

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub struct KvEntry {
    pub value: Vec<u8>,
    /// Seconds since the Unix epoch.
    pub expiration: Option<i64>,
    /// The metadata's JSON text.
    pub metadata: Option<String>,
}

/// One key of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct KvListKey {
    pub name: String,
    pub expiration: Option<i64>,
    pub metadata: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct KvListPage {
    pub keys: Vec<KvListKey>,
    /// Set when more keys follow: pass it back to get the next page.
    pub cursor: Option<String>,
}

impl KvListPage {
    /// `{"keys": [{name, expiration?, metadata?}], "list_complete", "cursor"?}` (the shape `list()` returns).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(32 + self.keys.len() * 24);
        out.push_str("{\"keys\":[");
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            out.push_str(&serde_json::Value::String(key.name.clone()).to_string());
            if let Some(e) = key.expiration {
                out.push_str(&format!(",\"expiration\":{e}"));
            }
            if let Some(m) = &key.metadata {
                out.push_str(",\"metadata\":");
                out.push_str(m);
            }
            out.push('}');
        }
        out.push_str("],\"list_complete\":");
        match &self.cursor {
            None => out.push_str("true"),
            Some(c) => {
                out.push_str("false,\"cursor\":");
                out.push_str(&serde_json::Value::String(c.clone()).to_string());
            }
        }
        out.push('}');
        out
    }
}

/// Checks metadata given as JSON text (the `corral kv` command line) and returns it compact.
pub fn normalize_metadata(text: &str) -> Result<String, StorageError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| StorageError(format!("the metadata is not valid JSON: {e}")))?;
    let compact = value.to_string();
    if compact.len() > MAX_METADATA_BYTES {
        return Err(StorageError(format!(
            "Metadata length of {} exceeds limit of {MAX_METADATA_BYTES}.",
            compact.len()
        )));
    }
    Ok(compact)
}

/// Checks a key against Cloudflare's rules; the error is Cloudflare's text.
pub fn check_key(key: &str) -> Result<(), StorageError> {
    if key.is_empty() {
        return Err(StorageError("Key name cannot be empty.".into()));
    }
    if key == "." || key == ".." {
        return Err(StorageError(format!(
            "\"{key}\" is not allowed as a key name."
        )));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(StorageError(format!(
            "UTF-8 encoded length of {} exceeds key length limit of {MAX_KEY_BYTES}.",
            key.len()
        )));
    }
    Ok(())
}

/// One KV namespace's database.
pub struct KvNamespace {
    conn: Mutex<rusqlite::Connection>,
}

fn now_s() -> i64 {
    clock::now_ms().div_euclid(1000)
}

/// An entry with this expiration (seconds) is gone at `now_ms`.
fn expired(expiration: Option<i64>, now_ms: i64) -> bool {
    expiration.is_some_and(|e| e.saturating_mul(1000) <= now_ms)
}

/// The smallest byte string greater than every string starting with `prefix` (None: there is none).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The cursor after `key`: opaque to callers (base64url of the key's bytes).
fn encode_cursor(key: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

fn decode_cursor(cursor: &str) -> Result<Vec<u8>, StorageError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| StorageError("Invalid cursor".to_string()))
}

impl KvNamespace {
    pub fn open(path: &Path) -> Result<KvNamespace, StorageError> {
        let conn = open_database(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (
                 key BLOB PRIMARY KEY,
                 value BLOB NOT NULL,
                 expiration INTEGER,
                 metadata TEXT
             );
             CREATE INDEX IF NOT EXISTS kv_expiration ON kv (expiration) WHERE expiration IS NOT NULL;",
        )?;
        Ok(KvNamespace {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls back an open statement.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry under `key`, if it exists and has not expired.
    pub fn get(&self, key: &str) -> Result<Option<KvEntry>, StorageError> {
        Ok(self.get_many(&[key])?.pop().flatten())
    }

    /// The entries under `keys`, in order (None for a missing or expired key).
    pub fn get_many<S: AsRef<str>>(
        &self,
        keys: &[S],
    ) -> Result<Vec<Option<KvEntry>>, StorageError> {
        let now = clock::now_ms();
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT value, expiration, metadata FROM kv WHERE key = ?1")?;
        let mut out = Vec::with_capacity(keys.len());
        let mut stale = Vec::new();
        for key in keys {
            let key = key.as_ref().as_bytes();
            let row = stmt
                .query_row(params![key], |r| {
                    Ok(KvEntry {
                        value: r.get(0)?,
                        expiration: r.get(1)?,
                        metadata: r.get(2)?,
                    })
                })
                .optional()?;
            match row {
                Some(entry) if expired(entry.expiration, now) => {
                    stale.push(key.to_vec());
                    out.push(None);
                }
                other => out.push(other),
            }
        }
        drop(stmt);
        for key in stale {
            // Lazy purge; only if it is still the expired entry (a concurrent put may have replaced it).
            conn.execute(
                "DELETE FROM kv WHERE key = ?1 AND expiration IS NOT NULL AND expiration * 1000 <= ?2",
                params![key, now],
            )?;
        }
        Ok(out)
    }

    /// Stores `value` under `key`, replacing what was there; committed when this returns.
    pub fn put(
        &self,
        key: &str,
        value: &[u8],
        expiration: Option<i64>,
        metadata: Option<&str>,
    ) -> Result<(), StorageError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO kv (key, value, expiration, metadata) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                     expiration = excluded.expiration, metadata = excluded.metadata",
            )?
            .execute(params![key.as_bytes(), value, expiration, metadata])?;
        Ok(())
    }

    /// Removes `key` (nothing happens if it does not exist); committed when this returns.
    pub fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.conn()
            .prepare_cached("DELETE FROM kv WHERE key = ?1")?
            .execute(params![key.as_bytes()])?;
        Ok(())
    }

    /// Up to `limit` live keys starting with `prefix`, after `cursor`, in UTF-8 byte order.
    pub fn list(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<KvListPage, StorageError> {
        let limit = limit.clamp(1, MAX_LIST_LIMIT);
        let now = clock::now_ms();
        let start = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => decode_cursor(c)?,
            None => Vec::new(),
        };
        let prefix = prefix.as_bytes();
        // Keys strictly after the cursor, at or after the prefix, and before the end of the prefix range.
        let after_cursor = !start.is_empty() && start.as_slice() >= prefix;
        let lower: &[u8] = if after_cursor { &start } else { prefix };
        let upper = prefix_end(prefix);
        let conn = self.conn();
        self.purge_expired(&conn, now)?;
        let sql = format!(
            "SELECT key, expiration, metadata FROM kv WHERE key {} ?1 {} \
             AND (expiration IS NULL OR expiration * 1000 > ?3) ORDER BY key LIMIT ?4",
            if after_cursor { ">" } else { ">=" },
            if upper.is_some() {
                "AND key < ?2"
            } else {
                "AND ?2 IS NULL"
            },
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![lower, upper, now, (limit + 1) as i64], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut raw = Vec::with_capacity(limit + 1);
        for row in rows {
            raw.push(row?);
        }
        let more = raw.len() > limit;
        raw.truncate(limit);
        let cursor = if more {
            raw.last().map(|(k, _, _)| encode_cursor(k))
        } else {
            None
        };
        let keys = raw
            .into_iter()
            .map(|(k, expiration, metadata)| KvListKey {
                name: String::from_utf8_lossy(&k).into_owned(),
                expiration,
                metadata,
            })
            .collect();
        Ok(KvListPage { keys, cursor })
    }

    /// Deletes every expired entry (cheap when there are none: the expiration index answers).
    fn purge_expired(&self, conn: &rusqlite::Connection, now_ms: i64) -> Result<(), StorageError> {
        let cutoff = now_ms.div_euclid(1000);
        let any: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM kv WHERE expiration IS NOT NULL AND expiration <= ?1)",
            )?
            .query_row(params![cutoff], |r| r.get(0))?;
        if any {
            conn.execute(
                "DELETE FROM kv WHERE expiration IS NOT NULL AND expiration <= ?1",
                params![cutoff],
            )?;
        }
        Ok(())
    }

    /// Seconds since the Unix epoch on the storage clock (what expirations are compared with).
    pub fn now_s() -> i64 {
        now_s()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, KvNamespace) {
        let dir = tempfile::tempdir().unwrap();
        let ns = KvNamespace::open(&dir.path().join("ns.sqlite")).unwrap();
        (dir, ns)
    }

    fn names(page: &KvListPage) -> Vec<&str> {
        page.keys.iter().map(|k| k.name.as_str()).collect()
    }

    #[test]
    fn put_get_delete_round_trip() {
        let (_d, ns) = open();
        assert_eq!(ns.get("a").unwrap(), None);
        ns.put("a", b"\x00\xffbytes", None, Some(r#"{"m":1}"#))
            .unwrap();
        let e = ns.get("a").unwrap().unwrap();
        assert_eq!(e.value, b"\x00\xffbytes");
        assert_eq!(e.metadata.as_deref(), Some(r#"{"m":1}"#));
        ns.put("a", b"", None, None).unwrap();
        let e = ns.get("a").unwrap().unwrap();
        assert_eq!(e.value, b"");
        assert_eq!(e.metadata, None);
        ns.delete("a").unwrap();
        ns.delete("never").unwrap();
        assert_eq!(ns.get("a").unwrap(), None);
        let many = ns.get_many(&["x", "a"]).unwrap();
        assert_eq!(many, vec![None, None]);
    }

    #[test]
    fn list_orders_by_utf8_bytes_and_filters_prefix() {
        let (_d, ns) = open();
        for k in ["b", "a", "B", "é", "z", "Z", "ab", "a\u{10000}", "aé"] {
            ns.put(k, b"v", None, None).unwrap();
        }
        let page = ns.list("", 1000, None).unwrap();
        let mut expected = vec!["b", "a", "B", "é", "z", "Z", "ab", "a\u{10000}", "aé"];
        expected.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
        assert_eq!(names(&page), expected);
        assert_eq!(page.cursor, None);
        assert_eq!(
            names(&ns.list("a", 1000, None).unwrap()),
            vec!["a", "ab", "aé", "a\u{10000}"]
        );
        assert!(ns.list("nothing", 10, None).unwrap().keys.is_empty());
    }

    #[test]
    fn list_paginates_with_cursor() {
        let (_d, ns) = open();
        for i in 0..2500 {
            ns.put(&format!("k{i:05}"), b"v", None, None).unwrap();
        }
        ns.put("other", b"v", None, None).unwrap();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = ns.list("k", 1000, cursor.as_deref()).unwrap();
            seen.extend(page.keys.iter().map(|k| k.name.clone()));
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 2500);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert!(ns.list("", 10, Some("!!not base64")).is_err());
        let json = ns.list("k", 2, None).unwrap().to_json();
        assert!(json.starts_with(
            r#"{"keys":[{"name":"k00000"},{"name":"k00001"}],"list_complete":false,"cursor":""#
        ));
    }

    #[test]
    fn prefix_end_handles_ff_bytes() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn expired_entries_are_invisible_and_purged() {
        let (_d, ns) = open();
        let now = now_s();
        ns.put("soon", b"v", Some(now + 60), None).unwrap();
        ns.put("later", b"v", Some(now + 3600), Some("1")).unwrap();
        ns.put("never", b"v", None, None).unwrap();
        assert!(ns.get("soon").unwrap().is_some());
        // Entries in the past (as the clock will be after an advance) are gone.
        ns.put("past", b"v", Some(now - 1), None).unwrap();
        assert_eq!(ns.get("past").unwrap(), None);
        let page = ns.list("", 1000, None).unwrap();
        assert_eq!(names(&page), vec!["later", "never", "soon"]);
        assert_eq!(page.keys[0].expiration, Some(now + 3600));
        assert_eq!(page.keys[0].metadata.as_deref(), Some("1"));
        let count: i64 = ns
            .conn()
            .query_row("SELECT COUNT(*) FROM kv", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 3, "the expired entry was purged");
    }

    #[test]
    fn writes_are_visible_to_a_second_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ns.sqlite");
        let a = KvNamespace::open(&path).unwrap();
        let b = KvNamespace::open(&path).unwrap();
        a.put("k", b"from a", None, None).unwrap();
        assert_eq!(b.get("k").unwrap().unwrap().value, b"from a");
        b.delete("k").unwrap();
        assert_eq!(a.get("k").unwrap(), None);
    }
}
