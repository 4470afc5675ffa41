//! Runs the Web API test files `js/tests/*.test.js` inside real isolates: each file becomes a worker whose
//! `fetch` handler runs the file's tests and answers with the results as JSON.

use corral_config::Limits;
use corral_runtime::{HttpRequest, Isolate, ResponseBody, WorkerBundle};
use std::path::Path;

const HARNESS_HEAD: &str = r#"
const __tests = [];
function __same(a, b) {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)) return true;
  const arrayish = (x) => Array.isArray(x) || ArrayBuffer.isView(x);
  if (arrayish(a) && arrayish(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!__same(a[i], b[i])) return false;
    return true;
  }
  return false;
}
function __show(v) {
  try { return typeof v === "string" ? JSON.stringify(v) : ArrayBuffer.isView(v) ? `${v.constructor.name}[${Array.from(v)}]` : Array.isArray(v) ? JSON.stringify(v) : String(v); } catch { return "<unprintable>"; }
}
function __checkError(e, ErrorClass, sub) {
  if (ErrorClass && !(e instanceof ErrorClass)) throw new Error(`expected ${ErrorClass.name}, got ${e && e.name}: ${e && e.message}`);
  if (sub !== undefined && !String(e && e.message).includes(sub)) throw new Error(`expected message containing ${JSON.stringify(sub)}, got ${JSON.stringify(e && e.message)}`);
}
globalThis.test = (name, fn) => { __tests.push([name, fn]); };
globalThis.assert = (cond, msg) => { if (!cond) throw new Error("assertion failed" + (msg ? ": " + msg : "")); };
globalThis.assertEq = (actual, expected, msg) => {
  if (!__same(actual, expected)) throw new Error(`${msg ? msg + ": " : ""}expected ${__show(expected)}, got ${__show(actual)}`);
};
globalThis.assertThrows = (fn, ErrorClass, sub) => {
  try { fn(); } catch (e) { __checkError(e, ErrorClass, sub); return e; }
  throw new Error(`expected ${ErrorClass ? ErrorClass.name : "an error"} to be thrown`);
};
globalThis.assertRejects = async (p, ErrorClass, sub) => {
  try { await (typeof p === "function" ? p() : p); } catch (e) { __checkError(e, ErrorClass, sub); return e; }
  throw new Error(`expected ${ErrorClass ? ErrorClass.name : "an error"} to be rejected`);
};
"#;

const HARNESS_TAIL: &str = r#"
export default {
  async fetch() {
    const results = [];
    for (const [name, fn] of __tests) {
      try {
        await fn();
        results.push({ name, ok: true });
      } catch (e) {
        results.push({ name, ok: false, error: e && e.stack ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
      }
    }
    return new Response(JSON.stringify(results), { headers: { "content-type": "application/json" } });
  },
};
"#;

fn run_test_file(path: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).unwrap();
    let main = format!("{HARNESS_HEAD}\n{source}\n{HARNESS_TAIL}");
    let limits = Limits {
        cpu_ms: 20_000,
        startup_ms: 5_000,
        ..Limits::default()
    };
    let mut bundle = match WorkerBundle::from_sources(
        "js-api-test",
        "index.js",
        &[("index.js", &main)],
        "{}",
        limits,
    ) {
        Ok(b) => b,
        Err(e) => return vec![format!("compile: {e}")],
    };
    // A test file may set compatibility flags and date in its leading comments:
    // `// compatibility_flags: nodejs_compat` and `// compatibility_date: 2025-01-01`.
    {
        let b = std::sync::Arc::get_mut(&mut bundle).expect("fresh bundle");
        for line in source.lines().take_while(|l| l.starts_with("//")) {
            let line = line.trim_start_matches('/').trim();
            if let Some(flags) = line.strip_prefix("compatibility_flags:") {
                b.compatibility_flags = flags.split_whitespace().map(String::from).collect();
            } else if let Some(date) = line.strip_prefix("compatibility_date:") {
                b.compatibility_date = Some(date.trim().to_string());
            }
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let isolate = match Isolate::new(bundle) {
            Ok(i) => i,
            Err(e) => return vec![format!("start-up: {e}")],
        };
        let request = HttpRequest {
            method: "GET".into(),
            url: "http://test.local/".into(),
            headers: vec![],
            body: None,
        };
        let response = match isolate.fetch(request).await {
            Ok(r) => r,
            Err(e) => return vec![format!("dispatch: {e}")],
        };
        let body = match response.body {
            ResponseBody::Full(b) => b.to_vec(),
            ResponseBody::Empty => Vec::new(),
            ResponseBody::Stream(mut rx) => {
                let mut out = Vec::new();
                while let Some(chunk) = rx.recv().await {
                    out.extend_from_slice(&chunk.unwrap());
                }
                out
            }
            ResponseBody::WebSocket(_) => {
                return vec!["the harness got a WebSocket response".into()]
            }
        };
        let results: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let mut failures = Vec::new();
        let mut passed = 0;
        for r in results.as_array().unwrap() {
            if r["ok"].as_bool() == Some(true) {
                passed += 1;
            } else {
                failures.push(format!(
                    "{}: {}",
                    r["name"],
                    r["error"].as_str().unwrap_or("")
                ));
            }
        }
        if passed == 0 && failures.is_empty() {
            failures.push("the file defines no tests".into());
        }
        failures
    })
}

#[test]
fn web_api_test_files_pass_in_quickjs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js/tests");
    let filter = std::env::var("JS_TEST").ok();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.js"))
        .filter(|p| {
            filter
                .as_ref()
                .is_none_or(|f| p.to_string_lossy().contains(f.as_str()))
        })
        .collect();
    files.sort();
    let mut report = Vec::new();
    for file in &files {
        let failures = run_test_file(file);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "{name}: {}",
            if failures.is_empty() {
                "ok".to_string()
            } else {
                format!("{} failed", failures.len())
            }
        );
        for f in failures {
            report.push(format!("{name}: {f}"));
        }
    }
    assert!(
        report.is_empty(),
        "JS API test failures:\n{}",
        report.join("\n\n")
    );
}
