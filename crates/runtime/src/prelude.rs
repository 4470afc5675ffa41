//! The JS halves of the Web APIs (`js/*.js`), embedded in the binary and compiled to bytecode once per process.

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Module, Runtime};
use std::sync::OnceLock;

/// Prelude files in evaluation order; each is one `(function (host, internal) { ... })` expression.
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

/// Module name → bytecode of each prelude file, wrapped as `export default <function>`.
pub fn bytecode() -> &'static [(String, Vec<u8>)] {
    static COMPILED: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let runtime = Runtime::new().expect("QuickJS runtime");
        let context = Context::full(&runtime).expect("QuickJS context");
        context.with(|ctx| {
            PRELUDE_FILES
                .iter()
                .map(|(file, source)| {
                    let name = format!("corral:prelude/{file}");
                    let wrapped = format!("export default {}\n;", source.trim_end());
                    let module = Module::declare(ctx.clone(), name.as_str(), wrapped).unwrap_or_else(|e| {
                        panic!("prelude {file} does not compile: {}", crate::errors::describe_error(&ctx, e))
                    });
                    let bytes = module.write(WriteOptions::default()).expect("prelude bytecode");
                    (name, bytes)
                })
                .collect()
        })
    })
}
