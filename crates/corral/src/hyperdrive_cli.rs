//! `corral hyperdrive`: run the Postgres pooler on its own (a PgBouncer replacement with prepared-statement replay
//! and a query cache), and check an origin database before it goes into a wrangler config.

use clap::{Subcommand, ValueEnum};
use corral_hyperdrive::{
    auth::ScramVerifier, CacheSettings, ClientAuth, OriginConfig, OriginConn, PoolSettings, Pooler,
    PoolerConfig,
};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Subcommand)]
pub enum HyperdriveAction {
    /// Serve a transaction-mode pool of connections to ORIGIN on LISTEN. Clients connect with the origin's user
    /// and database names (and, with the default SCRAM auth, the origin's password).
    Serve {
        /// The origin database: postgres://user:password@host:port/database[?sslmode=require]
        #[arg(long)]
        origin: String,
        #[arg(long, default_value = "127.0.0.1:6432")]
        listen: SocketAddr,
        /// Origin connections at most.
        #[arg(long, default_value_t = 20)]
        pool_size: usize,
        /// Seconds a client waits for a free connection before it gets SQLSTATE 53300.
        #[arg(long, default_value_t = 10.0)]
        pool_timeout: f64,
        /// Seconds an idle origin connection is kept.
        #[arg(long, default_value_t = 300.0)]
        idle_timeout: f64,
        /// Cache the results of read-only queries (off by default for the standalone server).
        #[arg(long, overrides_with = "no_cache")]
        cache: bool,
        #[arg(long, overrides_with = "cache")]
        no_cache: bool,
        /// Seconds a cached result is fresh.
        #[arg(long, default_value_t = 60.0)]
        max_age: f64,
        /// Seconds a result is served stale while it is refreshed.
        #[arg(long, default_value_t = 15.0)]
        stale_while_revalidate: f64,
        /// How clients authenticate: scram (the origin's password, SCRAM-SHA-256), password (the origin's
        /// password in cleartext: loopback only) or trust (no password: loopback only).
        #[arg(long, value_enum, default_value_t = Auth::Scram)]
        auth: Auth,
        /// Runtime threads of the pooler.
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Check that an origin database accepts connections (connect, authenticate, `SELECT 1`) and print the
    /// wrangler config to bind it.
    Create {
        /// The config's name (also its id).
        name: String,
        /// postgres://user:password@host:port/database[?sslmode=require]
        #[arg(long)]
        connection_string: String,
        /// Turn the query cache off for this config.
        #[arg(long)]
        caching_disabled: bool,
        /// Seconds a cached result is fresh.
        #[arg(long)]
        max_age: Option<f64>,
        /// Seconds a result is served stale while it is refreshed.
        #[arg(long)]
        swr: Option<f64>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Auth {
    Scram,
    Password,
    Trust,
}

pub fn run(action: HyperdriveAction) -> Result<(), String> {
    match action {
        HyperdriveAction::Serve {
            origin,
            listen,
            pool_size,
            pool_timeout,
            idle_timeout,
            cache,
            no_cache,
            max_age,
            stale_while_revalidate,
            auth,
            threads,
        } => {
            let origin = OriginConfig::parse(&origin).map_err(|e| {
                format!(
                    "--origin: {e}\n  fix: write it as postgres://user:password@host:port/database"
                )
            })?;
            let secs = |name: &str, v: f64| {
                if v.is_finite() && v > 0.0 {
                    Ok(Duration::from_secs_f64(v))
                } else {
                    Err(format!("--{name} must be a positive number of seconds"))
                }
            };
            if pool_size == 0 {
                return Err("--pool-size must be at least 1".into());
            }
            let client_auth = match auth {
                Auth::Scram => ClientAuth::Scram(ScramVerifier::new(&origin.password, 4096)),
                Auth::Password => ClientAuth::Password(origin.password.clone()),
                Auth::Trust => ClientAuth::Trust,
            };
            if !matches!(auth, Auth::Scram) && !listen.ip().is_loopback() {
                return Err(format!("--auth {} sends or skips passwords in the clear; it is only allowed on a loopback --listen address\n  fix: use --auth scram, or listen on 127.0.0.1", if matches!(auth, Auth::Trust) { "trust" } else { "password" }));
            }
            let config = PoolerConfig {
                pool: PoolSettings {
                    max_size: pool_size,
                    acquire_timeout: secs("pool-timeout", pool_timeout)?,
                    idle_timeout: secs("idle-timeout", idle_timeout)?,
                    ..PoolSettings::default()
                },
                cache: CacheSettings {
                    enabled: cache && !no_cache,
                    max_age: secs("max-age", max_age)?,
                    stale_while_revalidate: Duration::from_secs_f64(
                        stale_while_revalidate.max(0.0),
                    ),
                    ..CacheSettings::default()
                },
                client_auth,
                origin: origin.clone(),
            };
            let cache_on = config.cache.enabled;
            let handle = Pooler::spawn(config, listen, threads)
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            println!(
                "corral hyperdrive: pooling {} on {} (pool {pool_size}, cache {}); `SHOW CORRAL STATS` for counters; Ctrl-C to stop",
                origin.redacted(),
                handle.addr,
                if cache_on { "on" } else { "off" }
            );
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let _ = tokio::signal::ctrl_c().await;
            });
            Ok(())
        }
        HyperdriveAction::Create {
            name,
            connection_string,
            caching_disabled,
            max_age,
            swr,
        } => {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "`{name}` is not a valid name\n  fix: use letters, digits, `-` and `_`"
                ));
            }
            let origin = OriginConfig::parse(&connection_string).map_err(|e| {
                format!("--connection-string: {e}\n  fix: write it as postgres://user:password@host:port/database")
            })?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let mut conn = OriginConn::connect(&origin).await.map_err(|e| {
                    let fix = match e.sqlstate.as_deref() {
                        Some("28P01") | Some("28000") => "check the user name and password in the connection string",
                        Some("3D000") => "create the database, or name an existing one in the connection string",
                        Some("53300") => "the origin has no free connection slots; raise max_connections or close other clients",
                        _ => "check that the database is running and reachable at that host and port (and its pg_hba.conf)",
                    };
                    format!("cannot create Hyperdrive config `{name}`: {e}\n  fix: {fix}")
                })?;
                match conn.simple("SELECT 1").await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(format!("cannot create Hyperdrive config `{name}`: `SELECT 1` failed on the origin: {e}")),
                    Err(e) => Err(format!("cannot create Hyperdrive config `{name}`: the origin closed the connection: {e}")),
                }
            })?;
            let binding: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            let mut extra = String::new();
            if caching_disabled || max_age.is_some() || swr.is_some() {
                let mut parts = vec![format!("enabled = {}", !caching_disabled)];
                if let Some(m) = max_age {
                    parts.push(format!("max_age = {m}"));
                }
                if let Some(s) = swr {
                    parts.push(format!("stale_while_revalidate = {s}"));
                }
                extra = format!(", cache = {{ {} }}", parts.join(", "));
            }
            println!(
                "Hyperdrive config `{name}`: the origin {} accepted the connection and answered SELECT 1.\n\nAdd to wrangler.toml:\n\nhyperdrive = [{{ binding = \"{binding}\", id = \"{name}\", localConnectionString = \"{connection_string}\"{extra} }}]\n\nor to wrangler.jsonc:\n\n\"hyperdrive\": [{{ \"binding\": \"{binding}\", \"id\": \"{name}\", \"localConnectionString\": \"{connection_string}\" }}]\n\n(or keep the password out of the file: set CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{binding})",
                origin.redacted()
            );
            Ok(())
        }
    }
}
