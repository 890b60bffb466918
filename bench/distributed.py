"""Distributed runs on this machine: the crawl farm with 1 and with 2 `footer-audit worker`s.

    python bench/distributed.py --sites 300 --per-job 25

The static part of the farm of bench/crawl_farm.py (compliant and faulty static sites, each with
0-5 subdomains linked from its homepage) is crawled by `footer-audit run --distributed`, once
with one worker and once with two, each on a fresh redis-server of its own (so its memory
figures are this run's alone). Printed:

- pages, wall time (jobs queued to run closed) and pages/s with 1 and 2 workers, the speed-up;
- the time from the last page stored to the run marked complete (the store is polled every
  50 ms for its page count and the run's status);
- Redis memory per 1,000 queued jobs: a run of 1,000 one-domain jobs queued (`--detach`) with
  no worker, `used_memory` before and after (the report store's job records and plan, RQ's
  messages and queue);
- the CPU time the phase's processes used (workers, their horses and crawls, the coordinator,
  redis-server; not the farm), per page: with it, what a second worker could gain on a machine
  whose cores were free;
- Redis memory per stored page (the run's pages, violations and indexes, the finished jobs);
- the machine's load average before and after, and its cores, so the figures can be read.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crawl_farm import build_farm, portfolio_yaml  # noqa: E402
from bench.redis_server import RedisServer  # noqa: E402
from crawler.demo.farm import serve_farm  # noqa: E402

PREFIX = "footer-audit-bench:"


def _env(url: str, data: Path) -> dict[str, str]:
    return {**os.environ, "REDIS_URL": url, "FOOTER_AUDIT_REDIS_PREFIX": PREFIX,
            "XDG_DATA_HOME": str(data),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.app.cli", *args]


class Watch(threading.Thread):
    """Polls the run's page count and status: when the last page landed, when it closed."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.r = redis.Redis.from_url(url, decode_responses=True)
        self.stop = threading.Event()
        self.pages = 0
        self.last_page_at = self.closed_at = 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            runs = self.r.zrange(f"{PREFIX}runs", 0, -1)
            if runs:
                run = runs[-1]
                n = self.r.hlen(f"{PREFIX}run:{run}:page-meta")
                now = time.monotonic()
                if n > self.pages:
                    self.pages, self.last_page_at = n, now
                if not self.closed_at and self.r.hget(f"{PREFIX}run:{run}", "status") not in (
                        None, "running"):
                    self.closed_at = now
            time.sleep(0.05)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(workers: int, pf: Path, farm, per_job: int, work: Path) -> dict:
    cpu_before = _children_cpu()
    with RedisServer() as server:
        env = _env(server.url, work / f"data-{workers}")
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        procs = [subprocess.Popen(_cli("worker", "--queue", queue), cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        time.sleep(3)  # the workers are listening before the clock starts
        client = redis.Redis.from_url(server.url)
        base_memory = client.info("memory")["used_memory"]
        client.close()
        watch = Watch(server.url)
        watch.start()
        start = time.monotonic()
        done = subprocess.run(
            _cli("run", str(pf), "--distributed", "--queue", queue, "--render", "never",
                 "--timeout", "10", "--resolve", farm.resolve, "--domains-per-job",
                 str(per_job), "--quiet"), cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - start
        time.sleep(0.3)
        watch.stop.set()
        watch.join()
        client = redis.Redis.from_url(server.url)
        stored = client.info("memory")["used_memory"] - base_memory
        client.close()
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(60)
        if done.returncode not in (0, 1):
            raise SystemExit(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = _children_cpu() - cpu_before  # every process of the phase has been waited for
    return {"cpu": cpu, "cpu_per_page": cpu / max(watch.pages, 1),
            "memory_per_page": stored / max(watch.pages, 1),
            "workers": workers, "pages": watch.pages, "wall": wall,
            "pages_per_s": watch.pages / wall,
            "last_page_to_complete": watch.closed_at - watch.last_page_at}


def queued_memory(jobs: int, work: Path) -> float:
    """Bytes of Redis memory per 1,000 queued jobs (one domain each, no worker)."""
    spec_domains = [f"mem{i:05d}.cn" for i in range(jobs)]
    pf = work / "memory.yaml"
    pf.write_text(portfolio_yaml(spec_domains), encoding="utf-8")
    with RedisServer() as server:
        env = _env(server.url, work / "data-memory")
        r = redis.Redis.from_url(server.url)
        before = r.info("memory")["used_memory"]
        done = subprocess.run(
            _cli("run", str(pf), "--distributed", "--queue", "bench-memory", "--detach",
                 "--domains-per-job", "1", "--render", "never"), cwd=ROOT, env=env,
            capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"queueing failed: {done.stderr[-2000:]}")
        after = r.info("memory")["used_memory"]
        r.close()
    return (after - before) / jobs * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=300, help="farm sites (the static ones crawled)")
    ap.add_argument("--per-job", type=int, default=25, help="domains per job")
    ap.add_argument("--memory-jobs", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="footer-audit-bench-distributed-"))
    spec, static, _scripted = build_farm(args.sites)
    pf = work / "farm.yaml"
    pf.write_text(portfolio_yaml(static), encoding="utf-8")
    load_before = os.getloadavg()
    print(f"cores: {os.cpu_count()}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"farm: {len(static)} static domains crawled, {args.per_job} per job")
    results = []
    with serve_farm(spec, work / "farm") as farm:
        for workers in (1, 2):
            res = crawl(workers, pf, farm, args.per_job, work)
            results.append(res)
            print(f"{workers} worker(s): {res['pages']} pages in {res['wall']:.1f} s = "
                  f"{res['pages_per_s']:.1f} pages/s; last page to run complete "
                  f"{res['last_page_to_complete']:.2f} s; CPU {res['cpu']:.1f} s "
                  f"({res['cpu_per_page'] * 1000:.1f} ms per page); Redis "
                  f"{res['memory_per_page'] / 1024:.1f} KiB per stored page", flush=True)
    print(f"speed-up 2 vs 1 worker: {results[1]['pages_per_s'] / results[0]['pages_per_s']:.2f}x")
    per_1000 = queued_memory(args.memory_jobs, work)
    print(f"Redis memory per 1,000 queued jobs: {per_1000 / 1024 / 1024:.2f} MiB "
          f"({args.memory_jobs} one-domain jobs queued, no worker)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
