"""Queues end to end (corral only: workerd has no local Queues backend). Imported by bench.py.

`corral serve bench/workers/queues --data-dir TMP` (durable SQLite logs). For each consumer batch size (1, 10, 100;
one queue each) a fixed number of messages is produced as fast as possible by PRODUCERS concurrent connections,
each request doing 10 `sendBatch()` calls of 100 messages; the clock stops when the consumer has seen every
message (its batches acked by returning). Reported: messages/s end to end (first send to last delivery), the
producers' own rate, the server's CPU time per message, and the queueing latency the consumer observed
(`Date.now() - msg.timestamp`, p50/p99/max), which under this saturating load includes the backlog's wait.
"""

import http.client
import json
import os
import tempfile
import threading
import time

import bench as b

BATCH_SIZES = [1, 10, 100]
# Messages per batch size (full runs); BENCH_QUICK divides by 5.
MESSAGES = {1: 20_000, 10: 100_000, 100: 200_000}
PRODUCERS = 4
PER_REQUEST = 1000  # 10 sendBatch() calls of 100
PACED_RATE = 2000  # messages/s for the latency-below-saturation run (under every batch size's capacity)
HOST = "queues.localhost"


class Conn:
    """One keep-alive connection (stays on one server thread)."""

    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path):
        self.c.request("GET", path, headers={"Host": HOST})
        r = self.c.getresponse()
        return r.status, r.read()

    def close(self):
        self.c.close()


def consumer_conn(port, timeout=20.0):
    """A connection that reaches the thread whose isolate runs the consumer (after a warm-up batch)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        c = Conn(port)
        status, body = c.get("/count?q=100")
        if status == 200 and int(body) > 0:
            return c
        c.close()
        time.sleep(0.02)
    raise RuntimeError("no connection reached the consumer's isolate")


def run_phase(s, consumer, size, total):
    consumer.get(f"/reset?q={size}")
    per_producer = total // PRODUCERS
    errors = []
    produced_at = []

    def produce():
        c = Conn(s.port)
        try:
            left = per_producer
            while left > 0:
                n = min(PER_REQUEST, left)
                status, body = c.get(f"/produce?q={size}&batches={n // 100}")
                if status != 200:
                    errors.append(f"{status} {body[:200]!r}")
                    return
                left -= n
        except Exception as e:  # noqa: BLE001 - reported
            errors.append(repr(e))
        finally:
            produced_at.append(time.perf_counter())
            c.close()

    cpu0 = b.cpu_seconds(s.pid)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=produce) for _ in range(PRODUCERS)]
    for t in threads:
        t.start()
    want = per_producer * PRODUCERS
    seen = 0
    deadline = t0 + 300
    while time.perf_counter() < deadline:
        _, body = consumer.get(f"/count?q={size}")
        seen = int(body)
        if seen >= want or (errors and len(produced_at) == PRODUCERS):
            break
        time.sleep(0.01)
    t_end = time.perf_counter()
    for t in threads:
        t.join()
    cpu = b.cpu_seconds(s.pid) - cpu0
    if errors:
        raise RuntimeError(f"batch {size}: producer failed: {errors[0]}")
    if seen < want:
        raise RuntimeError(f"batch {size}: only {seen} of {want} messages delivered within 300 s")
    _, body = consumer.get(f"/stats?q={size}")
    st = json.loads(body)
    wall = t_end - t0
    return {
        "messages": want,
        "seconds": wall,
        "msgs_per_s": want / wall,
        "produce_msgs_per_s": want / (max(produced_at) - t0),
        "server_cpu_s": cpu,
        "server_cores": cpu / wall,
        "msgs_per_cpu_s": want / cpu if cpu > 0 else None,
        "batches": st.get("batches"),
        "p50_ms": st.get("p50_ms"),
        "p99_ms": st.get("p99_ms"),
        "max_ms": st.get("max_ms"),
    }


def run_paced(s, consumer, size, rate=PACED_RATE, seconds=3):
    """Latency below saturation: one sendBatch of 100 every 100/rate s from one connection."""
    consumer.get(f"/reset?q={size}")
    c = Conn(s.port)
    t0 = time.perf_counter()
    sends = int(rate * seconds / 100)
    for i in range(sends):
        delay = t0 + i * 100 / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        status, body = c.get(f"/produce?q={size}&batches=1")
        if status != 200:
            raise RuntimeError(f"paced batch {size}: {status} {body[:200]!r}")
    c.close()
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        _, body = consumer.get(f"/count?q={size}")
        if int(body) >= sends * 100:
            break
        time.sleep(0.01)
    _, body = consumer.get(f"/stats?q={size}")
    st = json.loads(body)
    return {"rate": rate, "messages": st.get("messages"), "p50_ms": st.get("p50_ms"), "p99_ms": st.get("p99_ms"),
            "max_ms": st.get("max_ms")}


def section_queues(env, results, args):
    out = {}
    quick = args.duration <= 2
    data = tempfile.mkdtemp(prefix="queues-data-", dir=env.work)
    port = b.free_port()
    argv = [env.corral, "serve", os.path.join(b.WORKERS, "queues"), "--port", str(port), "--data-dir", data]
    s = b.Server("queues-corral", argv, port, HOST, env.work)
    try:
        s.start()
        s.wait_ready(timeout=20)
        # Warm-up: one sendBatch to each queue, then find the consumer's thread.
        warm = Conn(port)
        for size in BATCH_SIZES:
            warm.get(f"/produce?q={size}&batches=1")
        warm.close()
        consumer = consumer_conn(port)
        time.sleep(0.5)
        runs = {size: [] for size in BATCH_SIZES}
        for rnd in range(args.rounds):
            for size in BATCH_SIZES:
                total = MESSAGES[size] // (5 if quick else 1)
                r = run_phase(s, consumer, size, total)
                runs[size].append(r)
                b.log(
                    f"queues round {rnd + 1}/{args.rounds} batch {size}: {r['msgs_per_s']:.0f} msgs/s end to end "
                    f"({r['messages']} in {r['seconds']:.1f} s), producers {r['produce_msgs_per_s']:.0f} msgs/s, "
                    f"latency p50 {r['p50_ms']} ms p99 {r['p99_ms']} ms, server {r['server_cores']:.2f} cores"
                )
        for size in BATCH_SIZES:
            p = run_paced(s, consumer, size)
            b.log(f"queues paced {p['rate']} msgs/s batch {size}: latency p50 {p['p50_ms']} ms p99 {p['p99_ms']} ms")
            out[f"paced-{size}"] = p
        # The median round by end-to-end rate, and the spread.
        for size, rs in runs.items():
            if not rs:
                continue
            med = sorted(rs, key=lambda r: r["msgs_per_s"])[len(rs) // 2]
            out[str(size)] = dict(
                med,
                min_msgs_per_s=min(r["msgs_per_s"] for r in rs),
                max_msgs_per_s=max(r["msgs_per_s"] for r in rs),
                runs=rs,
            )
        consumer.close()
        if not s.alive():
            results["notes"].append(f"queues: corral died: {s.tail(300)}")
    finally:
        s.stop()
    results["queues"] = out


def render(results):
    q = results.get("queues", {})
    if not q:
        return []
    lines = [
        "",
        f"## Queues (corral only; durable SQLite logs; {PRODUCERS} producer connections, sendBatch of 100, "
        f"messages/s from first send to last delivery; the median of {results['args']['rounds']} rounds, range in brackets)",
        "",
        "| consumer max_batch_size | messages | msgs/s end to end | producers msgs/s | msgs per CPU-s | "
        "latency p50 ms | p99 ms | max ms | server cores |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in BATCH_SIZES:
        r = q.get(str(size))
        if r:
            lines.append(
                f"| {size} | {r['messages']} | {r['msgs_per_s']:.0f} ({r['min_msgs_per_s']:.0f}–{r['max_msgs_per_s']:.0f}) | {r['produce_msgs_per_s']:.0f} | "
                f"{b.fmt(r['msgs_per_cpu_s'])} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['server_cores']:.2f} |"
            )
    paced = [(size, q.get(f"paced-{size}")) for size in BATCH_SIZES if q.get(f"paced-{size}")]
    if paced:
        lines += [
            "",
            f"Queueing latency below saturation (one sendBatch of 100 every {100 / PACED_RATE * 1000:.0f} ms = "
            f"{PACED_RATE} messages/s for 3 s, one connection; `Date.now() - msg.timestamp` in the consumer):",
            "",
            "| consumer max_batch_size | messages | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|---|",
        ]
        for size, p in paced:
            lines.append(f"| {size} | {p['messages']} | {p['p50_ms']} | {p['p99_ms']} | {p['max_ms']} |")
    r = q.get("100")
    if r:
        lines.append("")
        lines.append(
            f"Target ≥ 20,000 messages/s durable at batch 100: {r['msgs_per_s']:.0f} — "
            f"{'met' if r['msgs_per_s'] >= 20000 else 'not met'}."
        )
    return lines
