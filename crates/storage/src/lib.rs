//! Durable state on embedded SQLite under one data directory: KV namespaces (`kv/<id>.sqlite`), Durable Object
//! storage (`do/<worker>/<class>/<id>.sqlite`) and the alarm index (`do/alarms.sqlite`). Every database runs in WAL
//! mode with `synchronous = NORMAL`: a committed write survives the process being killed (`kill -9`); surviving
//! power loss as well needs `synchronous = FULL` (see README).

pub mod clock;
pub mod kv;
pub mod object;
pub mod queue;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An error from the storage layer, already worded for the worker's author.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StorageError {}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError(format!("storage error: {e}"))
    }
}

/// The data directory and the databases opened in it. Shared by every thread of a server.
pub struct Storage {
    root: PathBuf,
    kv: Mutex<HashMap<String, Arc<kv::KvNamespace>>>,
    alarms: Mutex<Option<Arc<object::AlarmIndex>>>,
    queues: Mutex<HashMap<String, Arc<queue::QueueLog>>>,
    /// Keeps a temporary data directory alive (tests, embedders without a data dir).
    _temp: Option<tempfile::TempDir>,
}

impl Storage {
    /// Uses (and creates) `root` as the data directory.
    pub fn open(root: &Path) -> Result<Arc<Storage>, StorageError> {
        std::fs::create_dir_all(root).map_err(|e| {
            StorageError(format!(
                "cannot create the data directory {}: {e} (pass --data-dir with a writable directory)",
                root.display()
            ))
        })?;
        // Absolute, so the dev watcher can tell the server's own writes from edits.
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Ok(Arc::new(Storage {
            root,
            kv: Mutex::default(),
            alarms: Mutex::default(),
            queues: Mutex::default(),
            _temp: None,
        }))
    }

    /// A data directory that is deleted when the storage is dropped.
    pub fn temporary() -> Arc<Storage> {
        let temp = tempfile::Builder::new()
            .prefix("corral-data-")
            .tempdir()
            .expect("cannot create a temporary data directory");
        Arc::new(Storage {
            root: temp.path().to_path_buf(),
            kv: Mutex::default(),
            alarms: Mutex::default(),
            queues: Mutex::default(),
            _temp: Some(temp),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The KV namespace with this id, opened on first use.
    pub fn kv(&self, id: &str) -> Result<Arc<kv::KvNamespace>, StorageError> {
        let mut open = self.kv.lock().expect("kv lock");
        if let Some(ns) = open.get(id) {
            return Ok(ns.clone());
        }
        let dir = self.root.join("kv");
        std::fs::create_dir_all(&dir)
            .map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
        let ns = Arc::new(kv::KvNamespace::open(
            &dir.join(format!("{}.sqlite", safe_file_name(id))),
        )?);
        open.insert(id.to_string(), ns.clone());
        Ok(ns)
    }

    /// The log of the queue called `name`, opened on first use.
    pub fn queue(&self, name: &str) -> Result<Arc<queue::QueueLog>, StorageError> {
        let mut open = self.queues.lock().expect("queue lock");
        if let Some(q) = open.get(name) {
            return Ok(q.clone());
        }
        let dir = self.root.join("queues");
        std::fs::create_dir_all(&dir)
            .map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
        let q = Arc::new(queue::QueueLog::open(
            &dir.join(format!("{}.sqlite", safe_file_name(name))),
        )?);
        open.insert(name.to_string(), q.clone());
        Ok(q)
    }

    /// The queues that have a log in the data directory (by file name).
    pub fn queue_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join("queues"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".sqlite")?;
                Some(match stem.strip_prefix("x-") {
                    Some(hex) => unhex(hex).unwrap_or_else(|| stem.to_string()),
                    None => stem.to_string(),
                })
            })
            .collect();
        names.sort();
        names
    }

    /// The directory of one Durable Object class's databases.
    pub fn object_dir(&self, worker: &str, class: &str) -> PathBuf {
        self.root
            .join("do")
            .join(safe_file_name(worker))
            .join(safe_file_name(class))
    }

    /// The index of every object's alarm (one database for the server).
    pub fn alarms(&self) -> Result<Arc<object::AlarmIndex>, StorageError> {
        let mut slot = self.alarms.lock().expect("alarm lock");
        if let Some(index) = slot.as_ref() {
            return Ok(index.clone());
        }
        let dir = self.root.join("do");
        std::fs::create_dir_all(&dir)
            .map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
        let index = Arc::new(object::AlarmIndex::open(&dir.join("alarms.sqlite"))?);
        *slot = Some(index.clone());
        Ok(index)
    }
}

/// Opens a database the way every corral database is opened (WAL, NORMAL sync, busy timeout).
pub fn open_database(path: &Path) -> Result<rusqlite::Connection, StorageError> {
    let conn = rusqlite::Connection::open(path)
        .map_err(|e| StorageError(format!("cannot open {}: {e}", path.display())))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
    )?;
    Ok(conn)
}

/// A name usable as a file name: ids and names made of `[A-Za-z0-9_.-]` stay as they are (but never `.`/`..`),
/// anything else is hex-encoded.
pub fn safe_file_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if plain {
        name.to_string()
    } else {
        let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
        format!("x-{hex}")
    }
}

fn unhex(hex: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}
