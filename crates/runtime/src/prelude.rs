//! The JS halves of the Web APIs (`js/*.js`), compiled to bytecode at build time (`build.rs`), and
//! loaded into an isolate lazily: a file runs the first time worker code touches one of the globals it defines
//! (or another file touches one of its `internal` hooks). A hello-world worker pays only for what it uses.

use rquickjs::Object;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
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
    /// Bytecode of the script whose value is the file's function.
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
                // Kept for the life of the process, like the bytecode build.rs built in.
                bytecode: Vec::leak(f.bytecode),
                globals: f.globals,
                hooks: f.hooks,
            })
            .collect()
    })
}

/// Loads prelude file `index` into `ctx` and runs it with `host` and `internal`.
fn load_file<'js>(
    ctx: &rquickjs::Ctx<'js>,
    index: usize,
    host: Object<'js>,
    internal: Object<'js>,
) -> rquickjs::Result<()> {
    let file = &files()[index];
    // SAFETY: bytecode written by `script_bytecode` of this QuickJS build (by `build.rs`, through the same rquickjs
    // version, or in this process).
    let function = unsafe { crate::prelude_build::run_script(ctx, file.bytecode) }?;
    let init: rquickjs::Function = rquickjs::FromJs::from_js(ctx, function)?;
    init.call((host, internal))
}

/// Which lazy file defines each global and each hook (eager files are not listed: they run at boot).
struct NameIndex {
    globals: HashMap<&'static str, usize>,
    hooks: HashMap<&'static str, usize>,
}

fn name_index() -> &'static NameIndex {
    static INDEX: OnceLock<NameIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = NameIndex {
            globals: HashMap::new(),
            hooks: HashMap::new(),
        };
        for (i, file) in files().iter().enumerate().filter(|(_, f)| !f.eager) {
            for name in &file.globals {
                index.globals.insert(name.as_str(), i);
            }
            for name in &file.hooks {
                index.hooks.insert(name.as_str(), i);
            }
        }
        index
    })
}

/// Installs the prelude in a fresh context: `host`'s proxy (with `host_group` as its trap), lazy globals and hooks
/// that load their file on first touch, then the eager files. Returns `internal`, the files' shared object.
pub(crate) fn install<'js>(
    ctx: &rquickjs::Ctx<'js>,
    host: Object<'js>,
    host_group: rquickjs::Function<'js>,
) -> rquickjs::Result<Object<'js>> {
    static COMPILED: OnceLock<&'static [u8]> = OnceLock::new();
    let bytecode = *COMPILED.get_or_init(|| {
        BUILT_INSTALL.unwrap_or_else(|| Vec::leak(crate::prelude_build::compile_install()))
    });
    // Runs file `index` unless this isolate already loaded it (or is loading it).
    let loaded = Rc::new(RefCell::new(vec![false; files().len()]));
    let load =
        move |ctx: &rquickjs::Ctx<'js>, index: usize, host: Object<'js>, internal: Object<'js>| {
            if std::mem::replace(&mut loaded.borrow_mut()[index], true) {
                return Ok(());
            }
            load_file(ctx, index, host, internal)
        };
    let load_for = {
        let load = load.clone();
        rquickjs::Function::new(
            ctx.clone(),
            move |ctx: rquickjs::Ctx<'js>,
                  kind: u32,
                  name: rquickjs::String<'js>,
                  host: Object<'js>,
                  internal: Object<'js>|
                  -> rquickjs::Result<bool> {
                let name = name.to_string()?;
                let names = name_index();
                let found = if kind == 0 {
                    names.globals.get(name.as_str())
                } else {
                    names.hooks.get(name.as_str())
                };
                let Some(&index) = found else {
                    return Ok(false);
                };
                load(&ctx, index, host, internal)?;
                Ok(true)
            },
        )?
    };
    // SAFETY: as in `load_file`.
    let function = unsafe { crate::prelude_build::run_script(ctx, bytecode) }?;
    let install: rquickjs::Function = rquickjs::FromJs::from_js(ctx, function)?;
    let made: rquickjs::Array = install.call((host.clone(), host_group, load_for))?;
    let internal: Object = made.get(0)?;
    let lazy: rquickjs::Function = made.get(1)?;
    for file in files().iter().filter(|f| !f.eager) {
        for name in &file.globals {
            lazy.call::<_, ()>((name.as_str(),))?;
        }
    }
    for (index, _) in files().iter().enumerate().filter(|(_, f)| f.eager) {
        load(ctx, index, host.clone(), internal.clone())?;
    }
    Ok(internal)
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
