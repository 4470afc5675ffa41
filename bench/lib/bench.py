#!/usr/bin/env python3
"""corral against workerd, side by side. Called by bench/run, which installs wrk and workerd and builds corral.

Sections (each one is skipped with a note, never silently, when a server cannot take part):
  check    every handler answers 200 with the expected body on every server
  load     wrk against corral --threads 1, corral (default threads) and workerd, alternately, several rounds
  memory   RSS of one server holding 1, 100 and 1000 distinct small workers, each hit once
  startup  process start to first 200
  reload   corral dev: file write to first response showing the new version (workerd --watch for comparison)
  kv       Workers KV get and put operations/s from a worker (corral only: workerd has no local KV backend)
  do       Durable Object counter through one object, corral against workerd (localDisk storage)
  queues   Queues end to end (send -> consumer) at batch sizes 1, 10, 100, durable (corral only; bench_queues.py)

Writes results/latest.json and results/latest.md (the summary table) and prints the summary.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
WORKERS = os.path.join(BENCH, "workers")
WORKERD_CONFIGS = os.path.join(BENCH, "workerd")
HANDLERS = ["hello-world", "json", "stream-1mib"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024

# Processes this script started; stopped at exit whatever happens.
_children = []


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


class Server:
    """One server process; its output goes to a log file in the work directory."""

    def __init__(self, label, argv, port, host, workdir, env=None):
        self.label = label
        self.argv = argv
        self.port = port
        self.host = host
        self.log_path = os.path.join(workdir, f"{label}-{port}.log")
        self.cwd = workdir
        self.env = env
        self.proc = None
        self.started_at = None

    def start(self):
        logf = open(self.log_path, "ab")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdout=logf,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.cwd,
            env=self.env,
        )
        logf.close()
        _children.append(self.proc)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=30.0, path="/"):
        """Polls until the first 200; returns seconds since start()."""
        deadline = time.perf_counter() + timeout
        self.listening_at = None

        def connected():
            if self.listening_at is None:
                self.listening_at = time.perf_counter() - self.started_at

        while time.perf_counter() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode}; log: {self.tail()}")
            status, _ = http_get(self.port, self.host, path, timeout=2.0, on_connect=connected)
            if status == 200:
                return time.perf_counter() - self.started_at
            time.sleep(0.0002)
        raise RuntimeError(f"{self.label} gave no 200 within {timeout}s; log: {self.tail()}")

    def wait_answer(self, timeout=30.0):
        """Polls until the server answers anything at all (any status)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.alive():
                return False
            status, _ = http_get(self.port, self.host, "/", timeout=2.0)
            if status is not None:
                return True
            time.sleep(0.001)
        return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc in _children:
            _children.remove(self.proc)

    def tail(self, n=1200):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace").strip()
        except OSError:
            return "(no log)"


def _stop_children():
    for p in list(_children):
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_stop_children)


def cpu_seconds(pid):
    """utime + stime of the whole process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# ---------------------------------------------------------------- ports and HTTP


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_range(count, start=20000, stop=32000):
    """A base port such that base..base+count-1 are all free (below Linux's ephemeral range)."""
    base = start
    while base + count <= stop:
        ok = True
        for p in range(base, base + count):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    base = p + 1
                    break
        if ok:
            return base
    raise RuntimeError(f"no {count} consecutive free ports")


def http_get(port, host, path="/", timeout=5.0, on_connect=None):
    """One GET on a fresh connection. Returns (status, body bytes); (None, b"") when nothing answers."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return None, b""
    if on_connect:
        on_connect()
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    except OSError:
        return None, b""
    finally:
        s.close()
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if not m:
        return None, b""
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        body = dechunk(body)
    return int(m.group(1)), body


def dechunk(body):
    out = []
    i = 0
    while True:
        j = body.find(b"\r\n", i)
        if j < 0:
            break
        size = int(body[i:j].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(body[j + 2 : j + 2 + size])
        i = j + 2 + size + 2
    return b"".join(out)


# ---------------------------------------------------------------- server factories


class Env:
    def __init__(self, args):
        self.corral = args.corral
        self.workerd = args.workerd
        self.work = args.work


def corral_serve(env, dirs, threads, label, port=None):
    port = port or free_port()
    argv = [env.corral, "serve", *dirs, "--port", str(port)]
    if threads is not None:
        argv += ["--threads", str(threads)]
    return Server(label, argv, port, None, env.work)


def corral_dev(env, directory, label, port=None):
    port = port or free_port()
    return Server(label, [env.corral, "dev", directory, "--port", str(port)], port, None, env.work)


def workerd_serve(env, config, label, port=None, socket_name="http", extra=()):
    argv = [env.workerd, "serve", config, *extra]
    if port is None:
        port = free_port()
    if socket_name:
        argv += ["--socket-addr", f"{socket_name}=127.0.0.1:{port}"]
    return Server(label, argv, port, None, env.work)


def load_servers(env, handler):
    """The three servers of the load test for one handler, each serving that handler only."""
    host = f"{handler}.localhost"
    servers = [
        corral_serve(env, [os.path.join(WORKERS, handler)], 1, "corral-t1"),
        corral_serve(env, [os.path.join(WORKERS, handler)], None, "corral"),
        workerd_serve(env, os.path.join(WORKERD_CONFIGS, f"{handler}.capnp"), "workerd"),
    ]
    for s in servers:
        s.host = host
    return servers


SERVER_LABELS = {
    "corral-t1": "corral serve --threads 1",
    "corral": f"corral serve (default threads = {os.cpu_count()})",
    "workerd": "workerd serve",
}


def expected_body(handler, path="/"):
    if handler == "hello-world":
        return lambda b: b == b"Hello World\n", "'Hello World\\n'"
    if handler == "json":

        def ok(b):
            try:
                v = json.loads(b)
            except ValueError:
                return False
            return v.get("ok") is True and len(v.get("items", [])) == 12 and 900 <= len(b) <= 1200

        return ok, "the ~1 KB JSON object"
    if handler == "stream-1mib":
        return lambda b: b == b"a" * MIB, "1 MiB of 'a'"
    raise KeyError(handler)


# ---------------------------------------------------------------- check


def section_check(env, results):
    """Which (handler, server) pairs answer correctly: the load test runs only those."""
    ok = {}
    for handler in HANDLERS:
        servers = load_servers(env, handler)
        try:
            for s in servers:
                s.start()
            for s in servers:
                key = f"{handler}/{s.label}"
                s.wait_answer(timeout=20)
                status, body = http_get(s.port, s.host, "/")
                good, what = expected_body(handler)
                if status == 200 and good(body):
                    ok[key] = True
                    log(f"check {key}: ok ({len(body)} bytes)")
                else:
                    reason = f"answered {status} with {len(body)} bytes, expected 200 with {what}"
                    snippet = body[:160].decode("utf-8", "replace").strip()
                    if snippet:
                        reason += f": {snippet!r}"
                    if not s.alive():
                        reason = f"exited: {s.tail(300)}"
                    ok[key] = False
                    results["notes"].append(f"{handler} on {SERVER_LABELS[s.label]}: {reason}")
                    log(f"check {key}: FAILED, {reason}")
        finally:
            for s in servers:
                s.stop()
    results["check"] = ok
    return ok


# ---------------------------------------------------------------- load

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def parse_duration_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    if not m:
        raise ValueError(f"wrk duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    r = {}
    m = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
    r["avg_ms"] = parse_duration_ms(m.group(1))
    r["max_ms"] = parse_duration_ms(m.group(3))
    m = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    r["p99_ms"] = parse_duration_ms(m.group(1))
    m = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    r["p50_ms"] = parse_duration_ms(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    r["requests"] = int(m.group(1))
    r["seconds"] = parse_duration_ms(m.group(2) + m.group(3)) / 1e3
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return r


def run_wrk(server, seconds, connections, path="/"):
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Host: {server.host}",
        f"http://127.0.0.1:{server.port}{path}",
    ]
    cpu0 = cpu_seconds(server.pid)
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - t0
    cpu1 = cpu_seconds(server.pid)
    r = parse_wrk(out)
    r["server_cpu_s"] = cpu1 - cpu0
    r["server_cores"] = (cpu1 - cpu0) / wall
    r["per_cpu_s"] = r["requests"] / (cpu1 - cpu0) if cpu1 > cpu0 else None
    return r


def section_load(env, results, ok, args):
    load = {}
    for handler in HANDLERS:
        conns = args.stream_connections if handler == "stream-1mib" else args.connections
        servers = [s for s in load_servers(env, handler) if ok.get(f"{handler}/{s.label}")]
        skipped = [s.label for s in load_servers(env, handler) if not ok.get(f"{handler}/{s.label}")]
        for label in skipped:
            load[f"{handler}/{label}"] = {"skipped": "wrong answer in the check (see notes)"}
        if not servers:
            continue
        try:
            for s in servers:
                s.start()
            for s in servers:
                s.wait_ready(timeout=20)
            for s in servers:
                log(f"load {handler}: warm-up {s.label} {args.warmup}s")
                run_wrk(s, args.warmup, conns)
            runs = {s.label: [] for s in servers}
            for rnd in range(args.rounds):
                for s in servers:
                    r = run_wrk(s, args.duration, conns)
                    runs[s.label].append(r)
                    bad = ""
                    if r["non2xx"] or r["socket_errors"]:
                        bad = f" non-2xx={r['non2xx']} socket-errors={r['socket_errors']}"
                    log(
                        f"load {handler} round {rnd + 1}/{args.rounds} {s.label}: "
                        f"{r['rps']:.0f} req/s, p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.1f} ms, "
                        f"{r['per_cpu_s'] or 0:.0f} req/CPU-s, server {r['server_cores']:.2f} cores{bad}"
                    )
            for s in servers:
                rs = runs[s.label]
                med = lambda k: statistics.median(x[k] for x in rs if x[k] is not None)
                load[f"{handler}/{s.label}"] = {
                    "rps": med("rps"),
                    "p50_ms": med("p50_ms"),
                    "p99_ms": med("p99_ms"),
                    "max_ms_median": med("max_ms"),
                    "max_ms_worst": max(x["max_ms"] for x in rs),
                    "per_cpu_s": med("per_cpu_s"),
                    "server_cores": med("server_cores"),
                    "non2xx": sum(x["non2xx"] for x in rs),
                    "socket_errors": sum(x["socket_errors"] for x in rs),
                    "rss_after_mib": rss_kib(s.pid) / 1024,
                    "connections": conns,
                    "runs": rs,
                }
                if not s.alive():
                    results["notes"].append(f"{handler}: {s.label} died during the load test: {s.tail(300)}")
        finally:
            for s in servers:
                s.stop()
    results["load"] = load


# ---------------------------------------------------------------- memory


def make_workers(root, n):
    """n distinct small workers wNNNN, for corral (dirs with wrangler.toml) and workerd (one capnp, n sockets)."""
    os.makedirs(root, exist_ok=True)
    names = [f"w{i:04d}" for i in range(n)]
    for name in names:
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "index.js"), "w") as f:
            f.write(
                "// A small worker that names itself.\n"
                "export default {\n"
                "  fetch(request) {\n"
                f'    return new Response("{name}\\n");\n'
                "  },\n"
                "};\n"
            )
        with open(os.path.join(d, "wrangler.toml"), "w") as f:
            f.write(f'name = "{name}"\nmain = "index.js"\ncompatibility_date = "2024-09-01"\n')
    return names


def workerd_many_config(root, names, base_port):
    path = os.path.join(root, "workerd.capnp")
    lines = ['using Workerd = import "/workerd/workerd.capnp";', "", "const config :Workerd.Config = (", "  services = ["]
    for name in names:
        lines.append(
            f'    (name = "{name}", worker = (modules = [(name = "worker", esModule = embed "{name}/index.js")], '
            f'compatibilityDate = "2024-09-01")),'
        )
    lines.append("  ],")
    lines.append("  sockets = [")
    for i, name in enumerate(names):
        lines.append(f'    (name = "{name}", address = "127.0.0.1:{base_port + i}", http = (), service = "{name}"),')
    lines.append("  ],")
    lines.append(");")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def measure_many(server, targets, first):
    """targets: [(port, host, expected body)]. Returns timings and RSS after every worker was hit once."""
    server.start()
    try:
        port, host, want = first
        server.port, server.host = port, host
        t_first = server.wait_ready(timeout=120)
        t0 = time.perf_counter()
        failures = 0
        for port, host, want in targets:
            status, body = http_get(port, host, "/", timeout=30)
            if status != 200 or body != want:
                failures += 1
        t_all = time.perf_counter() - t0
        time.sleep(0.2)
        rss = rss_kib(server.pid) / 1024
        return {
            "first_response_ms": t_first * 1e3,
            "hit_all_ms": t_all * 1e3,
            "all_answered_ms": (t_first + t_all) * 1e3,
            "rss_mib": rss,
            "failures": failures,
        }
    finally:
        server.stop()


def section_memory(env, results, args):
    mem = {"corral": {}, "workerd": {}}
    for n in args.memory_counts:
        root = os.path.join(env.work, f"many-{n}")
        names = make_workers(root, n)
        # corral: one directory of worker directories, routed by Host: wNNNN.localhost
        port = free_port()
        s = corral_serve(env, [root], 1, f"corral-many{n}", port=port)
        targets = [(port, f"{name}.localhost", f"{name}\n".encode()) for name in names]
        try:
            r = measure_many(s, targets, targets[0])
            mem["corral"][n] = r
            log(f"memory corral N={n}: {r}")
        except RuntimeError as e:
            mem["corral"][n] = {"error": str(e)[:300]}
            log(f"memory corral N={n}: FAILED {e}")
        # workerd: n services, n sockets on consecutive ports
        base = free_port_range(n)
        config = workerd_many_config(root, names, base)
        s = workerd_serve(env, config, f"workerd-many{n}", port=base, socket_name=None)
        targets = [(base + i, "localhost", f"{name}\n".encode()) for i, name in enumerate(names)]
        try:
            r = measure_many(s, targets, targets[0])
            mem["workerd"][n] = r
            log(f"memory workerd N={n}: {r}")
        except RuntimeError as e:
            mem["workerd"][n] = {"error": str(e)[:300]}
            log(f"memory workerd N={n}: FAILED {e}")
        shutil.rmtree(root, ignore_errors=True)
    for server in mem:
        d = mem[server]
        lo = min(args.memory_counts)
        for n in args.memory_counts:
            if n == lo or "rss_mib" not in d.get(n, {}) or "rss_mib" not in d.get(lo, {}):
                continue
            d[f"per_worker_mib_{n}"] = (d[n]["rss_mib"] - d[lo]["rss_mib"]) / (n - lo)
    results["memory"] = mem


# ---------------------------------------------------------------- startup


def section_startup(env, results, args):
    hello = os.path.join(WORKERS, "hello-world")
    dev_dir = os.path.join(env.work, "dev-hello")
    shutil.copytree(hello, dev_dir, dirs_exist_ok=True)
    kinds = {
        "corral-t1": lambda: corral_serve(env, [hello], 1, "start-corral-t1"),
        "corral": lambda: corral_serve(env, [hello], None, "start-corral"),
        "corral-dev": lambda: corral_dev(env, dev_dir, "start-corral-dev"),
        "workerd": lambda: workerd_serve(env, os.path.join(WORKERD_CONFIGS, "hello-world.capnp"), "start-workerd"),
    }
    out = {}
    for kind, make in kinds.items():
        times = []
        listening = []
        try:
            for i in range(args.startup_repeats + 1):  # the first run warms the page cache and is dropped
                s = make()
                s.host = "hello-world.localhost"
                s.start()
                try:
                    t = s.wait_ready(timeout=30)
                finally:
                    s.stop()
                if i > 0:
                    times.append(t * 1e3)
                    listening.append(s.listening_at * 1e3)
            out[kind] = {
                "median_ms": statistics.median(times),
                "min_ms": min(times),
                "max_ms": max(times),
                "listening_median_ms": statistics.median(listening),
                "runs_ms": times,
            }
            log(f"startup {kind}: median {out[kind]['median_ms']:.1f} ms (min {min(times):.1f}, max {max(times):.1f})")
        except RuntimeError as e:
            out[kind] = {"error": str(e)[:300]}
            log(f"startup {kind}: FAILED {e}")
    results["startup"] = out


# ---------------------------------------------------------------- reload


RELOAD_JS = """// Reload probe: bench/run rewrites this file and waits for the new version.
export default {{
  fetch() {{
    return new Response("version {v}\\n");
  }},
}};
"""


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def reload_loop(server, js_path, repeats, settle, timeout=10.0):
    times = []
    server.wait_ready(timeout=30)
    for v in range(1, repeats + 1):
        time.sleep(settle)
        want = f"version {v}\n".encode()
        text = RELOAD_JS.format(v=v)
        t0 = time.perf_counter()
        write_file(js_path, text)
        deadline = t0 + timeout
        while True:
            status, body = http_get(server.port, server.host, "/")
            now = time.perf_counter()
            if status == 200 and body == want:
                times.append((now - t0) * 1e3)
                break
            if now > deadline:
                raise RuntimeError(f"version {v} not served within {timeout}s; last {status} {body[:80]!r}; log: {server.tail(300)}")
            if not server.alive():
                raise RuntimeError(f"server exited; log: {server.tail(300)}")
    return times


def section_reload(env, results, args):
    out = {}
    # corral dev
    d = os.path.join(env.work, "reload-corral")
    os.makedirs(d, exist_ok=True)
    write_file(os.path.join(d, "index.js"), RELOAD_JS.format(v=0))
    write_file(os.path.join(d, "wrangler.toml"), 'name = "reload"\nmain = "index.js"\ncompatibility_date = "2024-09-01"\n')
    s = corral_dev(env, d, "reload-corral-dev")
    s.host = "reload.localhost"
    s.start()
    try:
        times = reload_loop(s, os.path.join(d, "index.js"), args.reload_repeats, settle=0.3)
        out["corral-dev"] = {"median_ms": statistics.median(times), "max_ms": max(times), "min_ms": min(times), "runs_ms": times}
        log(f"reload corral dev: median {out['corral-dev']['median_ms']:.1f} ms, max {max(times):.1f} ms")
    except RuntimeError as e:
        out["corral-dev"] = {"error": str(e)[:300]}
        log(f"reload corral dev: FAILED {e}")
    finally:
        s.stop()
    # workerd serve --watch, for comparison (it restarts the whole config)
    d = os.path.join(env.work, "reload-workerd")
    os.makedirs(d, exist_ok=True)
    write_file(os.path.join(d, "index.js"), RELOAD_JS.format(v=0))
    write_file(
        os.path.join(d, "config.capnp"),
        'using Workerd = import "/workerd/workerd.capnp";\n'
        "const config :Workerd.Config = (\n"
        '  services = [ (name = "reload", worker = (modules = [(name = "worker", esModule = embed "index.js")], '
        'compatibilityDate = "2024-09-01")) ],\n'
        '  sockets = [ (name = "http", address = "127.0.0.1:8799", http = (), service = "reload") ],\n'
        ");\n",
    )
    s = workerd_serve(env, os.path.join(d, "config.capnp"), "reload-workerd", extra=("--watch",))
    s.host = "localhost"
    s.start()
    try:
        times = reload_loop(s, os.path.join(d, "index.js"), args.reload_repeats, settle=0.5)
        out["workerd-watch"] = {"median_ms": statistics.median(times), "max_ms": max(times), "min_ms": min(times), "runs_ms": times}
        log(f"reload workerd --watch: median {out['workerd-watch']['median_ms']:.1f} ms, max {max(times):.1f} ms")
    except RuntimeError as e:
        out["workerd-watch"] = {"error": str(e)[:300]}
        log(f"reload workerd --watch: FAILED {e}")
    finally:
        s.stop()
    results["reload"] = out


# ---------------------------------------------------------------- kv

KV_PATHS = ["/get?n=1", "/get?n=10", "/put?n=1", "/put?n=10"]


def section_kv(env, results, args):
    """wrk against bench/workers/kv: each request does n KV gets or puts (awaited together)."""
    out = {}
    for threads, label in [(1, "corral-t1"), (None, "corral")]:
        data = tempfile.mkdtemp(prefix="kv-data-", dir=env.work)
        port = free_port()
        argv = [env.corral, "serve", os.path.join(WORKERS, "kv"), "--port", str(port), "--data-dir", data]
        if threads is not None:
            argv += ["--threads", str(threads)]
        s = Server(f"kv-{label}", argv, port, None, env.work)
        s.host = "kv.localhost"
        try:
            s.start()
            s.wait_ready(timeout=20)
            status, body = http_get(s.port, s.host, "/seed", timeout=60)
            if status != 200:
                raise RuntimeError(f"/seed answered {status}: {body[:200]!r}")
            for path in KV_PATHS:
                run_wrk(s, args.warmup, args.connections, path)
                rs = [run_wrk(s, args.duration, args.connections, path) for _ in range(args.kv_rounds)]
                n = int(path.split("n=")[1])
                med = lambda k: statistics.median(x[k] for x in rs if x[k] is not None)
                r = {
                    "rps": med("rps"),
                    "ops_per_s": med("rps") * n,
                    "p50_ms": med("p50_ms"),
                    "p99_ms": med("p99_ms"),
                    "per_cpu_s": med("per_cpu_s"),
                    "server_cores": med("server_cores"),
                    "non2xx": sum(x["non2xx"] for x in rs),
                    "runs": rs,
                }
                out[f"{label}{path}"] = r
                bad = f" non-2xx={r['non2xx']}" if r["non2xx"] else ""
                log(
                    f"kv {label} {path}: {r['rps']:.0f} req/s = {r['ops_per_s']:.0f} KV ops/s, "
                    f"p99 {r['p99_ms']:.2f} ms, server {r['server_cores']:.2f} cores{bad}"
                )
            if not s.alive():
                results["notes"].append(f"kv: {label} died: {s.tail(300)}")
        finally:
            s.stop()
    results["kv"] = out


# ---------------------------------------------------------------- summary


def fmt(v, spec=".0f", unit=""):
    if v is None:
        return "—"
    return f"{v:{spec}}{unit}"


def ratio(a, b, spec=".2f"):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:{spec}}×"


def g(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem_kib / MIB, "kernel": platform.release()}


def render(results):
    m = results["machine"]
    a = results["args"]
    L = []
    L.append(f"# corral vs workerd — {results['date']}")
    L.append("")
    L.append(
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['mem_gib']:.1f} GiB, Linux {m['kernel']}. "
        f"{results['versions']['corral']} ({results['versions']['corral_commit']}), {results['versions']['workerd']}, "
        f"{results['versions']['wrk']}."
    )
    L.append(f"Command: `bench/run` ({results['elapsed_s']:.0f} s).")
    L.append("")
    load = results.get("load", {})
    if load:
        L.append(
            f"## Throughput (wrk -t1, {a['connections']} connections ({a['stream_connections']} for stream-1mib), "
            f"{a['duration']} s × {a['rounds']} rounds alternating, median; warm-up {a['warmup']} s)"
        )
        L.append("")
        L.append("Requests per CPU-second = requests ÷ (server utime + stime during the run). wrk runs on the same 2 cores.")
        L.append("")
        L.append("| handler | server | req/s | p50 | p99 | worst pause (max) | server cores | req per CPU-s | RSS after |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for h in HANDLERS:
            for label in ["corral-t1", "corral", "workerd"]:
                r = load.get(f"{h}/{label}")
                if r is None:
                    continue
                if "skipped" in r:
                    L.append(f"| {h} | {SERVER_LABELS[label]} | skipped: {r['skipped']} | | | | | | |")
                    continue
                errs = ""
                if r["non2xx"] or r["socket_errors"]:
                    errs = f" ⚠ {r['non2xx']} non-2xx, {r['socket_errors']} socket errors"
                L.append(
                    f"| {h} | {SERVER_LABELS[label]} | {r['rps']:.0f}{errs} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | "
                    f"{r['max_ms_worst']:.1f} ms | {r['server_cores']:.2f} | {fmt(r['per_cpu_s'])} | {r['rss_after_mib']:.1f} MiB |"
                )
        L.append("")
        L.append("Ratios corral / workerd (above 1 is better for corral, except p99 and pause where below 1 is better):")
        L.append("")
        L.append("| handler | corral | req/s | req per CPU-s | p99 | worst pause |")
        L.append("|---|---|---:|---:|---:|---:|")
        for h in HANDLERS:
            w = load.get(f"{h}/workerd", {})
            for label in ["corral-t1", "corral"]:
                c = load.get(f"{h}/{label}", {})
                if "rps" not in c or "rps" not in w:
                    continue
                L.append(
                    f"| {h} | {SERVER_LABELS[label]} | {ratio(c['rps'], w['rps'])} | {ratio(c['per_cpu_s'], w['per_cpu_s'])} | "
                    f"{ratio(c['p99_ms'], w['p99_ms'])} | {ratio(c['max_ms_worst'], w['max_ms_worst'])} |"
                )
        L.append("")
    mem = results.get("memory")
    if mem:
        counts = a["memory_counts"]
        L.append("## Many workers in one process (corral --threads 1; workerd one socket per worker), each hit once")
        L.append("")
        L.append("| server | N | start → first response | start → all N answered | RSS | failures |")
        L.append("|---|---:|---:|---:|---:|---:|")
        for server in ["corral", "workerd"]:
            for n in counts:
                r = g(mem, server, n) or {}
                if "error" in r:
                    L.append(f"| {server} | {n} | failed: {r['error'][:120]} | | | |")
                    continue
                if not r:
                    continue
                L.append(
                    f"| {server} | {n} | {r['first_response_ms']:.1f} ms | {r['all_answered_ms']:.0f} ms | "
                    f"{r['rss_mib']:.1f} MiB | {r['failures']} |"
                )
        L.append("")
        L.append("Memory per worker = (RSS_N − RSS_1) / (N − 1):")
        L.append("")
        L.append("| N | corral | workerd | corral / workerd |")
        L.append("|---:|---:|---:|---:|")
        for n in counts[1:]:
            c = g(mem, "corral", f"per_worker_mib_{n}")
            w = g(mem, "workerd", f"per_worker_mib_{n}")
            L.append(f"| {n} | {fmt(c, '.3f', ' MiB')} | {fmt(w, '.3f', ' MiB')} | {ratio(c, w, '.3f')} |")
        L.append("")
    st = results.get("startup")
    if st:
        L.append(f"## Start-up: process start to first 200 (hello-world, {a['startup_repeats']} runs after one discarded)")
        L.append("")
        L.append("Listening = the first TCP connect accepted; the rest, up to the first 200, is the first request.")
        L.append("")
        L.append("| server | median | min | max | median vs workerd | listening (median) |")
        L.append("|---|---:|---:|---:|---:|---:|")
        names = {"corral-t1": "corral serve --threads 1", "corral": "corral serve", "corral-dev": "corral dev", "workerd": "workerd serve"}
        for k in ["corral-t1", "corral", "corral-dev", "workerd"]:
            r = st.get(k, {})
            if "error" in r:
                L.append(f"| {names[k]} | failed: {r['error'][:120]} | | | | |")
                continue
            L.append(
                f"| {names[k]} | {r['median_ms']:.1f} ms | {r['min_ms']:.1f} ms | {r['max_ms']:.1f} ms | "
                f"{ratio(r['median_ms'], g(st, 'workerd', 'median_ms'), '.3f')} | {r['listening_median_ms']:.1f} ms |"
            )
        L.append("")
    rl = results.get("reload")
    if rl:
        L.append(f"## Reload: file write → first response with the new version ({a['reload_repeats']} saves)")
        L.append("")
        L.append("| server | median | min | max |")
        L.append("|---|---:|---:|---:|")
        for k, name in [("corral-dev", "corral dev"), ("workerd-watch", "workerd serve --watch (restarts the config)")]:
            r = rl.get(k, {})
            if "error" in r:
                L.append(f"| {name} | failed: {r['error'][:120]} | | |")
                continue
            L.append(f"| {name} | {r['median_ms']:.1f} ms | {r['min_ms']:.1f} ms | {r['max_ms']:.1f} ms |")
        L.append("")
    kv = results.get("kv", {})
    if kv:
        L.append(
            f"## Workers KV (corral only; wrk -t1, {a['connections']} connections, {a['duration']} s × {a['kv_rounds']}, "
            "100-byte values, 1000 keys)"
        )
        L.append("")
        L.append("| server | request | req/s | KV ops/s | p50 | p99 | server cores | req per CPU-s |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for key, r in kv.items():
            label, path = key.split("/", 1)
            L.append(
                f"| {SERVER_LABELS[label]} | /{path} | {r['rps']:.0f} | {r['ops_per_s']:.0f} | {r['p50_ms']:.2f} ms | "
                f"{r['p99_ms']:.2f} ms | {r['server_cores']:.2f} | {fmt(r['per_cpu_s'])} |"
            )
        L.append("")
    L.append("## Targets")
    L.append("")
    L.extend(targets(results))
    L.append("")
    if results["notes"]:
        L.append("## Notes")
        L.append("")
        for n in results["notes"]:
            L.append(f"- {n}")
        L.append("")
    try:
        import bench_do

        L.extend(bench_do.render(results))
    except Exception as e:  # noqa: BLE001 - a rendering bug must not lose the other results
        L.append(f"(do-counter table failed to render: {e})")
    try:
        import bench_queues

        L.extend(bench_queues.render(results))
    except Exception as e:  # noqa: BLE001 - a rendering bug must not lose the other results
        L.append(f"(queues table failed to render: {e})")
    return "\n".join(L)


def targets(results):
    out = ["| target | result | met |", "|---|---|---|"]
    load = results.get("load", {})

    def row(name, value, met):
        out.append(f"| {name} | {value} | {'yes' if met else ('no' if met is not None else '—')} |")

    for h in ["hello-world", "json"]:
        w = g(load, f"{h}/workerd", "per_cpu_s")
        best = None
        for label in ["corral-t1", "corral"]:
            c = g(load, f"{h}/{label}", "per_cpu_s")
            if c is not None and w:
                best = max(best or 0, c / w)
        row(f"{h}: corral ≥ 1.5× workerd requests per CPU-second", f"{best:.2f}×" if best else "not measured", best >= 1.5 if best else None)
    pw = g(results, "memory", "corral", "per_worker_mib_1000")
    row("memory per worker ≤ 0.31 MiB (N = 1000)", fmt(pw, ".3f", " MiB"), pw <= 0.31 if pw is not None else None)
    t = g(results, "memory", "corral", 1000, "all_answered_ms")
    f = g(results, "memory", "corral", 1000, "first_response_ms")
    row("1000 workers loaded: start → first response < 1 s", fmt(f, ".0f", " ms"), f < 1000 if f is not None else None)
    row("1000 workers: start → every one answered once < 1 s", fmt(t, ".0f", " ms"), t < 1000 if t is not None else None)
    s = g(results, "startup", "corral-t1", "median_ms")
    row("start to first response ≤ 10 ms (corral serve --threads 1)", fmt(s, ".1f", " ms"), s <= 10 if s is not None else None)
    r = g(results, "reload", "corral-dev", "median_ms")
    rm = g(results, "reload", "corral-dev", "max_ms")
    row("reload < 50 ms (corral dev, median / max)", f"{fmt(r, '.1f', ' ms')} / {fmt(rm, '.1f', ' ms')}", rm < 50 if rm is not None else None)
    return out


# ---------------------------------------------------------------- main


def version_of(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def git_describe():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "crates"], capture_output=True, text=True, cwd=BENCH).stdout.strip()
        return f"commit {head}{' + uncommitted changes in crates/' if dirty else ''}" if head else "unknown commit"
    except OSError:
        return "unknown commit"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corral", required=True)
    ap.add_argument("--workerd", required=True)
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--stream-connections", type=int, default=8)
    ap.add_argument("--memory-counts", default="1,100,1000")
    ap.add_argument("--startup-repeats", type=int, default=10)
    ap.add_argument("--reload-repeats", type=int, default=10)
    ap.add_argument("--kv-rounds", type=int, default=1)
    ap.add_argument("--sections", default="check,load,memory,startup,reload,kv,do,queues")
    args = ap.parse_args()
    args.corral = os.path.abspath(args.corral)
    args.workerd = os.path.abspath(args.workerd)
    args.memory_counts = [int(x) for x in args.memory_counts.split(",")]
    sections = args.sections.split(",")

    t_start = time.perf_counter()
    args.work = tempfile.mkdtemp(prefix="corral-bench-")
    env = Env(args)
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "versions": {
            "corral": version_of([args.corral, "--version"]),
            "workerd": version_of([args.workerd, "--version"]),
            "wrk": (version_of(["wrk", "-v"]).split(" [")[0]),
            "corral_commit": git_describe(),
        },
        "args": {k: v for k, v in vars(args).items() if k not in ("work",)},
        "notes": [],
    }
    log(f"work directory {args.work}")
    try:
        ok = {}

        def run_section(name, fn, *a):
            # One section failing (a crash, a missing feature) leaves the others to run.
            try:
                return fn(env, results, *a)
            except Exception as e:  # noqa: BLE001 - reported, not hidden
                results["notes"].append(f"section {name} failed: {type(e).__name__}: {str(e)[:300]}")
                log(f"section {name} FAILED: {e!r}")
                return None

        if "check" in sections or "load" in sections:
            ok = run_section("check", section_check) or {}
        if "load" in sections:
            run_section("load", section_load, ok, args)
        if "memory" in sections:
            run_section("memory", section_memory, args)
        if "startup" in sections:
            run_section("startup", section_startup, args)
        if "reload" in sections:
            run_section("reload", section_reload, args)
        if "kv" in sections:
            run_section("kv", section_kv, args)
        if "do" in sections:
            import bench_do

            run_section("do", bench_do.section_do, args)
        if "queues" in sections:
            import bench_queues

            run_section("queues", bench_queues.section_queues, args)
    finally:
        _stop_children()
        results["elapsed_s"] = time.perf_counter() - t_start
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "latest.json"), "w") as f:
            json.dump(results, f, indent=1, default=str)
        md = render(results)
        with open(os.path.join(args.out, "latest.md"), "w") as f:
            f.write(md + "\n")
        print(md)
        if os.environ.get("BENCH_KEEP_WORK") != "1":
            shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
