"""Durable Object counter: corral against workerd (localDisk SQLite storage), same worker code, one object.

Every request increments one object through JS RPC (a storage get and put per request). Imported by bench.py.
"""

import os
import shutil
import statistics
import tempfile

import bench as b


def workerd_config(env):
    """Writes the workerd config for bench/workers/do-counter with an absolute storage directory."""
    storage = tempfile.mkdtemp(prefix="workerd-do-", dir=env.work)
    with open(os.path.join(b.WORKERD_CONFIGS, "do-counter.capnp.in")) as f:
        text = f.read()
    # workerd embeds files by a path relative to the config: put a copy of the worker beside it.
    shutil.copy(os.path.join(b.WORKERS, "do-counter", "index.js"), os.path.join(env.work, "do-counter.js"))
    text = text.replace("@STORAGE@", storage).replace("@WORKER@", "do-counter.js")
    path = os.path.join(env.work, "do-counter.capnp")
    with open(path, "w") as f:
        f.write(text)
    return path


def servers(env):
    out = []
    for threads, label in [(1, "corral-t1"), (None, "corral")]:
        port = b.free_port()
        data = tempfile.mkdtemp(prefix="do-data-", dir=env.work)
        argv = [env.corral, "serve", os.path.join(b.WORKERS, "do-counter"), "--port", str(port), "--data-dir", data]
        if threads is not None:
            argv += ["--threads", str(threads)]
        s = b.Server(label, argv, port, None, env.work)
        s.host = "do-counter.localhost"
        out.append(s)
    w = b.workerd_serve(env, workerd_config(env), "workerd", extra=("--experimental",))
    w.host = "do-counter.localhost"
    out.append(w)
    return out


def section_do(env, results, args):
    out = {}
    started = servers(env)
    try:
        for s in started:
            s.start()
        live = []
        for s in started:
            try:
                s.wait_ready(timeout=20)
                status, body = b.http_get(s.port, s.host, "/")
                if status != 200 or not body.strip().isdigit():
                    raise RuntimeError(f"answered {status} {body[:200]!r}")
                live.append(s)
            except Exception as e:  # noqa: BLE001 - reported in the notes
                results["notes"].append(f"do-counter: {s.label} cannot take part: {e}; log: {s.tail(400)}")
        for s in live:
            b.run_wrk(s, args.warmup, args.connections)
        runs = {s.label: [] for s in live}
        for rnd in range(args.rounds):
            for s in live:
                r = b.run_wrk(s, args.duration, args.connections)
                runs[s.label].append(r)
                b.log(
                    f"do-counter round {rnd + 1}/{args.rounds} {s.label}: {r['rps']:.0f} req/s, "
                    f"p99 {r['p99_ms']:.2f} ms, {r['per_cpu_s'] or 0:.0f} req/CPU-s, non-2xx {r['non2xx']}"
                )
        for s in live:
            rs = runs[s.label]
            med = lambda k: statistics.median(x[k] for x in rs if x[k] is not None)
            # The counter's final value: every 2xx answer incremented it exactly once.
            status, body = b.http_get(s.port, s.host, "/")
            out[s.label] = {
                "rps": med("rps"),
                "p50_ms": med("p50_ms"),
                "p99_ms": med("p99_ms"),
                "max_ms_worst": max(x["max_ms"] for x in rs),
                "per_cpu_s": med("per_cpu_s"),
                "non2xx": sum(x["non2xx"] for x in rs),
                "final_count": body.strip().decode() if isinstance(body, bytes) else str(body).strip(),
                "runs": rs,
            }
    finally:
        for s in started:
            s.stop()
    results["do"] = out


def render(results):
    do = results.get("do", {})
    if not do:
        return []
    a = results["args"]
    lines = [
        "",
        f"## Durable Object counter (one object, RPC increment with storage get + put; wrk -t1, "
        f"{a['connections']} connections, {a['duration']} s × {a['rounds']}; workerd with localDisk storage)",
        "",
        "| server | req/s | req/CPU-s | p50 ms | p99 ms | worst ms | non-2xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, r in do.items():
        lines.append(
            f"| {b.SERVER_LABELS.get(label, label)} | {r['rps']:.0f} | {b.fmt(r['per_cpu_s'])} | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['max_ms_worst']:.1f} | {r['non2xx']} |"
        )
    w = do.get("workerd")
    if w:
        for label in ("corral-t1", "corral"):
            c = do.get(label)
            if c:
                lines.append("")
                lines.append(
                    f"{b.SERVER_LABELS.get(label, label)} / workerd: req/s {c['rps'] / w['rps']:.2f}×, "
                    f"p99 {w['p99_ms'] / c['p99_ms']:.2f}× lower" if c["p99_ms"] else ""
                )
    return lines
