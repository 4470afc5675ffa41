//! The `corral` command line: `corral dev` (one worker, live reload) and `corral serve` (many workers).

mod hyperdrive_cli;
mod kv_cli;
mod queues_cli;

use clap::{Parser, Subcommand};
use corral_config::{find_config_file, WorkerConfig};
use corral_runtime::Services;
use corral_server::{Registry, Server, ServerOptions};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "corral",
    version,
    about = "Run Cloudflare Workers code on your own machines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve one worker on 127.0.0.1:8787 and reload it on every save.
    Dev {
        /// The worker directory (holding wrangler.toml or wrangler.jsonc).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on (default: the config's [dev] port, else 8787).
        #[arg(long)]
        port: Option<u16>,
        /// Address to listen on (default: the config's [dev] ip, else 127.0.0.1).
        #[arg(long)]
        ip: Option<IpAddr>,
        /// Where durable state lives (default: .corral/ beside the config).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Tests only: POST /cdn-cgi/corral/clock/advance?ms=N moves the storage clock forward.
        #[arg(long, hide = true)]
        unsafe_test_clock: bool,
        /// Unacknowledged messages a queue may hold before `send` fails (back-pressure).
        #[arg(long, default_value_t = corral_runtime::services::DEFAULT_QUEUE_MAX_BACKLOG)]
        queue_max_backlog: u64,
        /// Tests only: lets `connect()` from `cloudflare:sockets` reach HOST:PORT (repeatable).
        #[arg(long, hide = true, value_name = "HOST:PORT")]
        unsafe_allow_connect: Vec<String>,
    },
    /// Serve many workers: each DIR is a worker directory or a directory of worker directories.
    Serve {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long, default_value_t = 8787)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        ip: IpAddr,
        /// Listener threads, each with its own isolates (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Where durable state lives (default: .corral/ in the current directory).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Tests only: POST /cdn-cgi/corral/clock/advance?ms=N moves the storage clock forward.
        #[arg(long, hide = true)]
        unsafe_test_clock: bool,
        /// Unacknowledged messages a queue may hold before `send` fails (back-pressure).
        #[arg(long, default_value_t = corral_runtime::services::DEFAULT_QUEUE_MAX_BACKLOG)]
        queue_max_backlog: u64,
        /// Tests only: lets `connect()` from `cloudflare:sockets` reach HOST:PORT (repeatable).
        #[arg(long, hide = true, value_name = "HOST:PORT")]
        unsafe_allow_connect: Vec<String>,
    },
    /// Read and write a KV namespace's local data (works while a server runs).
    Kv {
        #[command(subcommand)]
        action: kv_cli::KvAction,
    },
    /// Inspect queues, send a message, move a dead-letter queue back, purge (works while a server runs).
    Queues {
        #[command(subcommand)]
        action: queues_cli::QueuesAction,
    },
    /// The Postgres pooler on its own (`serve`), and checking an origin for a wrangler config (`create`).
    Hyperdrive {
        #[command(subcommand)]
        action: hyperdrive_cli::HyperdriveAction,
    },
}

fn main() -> ExitCode {
    let process_start = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CORRAL_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dev {
            dir,
            port,
            ip,
            data_dir,
            unsafe_test_clock,
            queue_max_backlog,
            unsafe_allow_connect,
        } => {
            set_allow_connect(unsafe_allow_connect);
            dev(
                &dir,
                port,
                ip,
                data_dir,
                unsafe_test_clock,
                queue_max_backlog,
                process_start,
            )
        }
        Command::Serve {
            dirs,
            port,
            ip,
            threads,
            data_dir,
            unsafe_test_clock,
            queue_max_backlog,
            unsafe_allow_connect,
        } => {
            set_allow_connect(unsafe_allow_connect);
            serve(
                &dirs,
                port,
                ip,
                threads,
                (data_dir, queue_max_backlog),
                unsafe_test_clock,
                process_start,
            )
        }
        Command::Kv { action } => kv_cli::run(action),
        Command::Queues { action } => queues_cli::run(action),
        Command::Hyperdrive { action } => hyperdrive_cli::run(action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dev(
    dir: &Path,
    port: Option<u16>,
    ip: Option<IpAddr>,
    data_dir: Option<PathBuf>,
    test_clock: bool,
    queue_max_backlog: u64,
    process_start: Instant,
) -> Result<(), String> {
    let config = WorkerConfig::load_dir(dir).map_err(|e| e.to_string())?;
    let data_dir = data_dir.unwrap_or_else(|| config.dir.join(".corral"));
    let services = open_services(&data_dir, queue_max_backlog)?;
    let ip = match (ip, &config.dev.ip) {
        (Some(ip), _) => ip,
        (None, Some(s)) => s.parse().map_err(|_| {
            format!(
                "{}: key `dev.ip`: `{s}` is not an IP address\n  fix: use e.g. \"127.0.0.1\"",
                config.config_path.display()
            )
        })?,
        (None, None) => IpAddr::from([127, 0, 0, 1]),
    };
    let port = port.or(config.dev.port).unwrap_or(8787);
    let name = config.name.clone();
    let _poolers = corral_hyperdrive::start_for_configs(std::slice::from_ref(&config), &services)?;
    let registry = Arc::new(Registry::build(vec![config], true, services).map_err(|e| e.message)?);
    let slot = registry.workers()[0].clone();
    corral_server::watch::check_starts(slot.bundle()).map_err(|e| e.message)?;
    let server = Server::start(
        registry.clone(),
        ServerOptions {
            addr: SocketAddr::new(ip, port),
            threads: 1,
            dev: true,
            test_clock,
        },
    )
    .map_err(|e| e.to_string())?;
    let _watcher = corral_server::watch::watch(registry, slot)
        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    println!(
        "corral dev: {name} ready on http://{} in {:.1} ms (edit and save to reload; Ctrl-C to stop)",
        server.local_addr,
        process_start.elapsed().as_secs_f64() * 1000.0
    );
    server.wait();
    Ok(())
}

fn serve(
    dirs: &[PathBuf],
    port: u16,
    ip: IpAddr,
    threads: Option<usize>,
    (data_dir, queue_max_backlog): (Option<PathBuf>, u64),
    test_clock: bool,
    process_start: Instant,
) -> Result<(), String> {
    let services = open_services(
        &data_dir.unwrap_or_else(|| PathBuf::from(".corral")),
        queue_max_backlog,
    )?;
    let mut configs = Vec::new();
    for dir in dirs {
        if find_config_file(dir).is_some() {
            configs.push(WorkerConfig::load_dir(dir).map_err(|e| e.to_string())?);
            continue;
        }
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut subdirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        let before = configs.len();
        for sub in subdirs {
            if find_config_file(&sub).is_some() {
                configs.push(WorkerConfig::load_dir(&sub).map_err(|e| e.to_string())?);
            }
        }
        if configs.len() == before {
            return Err(format!(
                "{}: no wrangler.toml / wrangler.jsonc here or in its subdirectories\n  fix: pass worker directories, or a directory holding them",
                dir.display()
            ));
        }
    }
    let mut names = std::collections::HashSet::new();
    for c in &configs {
        if !names.insert(c.name.clone()) {
            return Err(format!("{}: key `name`: another worker is already called `{}`\n  fix: give each worker a unique name", c.config_path.display(), c.name));
        }
    }
    let count = configs.len();
    let threads = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let _poolers = corral_hyperdrive::start_for_configs(&configs, &services)?;
    let registry = Arc::new(Registry::build(configs, false, services).map_err(|e| e.message)?);
    let server = Server::start(
        registry,
        ServerOptions {
            addr: SocketAddr::new(ip, port),
            threads,
            dev: false,
            test_clock,
        },
    )
    .map_err(|e| e.to_string())?;
    println!(
        "corral serve: {count} worker(s) ready on http://{} ({threads} threads) in {:.1} ms",
        server.local_addr,
        process_start.elapsed().as_secs_f64() * 1000.0
    );
    server.wait();
    Ok(())
}

/// Opens the data directory (KV, Durable Object storage, alarms) shared by every worker of the server.
/// `--unsafe-allow-connect` destinations, added to every `Services` this process opens.
static ALLOW_CONNECT: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

fn set_allow_connect(targets: Vec<String>) {
    let _ = ALLOW_CONNECT.set(targets);
}

fn open_services(data_dir: &Path, queue_max_backlog: u64) -> Result<Arc<Services>, String> {
    let storage = corral_storage::Storage::open(data_dir).map_err(|e| e.to_string())?;
    let services = Services::new(storage);
    if let Some(targets) = ALLOW_CONNECT.get() {
        for t in targets {
            if t.rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok())
                .is_none()
            {
                return Err(format!("--unsafe-allow-connect {t}: expected HOST:PORT"));
            }
            tracing::warn!("connect() may reach {t} (--unsafe-allow-connect)");
        }
        services
            .socket_allowlist
            .lock()
            .expect("socket allowlist")
            .extend(targets.iter().cloned());
    }
    services
        .queue_max_backlog
        .store(queue_max_backlog, std::sync::atomic::Ordering::Relaxed);
    Ok(services)
}
