"""Load on the API server: POST /api/v1/audit with a 300 KB page from 50 concurrent clients.

Starts a real `footer-audit serve` (uvicorn) in a subprocess on a free loopback port, over a
throwaway SQLite store with one token, and drives it for 30 s from 50 clients on one asyncio
loop (httpx), each sending its next request as soon as its answer is in. Prints requests per
second, the latency p50 / p90 / p99 / max, errors (any answer but 200, and failed requests), and
the resident memory of the server (with its audit processes) after the warm-up and at the end.
Goal on a 2-core machine: p99 under 150 ms, no errors, memory flat.

    python bench/api_load.py [--clients 50] [--seconds 30] [--page-kb 300] [--audit-workers N]

The audit is CPU-bound (parsing 300 KB of HTML): with C clients always waiting and a service
time S per page on K cores, a closed loop settles at about C * S / K per request, so the
latency a 50-client load can reach is set by the audit's own speed (bench/audit_speed.py).
The clients share the machine with the server: their CPU is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.audit_speed import big_page  # noqa: E402
from crawler.demo.server import wait_until_serving  # noqa: E402

CLI = [sys.executable, "-c", "from crawler.app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rendered_page(size: int) -> str:
    """A portal page of about `size` UTF-8 bytes, marked as the layout probe marks a page."""
    chars = size * 7 // 10  # the generator counts characters; Chinese text is 3 bytes each
    html = big_page(chars)
    while len(html.encode()) < size:
        chars += 2000
        html = big_page(chars)
    html = html.replace("<html>", '<html data-fa-doc="1366,24000,1366,768">', 1)
    return html.replace('<div class="footer">',
                        '<div class="footer" data-fa-visible="1" data-fa-box="0,23800,1366,200">')


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its children (the audit processes), from /proc."""
    pids = [pid, *children(pid)]
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


async def drive(base: str, token: str, body: bytes, clients: int, seconds: float,
                samples: list[int] | None = None,
                server_pid: int = 0) -> tuple[list[float], int, dict[str, int]]:
    """`samples` receives the server's RSS every 5 s of the run."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        stop = time.perf_counter() + seconds

        async def one_client() -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    answer = await client.post("/api/v1/audit", content=body, headers=headers)
                    await answer.aread()
                    if answer.status_code != 200:
                        key = f"HTTP {answer.status_code}"
                        errors[key] = errors.get(key, 0) + 1
                        continue
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append(time.perf_counter() - start)

        async def sample() -> None:
            while samples is not None and time.perf_counter() < stop - 1:
                await asyncio.sleep(5)
                samples.append(rss_bytes(server_pid))

        await asyncio.gather(sample(), *(one_client() for _ in range(clients)))
    return latencies, sum(errors.values()), errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--page-kb", type=int, default=300)
    parser.add_argument("--audit-workers", type=int, default=None,
                        help="serve --audit-workers (default: the server's, one per core)")
    args = parser.parse_args()

    html = rendered_page(args.page_kb * 1024)
    import json

    body = json.dumps({"url": "https://www.example.cn/", "html": html,
                       "layout": {"annotated": 4000, "visible": 3900, "links": 900,
                                  "hits": 900, "ms": 80}}, ensure_ascii=False).encode()
    with tempfile.TemporaryDirectory(prefix="footer-audit-bench-") as tmp:
        db = str(Path(tmp) / "reports.sqlite3")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        made = subprocess.run([*CLI, "token", "create", "--name", "bench", "--store", db],
                              env=env, capture_output=True, text=True, check=True)
        token = made.stdout.strip()
        port = free_port()
        cmd = [*CLI, "serve", "--port", str(port), "--store", db, "--rate", "1000000/minute",
               "--log-level", "warning"]
        if args.audit_workers is not None:
            cmd += ["--audit-workers", str(args.audit_workers)]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_serving(base, server):
                print(server.stderr.read() if server.stderr else "", file=sys.stderr)
                return 1
            # Warm-up: every audit process has seen the page once.
            asyncio.run(drive(base, token, body, 4, 3))
            rss_start = rss_bytes(server.pid)
            workers = children(server.pid)
            cpu_start = (cpu_seconds(server.pid), sum(cpu_seconds(w) for w in workers))
            wall = time.perf_counter()
            samples: list[int] = []
            latencies, errors, kinds = asyncio.run(drive(
                base, token, body, args.clients, args.seconds, samples, server.pid))
            wall = time.perf_counter() - wall
            cpu_end = (cpu_seconds(server.pid), sum(cpu_seconds(w) for w in workers))
            rss_end = rss_bytes(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)  # the server started above, by its pid
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    n = len(latencies)
    print(f"POST /api/v1/audit, {len(body) / 1024:.0f} KB body ({len(html.encode()) / 1024:.0f} KB "
          f"page), {args.clients} clients, {args.seconds:.0f} s, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    if not n:
        print(f"no successful request; errors: {kinds}")
        return 1
    print(f"requests:   {n} ok, {errors} errors {kinds or ''}")
    print(f"throughput: {n / wall:.1f} requests/s")
    ms = {q: pct(latencies, q) * 1000 for q in (0.5, 0.9, 0.99)}
    print(f"latency:    p50 {ms[0.5]:.0f} ms, p90 {ms[0.9]:.0f} ms, p99 {ms[0.99]:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms, mean {statistics.fmean(latencies) * 1000:.0f} ms "
          "(goal: p99 < 150 ms)")
    print(f"server CPU: {(cpu_end[0] - cpu_start[0]) / n * 1000:.1f} ms per request in the "
          f"server process, {(cpu_end[1] - cpu_start[1]) / n * 1000:.1f} ms in its "
          f"{len(workers)} child processes (audit processes and multiprocessing's tracker)")
    every5 = ", ".join(f"{r / 2**20:.0f}" for r in samples)
    print(f"server RSS: {rss_start / 2**20:.0f} MiB after warm-up (4 clients), every 5 s under "
          f"load: {every5} MiB, {rss_end / 2**20:.0f} MiB at the end (server and child "
          "processes; requests waiting for an audit process hold their bodies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
