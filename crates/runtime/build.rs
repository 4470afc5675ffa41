//! Compiles the JS prelude to QuickJS bytecode at build time (see `src/prelude_build.rs`), so a process starts
//! without compiling ~6,000 lines of JavaScript. The bytecode comes from the same rquickjs (same QuickJS
//! sources, same version: Cargo.lock has one) as the runtime that loads it. When cross-compiling, the build
//! machine's QuickJS may not match the target's, so nothing is built in and the runtime compiles the prelude.

#[allow(dead_code)]
#[path = "src/errors.rs"]
mod errors;
#[path = "src/prelude_build.rs"]
mod prelude_build;

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=js");
    println!("cargo:rerun-if-changed=src/prelude_build.rs");
    println!("cargo:rerun-if-changed=src/errors.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let host = std::env::var("HOST").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let mut code = String::from("pub(crate) static BUILT: &[BuiltFile] = &[\n");
    if host == target {
        for (i, file) in prelude_build::compile().iter().enumerate() {
            let path = out.join(format!("prelude-{i}.bin"));
            std::fs::write(&path, &file.bytecode).expect("write prelude bytecode");
            writeln!(
                code,
                "    BuiltFile {{ name: {:?}, bytecode: include_bytes!({:?}), globals: &{:?}, hooks: &{:?} }},",
                file.name,
                path.display().to_string(),
                file.globals,
                file.hooks
            )
            .unwrap();
        }
    }
    code.push_str("];\n");
    if host == target {
        let path = out.join("prelude-install.bin");
        std::fs::write(&path, prelude_build::compile_install()).expect("write prelude bytecode");
        writeln!(
            code,
            "pub(crate) static BUILT_INSTALL: Option<&[u8]> = Some(include_bytes!({:?}));",
            path.display().to_string()
        )
        .unwrap();
    } else {
        code.push_str("pub(crate) static BUILT_INSTALL: Option<&[u8]> = None;\n");
    }
    std::fs::write(out.join("prelude_built.rs"), code).expect("write prelude_built.rs");
}
