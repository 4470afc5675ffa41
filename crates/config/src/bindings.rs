//! The binding sections of a wrangler config: `kv_namespaces`, `[durable_objects] bindings` and `migrations`.
//! Each entry is checked for the keys Cloudflare requires, and errors name the exact key (`kv_namespaces[1].id`).

use crate::{type_error, ConfigError};
use serde_json::{Map, Value};
use std::path::Path;

/// `kv_namespaces = [{ binding, id }]`.
#[derive(Debug, Clone, PartialEq)]
pub struct KvBinding {
    /// The name the worker sees in `env`.
    pub binding: String,
    /// The namespace id: workers naming the same id share the data.
    pub id: String,
}

/// One entry of `[durable_objects] bindings`.
#[derive(Debug, Clone, PartialEq)]
pub struct DurableObjectBinding {
    /// The name the worker sees in `env`.
    pub name: String,
    /// The exported class implementing the object.
    pub class_name: String,
    /// The worker exporting the class, when it is not this one.
    pub script_name: Option<String>,
}

/// One entry of `migrations`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Migration {
    pub tag: String,
    /// Classes with the legacy key-value storage backend.
    pub new_classes: Vec<String>,
    /// Classes with the SQLite storage backend (`storage.sql`).
    pub new_sqlite_classes: Vec<String>,
    pub deleted_classes: Vec<String>,
    /// `(from, to)` pairs.
    pub renamed_classes: Vec<(String, String)>,
}

/// `[[queues.producers]]`: `env[binding].send(...)` appends to `queue`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueProducer {
    pub binding: String,
    pub queue: String,
    /// Default delay of every message, in seconds (`delivery_delay`).
    pub delivery_delay: u32,
}

/// `[[queues.consumers]]`: this worker's `queue()` handler receives batches from `queue`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueConsumer {
    pub queue: String,
    /// 1..=100, Cloudflare's default 10.
    pub max_batch_size: u32,
    /// Seconds a batch may wait to fill, 0..=60, Cloudflare's default 5.
    pub max_batch_timeout: f64,
    /// Deliveries after the first before a message goes to the dead-letter queue (default 3, at most 100).
    pub max_retries: u32,
    pub dead_letter_queue: Option<String>,
    /// Seconds before a retried message is delivered again (default 0).
    pub retry_delay: u32,
    /// Batches of this queue processed at once (unset: 4).
    pub max_concurrency: Option<u32>,
}

/// Cloudflare's longest message delay (12 hours).
pub const MAX_DELAY_SECONDS: u64 = 43_200;

pub(crate) fn parse_queues(
    path: &Path,
    v: Option<&Value>,
) -> Result<(Vec<QueueProducer>, Vec<QueueConsumer>), ConfigError> {
    let Some(v) = v else {
        return Ok((Vec::new(), Vec::new()));
    };
    let m = object(
        path,
        "queues",
        v,
        "a table with `producers` and/or `consumers`",
    )?;
    let list = |field: &str| -> Result<Vec<&Value>, ConfigError> {
        match m.get(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.iter().collect()),
            Some(_) => Err(type_error(
                path,
                &format!("queues.{field}"),
                &format!("an array of tables (`[[queues.{field}]]`)"),
            )),
        }
    };
    let mut producers: Vec<QueueProducer> = Vec::new();
    for (i, entry) in list("producers")?.into_iter().enumerate() {
        let key = format!("queues.producers[{i}]");
        let m = object(path, &key, entry, "a table with `binding` and `queue`")?;
        let binding = required_name(path, &key, m, "binding", "JOBS")?;
        let queue = required_name(path, &key, m, "queue", "jobs")?;
        let delivery_delay = number(
            path,
            &key,
            m,
            "delivery_delay",
            0.0,
            MAX_DELAY_SECONDS as f64,
        )?
        .unwrap_or(0.0) as u32;
        if producers.iter().any(|p| p.binding == binding) {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.binding")),
                format!("the binding name `{binding}` is used twice"),
                Some("give each queue producer its own binding name"),
            ));
        }
        producers.push(QueueProducer {
            binding,
            queue,
            delivery_delay,
        });
    }
    let mut consumers: Vec<QueueConsumer> = Vec::new();
    for (i, entry) in list("consumers")?.into_iter().enumerate() {
        let key = format!("queues.consumers[{i}]");
        let m = object(path, &key, entry, "a table with `queue`")?;
        let queue = required_name(path, &key, m, "queue", "jobs")?;
        if let Some(Value::String(t)) = m.get("type") {
            if t == "http_pull" {
                return Err(ConfigError::new(
                    path,
                    Some(&format!("{key}.type")),
                    "pull consumers are not supported by corral",
                    Some("remove `type = \"http_pull\"` to have this worker's queue() handler consume it"),
                ));
            }
        }
        let consumer = QueueConsumer {
            max_batch_size: number(path, &key, m, "max_batch_size", 1.0, 100.0)?.unwrap_or(10.0)
                as u32,
            max_batch_timeout: number(path, &key, m, "max_batch_timeout", 0.0, 60.0)?
                .unwrap_or(5.0),
            max_retries: number(path, &key, m, "max_retries", 0.0, 100.0)?.unwrap_or(3.0) as u32,
            dead_letter_queue: match m.get("dead_letter_queue") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if !s.is_empty() && s != &queue => Some(s.clone()),
                Some(_) => {
                    return Err(ConfigError::new(
                        path,
                        Some(&format!("{key}.dead_letter_queue")),
                        "must be the name of another queue",
                        Some("for example `dead_letter_queue = \"jobs-dlq\"`"),
                    ))
                }
            },
            retry_delay: number(path, &key, m, "retry_delay", 0.0, MAX_DELAY_SECONDS as f64)?
                .unwrap_or(0.0) as u32,
            max_concurrency: number(path, &key, m, "max_concurrency", 1.0, 250.0)?
                .map(|n| n as u32),
            queue,
        };
        if consumers.iter().any(|c| c.queue == consumer.queue) {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.queue")),
                format!(
                    "queue `{}` has two consumers in this worker",
                    consumer.queue
                ),
                Some("keep one `[[queues.consumers]]` entry per queue"),
            ));
        }
        consumers.push(consumer);
    }
    Ok((producers, consumers))
}

fn number(
    path: &Path,
    key: &str,
    m: &Map<String, Value>,
    field: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, ConfigError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            let v = n.as_f64().unwrap_or(f64::NAN);
            if v >= min && v <= max {
                Ok(Some(v))
            } else {
                Err(ConfigError::new(
                    path,
                    Some(&format!("{key}.{field}")),
                    format!("{v} is out of range"),
                    Some(&format!("use a number from {min} to {max}")),
                ))
            }
        }
        Some(_) => Err(type_error(path, &format!("{key}.{field}"), "a number")),
    }
}

pub(crate) fn parse_kv(path: &Path, v: Option<&Value>) -> Result<Vec<KvBinding>, ConfigError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let Value::Array(entries) = v else {
        return Err(type_error(
            path,
            "kv_namespaces",
            "an array like `kv_namespaces = [{ binding = \"MY_KV\", id = \"...\" }]`",
        ));
    };
    let mut out: Vec<KvBinding> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = format!("kv_namespaces[{i}]");
        let m = object(path, &key, entry, "a table with `binding` and `id`")?;
        let binding = required_name(path, &key, m, "binding", "MY_KV")?;
        // wrangler dev falls back to the binding name when no id is given locally; so do we.
        let id = match m.get("preview_id").or_else(|| m.get("id")) {
            None => binding.clone(),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => return Err(type_error(path, &format!("{key}.id"), "a non-empty string")),
        };
        if out.iter().any(|b| b.binding == binding) {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.binding")),
                format!("the binding name `{binding}` is used twice"),
                Some("give each KV namespace its own binding name"),
            ));
        }
        out.push(KvBinding { binding, id });
    }
    Ok(out)
}

pub(crate) fn parse_durable_objects(
    path: &Path,
    v: Option<&Value>,
) -> Result<Vec<DurableObjectBinding>, ConfigError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let m = object(path, "durable_objects", v, "a table with `bindings`")?;
    let Some(bindings) = m.get("bindings") else {
        return Ok(Vec::new());
    };
    let Value::Array(entries) = bindings else {
        return Err(type_error(
            path,
            "durable_objects.bindings",
            "an array like `[[durable_objects.bindings]] name = \"COUNTER\", class_name = \"Counter\"`",
        ));
    };
    let mut out: Vec<DurableObjectBinding> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = format!("durable_objects.bindings[{i}]");
        let m = object(path, &key, entry, "a table with `name` and `class_name`")?;
        let name = required_name(path, &key, m, "name", "COUNTER")?;
        let class_name = required_name(path, &key, m, "class_name", "Counter")?;
        let script_name = match m.get("script_name") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(type_error(
                    path,
                    &format!("{key}.script_name"),
                    "a worker name",
                ))
            }
        };
        if out.iter().any(|b| b.name == name) {
            return Err(ConfigError::new(
                path,
                Some(&format!("{key}.name")),
                format!("the binding name `{name}` is used twice"),
                Some("give each Durable Object binding its own name"),
            ));
        }
        out.push(DurableObjectBinding {
            name,
            class_name,
            script_name,
        });
    }
    Ok(out)
}

pub(crate) fn parse_migrations(
    path: &Path,
    v: Option<&Value>,
) -> Result<Vec<Migration>, ConfigError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let Value::Array(entries) = v else {
        return Err(type_error(
            path,
            "migrations",
            "an array like `[[migrations]] tag = \"v1\", new_sqlite_classes = [\"Counter\"]`",
        ));
    };
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = format!("migrations[{i}]");
        let m = object(path, &key, entry, "a table with `tag`")?;
        let tag = match m.get("tag") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(ConfigError::new(
                    path,
                    Some(&format!("{key}.tag")),
                    "missing",
                    Some("give each migration a unique tag, like `tag = \"v1\"`"),
                ))
            }
        };
        let names = |field: &str| -> Result<Vec<String>, ConfigError> {
            match m.get(field) {
                None => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            type_error(path, &format!("{key}.{field}"), "an array of class names")
                        })
                    })
                    .collect(),
                Some(_) => Err(type_error(
                    path,
                    &format!("{key}.{field}"),
                    "an array of class names",
                )),
            }
        };
        let mut renamed = Vec::new();
        if let Some(v) = m.get("renamed_classes") {
            let Value::Array(a) = v else {
                return Err(type_error(
                    path,
                    &format!("{key}.renamed_classes"),
                    "an array of `{ from, to }` tables",
                ));
            };
            for (j, r) in a.iter().enumerate() {
                let rkey = format!("{key}.renamed_classes[{j}]");
                let r = object(path, &rkey, r, "a table with `from` and `to`")?;
                let from = required_name(path, &rkey, r, "from", "OldName")?;
                let to = required_name(path, &rkey, r, "to", "NewName")?;
                renamed.push((from, to));
            }
        }
        out.push(Migration {
            tag,
            new_classes: names("new_classes")?,
            new_sqlite_classes: names("new_sqlite_classes")?,
            deleted_classes: names("deleted_classes")?,
            renamed_classes: renamed,
        });
    }
    Ok(out)
}

fn object<'a>(
    path: &Path,
    key: &str,
    v: &'a Value,
    expected: &str,
) -> Result<&'a Map<String, Value>, ConfigError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(type_error(path, key, expected)),
    }
}

fn required_name(
    path: &Path,
    key: &str,
    m: &Map<String, Value>,
    field: &str,
    example: &str,
) -> Result<String, ConfigError> {
    match m.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(type_error(
            path,
            &format!("{key}.{field}"),
            "a non-empty string",
        )),
        None => Err(ConfigError::new(
            path,
            Some(&format!("{key}.{field}")),
            "missing",
            Some(&format!("add `{field} = \"{example}\"`")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::WorkerConfig;

    fn load(toml: &str) -> Result<WorkerConfig, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.js"), "export default {}").unwrap();
        std::fs::write(dir.path().join("wrangler.toml"), toml).unwrap();
        WorkerConfig::load_dir(dir.path()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_kv_durable_objects_and_migrations() {
        let c = load(
            r#"
name = "w"
main = "index.js"
kv_namespaces = [{ binding = "LINKS", id = "abc" }, { binding = "CACHE" }]
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"#,
        )
        .unwrap();
        assert_eq!(c.kv_namespaces.len(), 2);
        assert_eq!(c.kv_namespaces[0].id, "abc");
        assert_eq!(c.kv_namespaces[1].id, "CACHE");
        assert_eq!(c.durable_objects[0].class_name, "Counter");
        assert_eq!(c.migrations[0].new_sqlite_classes, vec!["Counter"]);
    }

    #[test]
    fn reads_queue_producers_and_consumers_with_cloudflare_defaults() {
        let c = load(
            r#"
name = "w"
main = "index.js"
[[queues.producers]]
binding = "JOBS"
queue = "jobs"
[[queues.consumers]]
queue = "jobs"
dead_letter_queue = "jobs-dlq"
"#,
        )
        .unwrap();
        assert_eq!(c.queue_producers[0].queue, "jobs");
        let q = &c.queue_consumers[0];
        assert_eq!(
            (q.max_batch_size, q.max_batch_timeout, q.max_retries),
            (10, 5.0, 3)
        );
        assert_eq!(q.dead_letter_queue.as_deref(), Some("jobs-dlq"));
        let e = load("name = \"w\"\nmain = \"index.js\"\n[[queues.consumers]]\nqueue = \"q\"\nmax_batch_size = 500\n")
            .unwrap_err();
        assert!(e.contains("queues.consumers[0].max_batch_size"), "{e}");
    }

    #[test]
    fn binding_errors_name_the_key() {
        let e = load("name = \"w\"\nmain = \"index.js\"\nkv_namespaces = [{ id = \"x\" }]\n")
            .unwrap_err();
        assert!(e.contains("kv_namespaces[0].binding"), "{e}");
        let e =
            load("name = \"w\"\nmain = \"index.js\"\n[[durable_objects.bindings]]\nname = \"A\"\n")
                .unwrap_err();
        assert!(e.contains("durable_objects.bindings[0].class_name"), "{e}");
    }
}
