"""Crawl jobs run for real: a child `footer-audit crawl` of a site the farm serves on 127.0.0.1,
its progress read from the store, its run recorded; a failing crawl, a cancelled one, and a
runner killed outright mid-job (the job runs again, the killed runner's crawl does not go on)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page
from crawler.jobs import queue_for
from crawler.jobs.model import Job, JobOptions
from crawler.jobs.queue import JobQueue
from crawler.jobs.runner import JobRunner
from crawler.reports.store import open_store
from tests.redis_server import open_test_store

pytestmark = pytest.mark.slow  # crawl processes

ROOT = Path(__file__).resolve().parent.parent

SITES = {"hosts": {
    "jobs.cn": {"pages": {
        "/": {"body": page(links=("/about/",), foot=footer("京ICP备12345678号-1", link=False))},
        "/about/": {"body": page("关于", foot=footer("京ICP备12345678号-1", link=False))},
    }},
    "www.jobs.cn": {"pages": {"/": {"body": page(foot=footer())}}},
    # A homepage that takes its time: the crawl is still running when the test acts on it.
    "slow.cn": {"pages": {"/": {"body": page(foot=footer()), "delay": 2}}},
    "www.slow.cn": {"pages": {"/": {"body": page(foot=footer()), "delay": 2}}},
    "solo.cn": {"pages": {"/": {"body": page(foot=footer("沪ICP备33333333号-1"))}}},
    "www.solo.cn": {"pages": {"/": {"body": page(foot=footer("沪ICP备33333333号-1"))}}},
}}


def _env(tmp_path: Path) -> dict[str, str]:
    """Children import this tree and keep their render memory and spool files in `tmp_path`."""
    return {"XDG_DATA_HOME": str(tmp_path / "data"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _wait(what: Callable[[], object], timeout: float = 90, step: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"gave up waiting after {timeout}s")


def _fetching(farm, host: str) -> Callable[[], bool]:
    """Whether the crawl has asked the farm for `host`: its engine runs, its run is open. (A
    crawl stopped while it is still opening its spider ends without closing its run; that run
    is closed later by the next command's liveness check, not by the crawl itself.)"""
    return lambda: host in farm.hosts_requested()


def _job(farm, site: str) -> Job:
    return Job.new("crawl-site", site, JobOptions(render="never", timeout=10,
                                                  resolve=(farm.resolve,)))


def _run_to_end(queue: JobQueue, job_id: str, tmp_path: Path) -> Job:
    runner = JobRunner(queue, slots=1, poll=0.2, interval=0.3, env=_env(tmp_path))
    runner.start()
    try:
        return _wait(lambda: (j := queue.get(job_id)) and j.done and j)  # type: ignore[return-value]
    finally:
        runner.stop()


def test_a_site_job_runs_to_its_stored_run_in_redis(tmp_path):
    """On the Redis store (the crawl child finds it in its environment, under the queue's
    prefix); the SQLite store runs the other jobs here and the API's."""
    with open_test_store("redis", tmp_path) as store, queue_for(store) as queue, \
            serve_farm(SITES, tmp_path / "farm") as farm:
        job = queue.enqueue(_job(farm, "jobs.cn"))
        done = _run_to_end(queue, job.id, tmp_path)
        assert done.state == "finished", done.error
        assert done.attempts == 1 and done.error == "" and done.worker == ""
        run = store.get_run(done.run_id)
        assert run is not None and run.status == "finished" and run.trigger == "api"
        pages = list(store.iter_page_meta(run.id))
        # jobs.cn, its inner page and www.jobs.cn; the unlinked ICP numbers are violations.
        assert len(pages) == done.pages_done == run.counts["pages"] >= 3
        assert done.violations == run.counts["violations"] == sum(p.violations for p in pages)
        assert done.violations > 0
        assert {p.site for p in pages} == {"jobs.cn", "www.jobs.cn"}


def test_a_crawl_that_fails_fails_its_job_with_the_reason(tmp_path):
    with open_test_store("sqlite", tmp_path) as store, queue_for(store) as queue:
        missing = tmp_path / "gone.yaml"
        job = queue.enqueue(Job.new("crawl-org", "某某公司", JobOptions(portfolio=str(missing))))
        done = _run_to_end(queue, job.id, tmp_path)
    assert done.state == "failed" and done.attempts == 1
    assert done.error.startswith("the crawl exited with status 2 (bad options): error: ")
    assert "cannot read the portfolio" in done.error and str(missing) in done.error


def test_cancelling_a_running_job_stops_its_crawl(tmp_path):
    with open_test_store("sqlite", tmp_path) as store, queue_for(store) as queue, \
            serve_farm(SITES, tmp_path / "farm") as farm:
        job = queue.enqueue(_job(farm, "slow.cn"))
        runner = JobRunner(queue, slots=1, poll=0.2, interval=0.3, env=_env(tmp_path))
        runner.start()
        try:
            running = _wait(lambda: (j := queue.get(job.id)).state == "running" and j)
            _wait(_fetching(farm, "slow.cn"))  # the crawl is under way
            queue.cancel(job.id, "not needed")
            # The runner stops the crawl: it closes its run as interrupted, and the slot is free.
            run = _wait(lambda: (r := store.get_run(running.run_id)).status != "running" and r,
                        timeout=60)
            _wait(lambda: not runner.running, timeout=30)
        finally:
            runner.stop()
        assert run.status == "incomplete" and "interrupted" in run.note
        assert queue.get(job.id).state == "cancelled" and queue.get(job.id).error == "not needed"


def test_a_runner_killed_mid_job_leaves_its_job_to_the_next_runner(tmp_path):
    db = tmp_path / "store.sqlite3"
    with open_store(str(db)) as store, queue_for(store) as queue, \
            serve_farm(SITES, tmp_path / "farm") as farm:
        job = queue.enqueue(_job(farm, "slow.cn"))
        worker = subprocess.Popen(
            [sys.executable, "-m", "crawler.app.cli", "jobs", "--store", str(db), "work",
             "--slots", "1"],
            cwd=ROOT, env={**os.environ, **_env(tmp_path)}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        try:
            first = _wait(lambda: (j := queue.get(job.id)).state == "running" and j)
            assert first.worker.split(":")[1] == str(worker.pid)
            _wait(_fetching(farm, "slow.cn"))  # its crawl is under way
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            assert worker.stderr is not None
            worker.stderr.close()
        # The killed runner's crawl got SIGTERM with it and closed its run: nothing goes on.
        orphan = _wait(lambda: (r := store.get_run(first.run_id)).status != "running" and r,
                       timeout=60)
        assert orphan.status == "incomplete" and "interrupted" in orphan.note
        # A restarted server (a new queue on the same file) recovers the job and runs it again.
        with queue_for(store) as restarted:
            (recovered,) = restarted.recover()
            assert (recovered.id, recovered.state, recovered.attempts) == (job.id, "queued", 1)
            assert f":{worker.pid}:" in recovered.error
            done = _run_to_end(restarted, job.id, tmp_path)
        assert done.state == "finished" and done.attempts == 2, done.error
        assert done.run_id != first.run_id and store.get_run(done.run_id).status == "finished"
        assert done.pages_done == 2


def test_the_pool_runs_at_most_its_slots_at_once(tmp_path):
    """Three jobs, two slots: two crawls run while the third waits its turn (crawls that fail
    after starting up: a child process each, without a site to wait for)."""
    with open_test_store("sqlite", tmp_path) as store, queue_for(store) as queue:
        ids = [queue.enqueue(Job.new("crawl-org", f"机构{i}", JobOptions(
            portfolio=str(tmp_path / "gone.yaml")))).id for i in range(3)]
        runner = JobRunner(queue, slots=2, poll=0.1, interval=0.2, env=_env(tmp_path))
        seen: list[tuple[int, int]] = []  # (running, queued) as the jobs go
        runner.start()
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                jobs = [queue.get(i) for i in ids]
                seen.append((sum(j.state == "running" for j in jobs),
                             sum(j.state == "queued" for j in jobs)))
                if all(j.done for j in jobs):
                    break
                time.sleep(0.05)
        finally:
            runner.stop()
        assert max(running for running, _ in seen) == 2
        assert (2, 1) in seen  # the third waited while two ran
        assert {queue.get(i).state for i in ids} == {"failed"}


def test_a_crawl_process_killed_fails_its_job_with_the_signal(tmp_path):
    """`execute`, as any worker runs a claimed job: its crawl killed from outside (the OOM
    killer, an operator) ends the job failed, naming the signal, never left running."""
    import threading

    from crawler.jobs.runner import execute

    with open_test_store("sqlite", tmp_path) as store, queue_for(store) as queue, \
            serve_farm(SITES, tmp_path / "farm") as farm:
        queue.enqueue(_job(farm, "slow.cn"))
        job = queue.claim("tester:1:1")
        started: list[subprocess.Popen[bytes]] = []
        ended: list[Job | None] = []
        thread = threading.Thread(target=lambda: ended.append(execute(
            queue, job, "tester:1:1", env=_env(tmp_path), interval=0.3,
            on_start=started.append)))
        thread.start()
        try:
            _wait(lambda: store.get_run(job.run_id))  # the crawl is under way
            os.kill(started[0].pid, signal.SIGKILL)
        finally:
            thread.join(60)
    (done,) = ended
    assert done is not None and done.state == "failed" and done.worker == ""
    assert done.error.startswith("the crawl process was killed by SIGKILL"), done.error


def test_organisation_and_domain_jobs_crawl_only_theirs(tmp_path):
    """`run PORTFOLIO --org NAME` and `run PORTFOLIO --domain D`, side by side in two slots."""
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text(
        "crawl:\n  inner_pages: 0\norganisations:\n"
        "  - name: 北京某某科技有限公司\n    province: 北京\n"
        "    domains:\n      - domain: jobs.cn\n      - domain: slow.cn\n"
        "  - name: 别的公司\n    domains:\n      - domain: solo.cn\n", encoding="utf-8")
    options = {"render": "never", "timeout": 10, "portfolio": str(portfolio)}
    with open_test_store("sqlite", tmp_path) as store, queue_for(store) as queue, \
            serve_farm(SITES, tmp_path / "farm") as farm:
        org = queue.enqueue(Job.new("crawl-org", "别的公司", JobOptions(
            **options, resolve=(farm.resolve,))))
        domain = queue.enqueue(Job.new("crawl-domain", "jobs.cn", JobOptions(
            **options, resolve=(farm.resolve,))))
        runner = JobRunner(queue, slots=2, poll=0.2, interval=0.3, env=_env(tmp_path))
        runner.start()
        try:
            _wait(lambda: all(queue.get(j.id).done for j in (org, domain)))
        finally:
            runner.stop()
        for job, org_name, sites in ((org, "别的公司", {"solo.cn", "www.solo.cn"}),
                                     (domain, "北京某某科技有限公司", {"jobs.cn", "www.jobs.cn"})):
            done = queue.get(job.id)
            assert done.state == "finished", done.error
            pages = list(store.iter_page_meta(done.run_id))
            assert {p.site for p in pages} == sites and {p.org for p in pages} == {org_name}
            assert done.pages_done == len(pages)
        # The organisation's other domain was not the domain job's business.
        assert not any(host.endswith("slow.cn") for host in farm.hosts_requested())
