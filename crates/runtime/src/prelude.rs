//! The JS halves of the Web APIs (`js/*.js`), compiled to bytecode at build time (`build.rs`), and
//! loaded into an isolate lazily: a file runs the first time worker code touches one of the globals it defines
//! (or another file touches one of its `internal` hooks). A hello-world worker pays only for what it uses.

use rquickjs::{Module, Object};
use std::sync::OnceLock;

pub use crate::prelude_build::PRELUDE_FILES;

/// A prelude file compiled by `build.rs`.
pub(crate) struct BuiltFile {
    name: &'static str,
    bytecode: &'static [u8],
    globals: &'static [&'static str],
    hooks: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/prelude_built.rs"));

/// One compiled prelude file and what it defines.
pub struct PreludeFile {
    pub name: String,
    /// Bytecode of `export default <the file's function>`.
    pub bytecode: &'static [u8],
    /// Globals the file defines through `internal.defineGlobal`.
    pub globals: Vec<String>,
    /// Keys the file adds to `internal`.
    pub hooks: Vec<String>,
    /// Runs at boot rather than on first use.
    pub eager: bool,
}

/// The compiled prelude: the bytecode `build.rs` made, or (when there is none) compiled on first use.
pub fn files() -> &'static [PreludeFile] {
    static COMPILED: OnceLock<Vec<PreludeFile>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let eager = |name: &str| name.ends_with("/worker.js");
        if BUILT.len() == PRELUDE_FILES.len() {
            return BUILT
                .iter()
                .map(|f| PreludeFile {
                    name: f.name.to_string(),
                    bytecode: f.bytecode,
                    globals: f.globals.iter().map(|s| s.to_string()).collect(),
                    hooks: f.hooks.iter().map(|s| s.to_string()).collect(),
                    eager: eager(f.name),
                })
                .collect();
        }
        crate::prelude_build::compile()
            .into_iter()
            .map(|f| PreludeFile {
                eager: eager(&f.name),
                name: f.name,
                // Kept for the life of the process, as Module::load requires.
                bytecode: Vec::leak(f.bytecode),
                globals: f.globals,
                hooks: f.hooks,
            })
            .collect()
    })
}

/// The installer (`INSTALL`) as a function in `ctx`, loaded from bytecode.
pub(crate) fn install_function<'js>(
    ctx: &rquickjs::Ctx<'js>,
) -> rquickjs::Result<rquickjs::Function<'js>> {
    static COMPILED: OnceLock<&'static [u8]> = OnceLock::new();
    let bytecode = *COMPILED.get_or_init(|| {
        BUILT_INSTALL.unwrap_or_else(|| Vec::leak(crate::prelude_build::compile_install()))
    });
    // SAFETY: as in `load_file`.
    let module = unsafe { Module::load(ctx.clone(), bytecode) }?;
    let (module, promise) = module.eval()?;
    promise.finish::<()>()?;
    module.get("default")
}

/// Loads prelude file `index` into `ctx` and runs it with `host` and `internal`.
pub(crate) fn load_file<'js>(
    ctx: rquickjs::Ctx<'js>,
    index: usize,
    host: Object<'js>,
    internal: Object<'js>,
) -> rquickjs::Result<()> {
    let file = &files()[index];
    // SAFETY: bytecode written by `Module::write` of this QuickJS build (by `build.rs`, through the same rquickjs
    // version, or in this process); it is 'static, as `Module::load`'s read-only-data mode requires.
    let module = unsafe { Module::load(ctx.clone(), file.bytecode) }?;
    let (module, promise) = module.eval()?;
    promise.finish::<()>()?;
    let init: rquickjs::Function = module.get("default")?;
    init.call((host, internal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_bytecode_is_what_this_quickjs_compiles() {
        assert_eq!(
            BUILT.len(),
            PRELUDE_FILES.len(),
            "build.rs built the prelude"
        );
        let fresh = crate::prelude_build::compile();
        for (built, fresh) in BUILT.iter().zip(&fresh) {
            assert_eq!(built.name, fresh.name);
            assert_eq!(built.globals, fresh.globals.as_slice(), "{}", built.name);
            assert_eq!(built.hooks, fresh.hooks.as_slice(), "{}", built.name);
            assert!(
                built.bytecode == fresh.bytecode.as_slice(),
                "{}: bytecode differs",
                built.name
            );
        }
        assert!(
            BUILT_INSTALL == Some(crate::prelude_build::compile_install().as_slice()),
            "installer bytecode differs"
        );
    }
}
