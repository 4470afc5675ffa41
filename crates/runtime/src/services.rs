//! What isolates reach outside themselves: the data directory (KV, Durable Object storage) and the router that
//! carries calls to Durable Objects to the thread that owns each object. One `Services` per server.

use crate::isolate::HttpResponse;
use corral_storage::Storage;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;
use tokio::sync::Notify;

/// The object a call is for: a Durable Object class of a worker, and the object's 64-hex-digit id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectAddress {
    pub worker: String,
    pub class: String,
    pub id: String,
    /// The name the id was derived from (`idFromName`), when known.
    pub name: Option<String>,
}

/// A request to an object's `fetch` handler (its body already read: it crosses threads).
#[derive(Debug)]
pub struct ObjectRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<bytes::Bytes>,
}

/// A call to a Durable Object.
pub enum ObjectCall {
    Fetch(ObjectRequest),
    /// JS RPC: the method name and the arguments, serialized by the prelude (`internal.serialize`).
    Rpc {
        method: String,
        args: Vec<u8>,
    },
    /// The object's alarm fired (`retry_count` 0 on the first attempt).
    Alarm {
        retry_count: u32,
    },
}

/// The answer to an [`ObjectCall`].
pub enum ObjectReply {
    Fetch(HttpResponse),
    /// `Ok(serialized result)` or `Err(serialized error)`.
    Rpc(Result<Vec<u8>, Vec<u8>>),
    Alarm,
}

/// Carries object calls to the thread owning the object (the server implements it).
pub trait ObjectRouter: Send + Sync {
    fn call(
        &self,
        target: ObjectAddress,
        call: ObjectCall,
    ) -> oneshot::Receiver<Result<ObjectReply, String>>;
}

/// A server's shared services.
pub struct Services {
    pub storage: Arc<Storage>,
    /// Set once the server's threads exist.
    pub objects: OnceLock<Arc<dyn ObjectRouter>>,
    /// Unacked messages a queue may hold before `send` fails (back-pressure).
    pub queue_max_backlog: AtomicU64,
    /// Wakes a queue's consumer when a message is sent.
    queue_wakers: Mutex<HashMap<String, Arc<Notify>>>,
    /// Hyperdrive configs (by id) with the local pooler endpoint a worker's driver connects to.
    pub hyperdrive: Mutex<HashMap<String, HyperdriveEndpoint>>,
    /// Where `connect()` from `cloudflare:sockets` may go besides Hyperdrive endpoints ("host:port"): bound
    /// private services, and `--unsafe-allow-connect` for tests.
    pub socket_allowlist: Mutex<Vec<String>>,
}

/// What `env.<HYPERDRIVE binding>` shows a worker: the local pooler that stands for the origin database.
#[derive(Debug, Clone, PartialEq)]
pub struct HyperdriveEndpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
}

/// The default back-pressure limit of a queue, in unacked messages.
pub const DEFAULT_QUEUE_MAX_BACKLOG: u64 = 1_000_000;

impl Services {
    pub fn new(storage: Arc<Storage>) -> Arc<Services> {
        Arc::new(Services {
            storage,
            objects: OnceLock::new(),
            queue_max_backlog: AtomicU64::new(DEFAULT_QUEUE_MAX_BACKLOG),
            queue_wakers: Mutex::default(),
            hyperdrive: Mutex::default(),
            socket_allowlist: Mutex::default(),
        })
    }

    /// The notifier a queue's consumer waits on.
    pub fn queue_waker(&self, queue: &str) -> Arc<Notify> {
        self.queue_wakers
            .lock()
            .expect("queue wakers")
            .entry(queue.to_string())
            .or_default()
            .clone()
    }

    /// Services over a temporary data directory shared by the whole process (tests, embedders).
    pub fn shared_temporary() -> Arc<Services> {
        static SHARED: OnceLock<Arc<Services>> = OnceLock::new();
        SHARED
            .get_or_init(|| Services::new(Storage::temporary()))
            .clone()
    }
}
