//! A worker version ready to instantiate: every module of the worker compiled once to QuickJS bytecode, plus the
//! settings each isolate needs (vars, secrets, limits). Isolates on any thread load from the same bundle.

use corral_config::{Limits, WorkerConfig};
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Context, Ctx, Module, Runtime};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are not considered worker modules (Cloudflare's compressed script limit is 10 MiB).
const MAX_MODULE_BYTES: u64 = 10 * 1024 * 1024;
/// Directory names never scanned for modules.
const SKIPPED_DIRS: [&str; 5] = ["node_modules", ".git", ".corral", ".wrangler", "target"];

/// Why a worker version could not be built; `Display` is what the developer sees.
#[derive(Debug, Clone)]
pub struct BuildError {
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// One compiled worker version, shared (read-only) by all isolates that run it.
pub struct WorkerBundle {
    pub name: String,
    /// Module name of the entry module (a path relative to the worker directory, with `/` separators).
    pub main: String,
    /// Module name → bytecode.
    modules: HashMap<String, Vec<u8>>,
    /// The module names, for the resolver.
    pub(crate) module_names: Arc<std::collections::HashSet<String>>,
    /// `env` as JSON: vars (JSON values) and secrets (strings).
    pub env_json: String,
    pub limits: Limits,
    pub compatibility_date: Option<String>,
    pub compatibility_flags: Vec<String>,
    /// Monotonic version number, for logs.
    pub version: u64,
    /// The bindings other than vars and secrets, as a JSON array of `{type, name, ...}` for the prelude.
    pub bindings_json: String,
    /// The Durable Object classes this worker exports: `(class name, SQLite backend?)`.
    pub object_classes: Vec<(String, bool)>,
    pub services: Arc<crate::Services>,
}

impl fmt::Debug for WorkerBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerBundle")
            .field("name", &self.name)
            .field("version", &self.version)
            .finish()
    }
}

impl WorkerBundle {
    /// Reads and compiles every module of the worker described by `config`.
    pub fn build(
        config: &WorkerConfig,
        version: u64,
        services: Arc<crate::Services>,
    ) -> Result<Arc<WorkerBundle>, BuildError> {
        let sources = collect_sources(&config.dir)?;
        let main = module_name(&config.dir, &config.main).ok_or_else(|| BuildError {
            message: format!(
                "{}: the entry module is outside the worker directory",
                config.main.display()
            ),
        })?;
        let modules = compile_modules(&sources)?;
        if !modules.contains_key(&main) {
            return Err(BuildError {
                message: format!("{main}: the entry module is not a JavaScript module"),
            });
        }
        let mut env = serde_json::Map::new();
        for (k, v) in &config.vars {
            env.insert(k.clone(), v.clone());
        }
        for (k, v) in &config.secrets {
            env.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        Ok(Arc::new(WorkerBundle {
            name: config.name.clone(),
            main,
            module_names: Arc::new(modules.keys().cloned().collect()),
            modules,
            env_json: serde_json::Value::Object(env).to_string(),
            limits: config.limits.clone(),
            compatibility_date: config.compatibility_date.clone(),
            compatibility_flags: config.compatibility_flags.clone(),
            version,
            bindings_json: bindings_json(config).to_string(),
            object_classes: config.durable_object_classes(),
            services,
        }))
    }

    /// Builds a bundle from in-memory sources (module name → source text); used by tests and embedders.
    pub fn from_sources(
        name: &str,
        main: &str,
        sources: &[(&str, &str)],
        env_json: &str,
        limits: Limits,
    ) -> Result<Arc<WorkerBundle>, BuildError> {
        let sources: Vec<SourceFile> = sources
            .iter()
            .map(|(n, s)| SourceFile {
                name: n.to_string(),
                kind: kind_of(n).unwrap_or(ModuleKind::Js),
                bytes: s.as_bytes().to_vec(),
            })
            .collect();
        let modules = compile_modules(&sources)?;
        Ok(Arc::new(WorkerBundle {
            name: name.to_string(),
            main: main.to_string(),
            module_names: Arc::new(modules.keys().cloned().collect()),
            modules,
            env_json: env_json.to_string(),
            limits,
            compatibility_date: None,
            compatibility_flags: Vec::new(),
            version: 1,
            bindings_json: "[]".into(),
            object_classes: Vec::new(),
            services: crate::Services::shared_temporary(),
        }))
    }

    pub fn module_bytecode(&self, name: &str) -> Option<&[u8]> {
        self.modules.get(name).map(Vec::as_slice)
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.compatibility_flags.iter().any(|f| f == flag)
    }
}

/// The bindings the prelude builds `env` entries for (see `worker.js`, `internal.configure`).
fn bindings_json(config: &WorkerConfig) -> serde_json::Value {
    let mut out = Vec::new();
    for kv in &config.kv_namespaces {
        out.push(serde_json::json!({ "type": "kv", "name": kv.binding, "id": kv.id }));
    }
    for q in &config.queue_producers {
        out.push(serde_json::json!({
            "type": "queue",
            "name": q.binding,
            "queue": q.queue,
            "delay": q.delivery_delay,
        }));
    }
    for b in &config.durable_objects {
        out.push(serde_json::json!({
            "type": "durable_object",
            "name": b.name,
            "class": b.class_name,
            "worker": b.script_name.clone().unwrap_or_else(|| config.name.clone()),
        }));
    }
    for h in &config.hyperdrive {
        out.push(serde_json::json!({ "type": "hyperdrive", "name": h.binding, "id": h.id }));
    }
    serde_json::Value::Array(out)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum ModuleKind {
    Js,
    Json,
    Text,
    Data,
}

/// Wrangler's default module rules: `.js`/`.mjs` ES modules, `.json` data, `.txt`/`.html` text, `.bin` bytes.
fn kind_of(name: &str) -> Option<ModuleKind> {
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "js" | "mjs" => Some(ModuleKind::Js),
        "json" => Some(ModuleKind::Json),
        "txt" | "html" | "sql" => Some(ModuleKind::Text),
        "bin" => Some(ModuleKind::Data),
        _ => None,
    }
}

struct SourceFile {
    name: String,
    kind: ModuleKind,
    bytes: Vec<u8>,
}

fn module_name(dir: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(dir).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn collect_sources(dir: &Path) -> Result<Vec<SourceFile>, BuildError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| BuildError {
            message: format!("{}: cannot read directory: {e}", d.display()),
        })?;
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                if !SKIPPED_DIRS.contains(&file_name.as_str()) && !file_name.starts_with('.') {
                    stack.push(path);
                }
                continue;
            }
            let Some(kind) = kind_of(&file_name) else {
                continue;
            };
            if meta.len() > MAX_MODULE_BYTES {
                continue;
            }
            let Some(name) = module_name(dir, &path) else {
                continue;
            };
            let bytes = std::fs::read(&path).map_err(|e| BuildError {
                message: format!("{}: cannot read: {e}", path.display()),
            })?;
            out.push(SourceFile { name, kind, bytes });
        }
    }
    Ok(out)
}

/// The JS source a non-JS module compiles to.
fn module_source(file: &SourceFile) -> Result<String, BuildError> {
    match file.kind {
        ModuleKind::Js => String::from_utf8(file.bytes.clone()).map_err(|_| BuildError {
            message: format!("{}: not valid UTF-8", file.name),
        }),
        ModuleKind::Json => {
            let value: serde_json::Value =
                serde_json::from_slice(&file.bytes).map_err(|e| BuildError {
                    message: format!(
                        "{}:{}:{}: invalid JSON: {e}",
                        file.name,
                        e.line(),
                        e.column()
                    ),
                })?;
            Ok(format!("export default {value};"))
        }
        ModuleKind::Text => {
            let text = String::from_utf8_lossy(&file.bytes);
            Ok(format!(
                "export default {};",
                serde_json::Value::String(text.into_owned())
            ))
        }
        ModuleKind::Data => {
            let list: Vec<String> = file.bytes.iter().map(u8::to_string).collect();
            Ok(format!(
                "export default new Uint8Array([{}]).buffer;",
                list.join(",")
            ))
        }
    }
}

fn compile_modules(sources: &[SourceFile]) -> Result<HashMap<String, Vec<u8>>, BuildError> {
    let names: Arc<std::collections::HashSet<String>> =
        Arc::new(sources.iter().map(|s| s.name.clone()).collect());
    let runtime = Runtime::new().map_err(|e| BuildError {
        message: format!("cannot start QuickJS: {e}"),
    })?;
    // QuickJS resolves a module's imports when it compiles it: resolve them for real (so a missing file is a
    // build error) but load each dependency as an empty stand-in; linking happens in the isolate.
    runtime.set_loader(
        ModuleResolver {
            names: names.clone(),
        },
        StandInLoader,
    );
    let mut modules = HashMap::with_capacity(sources.len());
    for file in sources {
        let source = module_source(file)?;
        // A fresh context per module keeps stand-ins and real modules from sharing a name. Compiling needs only
        // the parser and the regular-expression compiler on top of the base objects (which give syntax errors
        // their class): a full context would cost every worker of a server ~0.5M more instructions at start.
        let context = Context::custom::<(
            rquickjs::context::intrinsic::Eval,
            rquickjs::context::intrinsic::RegExpCompiler,
        )>(&runtime)
        .map_err(|e| BuildError {
            message: format!("cannot start QuickJS: {e}"),
        })?;
        let bytes = context.with(|ctx| {
            let module = Module::declare(ctx.clone(), file.name.as_str(), source).map_err(|e| {
                BuildError {
                    message: crate::errors::describe_error(&ctx, e),
                }
            })?;
            module
                .write(WriteOptions::default())
                .map_err(|e| BuildError {
                    message: format!("{}: cannot compile: {e}", file.name),
                })
        })?;
        modules.insert(file.name.clone(), bytes);
    }
    Ok(modules)
}

/// Resolves `import` specifiers between a worker's own modules (relative paths) and the built-in modules.
pub(crate) struct ModuleResolver {
    pub names: Arc<std::collections::HashSet<String>>,
}

impl Resolver for ModuleResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        if let Some(builtin) = crate::builtin_modules::canonical(name) {
            return Ok(builtin);
        }
        if !(name.starts_with("./") || name.starts_with("../") || name.starts_with('/')) {
            return Err(throw_resolve(
                ctx,
                base,
                name,
                "bare module names need bundling (npm packages are not resolved by corral)",
            ));
        }
        let mut parts: Vec<&str> = if name.starts_with('/') {
            Vec::new()
        } else {
            let mut p: Vec<&str> = base.split('/').collect();
            p.pop();
            p
        };
        for seg in name.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        let resolved = parts.join("/");
        if self.names.contains(&resolved) {
            return Ok(resolved);
        }
        for candidate in [
            format!("{resolved}.js"),
            format!("{resolved}.mjs"),
            format!("{resolved}/index.js"),
        ] {
            if self.names.contains(&candidate) {
                return Ok(candidate);
            }
        }
        Err(throw_resolve(
            ctx,
            base,
            name,
            "no such file in the worker directory",
        ))
    }
}

struct StandInLoader;

impl Loader for StandInLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        Module::declare(ctx.clone(), name, "")
    }
}

fn throw_resolve(ctx: &Ctx<'_>, base: &str, name: &str, why: &str) -> rquickjs::Error {
    let message = format!("{base}: cannot resolve import \"{name}\": {why}");
    rquickjs::Exception::throw_reference(ctx, &message)
}

/// Loads modules from the bundle's bytecode (and the built-in modules from their source).
pub(crate) struct BundleLoader {
    pub bundle: Arc<WorkerBundle>,
}

impl Loader for BundleLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        if let Some(source) = crate::builtin_modules::source(name) {
            return Module::declare(ctx.clone(), name, source);
        }
        match self.bundle.modules.get(name) {
            // SAFETY: the bytes were produced by `Module::write` of this same QuickJS build in this process.
            Some(bytes) => unsafe { Module::load(ctx.clone(), bytes) },
            None => Err(rquickjs::Exception::throw_reference(
                ctx,
                &format!("module \"{name}\" not found"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_file_and_line() {
        let err = WorkerBundle::from_sources(
            "w",
            "index.js",
            &[(
                "index.js",
                "export default {\n  fetch() {\n    return (;\n  }\n}\n",
            )],
            "{}",
            Limits::default(),
        )
        .unwrap_err();
        assert!(err.message.contains("index.js:3"), "{}", err.message);
        assert!(err.message.contains("SyntaxError"), "{}", err.message);
    }

    #[test]
    fn collects_js_json_and_text_modules() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/lib")).unwrap();
        std::fs::create_dir_all(d.path().join("node_modules/x")).unwrap();
        std::fs::write(
            d.path().join("src/index.js"),
            "import d from './data.json'; export default {};",
        )
        .unwrap();
        std::fs::write(d.path().join("src/data.json"), "{\"a\": 1}").unwrap();
        std::fs::write(d.path().join("src/lib/page.html"), "<p>hi</p>").unwrap();
        std::fs::write(
            d.path().join("node_modules/x/index.js"),
            "syntax error here (",
        )
        .unwrap();
        let sources = collect_sources(d.path()).unwrap();
        let mut names: Vec<_> = sources.iter().map(|s| s.name.clone()).collect();
        names.sort();
        assert_eq!(
            names,
            ["src/data.json", "src/index.js", "src/lib/page.html"]
        );
        assert!(compile_modules(&sources).is_ok());
    }
}
