//! Compiling the JS prelude (`js/*.js`) to bytecode and surveying what each file defines. Shared by `build.rs`,
//! which does it once at build time so a process starts without compiling JavaScript, and by `prelude.rs`,
//! which does it at run time when no bytecode was built in (cross-compiled builds). Depends only on rquickjs.

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Module, Runtime};

/// Prelude files in dependency order; each is one `(function (host, internal) { ... })` expression.
/// `worker.js` (the dispatch glue) always runs at boot; the others run on first use.
pub const PRELUDE_FILES: &[(&str, &str)] = &[
    ("events.js", include_str!("../js/events.js")),
    ("encoding.js", include_str!("../js/encoding.js")),
    ("misc.js", include_str!("../js/misc.js")),
    ("url.js", include_str!("../js/url.js")),
    ("streams.js", include_str!("../js/streams.js")),
    ("compression.js", include_str!("../js/compression.js")),
    ("urlpattern.js", include_str!("../js/urlpattern.js")),
    ("fetch_api.js", include_str!("../js/fetch_api.js")),
    ("blob.js", include_str!("../js/blob.js")),
    ("crypto.js", include_str!("../js/crypto.js")),
    ("fetch.js", include_str!("../js/fetch.js")),
    ("websocket.js", include_str!("../js/websocket.js")),
    ("kv.js", include_str!("../js/kv.js")),
    (
        "durable_objects.js",
        include_str!("../js/durable_objects.js"),
    ),
    ("queues.js", include_str!("../js/queues.js")),
    ("sockets.js", include_str!("../js/sockets.js")),
    ("hyperdrive.js", include_str!("../js/hyperdrive.js")),
    ("node/buffer.js", include_str!("../js/node/buffer.js")),
    ("node/events.js", include_str!("../js/node/events.js")),
    ("node/stream.js", include_str!("../js/node/stream.js")),
    ("node/util.js", include_str!("../js/node/util.js")),
    ("node/crypto.js", include_str!("../js/node/crypto.js")),
    ("node/net.js", include_str!("../js/node/net.js")),
    ("node/misc.js", include_str!("../js/node/misc.js")),
    ("worker.js", include_str!("../js/worker.js")),
];

/// Installs the lazy prelude in a fresh context: accessors that load a file on first touch, then the eager files.
/// Compiled to bytecode with the files (`compile_install`), not parsed by every isolate.
pub const INSTALL: &str = r#"(function (host, internal, manifest, loadFile, hostGroup) {
  // The host functions of optional APIs are put on `host` when first asked for (see host_groups.rs).
  Object.setPrototypeOf(host, new Proxy({ __proto__: null }, { get: (_, name, receiver) => hostGroup(receiver, name) }));
  const state = manifest.map(() => 0); // 0 not loaded, 1 loading, 2 loaded
  function load(i) {
    if (state[i] !== 0) return;
    state[i] = 1;
    loadFile(i, host, internal);
    state[i] = 2;
  }
  // A lazy global: an accessor until its file defines it. One function serves as both getter and setter (called
  // with no argument it is the getter) and it captures a single index: each function object and each captured
  // variable costs every one of the ~75 lazy globals in every isolate.
  const lazyNames = [];
  const lazyFiles = [];
  function lazy(k) {
    const access = (...value) => {
      const name = lazyNames[k];
      if (value.length === 0) {
        load(lazyFiles[k]);
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        return d && !d.get ? d.value : undefined;
      }
      Object.defineProperty(globalThis, name, { value: value[0], writable: true, configurable: true, enumerable: false });
    };
    Object.defineProperty(globalThis, lazyNames[k], { configurable: true, enumerable: false, get: access, set: access });
  }
  // A hook (`internal.*`) not yet defined is looked up on internal's prototype: one proxy that loads the file
  // defining it, instead of two accessor closures per hook in every isolate. Once loaded, hooks are own data
  // properties of `internal` and the proxy is not consulted.
  const hookFile = { __proto__: null };
  manifest.forEach(([globals, hooks, eager], i) => {
    if (eager) return;
    for (const name of globals) {
      lazyNames.push(name);
      lazyFiles.push(i);
      lazy(lazyNames.length - 1);
    }
    for (const name of hooks) hookFile[name] = i;
  });
  const hasOwn = Object.prototype.hasOwnProperty;
  Object.setPrototypeOf(
    internal,
    new Proxy(
      { __proto__: null },
      {
        get(target, name) {
          const i = typeof name === "string" ? hookFile[name] : undefined;
          if (i === undefined) return undefined;
          load(i);
          return hasOwn.call(internal, name) ? internal[name] : undefined;
        },
      },
    ),
  );
  manifest.forEach(([, , eager], i) => {
    if (eager) load(i);
  });
})"#;

/// One compiled prelude file and what it defines.
pub struct CompiledFile {
    /// Module name, `corral:prelude/<file>`.
    pub name: String,
    /// Bytecode of `export default <the file's function>`.
    pub bytecode: Vec<u8>,
    /// Globals the file defines through `internal.defineGlobal`.
    pub globals: Vec<String>,
    /// Keys the file adds to `internal`.
    pub hooks: Vec<String>,
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

/// Bytecode of `export default <INSTALL>`, without source text.
pub fn compile_install() -> Vec<u8> {
    let runtime = Runtime::new().expect("QuickJS runtime");
    let context = Context::full(&runtime).expect("QuickJS context");
    context.with(|ctx| {
        let source = format!("export default {}\n;", INSTALL.trim_end());
        let module =
            Module::declare(ctx.clone(), "corral:prelude/install", source).unwrap_or_else(|e| {
                panic!(
                    "prelude installer does not compile: {}",
                    crate::errors::describe_error(&ctx, e)
                )
            });
        module
            .write(write_options())
            .expect("prelude installer bytecode")
    })
}

/// Without function source text (prelude functions print as native ones, and each isolate that loads a file copies
/// its bytecode) and without debug information (line numbers of prelude frames).
fn write_options() -> WriteOptions {
    WriteOptions {
        strip_source: true,
        strip_debug: true,
        ..WriteOptions::default()
    }
}

/// Compiles every prelude file (without function source text: prelude functions print as native ones, and
/// each isolate that loads a file copies its bytecode) and surveys it. Panics when a file does not compile.
pub fn compile() -> Vec<CompiledFile> {
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
            let bytecode = module.write(write_options()).expect("prelude bytecode");
            let (module, promise) = module
                .eval()
                .unwrap_or_else(|e| panic!("prelude {file}: {}", describe(e)));
            promise
                .finish::<()>()
                .unwrap_or_else(|e| panic!("prelude {file}: {}", describe(e)));
            let function: rquickjs::Function =
                module.get("default").expect("prelude default export");
            functions.push(function);
            compiled.push((name, bytecode));
        }
        let survey: rquickjs::Function = ctx.eval(SURVEY).expect("survey script");
        let found: Vec<Vec<Vec<String>>> = survey
            .call((functions,))
            .unwrap_or_else(|e| panic!("prelude survey failed: {}", describe(e)));
        compiled
            .into_iter()
            .zip(found)
            .map(|((name, bytecode), mut lists)| {
                let hooks = lists.pop().unwrap_or_default();
                let globals = lists.pop().unwrap_or_default();
                CompiledFile {
                    name,
                    bytecode,
                    globals,
                    hooks,
                }
            })
            .collect()
    })
}
