//! `corral kv`: read and write a KV namespace's local data from the shell. It opens the same SQLite file the
//! server uses (`<data dir>/kv/<namespace id>.sqlite`, WAL mode), so it works while `corral dev` runs.

use clap::{Args, Subcommand};
use corral_config::{find_config_file, WorkerConfig};
use corral_storage::kv::{self, KvNamespace};
use corral_storage::Storage;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum KvAction {
    /// Store VALUE (or the bytes of --path) under KEY.
    Put {
        /// The key (at most 512 bytes of UTF-8).
        key: String,
        /// The value (omit it with --path).
        #[arg(required_unless_present = "path")]
        value: Option<String>,
        /// Read the value from this file instead.
        #[arg(long, conflicts_with = "value")]
        path: Option<PathBuf>,
        /// Seconds until the key expires (at least 60).
        #[arg(long)]
        ttl: Option<i64>,
        /// Metadata as JSON (at most 1024 bytes).
        #[arg(long)]
        metadata: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Print the value under KEY.
    Get {
        /// The key (at most 512 bytes of UTF-8).
        key: String,
        #[command(flatten)]
        target: Target,
    },
    /// Print the keys (JSON, all pages), optionally only those starting with --prefix.
    List {
        #[arg(long, default_value = "")]
        prefix: String,
        #[command(flatten)]
        target: Target,
    },
    /// Remove KEY.
    Delete {
        /// The key (at most 512 bytes of UTF-8).
        key: String,
        #[command(flatten)]
        target: Target,
    },
}

/// Which namespace: a binding of the worker's config, or a namespace id.
#[derive(Args)]
pub struct Target {
    /// The KV binding name in the worker's config (default: its only KV namespace).
    #[arg(long, conflicts_with = "namespace_id")]
    binding: Option<String>,
    /// The namespace id (no config needed).
    #[arg(long)]
    namespace_id: Option<String>,
    /// The worker directory holding wrangler.toml / wrangler.jsonc.
    #[arg(long, default_value = ".")]
    config: PathBuf,
    /// Where durable state lives (default: .corral/ beside the config, as for `corral dev`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl Target {
    fn open(&self) -> Result<Arc<KvNamespace>, String> {
        let config = if self.namespace_id.is_some() && find_config_file(&self.config).is_none() {
            None
        } else {
            Some(WorkerConfig::load_dir(&self.config).map_err(|e| e.to_string())?)
        };
        let id = match (&self.namespace_id, &self.binding, &config) {
            (Some(id), _, _) => id.clone(),
            (None, binding, Some(config)) => {
                let names: Vec<&str> = config
                    .kv_namespaces
                    .iter()
                    .map(|b| b.binding.as_str())
                    .collect();
                let found = match binding {
                    Some(b) => config.kv_namespaces.iter().find(|k| &k.binding == b),
                    None if config.kv_namespaces.len() == 1 => config.kv_namespaces.first(),
                    None => None,
                };
                match (found, binding) {
                    (Some(k), _) => k.id.clone(),
                    (None, Some(b)) => {
                        return Err(format!(
                            "{}: no KV namespace is bound as `{b}` (bindings: {})\n  fix: pass --binding with one of them, or --namespace-id",
                            config.config_path.display(),
                            if names.is_empty() { "none".to_string() } else { names.join(", ") }
                        ))
                    }
                    (None, None) if names.is_empty() => {
                        return Err(format!(
                            "{}: the worker has no `kv_namespaces`\n  fix: add one, or pass --namespace-id",
                            config.config_path.display()
                        ))
                    }
                    (None, None) => {
                        return Err(format!(
                            "{}: the worker has several KV namespaces ({})\n  fix: pick one with --binding",
                            config.config_path.display(),
                            names.join(", ")
                        ))
                    }
                }
            }
            (None, _, None) => unreachable!("a config is loaded unless --namespace-id is given"),
        };
        let data_dir = match (&self.data_dir, &config) {
            (Some(d), _) => d.clone(),
            (None, Some(c)) => c.dir.join(".corral"),
            (None, None) => self.config.join(".corral"),
        };
        let storage = Storage::open(&data_dir).map_err(|e| e.to_string())?;
        storage.kv(&id).map_err(|e| e.to_string())
    }
}

pub fn run(action: KvAction) -> Result<(), String> {
    match action {
        KvAction::Put {
            key,
            value,
            path,
            ttl,
            metadata,
            target,
        } => {
            kv::check_key(&key).map_err(|e| e.to_string())?;
            let bytes = match (value, path) {
                (_, Some(p)) => std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?,
                (Some(v), None) => v.into_bytes(),
                (None, None) => return Err("pass a VALUE or --path FILE".into()),
            };
            if bytes.len() > kv::MAX_VALUE_BYTES {
                return Err(format!(
                    "Value length of {} exceeds limit of {}.",
                    bytes.len(),
                    kv::MAX_VALUE_BYTES
                ));
            }
            let expiration = match ttl {
                None => None,
                Some(t) if t < kv::MIN_EXPIRATION_TTL_S => {
                    return Err(format!(
                        "Invalid expiration_ttl of {t}. Expiration TTL must be at least {}.",
                        kv::MIN_EXPIRATION_TTL_S
                    ))
                }
                Some(t) => Some(KvNamespace::now_s() + t),
            };
            let metadata = match metadata {
                None => None,
                Some(m) => Some(kv::normalize_metadata(&m).map_err(|e| e.to_string())?),
            };
            let ns = target.open()?;
            ns.put(&key, &bytes, expiration, metadata.as_deref())
                .map_err(|e| e.to_string())?;
            eprintln!("Wrote {} bytes to key {key:?}.", bytes.len());
            Ok(())
        }
        KvAction::Get { key, target } => {
            kv::check_key(&key).map_err(|e| e.to_string())?;
            let ns = target.open()?;
            match ns.get(&key).map_err(|e| e.to_string())? {
                Some(entry) => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&entry.value)
                        .and_then(|()| out.flush())
                        .map_err(|e| e.to_string())
                }
                None => Err(format!("Value not found for key {key:?}.")),
            }
        }
        KvAction::List { prefix, target } => {
            let ns = target.open()?;
            let mut keys = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = ns
                    .list(&prefix, kv::MAX_LIST_LIMIT, cursor.as_deref())
                    .map_err(|e| e.to_string())?;
                let json = page.to_json();
                // `{"keys":[...],...}`: keep the array's items.
                let start = json.find('[').unwrap_or(0) + 1;
                let end = json.rfind("],\"list_complete\"").unwrap_or(start);
                if end > start {
                    keys.push(json[start..end].to_string());
                }
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            println!("[{}]", keys.join(","));
            Ok(())
        }
        KvAction::Delete { key, target } => {
            kv::check_key(&key).map_err(|e| e.to_string())?;
            let ns = target.open()?;
            ns.delete(&key).map_err(|e| e.to_string())?;
            eprintln!("Deleted key {key:?}.");
            Ok(())
        }
    }
}
