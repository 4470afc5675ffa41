//! Reads a worker directory's wrangler.toml / wrangler.jsonc / wrangler.json and `.dev.vars` into a typed
//! [`WorkerConfig`]. Every error names the file, the key and the fix.

mod bindings;
mod dotenv;
mod hyperdrive;
mod jsonc;
mod route;
mod triggers;

use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

pub use bindings::{
    DurableObjectBinding, KvBinding, Migration, QueueConsumer, QueueProducer, MAX_DELAY_SECONDS,
};
pub use hyperdrive::{HyperdriveBinding, HyperdriveCache};
pub use route::RoutePattern;
pub use triggers::CronSchedule;

/// The config file names we look for, in order of preference (wrangler's own order).
pub const CONFIG_FILE_NAMES: [&str; 3] = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"];

/// A problem with a worker's configuration, written for the person who has to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub key: Option<String>,
    pub message: String,
    pub fix: Option<String>,
}

impl ConfigError {
    fn new(file: &Path, key: Option<&str>, message: impl Into<String>, fix: Option<&str>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            key: key.map(str::to_string),
            message: message.into(),
            fix: fix.map(str::to_string),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Resource limits of one worker, from the config's `[limits]` table (Cloudflare's defaults otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// CPU time one invocation may use, in milliseconds (`cpu_ms`; Cloudflare's paid default is 30 000).
    pub cpu_ms: u64,
    /// Heap size of one isolate in MiB (`memory_mb`, corral's own key; Cloudflare's fixed 128 MiB).
    pub memory_mb: u64,
    /// CPU time the script's top-level evaluation may use (`startup_ms`, corral's own key; Cloudflare: 400 ms).
    pub startup_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_ms: 30_000,
            memory_mb: 128,
            startup_ms: 400,
        }
    }
}

/// `[dev]` settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DevSettings {
    pub ip: Option<String>,
    pub port: Option<u16>,
}

/// One worker, as its configuration describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// The config file this was read from.
    pub config_path: PathBuf,
    /// The directory holding the config file; `main` and modules are relative to it.
    pub dir: PathBuf,
    pub name: String,
    /// Absolute path of the entry module.
    pub main: PathBuf,
    pub compatibility_date: Option<String>,
    pub compatibility_flags: Vec<String>,
    /// `[vars]` in file order; strings stay strings, tables and arrays become JSON values.
    pub vars: Vec<(String, Value)>,
    /// Secrets from `.dev.vars` beside the config.
    pub secrets: Vec<(String, String)>,
    pub routes: Vec<RoutePattern>,
    pub limits: Limits,
    pub dev: DevSettings,
    pub kv_namespaces: Vec<KvBinding>,
    pub durable_objects: Vec<DurableObjectBinding>,
    pub migrations: Vec<Migration>,
    /// `[triggers] crons`: cron expressions (UTC), each already checked by the parser.
    pub crons: Vec<String>,
    pub queue_producers: Vec<QueueProducer>,
    pub queue_consumers: Vec<QueueConsumer>,
    /// `hyperdrive = [...]`: Postgres configs served through a local pooler.
    pub hyperdrive: Vec<HyperdriveBinding>,
}

impl WorkerConfig {
    /// The classes this worker exports as Durable Objects (named by its migrations or its own bindings),
    /// each with whether it uses the SQLite backend.
    pub fn durable_object_classes(&self) -> Vec<(String, bool)> {
        let mut classes: Vec<(String, bool)> = Vec::new();
        for m in &self.migrations {
            for c in &m.new_sqlite_classes {
                classes.push((c.clone(), true));
            }
            for c in &m.new_classes {
                classes.push((c.clone(), false));
            }
            for (from, to) in &m.renamed_classes {
                for entry in classes.iter_mut() {
                    if &entry.0 == from {
                        entry.0 = to.clone();
                    }
                }
            }
            classes.retain(|(c, _)| !m.deleted_classes.contains(c));
        }
        for b in &self.durable_objects {
            if b.script_name.is_none() && !classes.iter().any(|(c, _)| c == &b.class_name) {
                classes.push((b.class_name.clone(), true));
            }
        }
        classes
    }
}

impl WorkerConfig {
    /// Finds and reads the wrangler config in `dir`.
    pub fn load_dir(dir: &Path) -> Result<WorkerConfig, ConfigError> {
        let Some(path) = find_config_file(dir) else {
            return Err(ConfigError::new(
                dir,
                None,
                "no wrangler.toml, wrangler.jsonc or wrangler.json in this directory",
                Some("create wrangler.toml with at least `name`, `main` and `compatibility_date`"),
            ));
        };
        WorkerConfig::load_file(&path)
    }

    /// Reads one config file (TOML or JSON with comments, by extension).
    pub fn load_file(path: &Path) -> Result<WorkerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(path, None, format!("cannot read the file: {e}"), None)
        })?;
        let root = parse_document(path, &text)?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = dir.canonicalize().unwrap_or(dir);
        let mut config = from_value(path, &dir, root)?;
        let dev_vars = dir.join(".dev.vars");
        if dev_vars.is_file() {
            let text = std::fs::read_to_string(&dev_vars).map_err(|e| {
                ConfigError::new(&dev_vars, None, format!("cannot read the file: {e}"), None)
            })?;
            config.secrets = dotenv::parse(&dev_vars, &text)?;
        }
        Ok(config)
    }
}

/// The config file in `dir`, if there is one.
pub fn find_config_file(dir: &Path) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn parse_document(path: &Path, text: &str) -> Result<Value, ConfigError> {
    let is_toml = path.extension().and_then(|e| e.to_str()) == Some("toml");
    if is_toml {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            ConfigError::new(
                path,
                None,
                format!("not valid TOML{at}: {}", e.message()),
                Some("correct the syntax at that line"),
            )
        })?;
        serde_json::to_value(table).map_err(|e| ConfigError::new(path, None, e.to_string(), None))
    } else {
        let json = jsonc::strip(text);
        serde_json::from_str(&json).map_err(|e| {
            ConfigError::new(
                path,
                None,
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
                Some("correct the syntax at that line"),
            )
        })
    }
}

const KNOWN_TOP_LEVEL_KEYS: &[&str] = &[
    "$schema",
    "name",
    "main",
    "compatibility_date",
    "compatibility_flags",
    "vars",
    "routes",
    "route",
    "limits",
    "dev",
    "workers_dev",
    "kv_namespaces",
    "durable_objects",
    "migrations",
    "queues",
    "services",
    "hyperdrive",
    "d1_databases",
    "r2_buckets",
    "triggers",
    "observability",
    "env",
    "account_id",
    "rules",
    "build",
    "no_bundle",
    "define",
    "placement",
    "assets",
    "tail_consumers",
    "unsafe",
    "secrets",
    "keep_vars",
    "minify",
    "node_compat",
    "send_metrics",
    "logpush",
    "upload_source_maps",
    "preview_urls",
];

fn from_value(path: &Path, dir: &Path, root: Value) -> Result<WorkerConfig, ConfigError> {
    let Value::Object(root) = root else {
        return Err(ConfigError::new(
            path,
            None,
            "the top level must be a table/object",
            None,
        ));
    };
    for key in root.keys() {
        if !KNOWN_TOP_LEVEL_KEYS.contains(&key.as_str()) {
            tracing::warn!(file = %path.display(), key = %key, "unknown config key, ignored");
        }
    }
    let name = match root.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(type_error(path, "name", "a string")),
        None => {
            return Err(ConfigError::new(
                path,
                Some("name"),
                "missing",
                Some("add `name = \"my-worker\"` (lowercase letters, digits and dashes)"),
            ))
        }
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(ConfigError::new(
            path,
            Some("name"),
            format!("`{name}` is not a valid worker name"),
            Some("use only lowercase letters, digits, `-` and `_`"),
        ));
    }
    let main_rel = match root.get("main") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(type_error(
                path,
                "main",
                "a string (the entry module's path)",
            ))
        }
        None => {
            return Err(ConfigError::new(
                path,
                Some("main"),
                "missing",
                Some("add `main = \"src/index.js\"`: the path of the worker's entry module"),
            ))
        }
    };
    let main = dir.join(&main_rel);
    if !main.is_file() {
        return Err(ConfigError::new(
            path,
            Some("main"),
            format!(
                "the entry module `{main_rel}` does not exist ({})",
                main.display()
            ),
            Some("point `main` at the worker's entry file, relative to the config file"),
        ));
    }
    let compatibility_date = match root.get("compatibility_date") {
        None => None,
        Some(Value::String(s)) if is_date(s) => Some(s.clone()),
        Some(_) => {
            return Err(ConfigError::new(
                path,
                Some("compatibility_date"),
                "must be a date written YYYY-MM-DD",
                Some("for example `compatibility_date = \"2026-08-01\"`"),
            ))
        }
    };
    let compatibility_flags = match root.get("compatibility_flags") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| type_error(path, "compatibility_flags", "an array of strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(type_error(
                path,
                "compatibility_flags",
                "an array of strings",
            ))
        }
    };
    let vars = match root.get("vars") {
        None => Vec::new(),
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(_) => return Err(type_error(path, "vars", "a table of names to values")),
    };
    let routes = parse_routes(path, &root)?;
    let limits = parse_limits(path, root.get("limits"))?;
    let dev = parse_dev(path, root.get("dev"))?;
    let kv_namespaces = bindings::parse_kv(path, root.get("kv_namespaces"))?;
    let durable_objects = bindings::parse_durable_objects(path, root.get("durable_objects"))?;
    let migrations = bindings::parse_migrations(path, root.get("migrations"))?;
    let crons = triggers::parse_triggers(path, root.get("triggers"))?;
    let (queue_producers, queue_consumers) = bindings::parse_queues(path, root.get("queues"))?;
    let hyperdrive = hyperdrive::parse_hyperdrive(path, root.get("hyperdrive"))?;
    Ok(WorkerConfig {
        config_path: path.to_path_buf(),
        dir: dir.to_path_buf(),
        name,
        main: main.canonicalize().unwrap_or(main),
        compatibility_date,
        compatibility_flags,
        vars,
        secrets: Vec::new(),
        routes,
        limits,
        dev,
        kv_namespaces,
        durable_objects,
        migrations,
        crons,
        queue_producers,
        queue_consumers,
        hyperdrive,
    })
}

pub(crate) fn type_error(path: &Path, key: &str, expected: &str) -> ConfigError {
    ConfigError::new(path, Some(key), format!("must be {expected}"), None)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn parse_routes(path: &Path, root: &Map<String, Value>) -> Result<Vec<RoutePattern>, ConfigError> {
    let mut entries: Vec<(String, &Value)> = Vec::new();
    if let Some(v) = root.get("route") {
        entries.push(("route".into(), v));
    }
    match root.get("routes") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                entries.push((format!("routes[{i}]"), v));
            }
        }
        Some(_) => return Err(type_error(path, "routes", "an array of route patterns")),
    }
    entries
        .into_iter()
        .map(|(key, v)| {
            let pattern = match v {
                Value::String(s) => s.as_str(),
                Value::Object(m) => match m.get("pattern") {
                    Some(Value::String(s)) => s.as_str(),
                    _ => {
                        return Err(ConfigError::new(
                            path,
                            Some(&format!("{key}.pattern")),
                            "missing",
                            Some("write routes as `\"example.com/*\"` or `{ pattern = \"example.com/*\" }`"),
                        ))
                    }
                },
                _ => return Err(type_error(path, &key, "a string or a table with `pattern`")),
            };
            RoutePattern::parse(pattern).map_err(|message| {
                ConfigError::new(
                    path,
                    Some(&key),
                    message,
                    Some("a route is a host with an optional leading `*` and a path with an optional trailing `*`, like `*.example.com/api/*`"),
                )
            })
        })
        .collect()
}

fn parse_limits(path: &Path, v: Option<&Value>) -> Result<Limits, ConfigError> {
    let mut limits = Limits::default();
    let Some(v) = v else { return Ok(limits) };
    let Value::Object(m) = v else {
        return Err(type_error(path, "limits", "a table"));
    };
    for (k, v) in m {
        let key = format!("limits.{k}");
        let slot = match k.as_str() {
            "cpu_ms" => &mut limits.cpu_ms,
            "memory_mb" => &mut limits.memory_mb,
            "startup_ms" => &mut limits.startup_ms,
            "subrequests" => continue,
            _ => {
                tracing::warn!(file = %path.display(), key = %key, "unknown limit, ignored");
                continue;
            }
        };
        match v.as_u64() {
            Some(n) if n > 0 => *slot = n,
            _ => return Err(type_error(path, &key, "a positive whole number")),
        }
    }
    if limits.cpu_ms > 300_000 {
        return Err(ConfigError::new(
            path,
            Some("limits.cpu_ms"),
            format!(
                "{} is above Cloudflare's maximum of 300000 (5 minutes)",
                limits.cpu_ms
            ),
            Some("set `cpu_ms` to at most 300000"),
        ));
    }
    Ok(limits)
}

fn parse_dev(path: &Path, v: Option<&Value>) -> Result<DevSettings, ConfigError> {
    let mut dev = DevSettings::default();
    let Some(v) = v else { return Ok(dev) };
    let Value::Object(m) = v else {
        return Err(type_error(path, "dev", "a table"));
    };
    if let Some(ip) = m.get("ip") {
        dev.ip = Some(
            ip.as_str()
                .ok_or_else(|| type_error(path, "dev.ip", "a string"))?
                .to_string(),
        );
    }
    if let Some(port) = m.get("port") {
        let port = port
            .as_u64()
            .filter(|p| *p > 0 && *p <= 65535)
            .ok_or_else(|| type_error(path, "dev.port", "a port number between 1 and 65535"))?;
        dev.port = Some(port as u16);
    }
    Ok(dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_toml_with_vars_routes_limits_and_dev_vars() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "src/index.js", "export default {}");
        write(
            d.path(),
            "wrangler.toml",
            r#"name = "api"
main = "src/index.js"
compatibility_date = "2026-08-01"
compatibility_flags = ["nodejs_compat"]
routes = ["example.com/*", { pattern = "*.api.test/v1/*", zone_name = "api.test" }]
[vars]
GREETING = "hi"
FLAGS = { beta = true }
[limits]
cpu_ms = 50
[dev]
port = 9999
"#,
        );
        write(
            d.path(),
            ".dev.vars",
            "# secrets\nTOKEN=\"s3cret\"\nOTHER=plain value\n",
        );
        let c = WorkerConfig::load_dir(d.path()).unwrap();
        assert_eq!(c.name, "api");
        assert_eq!(c.compatibility_flags, vec!["nodejs_compat"]);
        assert_eq!(c.vars[0], ("GREETING".into(), Value::String("hi".into())));
        assert_eq!(c.vars[1].1, serde_json::json!({"beta": true}));
        assert_eq!(c.routes.len(), 2);
        assert_eq!(c.limits.cpu_ms, 50);
        assert_eq!(c.limits.memory_mb, 128);
        assert_eq!(c.dev.port, Some(9999));
        assert_eq!(
            c.secrets,
            vec![
                ("TOKEN".into(), "s3cret".into()),
                ("OTHER".into(), "plain value".into())
            ]
        );
    }

    #[test]
    fn reads_jsonc_with_comments_and_trailing_commas() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "index.js", "export default {}");
        write(
            d.path(),
            "wrangler.jsonc",
            "{\n // comment\n \"name\": \"w\", /* block */ \"main\": \"index.js\",\n \"vars\": {\"A\": \"x // not a comment\",},\n}",
        );
        let c = WorkerConfig::load_dir(d.path()).unwrap();
        assert_eq!(c.vars[0].1, Value::String("x // not a comment".into()));
    }

    #[test]
    fn errors_name_file_key_and_fix() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "wrangler.toml",
            "name = \"w\"\nmain = \"missing.js\"\n",
        );
        let e = WorkerConfig::load_dir(d.path()).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("main"));
        let text = e.to_string();
        assert!(text.contains("wrangler.toml"), "{text}");
        assert!(text.contains("fix:"), "{text}");

        write(
            d.path(),
            "wrangler.toml",
            "name = \"w\"\nmain = \"x.js\"\n[limits]\ncpu_ms = \"fast\"\n",
        );
        write(d.path(), "x.js", "");
        let e = WorkerConfig::load_dir(d.path()).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("limits.cpu_ms"));

        write(
            d.path(),
            "wrangler.toml",
            "name = \"w\"\nmain = \"x.js\"\nroutes = [\"ex*ample.com/\"]\n",
        );
        let e = WorkerConfig::load_dir(d.path()).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("routes[0]"));

        write(
            d.path(),
            "wrangler.toml",
            "name = \"w\"\nmain = = \"x.js\"\n",
        );
        let e = WorkerConfig::load_dir(d.path()).unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn missing_config_is_explained() {
        let d = tempfile::tempdir().unwrap();
        let e = WorkerConfig::load_dir(d.path()).unwrap_err();
        assert!(e.to_string().contains("no wrangler.toml"));
    }
}
