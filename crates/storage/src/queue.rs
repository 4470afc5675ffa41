//! Queues: a durable log per queue in SQLite (`queues/<name>.sqlite`). A message is durable once `send` returns;
//! a delivered batch is leased (marked in flight, attempts counted) before the consumer sees it, acked messages
//! are deleted, retried ones become visible again after their delay. Leases do not survive a restart: messages
//! in flight when the server died are delivered again (at-least-once), and nothing acked is ever redelivered.

use crate::{open_database, StorageError};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub body: Vec<u8>,
    pub content_type: String,
    /// Delivered no earlier than this many seconds from now.
    pub delay_seconds: u32,
}

/// A message handed to a consumer.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: String,
    /// When it was sent, ms since the epoch.
    pub timestamp: i64,
    pub body: Vec<u8>,
    pub content_type: String,
    /// Deliveries so far, including this one (starts at 1).
    pub attempts: u32,
}

/// What `corral queues list` and the metrics show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueStats {
    /// Messages not acked yet (ready, delayed and in flight).
    pub depth: u64,
    pub in_flight: u64,
    /// Age of the oldest unacked message, in ms.
    pub oldest_age_ms: Option<i64>,
    pub sent: u64,
    pub acked: u64,
    pub retried: u64,
    pub dead_lettered: u64,
    pub dropped: u64,
}

/// One queue's log.
pub struct QueueLog {
    conn: Mutex<Connection>,
    /// Unacked messages, kept in memory for the back-pressure check.
    depth: AtomicI64,
}

impl QueueLog {
    pub fn open(path: &Path) -> Result<QueueLog, StorageError> {
        let conn = open_database(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS messages (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL,
                body BLOB NOT NULL,
                content_type TEXT NOT NULL,
                timestamp INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                visible_at INTEGER NOT NULL,
                leased INTEGER NOT NULL DEFAULT 0);
             CREATE INDEX IF NOT EXISTS messages_ready ON messages (leased, visible_at, seq);
             CREATE INDEX IF NOT EXISTS messages_id ON messages (id);
             CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
             UPDATE messages SET leased = 0 WHERE leased = 1;",
        )?;
        let depth: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
        Ok(QueueLog {
            conn: Mutex::new(conn),
            depth: AtomicI64::new(depth),
        })
    }

    /// Unacked messages.
    pub fn depth(&self) -> u64 {
        self.depth.load(Ordering::Relaxed).max(0) as u64
    }

    /// Appends `messages` in one transaction; returns their ids. Durable when this returns.
    pub fn send(&self, messages: &[NewMessage], now: i64) -> Result<Vec<String>, StorageError> {
        let mut conn = self.conn.lock().expect("queue lock");
        let tx = conn.transaction()?;
        let ids = new_ids(messages.len(), now);
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO messages (id, body, content_type, timestamp, visible_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (m, id) in messages.iter().zip(&ids) {
                stmt.execute(params![
                    id,
                    m.body,
                    m.content_type,
                    now,
                    now + i64::from(m.delay_seconds) * 1000
                ])?;
            }
            bump(&tx, "sent", messages.len() as i64)?;
        }
        tx.commit()?;
        self.depth
            .fetch_add(messages.len() as i64, Ordering::Relaxed);
        Ok(ids)
    }

    /// Messages visible at `now` and not in flight, oldest first.
    pub fn ready_count(&self, now: i64, up_to: usize) -> Result<usize, StorageError> {
        let conn = self.conn.lock().expect("queue lock");
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM (SELECT 1 FROM messages WHERE leased = 0 AND visible_at <= ?1 LIMIT ?2)",
            params![now, up_to as i64],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// When the oldest ready message was sent (ms), and the earliest time a delayed one becomes visible.
    pub fn oldest_ready(&self, now: i64) -> Result<(Option<i64>, Option<i64>), StorageError> {
        let conn = self.conn.lock().expect("queue lock");
        let oldest: Option<i64> = conn
            .query_row(
                "SELECT min(timestamp) FROM messages WHERE leased = 0 AND visible_at <= ?1",
                [now],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let next_visible: Option<i64> = conn
            .query_row(
                "SELECT min(visible_at) FROM messages WHERE leased = 0 AND visible_at > ?1",
                [now],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok((oldest, next_visible))
    }

    /// Leases up to `max` ready messages, in the order they became visible (attempts counted, durable before
    /// this returns). Ordering by `visible_at, seq` walks the `messages_ready` index; `ORDER BY seq` alone would
    /// sort the whole backlog for every batch.
    pub fn lease(&self, now: i64, max: usize) -> Result<Vec<Message>, StorageError> {
        let mut conn = self.conn.lock().expect("queue lock");
        let tx = conn.transaction()?;
        let mut out = Vec::new();
        {
            let mut select = tx.prepare_cached(
                "SELECT seq, id, body, content_type, timestamp, attempts FROM messages
                 WHERE leased = 0 AND visible_at <= ?1 ORDER BY visible_at, seq LIMIT ?2",
            )?;
            let rows = select.query_map(params![now, max as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Message {
                        id: r.get(1)?,
                        body: r.get(2)?,
                        content_type: r.get(3)?,
                        timestamp: r.get(4)?,
                        attempts: r.get::<_, i64>(5)? as u32 + 1,
                    },
                ))
            })?;
            let mut update = tx.prepare_cached(
                "UPDATE messages SET leased = 1, attempts = attempts + 1 WHERE seq = ?1",
            )?;
            for row in rows {
                let (seq, m) = row?;
                update.execute([seq])?;
                out.push(m);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Settles a delivered batch in one transaction: deletes `acked`, makes `retried` visible again after their
    /// delay (seconds), deletes `removed` (moved to a dead-letter queue or dropped; counted under `removed_as`).
    pub fn settle(
        &self,
        acked: &[String],
        retried: &[(String, u32)],
        removed: &[String],
        removed_as: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        let mut conn = self.conn.lock().expect("queue lock");
        let tx = conn.transaction()?;
        let mut deleted = 0i64;
        {
            let mut delete = tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
            for id in acked.iter().chain(removed) {
                deleted += delete.execute([id])? as i64;
            }
            let mut retry =
                tx.prepare_cached("UPDATE messages SET leased = 0, visible_at = ?2 WHERE id = ?1")?;
            for (id, delay) in retried {
                retry.execute(params![id, now + i64::from(*delay) * 1000])?;
            }
            bump(&tx, "acked", acked.len() as i64)?;
            bump(&tx, "retried", retried.len() as i64)?;
            bump(&tx, removed_as, removed.len() as i64)?;
        }
        tx.commit()?;
        self.depth.fetch_sub(deleted, Ordering::Relaxed);
        Ok(())
    }

    /// Every unacked message not in flight, oldest first (for moving a dead-letter queue back).
    pub fn take_all(&self) -> Result<Vec<Message>, StorageError> {
        let mut conn = self.conn.lock().expect("queue lock");
        let tx = conn.transaction()?;
        let messages: Vec<Message> = {
            let mut stmt = tx.prepare(
                "SELECT id, body, content_type, timestamp, attempts FROM messages WHERE leased = 0 ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Message {
                    id: r.get(0)?,
                    body: r.get(1)?,
                    content_type: r.get(2)?,
                    timestamp: r.get(3)?,
                    attempts: r.get::<_, i64>(4)? as u32,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        tx.execute("DELETE FROM messages WHERE leased = 0", [])?;
        tx.commit()?;
        self.depth
            .fetch_sub(messages.len() as i64, Ordering::Relaxed);
        Ok(messages)
    }

    /// Deletes every message not in flight; returns how many.
    pub fn purge(&self) -> Result<usize, StorageError> {
        Ok(self.take_all()?.len())
    }

    /// Appends messages moved from another queue, keeping their ids and timestamps.
    pub fn append_moved(&self, messages: &[Message], now: i64) -> Result<(), StorageError> {
        let mut conn = self.conn.lock().expect("queue lock");
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO messages (id, body, content_type, timestamp, visible_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for m in messages {
                stmt.execute(params![m.id, m.body, m.content_type, m.timestamp, now])?;
            }
            bump(&tx, "sent", messages.len() as i64)?;
        }
        tx.commit()?;
        self.depth
            .fetch_add(messages.len() as i64, Ordering::Relaxed);
        Ok(())
    }

    pub fn stats(&self, now: i64) -> Result<QueueStats, StorageError> {
        let conn = self.conn.lock().expect("queue lock");
        let (depth, in_flight, oldest): (i64, i64, Option<i64>) = conn.query_row(
            "SELECT count(*), coalesce(sum(leased), 0), min(timestamp) FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let counter = |name: &str| -> Result<u64, StorageError> {
            Ok(conn
                .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
                    r.get::<_, i64>(0)
                })
                .optional()?
                .unwrap_or(0) as u64)
        };
        Ok(QueueStats {
            depth: depth as u64,
            in_flight: in_flight as u64,
            oldest_age_ms: oldest.map(|t| (now - t).max(0)),
            sent: counter("sent")?,
            acked: counter("acked")?,
            retried: counter("retried")?,
            dead_lettered: counter("dead_lettered")?,
            dropped: counter("dropped")?,
        })
    }
}

fn bump(conn: &Connection, name: &str, by: i64) -> Result<(), StorageError> {
    if by != 0 {
        conn.prepare_cached(
            "INSERT INTO counters (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        )?
        .execute(params![name, by])?;
    }
    Ok(())
}

/// `n` 128-bit message ids, as 32 hex digits (Cloudflare's ids are opaque strings of this shape): the send time
/// in ms (48 bits), then 80 random bits. Time-ordered ids keep the `messages_id` index append-mostly, so a batch's
/// inserts and deletes touch a few index pages instead of one random page each; one `getrandom` per batch.
fn new_ids(n: usize, now: i64) -> Vec<String> {
    let mut random = vec![0u8; n * 10];
    getrandom::getrandom(&mut random).expect("random bytes");
    let time = (now.max(0) as u64).to_be_bytes();
    random
        .chunks(10)
        .map(|r| {
            let mut s = String::with_capacity(32);
            for x in time[2..].iter().chain(r) {
                s.push_str(&format!("{x:02x}"));
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str, delay: u32) -> NewMessage {
        NewMessage {
            body: body.as_bytes().to_vec(),
            content_type: "text".into(),
            delay_seconds: delay,
        }
    }

    #[test]
    fn lease_ack_retry_and_redelivery_after_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sqlite");
        let q = QueueLog::open(&path).unwrap();
        q.send(&[msg("a", 0), msg("b", 0), msg("late", 10)], 1000)
            .unwrap();
        assert_eq!(q.depth(), 3);
        assert_eq!(q.ready_count(1000, 10).unwrap(), 2);
        let batch = q.lease(1000, 10).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[0].attempts, 1);
        assert_eq!(
            q.lease(1000, 10).unwrap().len(),
            0,
            "leased ones are not handed out twice"
        );
        q.settle(
            &[batch[0].id.clone()],
            &[(batch[1].id.clone(), 5)],
            &[],
            "dropped",
            1000,
        )
        .unwrap();
        assert_eq!(q.depth(), 2);
        assert_eq!(q.ready_count(5999, 10).unwrap(), 0);
        let again = q.lease(6000, 10).unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 2));
        drop(q); // crash with "b" in flight
        let q = QueueLog::open(&path).unwrap();
        let redelivered = q.lease(6000, 10).unwrap();
        assert_eq!(redelivered[0].id, again[0].id);
        assert_eq!(redelivered[0].attempts, 3);
        let late = q.lease(11_000, 10).unwrap();
        assert_eq!(late[0].body, b"late");
        let s = q.stats(11_000).unwrap();
        assert_eq!(
            (s.depth, s.in_flight, s.sent, s.acked, s.retried),
            (2, 2, 3, 1, 1)
        );
    }

    #[test]
    fn moving_messages_between_queues_keeps_ids() {
        let dir = tempfile::tempdir().unwrap();
        let a = QueueLog::open(&dir.path().join("a.sqlite")).unwrap();
        let b = QueueLog::open(&dir.path().join("b.sqlite")).unwrap();
        let ids = a.send(&[msg("x", 0), msg("y", 0)], 1).unwrap();
        let moved = a.take_all().unwrap();
        b.append_moved(&moved, 2).unwrap();
        assert_eq!(a.depth(), 0);
        let got: Vec<String> = b.lease(2, 10).unwrap().into_iter().map(|m| m.id).collect();
        assert_eq!(got, ids);
    }
}
