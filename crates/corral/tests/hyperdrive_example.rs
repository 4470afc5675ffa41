//! The `examples/hyperdrive-crud` workers, bundled from their npm dependencies (`pg`, `postgres`, esbuild) and
//! run against a real PostgreSQL: CRUD and a transaction through `pg`, and queries and transactions through
//! postgres.js, both on `cloudflare:sockets` with SCRAM-SHA-256 auth.
//!
//! Needs `node`/`npm` (installs from the npm registry into `target/tmp`, reused across runs) and PostgreSQL's
//! server binaries (`initdb`, `postgres`: Debian's `postgresql` package); fails with a clear message without them.
//! While no pooler fills the Hyperdrive endpoints, the worker reaches PostgreSQL directly (`DATABASE_URL`,
//! `--unsafe-allow-connect`); with one, it goes through `env.DB` (the `x-db-via` header says which).

mod common;

use common::Corral;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "corral-pw";

fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in entries.flatten() {
            dirs.push(e.path().join("bin"));
        }
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A command for a PostgreSQL binary, run as the `postgres` user when we are root (initdb refuses root).
fn pg_command(binary: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(binary);
        c
    } else {
        Command::new(binary)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throwaway PostgreSQL server on loopback with SCRAM auth, stopped when dropped.
struct Postgres {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Postgres {
    fn start() -> Postgres {
        let initdb = which("initdb").expect(
            "PostgreSQL's initdb is not installed: install Debian's `postgresql` package to run this test",
        );
        let postgres = which("postgres").expect("PostgreSQL's postgres binary is not installed");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if is_root() {
            // The postgres user must be able to enter the temp dir and read the password file.
            Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let out = pg_command(&initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=scram-sha-256", "--no-sync"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let child = pg_command(&postgres)
            .arg("-D")
            .arg(&data)
            .args([
                "-p",
                &port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ])
            .arg("-k")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "postgres did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Postgres {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: PostgreSQL's fast shutdown. (The child may be runuser, which forwards it.)
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies the example's sources to `target/tmp/hyperdrive-crud`, installs its npm dependencies there (kept
/// between runs) and bundles both workers (`dist/worker.js`, `dist/postgresjs.js`), once per test run. Returns
/// the worker directory.
fn build_example() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_example_once).clone()
}

fn build_example_once() -> PathBuf {
    let node = which("node");
    let npm = which("npm");
    assert!(
        node.is_some() && npm.is_some(),
        "this test bundles examples/hyperdrive-crud with its npm dependencies and needs `node` and `npm` on PATH"
    );
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hyperdrive-crud");
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hyperdrive-crud");
    std::fs::create_dir_all(&work).unwrap();
    // nextest runs every test in its own process: one of them installs the npm packages, the others wait.
    let lock = work.join("install.lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    let _guard = loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break LockFile(lock.clone()),
            Err(_) => {
                // A lock older than the deadline was left by a killed run.
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(600));
                if stale {
                    let _ = std::fs::remove_file(&lock);
                }
                assert!(
                    Instant::now() < deadline,
                    "waited too long for {}",
                    lock.display()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    for file in ["package.json", "build.cjs"] {
        std::fs::copy(example.join(file), work.join(file)).unwrap();
    }
    let installed = ["pg", "postgres", "esbuild"]
        .iter()
        .all(|m| work.join("node_modules").join(m).is_dir());
    if !installed {
        run(
            Command::new(npm.unwrap())
                .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&work),
            "npm install",
        );
    }
    // This process's own copy of the sources and output, so parallel test processes never share files.
    let own = work.join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&own);
    std::fs::create_dir_all(own.join("src")).unwrap();
    for file in ["src/index.ts", "src/postgresjs.ts"] {
        std::fs::copy(example.join(file), own.join(file)).unwrap();
    }
    std::fs::copy(example.join("build.cjs"), own.join("build.cjs")).unwrap();
    let node_modules = own.join("node_modules");
    #[cfg(unix)]
    std::os::unix::fs::symlink(work.join("node_modules"), &node_modules).unwrap();
    run(
        Command::new(node.unwrap())
            .arg("build.cjs")
            .current_dir(&own),
        "bundling the example (node build.cjs)",
    );
    assert!(own.join("dist/worker.js").is_file() && own.join("dist/postgresjs.js").is_file());
    own
}

/// Removes the install lock when dropped.
struct LockFile(PathBuf);

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn request(
    corral: &Corral,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String, serde_json::Value) {
    let client = common::client();
    let mut req = client.request(method.parse().unwrap(), corral.url(path));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req
        .send()
        .unwrap_or_else(|e| panic!("{method} {path}: {e}\nlog:\n{}", corral.log()));
    let status = resp.status().as_u16();
    let via = resp
        .headers()
        .get("x-db-via")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().unwrap();
    let json = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}\nlog:\n{}", corral.log()))
    };
    (status, via, json)
}

#[test]
fn crud_api_with_pg_from_npm_against_postgres() {
    let built = build_example();
    // Its own worker directory: the bundle and a config (the watcher must not see other tests' files).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::copy(
        built.join("dist/worker.js"),
        dir.path().join("dist/worker.js"),
    )
    .unwrap();
    let work = dir.path().to_path_buf();
    let pg = Postgres::start();
    let url = format!(
        "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
        pg.port
    );
    std::fs::write(
        work.join("wrangler.toml"),
        format!(
            "name = \"hyperdrive-crud\"\nmain = \"dist/worker.js\"\ncompatibility_date = \"2025-01-01\"\n\
             compatibility_flags = [\"nodejs_compat\"]\n\
             hyperdrive = [{{ binding = \"DB\", id = \"crud-db\", localConnectionString = \"{url}\", \
             cache = {{ enabled = false }} }}]\n"
        ),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    // No --unsafe-allow-connect: the worker may only reach the database through the Hyperdrive pooler.
    let corral = Corral::dev(&work, &["--data-dir", data.path().to_str().unwrap()]);

    let (status, via, list) = request(&corral, "GET", "/items", None);
    assert_eq!(status, 200, "{list}\nlog:\n{}", corral.log());
    assert_eq!(
        via, "hyperdrive",
        "the worker must reach PostgreSQL through the binding"
    );
    assert_eq!(list, serde_json::json!([]));

    let (status, _, a) = request(
        &corral,
        "POST",
        "/items",
        Some(r#"{"name":"apples","qty":10}"#),
    );
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["name"], "apples");
    let (status, _, b) = request(
        &corral,
        "POST",
        "/items",
        Some(r#"{"name":"pears","qty":1}"#),
    );
    assert_eq!(status, 201, "{b}");
    let (a_id, b_id) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());

    let (status, _, got) = request(&corral, "GET", &format!("/items/{a_id}"), None);
    assert_eq!((status, got["qty"].as_i64()), (200, Some(10)));
    let (status, _, put) = request(
        &corral,
        "PUT",
        &format!("/items/{b_id}"),
        Some(r#"{"name":"pears (ripe)","qty":2}"#),
    );
    assert_eq!((status, put["name"].as_str()), (200, Some("pears (ripe)")));
    let (status, _, bad) = request(&corral, "POST", "/items", Some(r#"{"name":""}"#));
    assert_eq!(status, 400, "{bad}");

    // A transaction that commits...
    let (status, _, t) = request(
        &corral,
        "POST",
        "/transfer",
        Some(&format!(r#"{{"from":{a_id},"to":{b_id},"qty":4}}"#)),
    );
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["from"]["qty"], 6);
    assert_eq!(t["to"]["qty"], 6);
    // ... and one that rolls back: the first update succeeded inside it, the second failed.
    let (status, _, t) = request(
        &corral,
        "POST",
        "/transfer",
        Some(&format!(r#"{{"from":{a_id},"to":999999,"qty":1}}"#)),
    );
    assert_eq!(status, 404, "{t}");
    let (_, _, got) = request(&corral, "GET", &format!("/items/{a_id}"), None);
    assert_eq!(got["qty"], 6, "the failed transfer was rolled back");
    let (status, _, t) = request(
        &corral,
        "POST",
        "/transfer",
        Some(&format!(r#"{{"from":{a_id},"to":{b_id},"qty":100}}"#)),
    );
    assert_eq!(status, 409, "{t}");

    let (status, _, _) = request(&corral, "DELETE", &format!("/items/{b_id}"), None);
    assert_eq!(status, 204);
    let (status, _, _) = request(&corral, "GET", &format!("/items/{b_id}"), None);
    assert_eq!(status, 404);
    let (_, _, list) = request(&corral, "GET", "/items", None);
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Twenty requests, each opening and closing its own connection (the Workers pattern).
    for i in 0..20 {
        let (status, _, _) = request(&corral, "GET", "/items", None);
        assert_eq!(status, 200, "request {i}");
    }
    drop(corral);
}

#[test]
fn postgresjs_from_npm_against_postgres() {
    let work = build_example();
    let pg = Postgres::start();
    let url = format!(
        "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
        pg.port
    );
    // Its own worker directory (the crud test runs in `work` at the same time): the bundle and a config.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        work.join("dist/postgresjs.js"),
        dir.path().join("worker.js"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("wrangler.toml"),
        format!(
            "name = \"hyperdrive-postgresjs\"\nmain = \"worker.js\"\ncompatibility_date = \"2025-01-01\"\n\
             compatibility_flags = [\"nodejs_compat\"]\n\
             hyperdrive = [{{ binding = \"DB\", id = \"notes-db\", localConnectionString = \"{url}\", \
             cache = {{ enabled = false }} }}]\n"
        ),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let corral = Corral::dev(dir.path(), &["--data-dir", data.path().to_str().unwrap()]);

    // A parameterized query (postgres.js prepares it: a named statement through the transaction-mode pooler).
    let (status, via, info) = request(&corral, "GET", "/info?n=41", None);
    assert_eq!(status, 200, "{info}\nlog:\n{}", corral.log());
    assert_eq!(
        via, "hyperdrive",
        "the worker must reach PostgreSQL through the binding"
    );
    assert_eq!(info["next"], 42, "{info}");
    assert!(
        info["version"].as_str().is_some_and(|v| !v.is_empty()),
        "{info}"
    );

    let (status, _, list) = request(&corral, "GET", "/notes", None);
    assert_eq!((status, list), (200, serde_json::json!([])));

    // A transaction that commits...
    let (status, _, t) = request(
        &corral,
        "POST",
        "/notes",
        Some(r#"{"bodies":["first note","second note","third"]}"#),
    );
    assert_eq!(status, 201, "{t}\nlog:\n{}", corral.log());
    assert_eq!(t["count"], 3, "{t}");
    assert_eq!(t["inserted"][1]["body"], "second note", "{t}");
    // ... and one that rolls back: two inserts succeed inside it, the third breaks the CHECK constraint.
    let (status, _, t) = request(
        &corral,
        "POST",
        "/notes",
        Some(r#"{"bodies":["fourth","fifth",""]}"#),
    );
    assert_eq!(status, 400, "{t}");
    let (status, _, list) = request(&corral, "GET", "/notes", None);
    assert_eq!(status, 200, "{list}");
    let bodies: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["first note", "second note", "third"],
        "the failed transaction was rolled back"
    );
    let (status, _, found) = request(&corral, "GET", "/notes?q=note", None);
    assert_eq!(
        (status, found.as_array().map(Vec::len)),
        (200, Some(2)),
        "{found}"
    );

    // Twenty requests, each with its own client, ended in waitUntil.
    for i in 0..20 {
        let (status, _, info) = request(&corral, "GET", &format!("/info?n={i}"), None);
        assert_eq!(
            (status, info["next"].as_i64()),
            (200, Some(i + 1)),
            "request {i}: {info}"
        );
    }
    drop(corral);

    // Straight to PostgreSQL without the binding: postgres.js's own SCRAM-SHA-256 (PBKDF2, HMAC and SHA-256
    // from Web Crypto), which the pooler's endpoint does not ask for.
    std::fs::write(
        dir.path().join("wrangler.toml"),
        format!(
            "name = \"postgresjs-direct\"\nmain = \"worker.js\"\ncompatibility_date = \"2025-01-01\"\n\
             compatibility_flags = [\"nodejs_compat\"]\n[vars]\nDATABASE_URL = \"{url}\"\n"
        ),
    )
    .unwrap();
    let allow = format!("127.0.0.1:{}", pg.port);
    let corral = Corral::dev(
        dir.path(),
        &[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--unsafe-allow-connect",
            &allow,
        ],
    );
    let (status, via, info) = request(&corral, "GET", "/info?n=1", None);
    assert_eq!(
        (status, via.as_str()),
        (200, "direct"),
        "{info}\nlog:\n{}",
        corral.log()
    );
    assert_eq!(info["next"], 2, "{info}");
    let (status, _, list) = request(&corral, "GET", "/notes", None);
    assert_eq!(
        (status, list.as_array().map(Vec::len)),
        (200, Some(3)),
        "{list}"
    );
}

#[test]
fn connect_is_refused_without_allowing_the_destination() {
    let dir = common::WorkerDir::new(&[
        (
            "wrangler.toml",
            "name = \"sock\"\nmain = \"index.js\"\ncompatibility_date = \"2025-01-01\"\n",
        ),
        (
            "index.js",
            r#"import { connect } from "cloudflare:sockets";
export default {
  async fetch() {
    const s = connect("127.0.0.1:1");
    try { await s.opened; return new Response("opened"); }
    catch (e) { return new Response(`${e.name}: ${e.message}`, { status: 502 }); }
  },
};"#,
        ),
    ]);
    let data = tempfile::tempdir().unwrap();
    let corral = Corral::dev(dir.path(), &["--data-dir", data.path().to_str().unwrap()]);
    let (status, body) = common::get(&corral.url("/"));
    assert_eq!(status, 502, "{body}");
    assert!(
        body.contains("SocketError") && body.contains("--unsafe-allow-connect 127.0.0.1:1"),
        "{body}"
    );
    assert!(corral.wait_for_log("--unsafe-allow-connect 127.0.0.1:1", Duration::from_secs(5)));
}
