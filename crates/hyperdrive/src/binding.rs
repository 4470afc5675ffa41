//! Hyperdrive as a binding: one in-process pooler per distinct Hyperdrive id among the workers a server runs,
//! each on 127.0.0.1 with an ephemeral port, registered in `Services::hyperdrive` so the worker side can build
//! `env.<BINDING>` and let `connect()` reach it.
//!
//! Client authentication on these endpoints is a cleartext password, random per pooler and known only to the
//! process (it reaches the worker through the binding): the endpoint is loopback-only, so nothing is sent over a
//! network, and a connect costs a string compare instead of SCRAM's 4096 PBKDF2 iterations on both sides.

use crate::{
    CacheSettings, ClientAuth, OriginConfig, PoolSettings, Pooler, PoolerConfig, PoolerHandle,
};
use corral_config::WorkerConfig;
use corral_runtime::services::HyperdriveEndpoint;
use corral_runtime::Services;
use std::net::SocketAddr;
use std::time::Duration;

/// Starts the poolers the configs ask for (one per id; the first binding naming an id decides its settings) and
/// fills `services.hyperdrive`. The handles keep nothing alive: poolers run until the process ends.
pub fn start_for_configs(
    configs: &[WorkerConfig],
    services: &Services,
) -> Result<Vec<PoolerHandle>, String> {
    let mut handles = Vec::new();
    for config in configs {
        for b in &config.hyperdrive {
            if services
                .hyperdrive
                .lock()
                .expect("hyperdrive map")
                .contains_key(&b.id)
            {
                continue;
            }
            let origin = OriginConfig::parse(&b.connection_string).map_err(|e| {
                format!(
                    "{}: key `hyperdrive` (binding {}): {e}\n  fix: write the connection string as postgres://user:password@host:port/database",
                    config.config_path.display(),
                    b.binding
                )
            })?;
            let password = crate::random_password();
            let pooler_config = PoolerConfig {
                pool: PoolSettings {
                    max_size: b.pool_size,
                    acquire_timeout: Duration::from_secs_f64(b.pool_timeout_secs),
                    idle_timeout: Duration::from_secs_f64(b.idle_timeout_secs),
                    ..PoolSettings::default()
                },
                cache: CacheSettings {
                    enabled: b.cache.enabled,
                    max_age: Duration::from_secs_f64(b.cache.max_age_secs),
                    stale_while_revalidate: Duration::from_secs_f64(
                        b.cache.stale_while_revalidate_secs,
                    ),
                    ..CacheSettings::default()
                },
                client_auth: ClientAuth::Password(password.clone()),
                origin: origin.clone(),
            };
            let handle = Pooler::spawn(pooler_config, SocketAddr::from(([127, 0, 0, 1], 0)), 1)
                .map_err(|e| {
                    format!("cannot start the Hyperdrive pooler for {}: {e}", b.binding)
                })?;
            tracing::info!(id = %b.id, origin = %origin.redacted(), addr = %handle.addr, "hyperdrive pooler ready");
            services.hyperdrive.lock().expect("hyperdrive map").insert(
                b.id.clone(),
                HyperdriveEndpoint {
                    host: "127.0.0.1".into(),
                    port: handle.addr.port(),
                    user: origin.user.clone(),
                    password,
                    database: origin.database.clone(),
                },
            );
            handles.push(handle);
        }
    }
    Ok(handles)
}
