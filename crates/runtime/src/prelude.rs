//! The JS halves of the Web APIs (`js/*.js`), embedded in the binary, compiled to bytecode once per process, and
//! loaded into an isolate lazily: a file runs the first time worker code touches one of the globals it defines
//! (or another file touches one of its `internal` hooks). A hello-world worker pays only for what it uses.

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Module, Object, Runtime};
use std::sync::OnceLock;

/// Prelude files in dependency order; each is one `(function (host, internal) { ... })` expression.
/// `worker.js` (the dispatch glue) always runs at boot; the others run on first use.
pub const PRELUDE_FILES: [(&str, &str); 9] = [
    ("events.js", include_str!("../js/events.js")),
    ("encoding.js", include_str!("../js/encoding.js")),
    ("misc.js", include_str!("../js/misc.js")),
    ("url.js", include_str!("../js/url.js")),
    ("streams.js", include_str!("../js/streams.js")),
    ("fetch_api.js", include_str!("../js/fetch_api.js")),
    ("crypto.js", include_str!("../js/crypto.js")),
    ("fetch.js", include_str!("../js/fetch.js")),
    ("worker.js", include_str!("../js/worker.js")),
];

/// One compiled prelude file and what it defines.
pub struct PreludeFile {
    pub name: String,
    /// Bytecode of `export default <the file's function>`.
    pub bytecode: Vec<u8>,
    /// Globals the file defines through `internal.defineGlobal`.
    pub globals: Vec<String>,
    /// Keys the file adds to `internal`.
    pub hooks: Vec<String>,
    /// Runs at boot rather than on first use.
    pub eager: bool,
}

/// Records what each file defines by running all of them once in a scratch context with a stand-in `host`.
const SURVEY: &str = r#"(function (files) {
  const host = new Proxy({}, { get: () => function () {} });
  const internal = {};
  const current = { globals: null };
  internal.defineGlobal = function (name, value) {
    if (current.globals) current.globals.push(name);
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  };
  const out = [];
  for (const fn of files) {
    const before = new Set(Object.keys(internal));
    current.globals = [];
    fn(host, internal);
    const hooks = Object.keys(internal).filter((k) => !before.has(k));
    out.push([current.globals, hooks]);
  }
  return out;
})"#;

/// The compiled prelude, built on first use.
pub fn files() -> &'static [PreludeFile] {
    static COMPILED: OnceLock<Vec<PreludeFile>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let runtime = Runtime::new().expect("QuickJS runtime");
        let context = Context::full(&runtime).expect("QuickJS context");
        context.with(|ctx| {
            let describe = |e| crate::errors::describe_error(&ctx, e);
            let mut compiled = Vec::new();
            let mut functions = Vec::new();
            for (file, source) in PRELUDE_FILES.iter() {
                let name = format!("corral:prelude/{file}");
                let wrapped = format!("export default {}\n;", source.trim_end());
                let module = Module::declare(ctx.clone(), name.as_str(), wrapped)
                    .unwrap_or_else(|e| panic!("prelude {file} does not compile: {}", describe(e)));
                let bytecode = module
                    .write(WriteOptions {
                        strip_source: true,
                        ..WriteOptions::default()
                    })
                    .expect("prelude bytecode");
                let (module, promise) = module
                    .eval()
                    .unwrap_or_else(|e| panic!("prelude {file}: {}", describe(e)));
                promise
                    .finish::<()>()
                    .unwrap_or_else(|e| panic!("prelude {file}: {}", describe(e)));
                let function: rquickjs::Function =
                    module.get("default").expect("prelude default export");
                functions.push(function);
                compiled.push((name, bytecode, *file == "worker.js"));
            }
            let survey: rquickjs::Function = ctx.eval(SURVEY).expect("survey script");
            let found: Vec<Vec<Vec<String>>> = survey
                .call((functions,))
                .unwrap_or_else(|e| panic!("prelude survey failed: {}", describe(e)));
            compiled
                .into_iter()
                .zip(found)
                .map(|((name, bytecode, eager), mut lists)| {
                    let hooks = lists.pop().unwrap_or_default();
                    let globals = lists.pop().unwrap_or_default();
                    PreludeFile {
                        name,
                        bytecode,
                        globals,
                        hooks,
                        eager,
                    }
                })
                .collect()
        })
    })
}

/// Installs the lazy prelude in a fresh context: accessors that load a file on first touch, then the eager files.
pub(crate) const INSTALL: &str = r#"(function (host, internal, manifest, loadFile) {
  const state = manifest.map(() => 0); // 0 not loaded, 1 loading, 2 loaded
  function load(i) {
    if (state[i] !== 0) return;
    state[i] = 1;
    loadFile(i, host, internal);
    state[i] = 2;
  }
  function lazy(target, name, i, enumerable) {
    Object.defineProperty(target, name, {
      configurable: true,
      enumerable,
      get() {
        load(i);
        const d = Object.getOwnPropertyDescriptor(target, name);
        return d && !d.get ? d.value : undefined;
      },
      set(value) {
        Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable });
      },
    });
  }
  manifest.forEach(([globals, hooks, eager], i) => {
    if (eager) return;
    for (const name of globals) lazy(globalThis, name, i, false);
    for (const name of hooks) lazy(internal, name, i, true);
  });
  manifest.forEach(([, , eager], i) => {
    if (eager) load(i);
  });
})"#;

/// Loads prelude file `index` into `ctx` and runs it with `host` and `internal`.
pub(crate) fn load_file<'js>(
    ctx: rquickjs::Ctx<'js>,
    index: usize,
    host: Object<'js>,
    internal: Object<'js>,
) -> rquickjs::Result<()> {
    let file = &files()[index];
    // SAFETY: bytecode written by `Module::write` of this QuickJS build in this process; it is 'static, as
    // `Module::load`'s read-only-data mode requires.
    let module = unsafe { Module::load(ctx.clone(), &file.bytecode) }?;
    let (module, promise) = module.eval()?;
    promise.finish::<()>()?;
    let init: rquickjs::Function = module.get("default")?;
    init.call((host, internal))
}
