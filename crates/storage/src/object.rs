//! Durable Object storage: one SQLite database per object (the key-value API lives in the hidden `_cf_KV` table,
//! `storage.sql` sees the rest), written in implicit transactions that the runtime commits at the end of each
//! JavaScript turn, before any response leaves (the output gate). Also the server-wide alarm index.

use crate::{open_database, StorageError};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// Cloudflare's limit on keys in one batch `get`/`put`/`delete`.
pub const MAX_BATCH_KEYS: usize = 128;
/// Cloudflare's limit on a key-value pair of SQLite-backed storage (2 MB).
pub const MAX_PAIR_BYTES: usize = 2 * 1024 * 1024;

/// The key range and order of a `storage.list()`.
#[derive(Debug, Default, Clone)]
pub struct ListOptions {
    pub start: Option<String>,
    pub start_after: Option<String>,
    pub end: Option<String>,
    pub prefix: Option<String>,
    pub reverse: bool,
    pub limit: Option<usize>,
}

/// The result of `sql.exec`.
#[derive(Debug, Default)]
pub struct SqlResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
    pub rows_read: u64,
    pub rows_written: u64,
}

/// One object's database.
pub struct ObjectStorage {
    conn: Connection,
    /// An implicit transaction is open (writes since the last commit).
    in_transaction: bool,
    /// Open `SAVEPOINT`s of explicit transactions (`transaction`, `transactionSync`).
    savepoints: u32,
}

impl ObjectStorage {
    pub fn open(path: &Path) -> Result<ObjectStorage, StorageError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = open_database(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS _cf_KV (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;",
        )?;
        Ok(ObjectStorage {
            conn,
            in_transaction: false,
            savepoints: 0,
        })
    }

    fn write_begin(&mut self) -> Result<(), StorageError> {
        if !self.in_transaction {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// True when writes wait for [`ObjectStorage::commit`].
    pub fn has_pending_writes(&self) -> bool {
        self.in_transaction
    }

    /// Commits the implicit transaction, unless an explicit transaction is still open. Returns whether it did.
    pub fn commit(&mut self) -> Result<bool, StorageError> {
        if !self.in_transaction || self.savepoints > 0 {
            return Ok(false);
        }
        self.in_transaction = false;
        self.conn.execute_batch("COMMIT")?;
        Ok(true)
    }

    /// Drops uncommitted writes (the object is being reset after a failure).
    pub fn rollback(&mut self) {
        if self.in_transaction {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.in_transaction = false;
            self.savepoints = 0;
        }
    }

    /// Opens an explicit (nested) transaction.
    pub fn savepoint(&mut self) -> Result<(), StorageError> {
        self.write_begin()?;
        self.savepoints += 1;
        self.conn
            .execute_batch(&format!("SAVEPOINT corral_{}", self.savepoints))?;
        Ok(())
    }

    /// Ends the innermost explicit transaction, keeping (`commit`) or undoing its writes.
    pub fn release(&mut self, commit: bool) -> Result<(), StorageError> {
        if self.savepoints == 0 {
            return Err(StorageError("no transaction is open".into()));
        }
        let n = self.savepoints;
        if !commit {
            self.conn
                .execute_batch(&format!("ROLLBACK TO corral_{n}"))?;
        }
        self.conn.execute_batch(&format!("RELEASE corral_{n}"))?;
        self.savepoints -= 1;
        Ok(())
    }

    pub fn get(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM _cf_KV WHERE key = ?1")?;
        keys.iter()
            .map(|k| {
                stmt.query_row([k.as_bytes()], |r| r.get::<_, Vec<u8>>(0))
                    .optional()
                    .map_err(StorageError::from)
            })
            .collect()
    }

    pub fn put(&mut self, entries: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        self.write_begin()?;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?1, ?2)")?;
        for (k, v) in entries {
            stmt.execute(rusqlite::params![k.as_bytes(), v])?;
        }
        Ok(())
    }

    /// Deletes `keys`; returns how many existed.
    pub fn delete(&mut self, keys: &[String]) -> Result<usize, StorageError> {
        self.write_begin()?;
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM _cf_KV WHERE key = ?1")?;
        let mut n = 0;
        for k in keys {
            n += stmt.execute([k.as_bytes()])?;
        }
        Ok(n)
    }

    /// Deletes every key-value pair and every SQL table.
    pub fn delete_all(&mut self) -> Result<(), StorageError> {
        self.write_begin()?;
        self.conn.execute_batch("DELETE FROM _cf_KV")?;
        let tables: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for t in tables {
            self.conn.execute_batch(&format!(
                "DROP TABLE IF EXISTS \"{}\"",
                t.replace('"', "\"\"")
            ))?;
        }
        Ok(())
    }

    pub fn list(&self, opts: &ListOptions) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let mut clauses = Vec::new();
        let mut params: Vec<Vec<u8>> = Vec::new();
        if let Some(s) = &opts.start {
            clauses.push("key >= ?");
            params.push(s.as_bytes().to_vec());
        }
        if let Some(s) = &opts.start_after {
            clauses.push("key > ?");
            params.push(s.as_bytes().to_vec());
        }
        if let Some(e) = &opts.end {
            clauses.push("key < ?");
            params.push(e.as_bytes().to_vec());
        }
        if let Some(p) = &opts.prefix {
            clauses.push("key >= ?");
            params.push(p.as_bytes().to_vec());
            if let Some(upper) = prefix_successor(p.as_bytes()) {
                clauses.push("key < ?");
                params.push(upper);
            }
        }
        let mut sql = String::from("SELECT key, value FROM _cf_KV");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(if opts.reverse {
            " ORDER BY key DESC"
        } else {
            " ORDER BY key"
        });
        if let Some(limit) = opts.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(params.iter()), |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (k, v) = row?;
            out.push((String::from_utf8_lossy(&k).into_owned(), v));
        }
        Ok(out)
    }

    /// Runs `query` (one or more statements; the result is the last one's) with `bindings` for `storage.sql.exec`.
    pub fn exec(&mut self, query: &str, bindings: &[SqlValue]) -> Result<SqlResult, StorageError> {
        check_sql(query)?;
        self.write_begin()?;
        let mut batch = rusqlite::Batch::new(&self.conn, query);
        let mut result = SqlResult::default();
        let mut offset = 0;
        let wrong_count = |expected: usize| {
            StorageError(format!(
                "Error: Wrong number of parameter bindings for SQL query. Expected {expected}, got {}.",
                bindings.len()
            ))
        };
        // Statements run one by one (a later one may use a table an earlier one created); the cursor shows the
        // last statement's rows, as Cloudflare's does.
        while let Some(mut stmt) = batch.next().map_err(sql_error)? {
            let n = stmt.parameter_count();
            if offset + n > bindings.len() {
                return Err(wrong_count(offset + n));
            }
            let params = &bindings[offset..offset + n];
            offset += n;
            let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
            let width = columns.len();
            let before = self.conn.total_changes();
            let mut rows_out = Vec::new();
            {
                let mut rows = stmt
                    .query(params_from_iter(params.iter()))
                    .map_err(sql_error)?;
                while let Some(row) = rows.next().map_err(sql_error)? {
                    let mut values = Vec::with_capacity(width);
                    for c in 0..width {
                        values.push(match row.get_ref(c).map_err(sql_error)? {
                            ValueRef::Null => SqlValue::Null,
                            ValueRef::Integer(v) => SqlValue::Integer(v),
                            ValueRef::Real(v) => SqlValue::Real(v),
                            ValueRef::Text(t) => {
                                SqlValue::Text(String::from_utf8_lossy(t).into_owned())
                            }
                            ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
                        });
                    }
                    rows_out.push(values);
                }
            }
            let written = self.conn.total_changes() - before;
            result.rows_written += written;
            result.rows_read += rows_out.len() as u64 + written;
            result.columns = columns;
            result.rows = rows_out;
        }
        if offset != bindings.len() {
            return Err(wrong_count(offset));
        }
        Ok(result)
    }

    /// The database file's size in bytes (`sql.databaseSize`).
    pub fn database_size(&self) -> Result<u64, StorageError> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok((pages * size) as u64)
    }
}

fn sql_error(e: rusqlite::Error) -> StorageError {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => {
            StorageError(format!("Error: {m}: SQLITE_ERROR"))
        }
        other => StorageError(format!("Error: {other}")),
    }
}

/// Refuses what Cloudflare's SQL API refuses: transaction statements and the platform's own tables.
fn check_sql(query: &str) -> Result<(), StorageError> {
    let lower = query.to_ascii_lowercase();
    if lower.contains("_cf_") {
        return Err(StorageError(
            "Error: access to _cf_KV.key is prohibited: SQLITE_AUTH".into(),
        ));
    }
    for stmt in lower.split(';') {
        let first = stmt.split_whitespace().next().unwrap_or("");
        if matches!(
            first,
            "begin" | "commit" | "rollback" | "savepoint" | "release" | "end"
        ) {
            return Err(StorageError("Error: To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.".into()));
        }
        if first == "attach"
            || first == "detach"
            || (first == "pragma" && !stmt.contains("table_info"))
        {
            return Err(StorageError(format!(
                "Error: not authorized to use {}: SQLITE_AUTH",
                first.to_ascii_uppercase()
            )));
        }
    }
    Ok(())
}

/// The smallest byte string greater than every string starting with `prefix` (None if there is none).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut p = prefix.to_vec();
    while let Some(last) = p.pop() {
        if last < 0xff {
            p.push(last + 1);
            return Some(p);
        }
    }
    None
}

/// One alarm due to fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub worker: String,
    pub class: String,
    pub id: String,
    pub name: Option<String>,
    /// When it is due, in ms since the epoch.
    pub time: i64,
    /// Failed attempts so far.
    pub retries: u32,
}

/// Every object's alarm, in one database, so a restarted server finds the alarms that came due while it was down.
pub struct AlarmIndex {
    conn: Mutex<Connection>,
}

impl AlarmIndex {
    pub fn open(path: &Path) -> Result<AlarmIndex, StorageError> {
        let conn = open_database(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS alarms (
                worker TEXT NOT NULL, class TEXT NOT NULL, id TEXT NOT NULL, name TEXT,
                time INTEGER NOT NULL, retries INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (worker, class, id));
             CREATE INDEX IF NOT EXISTS alarms_by_time ON alarms (time);",
        )?;
        Ok(AlarmIndex {
            conn: Mutex::new(conn),
        })
    }

    pub fn get(&self, worker: &str, class: &str, id: &str) -> Result<Option<i64>, StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        Ok(conn
            .query_row(
                "SELECT time FROM alarms WHERE worker = ?1 AND class = ?2 AND id = ?3",
                [worker, class, id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets (or replaces) an object's alarm; resets its retry count.
    pub fn set(
        &self,
        worker: &str,
        class: &str,
        id: &str,
        name: Option<&str>,
        time: i64,
    ) -> Result<(), StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        conn.execute(
            "INSERT OR REPLACE INTO alarms (worker, class, id, name, time, retries) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            rusqlite::params![worker, class, id, name, time],
        )?;
        Ok(())
    }

    pub fn delete(&self, worker: &str, class: &str, id: &str) -> Result<(), StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        conn.execute(
            "DELETE FROM alarms WHERE worker = ?1 AND class = ?2 AND id = ?3",
            [worker, class, id],
        )?;
        Ok(())
    }

    /// Deletes the alarm if it is still the one that fired at `time` (the handler may have set a new one).
    pub fn delete_if(
        &self,
        worker: &str,
        class: &str,
        id: &str,
        time: i64,
    ) -> Result<(), StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        conn.execute(
            "DELETE FROM alarms WHERE worker = ?1 AND class = ?2 AND id = ?3 AND time = ?4",
            rusqlite::params![worker, class, id, time],
        )?;
        Ok(())
    }

    /// Moves a failed alarm to `retry_at`, counting the failure, if it is still the one that fired at `time`.
    pub fn retry_later(&self, alarm: &Alarm, retry_at: i64) -> Result<(), StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        conn.execute(
            "UPDATE alarms SET time = ?5, retries = retries + 1 WHERE worker = ?1 AND class = ?2 AND id = ?3 AND time = ?4",
            rusqlite::params![alarm.worker, alarm.class, alarm.id, alarm.time, retry_at],
        )?;
        Ok(())
    }

    /// Alarms due at `now` (ms), oldest first.
    pub fn due(&self, now: i64, limit: usize) -> Result<Vec<Alarm>, StorageError> {
        let conn = self.conn.lock().expect("alarm lock");
        let mut stmt = conn.prepare_cached(
            "SELECT worker, class, id, name, time, retries FROM alarms WHERE time <= ?1 ORDER BY time LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![now, limit as i64], |r| {
            Ok(Alarm {
                worker: r.get(0)?,
                class: r.get(1)?,
                id: r.get(2)?,
                name: r.get(3)?,
                time: r.get(4)?,
                retries: r.get::<_, i64>(5)? as u32,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_pairs_commit_and_list_in_byte_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite");
        let mut s = ObjectStorage::open(&path).unwrap();
        s.put(&[
            ("b".into(), b"2".to_vec()),
            ("a".into(), b"1".to_vec()),
            ("é".into(), b"3".to_vec()),
            ("B".into(), b"4".to_vec()),
        ])
        .unwrap();
        assert!(s.commit().unwrap());
        let keys: Vec<String> = s
            .list(&ListOptions::default())
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["B", "a", "b", "é"]);
        let rev = s
            .list(&ListOptions {
                reverse: true,
                limit: Some(2),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(rev[0].0, "é");
        drop(s);
        let s = ObjectStorage::open(&path).unwrap();
        assert_eq!(
            s.get(&["a".into(), "zz".into()]).unwrap(),
            vec![Some(b"1".to_vec()), None]
        );
    }

    #[test]
    fn uncommitted_writes_are_lost_and_savepoints_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.sqlite");
        let mut s = ObjectStorage::open(&path).unwrap();
        s.put(&[("kept".into(), b"1".to_vec())]).unwrap();
        s.savepoint().unwrap();
        s.put(&[("undone".into(), b"1".to_vec())]).unwrap();
        assert!(
            !s.commit().unwrap(),
            "no commit while a transaction is open"
        );
        s.release(false).unwrap();
        s.commit().unwrap();
        s.put(&[("never".into(), b"1".to_vec())]).unwrap();
        drop(s); // no commit: dropped like a crash
        let s = ObjectStorage::open(&path).unwrap();
        let got = s
            .get(&["kept".into(), "undone".into(), "never".into()])
            .unwrap();
        assert_eq!(got, vec![Some(b"1".to_vec()), None, None]);
    }

    #[test]
    fn sql_exec_returns_rows_and_refuses_transactions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ObjectStorage::open(&dir.path().join("o.sqlite")).unwrap();
        s.exec(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES (?), (?)",
            &[SqlValue::Text("a".into()), SqlValue::Text("b".into())],
        )
        .unwrap();
        let r = s.exec("SELECT id, name FROM t ORDER BY id", &[]).unwrap();
        assert_eq!(r.columns, ["id", "name"]);
        assert_eq!(r.rows.len(), 2);
        let e = s.exec("BEGIN TRANSACTION", &[]).unwrap_err();
        assert!(e.0.contains("state.storage.transaction()"), "{e}");
        let e = s.exec("SELECT * FROM _cf_KV", &[]).unwrap_err();
        assert!(e.0.contains("SQLITE_AUTH"), "{e}");
        let e = s.exec("SELECT ?", &[]).unwrap_err();
        assert!(e.0.contains("Wrong number of parameter bindings"), "{e}");
    }

    #[test]
    fn alarms_are_found_when_due_and_retried() {
        let dir = tempfile::tempdir().unwrap();
        let idx = AlarmIndex::open(&dir.path().join("a.sqlite")).unwrap();
        idx.set("w", "C", "id1", None, 1000).unwrap();
        idx.set("w", "C", "id2", Some("n"), 5000).unwrap();
        assert_eq!(idx.due(999, 10).unwrap().len(), 0);
        let due = idx.due(1000, 10).unwrap();
        assert_eq!(due.len(), 1);
        idx.retry_later(&due[0], 3000).unwrap();
        let due = idx.due(3000, 10).unwrap();
        assert_eq!((due[0].retries, due[0].time), (1, 3000));
        idx.delete_if("w", "C", "id1", 1).unwrap();
        assert_eq!(idx.get("w", "C", "id1").unwrap(), Some(3000));
        idx.delete_if("w", "C", "id1", 3000).unwrap();
        assert_eq!(idx.get("w", "C", "id1").unwrap(), None);
    }
}
