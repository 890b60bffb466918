"""The RQ worker of distributed runs (`footer-audit worker`): each message's work horse runs
`perform`, which claims the job in the report store's queue and runs it as the API's runner does;
the worker also settles its queue's open runs every few seconds. What RQ does when a worker or a
horse dies, and what is added here: `crawler.jobs.rq_backend`."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import redis
from rq import Queue, Worker

from crawler.jobs.model import Job
from crawler.jobs.rq_backend import (
    DEFAULT_QUEUE,
    SETTLE_EVERY,
    STORE_ENV,
    RQTransport,
    connection,
)
from crawler.reports.store.liveness import this_worker

__all__ = ["FooterAuditWorker", "perform", "run_worker"]

logger = logging.getLogger(__name__)


def _local_portfolio(store_url: str, prefix: str, job: Job) -> Job:
    """The job with its portfolio file written here from the run (a worker on another machine
    has no copy); named as the original, since a run is filed under the file's name."""
    from crawler.jobs.distributed import RunJobs
    from crawler.reports.store import data_dir

    if not job.run_id or not job.options.portfolio:
        return job
    runs = RunJobs(store_url, prefix)
    try:
        text = runs.portfolio_text(job.run_id)
    finally:
        runs.close()
    if text is None:
        return job
    folder = data_dir() / "distributed" / job.run_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(job.options.portfolio).name
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return job.copy(options=replace(job.options, portfolio=str(path)))


def perform(job_id: str, prefix: str) -> str:
    """The RQ function, in the work horse: claim the job, run it, settle its run. Returns what
    became of the job (RQ keeps it as the message's result)."""
    from crawler.jobs.distributed import RunJobs, settle
    from crawler.jobs.redis_queue import RedisJobQueue
    from crawler.jobs.runner import execute
    from crawler.reports.store import open_store

    url = os.environ.get(STORE_ENV) or os.environ.get("REDIS_URL") or ""
    queue = RedisJobQueue(url, prefix)
    worker = this_worker()
    try:
        job = queue.claim(worker, job_id)
        if job is None:
            current = queue.get(job_id)
            return f"not run: the job is {current.state if current else 'gone'}"
        ended = execute(queue, _local_portfolio(url, prefix, job), worker)
        if ended is not None and ended.state == "failed" and ended.attempts < ended.max_attempts:
            again = queue.retry(job_id, note=f"attempt {ended.attempts}: {ended.error}")
            logger.warning("job %s: %s; queued again", job_id, ended.error)
            ended = again or ended
        # The last job of a run closes it. Settling reads every job of the run, so a worker
        # does it here only once nothing else runs (else its periodic look does, seconds later).
        if job.run_id and not any(j.run_id == job.run_id for j in queue.running()):
            runs = RunJobs(url, prefix)
            try:
                with open_store(url, prefix=prefix) as store:
                    name = runs.queue_name(job.run_id) or DEFAULT_QUEUE
                    settle(runs, queue, store, job.run_id, RQTransport(url, prefix, name),
                           alive=True)
            finally:
                runs.close()
        return ended.state if ended is not None else "unknown"
    finally:
        queue.close()


class FooterAuditWorker(Worker):
    """An RQ worker that also settles its queue's open runs every few seconds, idle or busy
    (in its main loop: no thread beside the forks)."""

    store_url: str = ""
    prefix: str = ""
    _next_settle = 0.0

    def _settle(self) -> None:
        if time.monotonic() < self._next_settle:
            return
        from crawler.jobs.distributed import settle_open_runs
        from crawler.reports.store import open_store
        from crawler.reports.store.base import StoreUnavailable

        try:
            with open_store(self.store_url, prefix=self.prefix) as store:
                looked = settle_open_runs(store, queue_name=self.queue_names()[0], alive=True)
                # A look reads every job of each run: fewer looks at bigger runs.
                jobs = sum(p.total for p in looked)
                self._next_settle = time.monotonic() + max(SETTLE_EVERY, jobs / 200)
                for progress in looked:
                    if progress.closed:
                        self.log.info("run %s closed: %s", progress.run.id, progress.run.status)
        except (StoreUnavailable, redis.RedisError) as exc:
            self._next_settle = time.monotonic() + SETTLE_EVERY
            self.log.warning("cannot settle runs now: %s", exc)
        except Exception:  # a bug here must not stop the worker
            self._next_settle = time.monotonic() + SETTLE_EVERY
            self.log.exception("settling runs failed")

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        self._settle()

    def maintain_heartbeats(self, *args: Any, **kwargs: Any) -> None:
        super().maintain_heartbeats(*args, **kwargs)
        self._settle()


def run_worker(store_url: str, prefix: str, queue_name: str = DEFAULT_QUEUE, *,
               burst: bool = False, log_level: str = "INFO") -> int:
    """Work until stopped (SIGTERM/SIGINT: the current job ends first; twice: at once), or,
    with `burst`, until the queue is empty. A worker RQ stopped because Redis went away is
    started again. Returns how many worker sessions ran."""
    os.environ[STORE_ENV] = store_url
    os.environ["FOOTER_AUDIT_REDIS_PREFIX"] = prefix
    sessions = 0
    while True:
        sessions += 1
        conn = connection(store_url)
        worker = FooterAuditWorker(
            [Queue(queue_name, connection=conn)], connection=conn,
            # Short loops: the worker settles runs (and beats) every few seconds when idle.
            worker_ttl=25, job_monitoring_interval=5, maintenance_interval=5)
        worker.store_url, worker.prefix = store_url, prefix
        try:
            worker.work(burst=burst, logging_level=log_level)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning("worker: Redis unreachable (%s); starting again", exc)
        # RQ's work() returns when asked to stop, when a burst is done, and when it gave up on
        # Redis: only the last one starts it again.
        try:
            conn.ping()
        except redis.RedisError:
            time.sleep(2.0)
            continue
        if not burst or worker._stop_requested or Queue(queue_name, connection=conn).count == 0:
            return sessions
