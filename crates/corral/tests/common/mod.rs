//! Shared helpers for the end-to-end tests: start the real `corral` binary on a free port, speak HTTP to it,
//! and read what it logged.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Processes of `Corral`s and directories of `WorkerDir`s not dropped yet. A server or directory kept in a static
/// (shared by a file's tests) is never dropped: these are killed and removed when the test process exits, so
/// nothing outlives its tests.
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static LEFT_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    fn kill(pid: i32, signal: std::os::raw::c_int) -> std::os::raw::c_int;
}

extern "C" fn clean_up_at_exit() {
    if let Ok(pids) = RUNNING.try_lock() {
        for &pid in pids.iter() {
            // SAFETY: `pid` is a child not yet waited for, so the number is still ours.
            unsafe { kill(pid as i32, 9) };
        }
    }
    if let Ok(dirs) = LEFT_DIRS.try_lock() {
        for dir in dirs.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn register_clean_up() {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: `atexit` only stores the function pointer; the callback touches nothing but statics.
    REGISTER.call_once(|| unsafe {
        atexit(clean_up_at_exit);
    });
}

fn track(pid: u32) {
    register_clean_up();
    RUNNING.lock().unwrap_or_else(|p| p.into_inner()).push(pid);
}

/// A running `corral` process, killed when dropped (or, if never dropped, when the test process exits).
pub struct Corral {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
    pub ready_line: String,
}

impl Corral {
    /// `corral dev DIR --port 0` plus `extra` arguments.
    pub fn dev(dir: &Path, extra: &[&str]) -> Corral {
        let mut args = vec![
            "dev".to_string(),
            dir.display().to_string(),
            "--port".into(),
            "0".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Corral::spawn(&args)
    }

    /// `corral serve DIRS --port 0` plus `extra` arguments.
    pub fn serve(dirs: &[&Path], extra: &[&str]) -> Corral {
        let mut args = vec!["serve".to_string()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["--port".to_string(), "0".to_string()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        Corral::spawn(&args)
    }

    fn spawn(args: &[String]) -> Corral {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corral"))
            .args(args)
            .env("CORRAL_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start corral");
        track(child.id());
        let log = Arc::new(Mutex::new(String::new()));
        {
            let log = log.clone();
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let ready_line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                std::thread::sleep(Duration::from_millis(100));
                panic!("corral did not start; log:\n{}", log.lock().unwrap());
            }
        };
        let addr = ready_line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no address in {ready_line:?}"));
        Corral {
            child,
            addr,
            log,
            ready_line,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Runs `corral` to completion with `args` (for commands expected to fail fast).
    pub fn run(args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_corral"))
            .args(args)
            .output()
            .expect("run corral")
    }
}

impl Drop for Corral {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let id = self.child.id();
        RUNNING
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|&pid| pid != id);
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn get(url: &str) -> (u16, String) {
    let r = client().get(url).send().unwrap();
    let status = r.status().as_u16();
    (status, r.text().unwrap())
}

/// Sends raw bytes and returns everything the server answers until it closes or goes quiet.
pub fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                // Once an answer has started, a short quiet spell means it is complete.
                s.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A temporary worker directory built from (relative path, contents) pairs.
pub struct WorkerDir {
    pub dir: tempfile::TempDir,
}

impl Drop for WorkerDir {
    fn drop(&mut self) {
        // The TempDir removes the directory itself.
        let path = self.dir.path().to_path_buf();
        LEFT_DIRS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|d| *d != path);
    }
}

impl WorkerDir {
    pub fn new(files: &[(&str, &str)]) -> WorkerDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        register_clean_up();
        LEFT_DIRS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(dir.path().to_path_buf());
        WorkerDir { dir }
    }

    /// A worker named `name` whose whole code is `source` (as src/index.js).
    pub fn script(name: &str, source: &str) -> WorkerDir {
        let toml = format!(
            "name = \"{name}\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-08-01\"\n"
        );
        WorkerDir::new(&[("wrangler.toml", &toml), ("src/index.js", source)])
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        let p: PathBuf = self.dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}
