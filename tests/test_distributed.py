"""Distributed runs for real: `footer-audit run FILE --distributed` and `footer-audit worker`
processes on RQ, a farm of sites on 127.0.0.1, the Redis store under a test prefix (and its own
queue name). Two workers on 300 sites (each once); a worker killed outright mid-run (its job
runs again elsewhere); Redis restarted mid-run (nothing lost); a job that keeps failing (its
sites end needs_review); a coordinator killed before any worker started (the workers close the
run)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bench.redis_server import RedisServer
from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page
from crawler.jobs.distributed import RunJobs
from crawler.jobs.redis_queue import RedisJobQueue
from crawler.reports.store import open_store
from tests.redis_server import SHARED_REDIS, redis_prefix_cleanup, unique_prefix

pytestmark = pytest.mark.slow  # RQ workers and crawls of a farm

ROOT = Path(__file__).resolve().parent.parent
ORG = "北京某某科技有限公司"


def _farm(n: int, delay: float = 0.0) -> tuple[dict, list[str]]:
    """`n` static compliant domains, each with its www. host."""
    hosts, domains = {}, []
    for i in range(n):
        domain = f"farm{i:04d}.cn"
        domains.append(domain)
        spec = {"body": page(foot=footer()), **({"delay": delay} if delay else {})}
        for host in (domain, f"www.{domain}"):
            hosts[host] = {"pages": {"/": spec}}
    return {"hosts": hosts}, domains


def _portfolio(path: Path, domains: list[str]) -> Path:
    lines = ["crawl:", "  inner_pages: 0", "  link_depth: 0", "organisations:",
             f"  - name: {ORG}", "    province: 北京", "    domains:"]
    lines += [f"      - domain: {d}" for d in domains]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Cluster:
    """A test's store (a prefix on a Redis server), its queue, its workers and coordinator."""

    def __init__(self, tmp_path: Path, url: str = SHARED_REDIS) -> None:
        self.tmp, self.url = tmp_path, url
        self.prefix = unique_prefix()
        self.queue = f"footer-audit-test-{uuid.uuid4().hex[:10]}"
        self.workers: list[subprocess.Popen[bytes]] = []
        self.others: list[subprocess.Popen[str]] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, "REDIS_URL": self.url, "FOOTER_AUDIT_REDIS_PREFIX": self.prefix,
                "XDG_DATA_HOME": str(self.tmp / "data"),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")]))}

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"worker-{len(self.workers)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.app.cli", "worker", "--queue", self.queue, "-v",
             *args], cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        return proc

    def coordinator(self, portfolio: Path, farm, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.app.cli", "run", str(portfolio), "--distributed",
             "--queue", self.queue, "--render", "never", "--timeout", "5",
             "--resolve", farm.resolve, *args],
            cwd=ROOT, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.others.append(proc)
        return proc

    def store(self):
        return open_store(self.url, prefix=self.prefix)

    def close(self) -> None:
        for proc in [*self.workers, *self.others]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, *self.others]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                _kill_tree(proc.pid)
                proc.wait()
        with contextlib.suppress(redis.RedisError):
            client = redis.Redis.from_url(self.url, decode_responses=True)
            # RQ's keys: the queue's, and each message's (named after its job).
            jobs = [k.rsplit(":", 1)[1] for k in client.scan_iter(
                match=f"{self.prefix}job:*", count=1000)]
            for pattern in [f"rq:*{self.queue}*", *(f"rq:*{job}*" for job in jobs)]:
                for key in client.scan_iter(match=pattern, count=1000):
                    client.unlink(key)
            client.close()
            redis_prefix_cleanup(self.url, self.prefix)


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry))
            except (OSError, ValueError, IndexError):
                continue
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker and every process under it (its work horse, the horse's crawl): what a
    machine that dies does to them."""
    for p in [pid, *_descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def _wait(what: Callable[[], object], timeout: float = 240, step: float = 0.3) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"gave up waiting after {timeout}s")


def _run_id(cluster: Cluster) -> str:
    def find() -> str | None:
        with cluster.store() as store:
            runs = store.list_runs()
            return runs[0].id if runs else None
    return _wait(find, timeout=60)  # type: ignore[return-value]


def _jobs(cluster: Cluster, run_id: str):
    runs = RunJobs(cluster.url, cluster.prefix)
    try:
        planned = runs.planned(run_id)
        return list(runs.jobs([p.job.id for p in planned]))
    finally:
        runs.close()


def _assert_every_site_once(cluster: Cluster, run_id: str, domains: list[str],
                            status: str = "ok") -> list[dict]:
    with cluster.store() as store:
        pages = list(store.iter_pages(run_id))
    urls = [p["url"] for p in pages]
    assert len(urls) == len(set(urls))
    expected = {f"https://{h}/" for d in domains for h in (d, f"www.{d}")}
    assert set(urls) == expected
    assert {p["status"] for p in pages} == {status}
    return pages


def test_two_workers_crawl_300_sites_each_once(cluster, tmp_path):
    spec, domains = _farm(300)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        cluster.worker()
        cluster.worker()
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "25")
        _out, err = coord.communicate(timeout=600)
    assert coord.returncode == 0, err[-3000:]
    assert "footer-audit: crawl summary" in err and "stored, finished" in err
    run_id = _run_id(cluster)
    with cluster.store() as store:
        run = store.get_run(run_id)
    assert run.status == "finished" and run.counts["pages"] == 600 and run.note == ""
    _assert_every_site_once(cluster, run_id, domains)
    jobs = _jobs(cluster, run_id)
    assert len(jobs) == 12 and {j.state for j in jobs} == {"finished"}
    assert {j.attempts for j in jobs} == {1}
    # Both workers took jobs: each work horse is a process of its own worker.
    logs = [(tmp_path / f"worker-{i}.log").read_text() for i in range(2)]
    assert all("Job OK" in log for log in logs), logs


def test_a_worker_killed_mid_run_loses_nothing(cluster, tmp_path):
    # Slow pages: jobs are still running when one worker is killed.
    spec, domains = _farm(40, delay=0.3)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        victim = cluster.worker()
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "5")
        run_id = _run_id(cluster)

        def victim_busy():
            horses = set(_descendants(victim.pid))
            return [j for j in _jobs(cluster, run_id) if j and j.state == "running"
                    and int(j.worker.split(":")[1]) in horses]

        held = _wait(victim_busy, timeout=120)
        time.sleep(1.0)  # its crawl has written some pages
        _kill_tree(victim.pid)
        victim.wait()
        cluster.worker()
        _out, err = coord.communicate(timeout=600)
    assert coord.returncode == 0, err[-3000:]
    _assert_every_site_once(cluster, run_id, domains)
    jobs = {j.id: j for j in _jobs(cluster, run_id)}
    assert all(j.state == "finished" for j in jobs.values())
    assert jobs[held[0].id].attempts == 2  # its first attempt died with the worker


def test_redis_restarted_mid_run_loses_no_result(tmp_path):
    spec, domains = _farm(40, delay=0.2)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with RedisServer(persist=True) as server, serve_farm(spec, tmp_path / "farm") as farm:
        cluster = Cluster(tmp_path, server.url)
        try:
            cluster.worker()
            cluster.worker()
            coord = cluster.coordinator(pf, farm, "--domains-per-job", "4")
            run_id = _run_id(cluster)
            _wait(lambda: sum(j is not None and j.state == "finished"
                              for j in _jobs(cluster, run_id)) >= 2, timeout=240)
            server.stop()
            time.sleep(2.0)  # crawls spool, workers and the coordinator retry
            server.start()
            _out, err = coord.communicate(timeout=600)
            assert coord.returncode == 0, err[-3000:]
            with cluster.store() as store:
                assert store.get_run(run_id).status == "finished"
            _assert_every_site_once(cluster, run_id, domains)
        finally:
            cluster.close()


def test_a_job_that_keeps_failing_ends_as_final_statuses(cluster, tmp_path):
    spec, domains = _farm(6)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "2", "--detach")
        out, err = coord.communicate(timeout=120)
        assert coord.returncode == 0, err
        run_id = out.strip()
        # One job's crawl fails every time: it names a domain its portfolio does not have
        # (`run --domain` refuses it, exit status 2). Its planned sites stay the same.
        jobs = _jobs(cluster, run_id)
        doomed = next(j for j in jobs if j.target == "farm0002.cn,farm0003.cn")
        client = redis.Redis.from_url(cluster.url, decode_responses=True)
        key = f"{cluster.prefix}job:{doomed.id}"
        data = json.loads(client.get(key))
        data["target"] = "not-in-the-file.cn"
        client.set(key, json.dumps(data))
        client.close()
        cluster.worker()
        with cluster.store() as store:
            run = _wait(lambda: (r := store.get_run(run_id)).status != "running" and r,
                        timeout=300)
        report = subprocess.run(
            [sys.executable, "-m", "crawler.app.cli", "report", "show", run_id],
            cwd=ROOT, env=cluster.env(), capture_output=True, text=True, timeout=120)
    assert run.status == "incomplete"
    assert "1 of 3 job(s) could not be crawled (not-in-the-file.cn)" in run.note
    failed = {j.id: j for j in _jobs(cluster, run_id)}[doomed.id]
    assert failed.state == "failed" and failed.attempts == 3
    assert "status 2 (bad options)" in failed.error
    with cluster.store() as store:
        pages = {p["url"]: p for p in store.iter_pages(run_id)}
    assert len(pages) == 12
    for domain in ("farm0002.cn", "farm0003.cn"):
        for host in (domain, f"www.{domain}"):
            final = pages[f"https://{host}/"]
            assert final["status"] == "needs_review" and final["org"] == ORG
            assert final["error"].startswith("not crawled: the crawl of not-in-the-file.cn "
                                             "ended failed after 3 attempt(s)")
    assert sum(p["status"] == "ok" for p in pages.values()) == 8
    assert report.returncode == 0 and "incomplete" in report.stdout


def test_a_run_whose_coordinator_was_killed_is_completed_later(cluster, tmp_path):
    spec, domains = _farm(12)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "3")
        run_id = _run_id(cluster)
        _wait(lambda: len([j for j in _jobs(cluster, run_id) if j]) == 4, timeout=60)
        coord.kill()  # SIGKILL: nobody waits for the run any more
        coord.wait()
        with cluster.store() as store:
            assert store.get_run(run_id).status == "running"
        # Next command: the run is still going (its jobs wait for a worker), so it stays open.
        shown = subprocess.run(
            [sys.executable, "-m", "crawler.app.cli", "report", "show", run_id],
            cwd=ROOT, env=cluster.env(), capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        assert f"distributed: run {run_id}: 0 of 4 job(s) done" in shown.stdout
        worker = cluster.worker("--burst")
        worker.wait(300)
    with cluster.store() as store:
        run = store.get_run(run_id)
    assert run.status == "finished" and run.counts["pages"] == 24
    _assert_every_site_once(cluster, run_id, domains)


def test_a_job_queue_message_runs_its_job_once(cluster, tmp_path, monkeypatch):
    """The engine's messages are only couriers: a second delivery of a finished job's attempt
    claims nothing and leaves the run as it is."""
    from crawler.jobs.rq_worker import perform

    spec, domains = _farm(2)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "2")
        cluster.worker()
        _out, err = coord.communicate(timeout=300)
    assert coord.returncode == 0, err
    run_id = _run_id(cluster)
    (job,) = _jobs(cluster, run_id)
    monkeypatch.setenv("FOOTER_AUDIT_WORKER_STORE", cluster.url)
    assert perform(job.id, cluster.prefix) == "not run: the job is finished"
    queue = RedisJobQueue(cluster.url, cluster.prefix)
    assert queue.get(job.id).attempts == 1
    queue.close()


def test_a_run_whose_jobs_all_ended_is_closed_by_the_next_command(cluster, tmp_path):
    """Nobody is left to close it (a detached run, its jobs cancelled before any worker came):
    `report show` settles it, its sites get their final pages."""
    spec, domains = _farm(4)
    pf = _portfolio(tmp_path / "night.yaml", domains)
    with serve_farm(spec, tmp_path / "farm") as farm:
        coord = cluster.coordinator(pf, farm, "--domains-per-job", "2", "--detach")
        out, err = coord.communicate(timeout=120)
    assert coord.returncode == 0, err
    run_id = out.strip()
    for job in _jobs(cluster, run_id):
        cancelled = subprocess.run(
            [sys.executable, "-m", "crawler.app.cli", "jobs", "cancel", job.id], cwd=ROOT,
            env=cluster.env(), capture_output=True, text=True, timeout=60)
        assert cancelled.returncode == 0, cancelled.stderr
    with cluster.store() as store:
        assert store.get_run(run_id).status == "running"
    shown = subprocess.run([sys.executable, "-m", "crawler.app.cli", "report", "show", run_id],
                           cwd=ROOT, env=cluster.env(), capture_output=True, text=True,
                           timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "incomplete" in shown.stdout and "2 of 2 job(s) could not be crawled" in shown.stdout
    with cluster.store() as store:
        run = store.get_run(run_id)
        pages = list(store.iter_pages(run_id))
    assert run.status == "incomplete" and run.finished
    assert len(pages) == 8 and {p["status"] for p in pages} == {"needs_review"}
    assert all("ended cancelled after 0 attempt(s): cancelled" in p["error"] for p in pages)
