//! Live reload for `corral dev`: watches a worker's directory, rebuilds the version on every save, checks that it
//! starts (top-level code runs) and only then swaps it in. A broken save prints file:line and the message and
//! leaves the last good version serving.

use crate::registry::{Registry, WorkerSlot};
use corral_config::WorkerConfig;
use corral_runtime::{Isolate, WorkerBundle};
use notify::{RecursiveMode, Watcher};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Editors write a file in several steps; changes closer together than this are one save.
const DEBOUNCE: Duration = Duration::from_millis(5);
const IGNORED_DIRS: [&str; 4] = ["node_modules", ".git", ".corral", ".wrangler"];

/// What one reload attempt ended with.
#[derive(Debug)]
pub enum ReloadOutcome {
    Reloaded { version: u64, elapsed: Duration },
    Failed { message: String },
}

/// Starts watching `slot`'s directory; the returned watcher must be kept alive.
pub fn watch(
    registry: Arc<Registry>,
    slot: Arc<WorkerSlot>,
) -> notify::Result<notify::RecommendedWatcher> {
    let dir = slot.config.read().expect("config lock").dir.clone();
    let data_dir = registry.services().storage.root().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(&dir, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("corral-reload".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
            let local = tokio::task::LocalSet::new();
            while let Ok(first) = rx.recv() {
                let mut relevant = is_relevant(&first, &data_dir);
                let started = Instant::now();
                while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                    relevant |= is_relevant(&more, &data_dir);
                }
                if !relevant {
                    continue;
                }
                match local.block_on(&rt, async { reload(&registry, &slot) }) {
                    ReloadOutcome::Reloaded { version, .. } => {
                        let ms = started.elapsed().as_secs_f64() * 1000.0;
                        tracing::info!(worker = %slot.name, version, "reloaded in {ms:.1} ms");
                    }
                    ReloadOutcome::Failed { message } => {
                        tracing::error!(worker = %slot.name, "reload failed, still serving the last good version:\n{message}");
                    }
                }
            }
        })
        .expect("reload thread");
    Ok(watcher)
}

/// File names whose change can change the worker: its modules (wrangler's default rules), the config, secrets.
fn is_worker_file(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == ".dev.vars" {
        return true;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some(
            "js" | "mjs"
                | "cjs"
                | "json"
                | "jsonc"
                | "toml"
                | "txt"
                | "html"
                | "sql"
                | "bin"
                | "wasm"
        )
    )
}

/// Whether `event` touches a worker file outside the ignored directories and the data directory (the server's
/// own database writes must not look like edits).
fn is_relevant(event: &notify::Result<notify::Event>, data_dir: &std::path::Path) -> bool {
    let Ok(event) = event else { return false };
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|p| {
        is_worker_file(p)
            && !p.starts_with(data_dir)
            && !p
                .components()
                .any(|c| IGNORED_DIRS.iter().any(|d| c.as_os_str() == *d))
    })
}

/// Runs a version's top-level code once in a scratch isolate, so start-up errors surface before it serves.
/// Creates its own single-threaded runtime; do not call from inside one.
pub fn check_starts(bundle: Arc<WorkerBundle>) -> Result<(), corral_runtime::BuildError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    tokio::task::LocalSet::new().block_on(&rt, async move { Isolate::new(bundle).map(drop) })
}

/// Rebuilds `slot` from disk and swaps the new version in if it starts. Must run inside a `LocalSet`.
pub fn reload(registry: &Registry, slot: &WorkerSlot) -> ReloadOutcome {
    let started = Instant::now();
    let config_path = slot.config.read().expect("config lock").config_path.clone();
    let config = match WorkerConfig::load_file(Path::new(&config_path)) {
        Ok(c) => c,
        Err(e) => {
            return ReloadOutcome::Failed {
                message: e.to_string(),
            }
        }
    };
    let version = registry.next_version();
    let bundle = match WorkerBundle::build(&config, version, registry.services().clone()) {
        Ok(b) => b,
        Err(e) => return ReloadOutcome::Failed { message: e.message },
    };
    // Run the top level once, so a throw at start-up keeps the old version serving.
    if let Err(e) = Isolate::new(bundle.clone()) {
        return ReloadOutcome::Failed { message: e.message };
    }
    *slot.config.write().expect("config lock") = config;
    slot.set_bundle(bundle);
    ReloadOutcome::Reloaded {
        version,
        elapsed: started.elapsed(),
    }
}
