//! The corral HTTP server: one listener and one set of isolates per thread (SO_REUSEPORT), routing each request
//! to a worker, running it in that thread's isolate for the worker's current version, and streaming the
//! response back. Used by `corral dev` (one thread, one worker, live reload) and `corral serve`.

mod cron;
mod http;
mod isolates;
pub mod objects;
pub mod queues;
pub mod registry;
pub mod watch;
mod websocket;

pub use registry::Registry;

use std::net::SocketAddr;
use std::sync::Arc;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub addr: SocketAddr,
    /// Listener threads, each with its own isolates (1 in dev, like `wrangler dev`).
    pub threads: usize,
    /// Dev mode: error pages show the exception and stack.
    pub dev: bool,
    /// `--unsafe-test-clock`: answer `POST /cdn-cgi/corral/clock/advance?ms=N` by moving the storage clock.
    pub test_clock: bool,
}

/// A running server.
pub struct Server {
    pub local_addr: SocketAddr,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds the listeners and starts the threads. Returns once every listener is bound.
    pub fn start(registry: Arc<Registry>, options: ServerOptions) -> std::io::Result<Server> {
        let first = bind(options.addr)?;
        let local_addr = first.local_addr()?;
        let mut listeners = vec![first];
        for _ in 1..options.threads.max(1) {
            listeners.push(bind(local_addr)?);
        }
        // Durable Objects: each object lives on one of these threads; calls reach it through the mesh.
        let mesh = Arc::new(objects::ObjectMesh::default());
        let mut receivers = mesh.connect(listeners.len()).into_iter();
        let router: Arc<dyn corral_runtime::ObjectRouter> = mesh;
        let _ = registry.services().objects.set(router.clone());
        let mut threads = Vec::new();
        for (i, listener) in listeners.into_iter().enumerate() {
            let registry = registry.clone();
            let options = options.clone();
            let jobs = receivers.next().expect("one job channel per thread");
            // The alarm scheduler runs on the first thread.
            let scheduler = (i == 0).then(|| router.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("corral-{i}"))
                    .spawn(move || {
                        http::serve_thread(listener, registry, options, jobs, scheduler)
                    })?,
            );
        }
        Ok(Server {
            local_addr,
            threads,
        })
    }

    /// Blocks until every listener thread has stopped (they run until the process exits).
    pub fn wait(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.set_nodelay(true)?;
    socket.bind(&addr.into()).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen on {addr}: {e} (is another server using the port? pass --port)"),
        )
    })?;
    socket.listen(1024)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}
