//! A real PostgreSQL for the tests: Debian's `postgresql` package, `initdb` once into a template directory
//! (SCRAM auth for TCP, loopback only), copied for each test and started on a free port. As root, the server
//! runs as the `postgres` user (Postgres refuses to run as root). If the binaries are missing they are
//! installed with apt-get when we are root; otherwise the test fails saying what to install.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const USER: &str = "app";
pub const PASSWORD: &str = "app-secret";
pub const DATABASE: &str = "appdb";

pub struct Pg {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    max_connections: u32,
}

static SETUP: Mutex<()> = Mutex::new(());

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The directory of `initdb`/`postgres`/`pgbench`, installing the packages if needed.
pub fn pg_bin() -> PathBuf {
    let find = || -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").is_file() && p.join("pgbench").is_file())
            .collect();
        versions.sort();
        versions.pop()
    };
    if let Some(b) = find() {
        return b;
    }
    assert!(
        is_root(),
        "PostgreSQL is not installed: run `apt-get install postgresql postgresql-contrib` (the tests need initdb, postgres, psql and pgbench)"
    );
    eprintln!("installing postgresql with apt-get for the hyperdrive tests");
    let ok = Command::new("sh")
        .arg("-c")
        .arg("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "apt-get install postgresql failed");
    find().expect("postgresql installed but no /usr/lib/postgresql/*/bin/initdb")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(as_postgres: bool, cmd: &Path, args: &[&str]) -> std::process::Output {
    let mut c = if as_postgres {
        let mut c = Command::new("runuser");
        c.arg("-u").arg("postgres").arg("--").arg(cmd);
        c
    } else {
        Command::new(cmd)
    };
    c.args(args).current_dir("/tmp");
    c.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cmd.display()))
}

fn template(bin: &Path, as_postgres: bool) -> PathBuf {
    let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let version = bin
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root = std::env::temp_dir().join(format!("corral-hd-template-{version}"));
    let data = root.join("data");
    if data.join("PG_VERSION").is_file() && root.join("ready").is_file() {
        return data;
    }
    // Built in a scratch directory and renamed into place, so parallel test processes never see half of one.
    let scratch = std::env::temp_dir().join(format!("corral-hd-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    if as_postgres {
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&scratch)
            .status()
            .unwrap();
    }
    let pwfile = scratch.join("pw");
    std::fs::write(&pwfile, "super-secret\n").unwrap();
    if as_postgres {
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&pwfile)
            .status()
            .unwrap();
    }
    let sdata = scratch.join("data");
    let out = run(
        as_postgres,
        &bin.join("initdb"),
        &[
            "-D",
            sdata.to_str().unwrap(),
            "-U",
            "postgres",
            "--pwfile",
            pwfile.to_str().unwrap(),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
    );
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Start once to create the application role and database, then stop.
    let port = free_port();
    let sock = scratch.to_str().unwrap().to_string();
    let opts = format!("-p {port} -k {sock} -c listen_addresses=127.0.0.1");
    let out = run(
        as_postgres,
        &bin.join("pg_ctl"),
        &[
            "-D",
            sdata.to_str().unwrap(),
            "-o",
            &opts,
            "-w",
            "-l",
            scratch.join("log").to_str().unwrap(),
            "start",
        ],
    );
    assert!(
        out.status.success(),
        "postgres did not start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let role = format!(
        "SET password_encryption = 'scram-sha-256'; CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'"
    );
    let db = format!("CREATE DATABASE {DATABASE} OWNER {USER}");
    let psql = bin.join("psql");
    let p = port.to_string();
    let out = run(
        as_postgres,
        &psql,
        &[
            "-h",
            &sock,
            "-p",
            &p,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &role,
            "-c",
            &db,
        ],
    );
    assert!(
        out.status.success(),
        "setup SQL failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        as_postgres,
        &bin.join("pg_ctl"),
        &["-D", sdata.to_str().unwrap(), "-m", "fast", "-w", "stop"],
    );
    assert!(out.status.success());
    std::fs::create_dir_all(&root).unwrap();
    if as_postgres {
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&root)
            .status()
            .unwrap();
    }
    if std::fs::rename(&sdata, &data).is_err() && !data.join("PG_VERSION").is_file() {
        panic!("cannot move the template into {}", data.display());
    }
    std::fs::write(root.join("ready"), "").unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
    data
}

impl Pg {
    /// A fresh server (its own copy of the template) on a free port.
    pub fn start(max_connections: u32) -> Pg {
        let bin = pg_bin();
        let as_postgres = is_root();
        let template = template(&bin, as_postgres);
        let dir = tempfile::Builder::new()
            .prefix("corral-hd-pg")
            .tempdir()
            .unwrap()
            .keep();
        let data = dir.join("data");
        let ok = Command::new("cp")
            .arg("-a")
            .arg(&template)
            .arg(&data)
            .status()
            .unwrap()
            .success();
        assert!(ok, "cannot copy the template data directory");
        if as_postgres {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
        }
        let pg = Pg {
            port: free_port(),
            dir,
            bin,
            as_postgres,
            max_connections,
        };
        pg.pg_ctl_start();
        pg
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections={} -c password_encryption=scram-sha-256 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.port,
            self.dir.to_str().unwrap(),
            self.max_connections
        );
        let out = run(
            self.as_postgres,
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.dir.join("data").to_str().unwrap(),
                "-o",
                &opts,
                "-w",
                "-t",
                "30",
                "-l",
                self.dir.join("log").to_str().unwrap(),
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "postgres did not start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    pub fn stop(&self, mode: &str) {
        run(
            self.as_postgres,
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.dir.join("data").to_str().unwrap(),
                "-m",
                mode,
                "-w",
                "stop",
            ],
        );
    }

    /// Stops (fast: open sessions are terminated) and starts again on the same port.
    pub fn restart(&self) {
        self.stop("fast");
        self.pg_ctl_start();
    }

    pub fn url(&self) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{DATABASE}",
            self.port
        )
    }

    pub fn bin(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// Runs `psql -c` as the superuser over the socket (for setup and inspection).
    pub fn admin(&self, sql: &str) -> String {
        let out = run(
            self.as_postgres,
            &self.bin.join("psql"),
            &[
                "-h",
                self.dir.to_str().unwrap(),
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                DATABASE,
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
        );
        assert!(
            out.status.success(),
            "admin SQL failed: {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop("immediate");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits until `f` is true, up to `timeout`.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
