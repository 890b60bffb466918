"""Run crawl jobs: each in a child process, a bounded number at a time.

A crawl is a Scrapy process and Twisted's reactor cannot start twice in one process, so every job
runs as `python -m crawler.app.cli crawl SITE ...` (or `run PORTFOLIO --org NAME`, `--domain D`)
with the job's options, the queue's store (`--store`, or `$REDIS_URL` for Redis) and `--run-id`,
the run its attempt writes. While it runs, `execute` reads the run's pages from the store (pages
written, violations) and reports them to the queue, which is also the job's heartbeat; when the
queue says the job is no longer this worker's (cancelled, or recovered as dead), the crawl is
stopped. When the child ends, the job is finished (exit status 0 or 1 and its run finished in
the store) or failed with the reason the crawl printed, or the signal that killed it. A job is
never left running by a live runner.

The child dies with its runner: it gets SIGTERM when the thread that started it ends, whatever
killed the runner (Linux's parent-death signal), and closes its run as incomplete; the job is
queued again by the next `recover()` (`crawler.jobs.queue`).

`JobRunner` is the embedded pool the server starts: `slots` jobs at a time (2 by default: a
crawl with Chromium takes most of a core), claimed from the queue, with `recover()` at start and
every `recover_every` seconds. Stopping it stops the running crawls and gives their jobs back to
the queue, so a restarted server runs them again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO

from crawler.errors import UsageError
from crawler.jobs.model import Job
from crawler.jobs.queue import JobQueue
from crawler.reports.store import ReportStore, open_store
from crawler.reports.store.base import StoreUnavailable
from crawler.reports.store.liveness import this_worker

__all__ = ["DEFAULT_SLOTS", "JobRunner", "crawl_command", "execute"]

logger = logging.getLogger(__name__)

DEFAULT_SLOTS = 2
PROGRESS_INTERVAL = 1.0  # seconds between progress reads (and heartbeats) of a running job
STOP_GRACE = 20.0  # seconds a stopped crawl has to close its run before it is killed
# Exit statuses of `crawl`/`run` (crawler/app/commands/crawl_cmd.py) that mean a whole run,
# stored: 1 says errors were found on the pages, not that the crawl failed.
_COMPLETE = (0, 1)
_REASONS = {2: "bad options", 4: "the report store cannot be used", 5: "the run is incomplete",
            6: "the run is complete but its results wait in a spool file, not in the store"}


def _is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))


def crawl_command(job: Job, store_url: str, *, python: str = sys.executable) -> list[str]:
    """The command line of the child process that runs `job`'s crawl into `store_url` (a
    Redis store is named in the child's environment instead: see `execute`)."""
    o = job.options
    base = [python, "-m", "crawler.app.cli"]
    if job.kind == "crawl-site":
        cmd = [*base, "crawl", job.target]
        for flag, value in (("--org", o.org), ("--province", o.province),
                            ("--max-subdomains", o.max_subdomains), ("--depth", o.depth)):
            if value is not None:
                cmd += [flag, str(value)]
    elif job.kind in ("crawl-org", "crawl-domain"):
        if not o.portfolio:
            raise UsageError(f"a {job.kind} job needs its portfolio file")
        if job.kind == "crawl-org":
            cmd = [*base, "run", o.portfolio, "--org", job.target]
        else:  # a distributed run's job may hold several whole domains: "a.cn,b.cn"
            cmd = [*base, "run", o.portfolio]
            for domain in filter(None, job.target.split(",")):
                cmd += ["--domain", domain]
    else:
        raise UsageError(f"unknown job kind {job.kind!r}")
    if job.run_id is None:
        raise ValueError(f"job {job.id} has no run id: claim it first")
    if not _is_redis(store_url):  # a Redis URL may hold a password: it goes in the environment
        cmd += ["--store", store_url]
    cmd += ["--run-id", job.run_id, "--trigger", "api", "--quiet"]
    if job.shared_run:  # one part of a run its coordinator opened and its jobs settle
        cmd += ["--run-part", job.id, "--no-alerts"]
    if o.render is not None:
        cmd += ["--render", o.render]
    if o.timeout is not None:
        cmd += ["--timeout", str(o.timeout)]
    for rule in o.resolve:
        cmd += ["--resolve", rule]
    for network in o.allow_networks:
        cmd += ["--allow-network", network]
    return cmd


def _parent_death_signal() -> Callable[[], None] | None:
    """A function for the child to run before exec: SIGTERM when the thread that started it
    ends (Linux's PR_SET_PDEATHSIG), so a runner killed outright leaves no crawl behind. The C
    function is looked up here, in the parent: between fork and exec the child must not load
    anything (another thread of the parent may have held the loader's lock)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def set_signal() -> None:
        prctl(pr_set_pdeathsig, sigterm)

    return set_signal


def _progress(store: ReportStore, run_id: str) -> tuple[int, int] | None:
    """Pages the run holds so far and their violations; None when the store cannot tell now."""
    pages = violations = 0
    try:
        for meta in store.iter_page_meta(run_id):
            pages += 1
            violations += meta.violations
    except StoreUnavailable:
        return None
    return pages, violations


def _outcome(store: ReportStore, run_id: str) -> tuple[str | None, tuple[int, int] | None]:
    """The run's status (None: not in the store) and its counts: the closed run's (waived
    violations left out, as in its summary), else what it holds so far."""
    try:
        run = store.get_run(run_id)
    except StoreUnavailable:
        return None, None
    if run is not None and run.status != "running" and "pages" in run.counts:
        return run.status, (run.counts["pages"], run.counts.get("violations", 0))
    return (run.status if run else None), _progress(store, run_id)


def _reason(returncode: int, stderr: str) -> str:
    """Why a crawl failed, in one line: the error it printed, else its exit status or signal."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    said = next((line for line in reversed(lines) if line.startswith("error:")), None)
    said = said or (lines[-1] if lines else "")
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        what = f"the crawl process was killed by {name}"
    else:
        what = f"the crawl exited with status {returncode}"
        if returncode in _COMPLETE:
            what += " without a finished run in the store"
        elif returncode in _REASONS:
            what += f" ({_REASONS[returncode]})"
    return f"{what}: {said}"[:500] if said else what


def _tail(log: IO[bytes], size: int = 8192) -> str:
    log.seek(0, os.SEEK_END)
    log.seek(max(0, log.tell() - size))
    return log.read().decode("utf-8", "replace")


def _stop_child(proc: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """SIGTERM (the crawl closes its run as incomplete), then SIGKILL to its process group."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the crawl's own group: Chromium too
        proc.wait()


def execute(queue: JobQueue, job: Job, worker: str, *, stop: threading.Event | None = None,
            env: dict[str, str] | None = None, python: str = sys.executable,
            interval: float = PROGRESS_INTERVAL,
            on_start: Callable[[subprocess.Popen[bytes]], None] | None = None) -> Job | None:
    """Run a job `worker` has claimed to its end, in a child process; returns the job as it
    ended. With `stop` set (the runner shutting down) the crawl is stopped and the job given
    back to the queue; a job cancelled meanwhile has its crawl stopped too."""
    stop = stop or threading.Event()
    try:
        cmd = crawl_command(job, queue.store_url, python=python)
    except (UsageError, ValueError) as exc:
        return queue.finish(job.id, worker, "failed", error=str(exc))
    child_env = {**os.environ, **(env or {})}
    if _is_redis(queue.store_url):
        child_env["REDIS_URL"] = queue.store_url
        child_env["FOOTER_AUDIT_REDIS_PREFIX"] = queue.prefix or ""
    assert job.run_id is not None  # crawl_command checked it
    with tempfile.TemporaryFile() as log, open_store(queue.store_url,
                                                      prefix=queue.prefix) as store:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=child_env,
            start_new_session=True, preexec_fn=_parent_death_signal())
        logger.info("job %s: crawl %s started (pid %d, run %s)", job.id, job.target, proc.pid,
                    job.run_id)
        if on_start is not None:
            on_start(proc)
        held = True
        while True:
            stopping = stop.wait(interval)
            if proc.poll() is not None:
                break  # ended on its own (even as the runner stops): its outcome stands
            if stopping:
                _stop_child(proc)
                logger.info("job %s: stopped with the runner, queued again", job.id)
                return queue.release(job.id, worker, note="its runner stopped; queued again")
            # A shared run's pages are every job's: this job's own are not told apart there.
            counts = None if job.shared_run else _progress(store, job.run_id)
            try:
                if counts is not None:
                    held = queue.progress(job.id, worker, pages_done=counts[0],
                                          violations=counts[1])
                else:
                    held = queue.heartbeat(job.id, worker)
            except StoreUnavailable as exc:  # the crawl goes on; the queue may be back soon
                logger.warning("job %s: cannot report progress: %s", job.id, exc)
            if not held:
                logger.info("job %s: no longer this runner's (cancelled?); stopping its crawl",
                            job.id)
                _stop_child(proc)
                return queue.get(job.id)
        status, outcome = (None, None) if job.shared_run else _outcome(store, job.run_id)
        final = outcome or (None, None)
        # 1 is also the status of a crash: a job is finished only with its run finished too
        # (a part of a shared run exits 5 unless the store holds every page it wrote).
        if proc.returncode in _COMPLETE and (status == "finished" or job.shared_run):
            state, error = "finished", ""
        else:
            state, error = "failed", _reason(proc.returncode, _tail(log))
        logger.info("job %s: %s%s", job.id, state, f" ({error})" if error else "")
        return queue.finish(job.id, worker, state, error=error, pages_done=final[0],
                            violations=final[1])


class JobRunner:
    """The embedded pool: claims queued jobs and runs up to `slots` at once, each in a thread
    that supervises its child process."""

    def __init__(self, queue: JobQueue, *, slots: int = DEFAULT_SLOTS, poll: float = 1.0,
                 recover_every: float = 30.0, env: dict[str, str] | None = None,
                 interval: float = PROGRESS_INTERVAL) -> None:
        if slots < 1:
            raise UsageError("the job runner needs at least one slot")
        self.queue, self.slots, self.poll = queue, slots, poll
        self.recover_every, self.env, self.interval = recover_every, env, interval
        self.worker = this_worker()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._active: dict[str, threading.Thread] = {}
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> list[str]:
        """Ids of the jobs this runner is running now."""
        return [job_id for job_id, t in list(self._active.items()) if t.is_alive()]

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="footer-audit-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a job was just enqueued)."""
        self._wake.set()

    def stop(self, timeout: float = STOP_GRACE + 10, *, wait: bool = True) -> None:
        """Stop claiming, stop the running crawls and give their jobs back to the queue;
        `wait=False` only asks (from a signal handler: `run_forever` returns when done)."""
        self._stop.set()
        self._wake.set()
        if not wait:
            return
        if self._thread is not None:
            self._thread.join(timeout)
        for thread in list(self._active.values()):
            thread.join(timeout)

    def run_forever(self) -> None:
        """Run in this thread until `stop()` (from a signal handler or another thread)."""
        self._loop()
        for thread in list(self._active.values()):
            thread.join()

    def _recover(self) -> None:
        try:
            for job in self.queue.recover():
                logger.warning("job %s: %s -> %s", job.id, job.error, job.state)
        except StoreUnavailable as exc:
            logger.warning("cannot recover jobs now: %s", exc)

    def _run(self, job: Job) -> None:
        try:
            execute(self.queue, job, self.worker, stop=self._stop, env=self.env,
                    interval=self.interval)
        except Exception:  # a bug must not leave the job running while the runner lives
            logger.exception("job %s: the runner failed", job.id)
            with contextlib.suppress(Exception):
                self.queue.finish(job.id, self.worker, "failed",
                                  error="the job runner failed (see the server's log)")
        finally:
            self._wake.set()  # a slot is free

    def _loop(self) -> None:
        self._recover()
        next_recover = time.monotonic() + self.recover_every
        while not self._stop.is_set():
            self._wake.clear()
            for job_id in [j for j, t in self._active.items() if not t.is_alive()]:
                del self._active[job_id]
            if time.monotonic() >= next_recover:
                self._recover()
                next_recover = time.monotonic() + self.recover_every
            if len(self._active) < self.slots:
                try:
                    job = self.queue.claim(self.worker)
                except StoreUnavailable as exc:
                    logger.warning("cannot claim jobs now: %s", exc)
                    job = None
                if job is not None and self._stop.is_set():  # stopped while claiming
                    self.queue.release(job.id, self.worker, note="its runner stopped")
                    break
                if job is not None:
                    thread = threading.Thread(target=self._run, args=(job,), daemon=True,
                                              name=f"footer-audit-job-{job.id}")
                    self._active[job.id] = thread
                    thread.start()
                    continue  # another slot may be free, another job waiting
            self._wake.wait(self.poll)
