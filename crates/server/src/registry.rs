//! The set of workers a server runs, each with its current version (bundle), and the routing of a request's
//! host and path to one of them. Shared by all listener threads; a reload swaps a worker's bundle in place.

use corral_config::{RoutePattern, WorkerConfig};
use corral_runtime::{BuildError, Services, WorkerBundle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// One worker: its configuration and the version currently serving.
pub struct WorkerSlot {
    pub name: String,
    pub config: RwLock<WorkerConfig>,
    routes: Vec<RoutePattern>,
    bundle: RwLock<Arc<WorkerBundle>>,
}

impl WorkerSlot {
    pub fn bundle(&self) -> Arc<WorkerBundle> {
        self.bundle.read().expect("bundle lock").clone()
    }

    pub fn set_bundle(&self, bundle: Arc<WorkerBundle>) {
        *self.bundle.write().expect("bundle lock") = bundle;
    }
}

/// All workers of a server.
pub struct Registry {
    workers: Vec<Arc<WorkerSlot>>,
    /// In dev mode every request goes to the one worker, whatever its host.
    single: bool,
    next_version: AtomicU64,
    services: Arc<Services>,
}

impl Registry {
    /// Compiles every worker; fails on the first that does not build.
    pub fn build(
        configs: Vec<WorkerConfig>,
        single: bool,
        services: Arc<Services>,
    ) -> Result<Registry, BuildError> {
        let next_version = AtomicU64::new(1);
        let mut workers = Vec::with_capacity(configs.len());
        for config in configs {
            let version = next_version.fetch_add(1, Ordering::Relaxed);
            let bundle = WorkerBundle::build(&config, version, services.clone()).map_err(|e| {
                BuildError {
                    message: format!(
                        "{} ({}): {}",
                        config.name,
                        config.config_path.display(),
                        e.message
                    ),
                }
            })?;
            workers.push(Arc::new(WorkerSlot {
                name: config.name.clone(),
                routes: config.routes.clone(),
                config: RwLock::new(config),
                bundle: RwLock::new(bundle),
            }));
        }
        Ok(Registry {
            workers,
            single,
            next_version,
            services,
        })
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The worker called `name`.
    pub fn by_name(&self, name: &str) -> Option<&Arc<WorkerSlot>> {
        self.workers.iter().find(|w| w.name == name)
    }

    pub fn workers(&self) -> &[Arc<WorkerSlot>] {
        &self.workers
    }

    pub fn next_version(&self) -> u64 {
        self.next_version.fetch_add(1, Ordering::Relaxed)
    }

    /// The worker a request for `host` (may carry a port) and `path` goes to.
    pub fn route(&self, host: &str, path: &str) -> Option<&Arc<WorkerSlot>> {
        if self.single {
            return self.workers.first();
        }
        let host = strip_port(host);
        let by_route = self
            .workers
            .iter()
            .flat_map(|w| w.routes.iter().map(move |r| (r, w)))
            .filter(|(r, _)| r.matches(host, path))
            .max_by_key(|(r, _)| r.specificity())
            .map(|(_, w)| w);
        by_route.or_else(|| {
            let name = host.strip_suffix(".localhost")?;
            self.workers.iter().find(|w| w.name == name)
        })
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split(']')
            .next()
            .map(|h| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(dir: &std::path::Path, name: &str, routes: &str) -> WorkerConfig {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("index.js"), "export default {}").unwrap();
        std::fs::write(
            d.join("wrangler.toml"),
            format!("name = \"{name}\"\nmain = \"index.js\"\n{routes}"),
        )
        .unwrap();
        WorkerConfig::load_dir(&d).unwrap()
    }

    #[test]
    fn routes_by_pattern_then_by_name_localhost() {
        let d = tempfile::tempdir().unwrap();
        let reg = Registry::build(
            vec![
                worker(d.path(), "site", "routes = [\"example.com/*\"]"),
                worker(d.path(), "api", "routes = [\"example.com/api/*\"]"),
                worker(d.path(), "plain", ""),
            ],
            false,
            Services::shared_temporary(),
        )
        .unwrap();
        assert_eq!(reg.route("example.com", "/x").unwrap().name, "site");
        assert_eq!(
            reg.route("example.com:8787", "/api/v1").unwrap().name,
            "api"
        );
        assert_eq!(
            reg.route("plain.localhost:8787", "/").unwrap().name,
            "plain"
        );
        assert!(reg.route("other.localhost", "/").is_none());
        assert!(reg.route("127.0.0.1:8787", "/").is_none());
    }
}
