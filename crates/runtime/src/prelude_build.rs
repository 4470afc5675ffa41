//! Compiling the JS prelude (`js/*.js`) to bytecode and surveying what each file defines. Shared by `build.rs`,
//! which does it once at build time so a process starts without compiling JavaScript, and by `prelude.rs`,
//! which does it at run time when no bytecode was built in (cross-compiled builds). Depends only on rquickjs.

use rquickjs::{qjs, Context, Ctx, Runtime, Value};
use std::ffi::CString;

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
    ("request_signal.js", include_str!("../js/request_signal.js")),
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
    ("worker_events.js", include_str!("../js/worker_events.js")),
];

/// Sets up the lazy prelude in a fresh context: returns `[internal, lazy]`, where `lazy(name)` makes global `name`
/// an accessor that has the runtime load the file defining it on first touch. `loadFor(kind, name, host, internal)`
/// is the runtime's loader (made by `prelude::install`): kind 0 asks for a global, 1 for a hook; it loads the file
/// that defines the name (once) and says whether one does. Compiled to bytecode with the files
/// (`compile_install`), not parsed by every isolate.
pub const INSTALL: &str = r#"(function (host, hostGroup, loadFor) {
  "use strict";
  // The host functions of optional APIs are put on `host` when first asked for (see host_groups.rs).
  Object.setPrototypeOf(host, new Proxy({ __proto__: null }, { get: (_, name, receiver) => hostGroup(receiver, name) }));
  const internal = {
    defineGlobal(name, value) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    },
  };
  // A hook (`internal.*`) not yet defined is looked up on internal's prototype: one proxy that loads the file
  // defining it. Once loaded, hooks are own data properties of `internal` and the proxy is not consulted.
  const hasOwn = Object.prototype.hasOwnProperty;
  Object.setPrototypeOf(
    internal,
    new Proxy(
      { __proto__: null },
      {
        get(target, name) {
          if (typeof name !== "string" || !loadFor(1, name, host, internal)) return undefined;
          return hasOwn.call(internal, name) ? internal[name] : undefined;
        },
      },
    ),
  );
  // A lazy global: an accessor until its file defines it. One function serves as both getter and setter (called
  // with no argument it is the getter) and it captures two variables: each function object and each captured
  // variable costs every one of the ~75 lazy globals in every isolate.
  const loadGlobal = (name) => loadFor(0, name, host, internal);
  function lazy(name) {
    const access = (...value) => {
      if (value.length === 0) {
        loadGlobal(name);
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        return d && !d.get ? d.value : undefined;
      }
      Object.defineProperty(globalThis, name, { value: value[0], writable: true, configurable: true, enumerable: false });
    };
    Object.defineProperty(globalThis, name, { configurable: true, enumerable: false, get: access, set: access });
  }
  return [internal, lazy];
})"#;

/// One compiled prelude file and what it defines.
pub struct CompiledFile {
    /// Script name, `corral:prelude/<file>`.
    pub name: String,
    /// Bytecode of the script whose value is the file's function (`script_bytecode`).
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

/// Bytecode of the INSTALL script, without source text.
pub fn compile_install() -> Vec<u8> {
    let runtime = Runtime::new().expect("QuickJS runtime");
    let context = Context::full(&runtime).expect("QuickJS context");
    context.with(|ctx| {
        script_bytecode(&ctx, "corral:prelude/install", INSTALL).unwrap_or_else(|e| {
            panic!(
                "prelude installer does not compile: {}",
                crate::errors::describe_error(&ctx, e)
            )
        })
    })
}

/// Compiles `source`, one function expression, as a script and returns its bytecode: without function source text
/// (prelude functions print as native ones, and each isolate that loads a file copies its bytecode) and without
/// debug information (line numbers of prelude frames). A script rather than a module: once its function has run,
/// nothing of the file but the closures it made stays in the isolate (a module record would, with the file's
/// whole top-level function).
pub fn script_bytecode(ctx: &Ctx<'_>, name: &str, source: &str) -> rquickjs::Result<Vec<u8>> {
    let text = CString::new(source.trim_end()).map_err(|_| rquickjs::Error::Unknown)?;
    let file = CString::new(name).map_err(|_| rquickjs::Error::Unknown)?;
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: `text` is NUL-terminated as JS_Eval requires; every value made here is freed here.
    unsafe {
        let function = qjs::JS_Eval(
            raw,
            text.as_ptr(),
            text.as_bytes().len() as _,
            file.as_ptr(),
            (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32,
        );
        if qjs::JS_IsException(function) {
            return Err(rquickjs::Error::Exception);
        }
        let mut len = 0;
        let flags = qjs::JS_WRITE_OBJ_BYTECODE
            | qjs::JS_WRITE_OBJ_STRIP_SOURCE
            | qjs::JS_WRITE_OBJ_STRIP_DEBUG;
        let buf = qjs::JS_WriteObject(raw, &mut len, function, flags as i32);
        qjs::JS_FreeValue(raw, function);
        if buf.is_null() {
            return Err(rquickjs::Error::Exception);
        }
        let bytes = std::slice::from_raw_parts(buf, len as usize).to_vec();
        qjs::js_free(raw, buf.cast());
        Ok(bytes)
    }
}

/// Runs script bytecode made by `script_bytecode` and returns the script's value (the file's function).
///
/// # Safety
/// `bytecode` must come from `script_bytecode` of this QuickJS build.
pub unsafe fn run_script<'js>(ctx: &Ctx<'js>, bytecode: &[u8]) -> rquickjs::Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    let function = qjs::JS_ReadObject(
        raw,
        bytecode.as_ptr(),
        bytecode.len() as _,
        qjs::JS_READ_OBJ_BYTECODE as i32,
    );
    if qjs::JS_IsException(function) {
        return Err(rquickjs::Error::Exception);
    }
    let value = qjs::JS_EvalFunction(raw, function);
    if qjs::JS_IsException(value) {
        return Err(rquickjs::Error::Exception);
    }
    Ok(Value::from_raw(ctx.clone(), value))
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
            let bytecode = script_bytecode(&ctx, &name, source)
                .unwrap_or_else(|e| panic!("prelude {file} does not compile: {}", describe(e)));
            // The survey runs the function the bytecode makes, as an isolate will.
            // SAFETY: bytecode just made by script_bytecode.
            let function = unsafe { run_script(&ctx, &bytecode) }
                .unwrap_or_else(|e| panic!("prelude {file}: {}", describe(e)));
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
