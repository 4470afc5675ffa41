//! `hyperdrive = [{ binding, id, localConnectionString }]`, plus corral's own pool and cache settings on the same
//! entry (wrangler ignores keys it does not know there):
//!
//! ```toml
//! hyperdrive = [{ binding = "DB", id = "main-db", localConnectionString = "postgres://app:pw@127.0.0.1:5432/app",
//!                 pool_size = 20, idle_timeout = 300, pool_timeout = 10,
//!                 cache = { enabled = true, max_age = 60, stale_while_revalidate = 15 } }]
//! ```
//!
//! `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` (or wrangler's older
//! `WRANGLER_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>`) overrides `localConnectionString`, as in wrangler.

use crate::{type_error, ConfigError};
use serde_json::Value;
use std::path::Path;

/// One Hyperdrive binding.
#[derive(Debug, Clone, PartialEq)]
pub struct HyperdriveBinding {
    /// The name the worker sees in `env`.
    pub binding: String,
    /// The Hyperdrive config id: bindings naming the same id share one pooler.
    pub id: String,
    /// The origin database (`localConnectionString`, or the environment override).
    pub connection_string: String,
    /// Origin connections at most (`pool_size`, default 20).
    pub pool_size: usize,
    /// Seconds an idle origin connection is kept (`idle_timeout`, default 300).
    pub idle_timeout_secs: f64,
    /// Seconds a query waits for a free connection before failing with 53300 (`pool_timeout`, default 10).
    pub pool_timeout_secs: f64,
    pub cache: HyperdriveCache,
}

/// `cache = { enabled, max_age, stale_while_revalidate }` (seconds; Hyperdrive's defaults 60 and 15).
#[derive(Debug, Clone, PartialEq)]
pub struct HyperdriveCache {
    pub enabled: bool,
    pub max_age_secs: f64,
    pub stale_while_revalidate_secs: f64,
}

impl Default for HyperdriveCache {
    fn default() -> Self {
        HyperdriveCache {
            enabled: true,
            max_age_secs: 60.0,
            stale_while_revalidate_secs: 15.0,
        }
    }
}

const ENV_PREFIXES: [&str; 2] = [
    "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_",
    "WRANGLER_HYPERDRIVE_LOCAL_CONNECTION_STRING_",
];

pub(crate) fn parse_hyperdrive(
    path: &Path,
    v: Option<&Value>,
) -> Result<Vec<HyperdriveBinding>, ConfigError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let Value::Array(entries) = v else {
        return Err(type_error(
            path,
            "hyperdrive",
            "an array like `hyperdrive = [{ binding = \"DB\", id = \"...\", localConnectionString = \"postgres://...\" }]`",
        ));
    };
    let mut out: Vec<HyperdriveBinding> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = format!("hyperdrive[{i}]");
        let Value::Object(m) = entry else {
            return Err(type_error(
                path,
                &key,
                "a table with `binding`, `id` and `localConnectionString`",
            ));
        };
        let binding = match m.get("binding") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => {
                return Err(type_error(
                    path,
                    &format!("{key}.binding"),
                    "a non-empty string",
                ))
            }
            None => {
                return Err(ConfigError::new(
                    path,
                    Some(&format!("{key}.binding")),
                    "missing",
                    Some("add `binding = \"DB\"`: the name the worker sees in `env`"),
                ))
            }
        };
        if out.iter().any(|b| b.binding == binding) {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.binding")),
                format!("the binding name `{binding}` is used twice"),
                Some("give each Hyperdrive config its own binding name"),
            ));
        }
        let id = match m.get("id") {
            None => binding.clone(),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => return Err(type_error(path, &format!("{key}.id"), "a non-empty string")),
        };
        let from_env = ENV_PREFIXES
            .iter()
            .find_map(|p| std::env::var(format!("{p}{binding}")).ok())
            .filter(|s| !s.is_empty());
        let connection_string = match (from_env, m.get("localConnectionString")) {
            (Some(s), _) => s,
            (None, Some(Value::String(s))) if !s.is_empty() => s.clone(),
            (None, Some(_)) => {
                return Err(type_error(
                    path,
                    &format!("{key}.localConnectionString"),
                    "a postgres:// connection string",
                ))
            }
            (None, None) => {
                return Err(ConfigError::new(
                    path,
                    Some(&format!("{key}.localConnectionString")),
                    "missing: corral needs the origin database to pool connections to",
                    Some(&format!("add `localConnectionString = \"postgres://user:password@127.0.0.1:5432/db\"`, or set CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_{binding}")),
                ))
            }
        };
        if !(connection_string.starts_with("postgres://")
            || connection_string.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.localConnectionString")),
                "must start with postgres:// or postgresql://",
                Some("write it as postgres://user:password@host:port/database"),
            ));
        }
        let number = |k: &str, default: f64| -> Result<f64, ConfigError> {
            match m.get(k) {
                None => Ok(default),
                Some(v) => match v.as_f64() {
                    Some(n) if n > 0.0 => Ok(n),
                    _ => Err(type_error(path, &format!("{key}.{k}"), "a positive number")),
                },
            }
        };
        let pool_size = number("pool_size", 20.0)?;
        if pool_size.fract() != 0.0 || pool_size > 10_000.0 {
            return Err(type_error(
                path,
                &format!("{key}.pool_size"),
                "a whole number from 1 to 10000",
            ));
        }
        let cache =
            match m.get("cache") {
                None => HyperdriveCache::default(),
                Some(Value::Bool(enabled)) => HyperdriveCache {
                    enabled: *enabled,
                    ..HyperdriveCache::default()
                },
                Some(Value::Object(c)) => {
                    let mut cache = HyperdriveCache::default();
                    for (k, v) in c {
                        let ck = format!("{key}.cache.{k}");
                        match k.as_str() {
                        "enabled" => {
                            cache.enabled = v
                                .as_bool()
                                .ok_or_else(|| type_error(path, &ck, "true or false"))?
                        }
                        "disabled" => {
                            cache.enabled = !v
                                .as_bool()
                                .ok_or_else(|| type_error(path, &ck, "true or false"))?
                        }
                        "max_age" | "stale_while_revalidate" => {
                            let n = v
                                .as_f64()
                                .filter(|n| *n >= 0.0)
                                .ok_or_else(|| type_error(path, &ck, "a number of seconds"))?;
                            if k == "max_age" {
                                cache.max_age_secs = n;
                            } else {
                                cache.stale_while_revalidate_secs = n;
                            }
                        }
                        _ => return Err(ConfigError::new(
                            path,
                            Some(&ck),
                            "unknown cache setting",
                            Some("use `enabled`, `max_age` and `stale_while_revalidate` (seconds)"),
                        )),
                    }
                    }
                    cache
                }
                Some(_) => return Err(type_error(
                    path,
                    &format!("{key}.cache"),
                    "a table like `{ enabled = true, max_age = 60, stale_while_revalidate = 15 }`",
                )),
            };
        out.push(HyperdriveBinding {
            binding,
            id,
            connection_string,
            pool_size: pool_size as usize,
            idle_timeout_secs: number("idle_timeout", 300.0)?,
            pool_timeout_secs: number("pool_timeout", 10.0)?,
            cache,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_settings() {
        let v: Value = serde_json::json!([
            { "binding": "DB", "id": "x", "localConnectionString": "postgres://a:b@127.0.0.1/db",
              "pool_size": 5, "cache": { "enabled": false, "max_age": 2 } }
        ]);
        let b = parse_hyperdrive(Path::new("wrangler.toml"), Some(&v)).unwrap();
        assert_eq!(b[0].pool_size, 5);
        assert!(!b[0].cache.enabled);
        assert_eq!(b[0].cache.max_age_secs, 2.0);
        assert_eq!(b[0].cache.stale_while_revalidate_secs, 15.0);
    }

    #[test]
    fn errors_name_the_key() {
        let v: Value = serde_json::json!([{ "binding": "NOPE_HD_TEST", "id": "x" }]);
        let e = parse_hyperdrive(Path::new("wrangler.toml"), Some(&v)).unwrap_err();
        assert_eq!(
            e.key.as_deref(),
            Some("hyperdrive[0].localConnectionString")
        );
        let v: Value =
            serde_json::json!([{ "binding": "DB", "localConnectionString": "mysql://x" }]);
        let e = parse_hyperdrive(Path::new("wrangler.toml"), Some(&v)).unwrap_err();
        assert!(e.to_string().contains("postgres://"));
        let v: Value = serde_json::json!([{ "binding": "DB", "localConnectionString": "postgres://a@b/c", "pool_size": 0 }]);
        assert!(parse_hyperdrive(Path::new("wrangler.toml"), Some(&v)).is_err());
    }
}
