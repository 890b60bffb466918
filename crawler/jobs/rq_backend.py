"""Distributed runs on RQ: the messages that carry crawl jobs to workers, and the worker.

RQ (Redis Queue) moves a message per job attempt: `perform(job_id, prefix)`, named
`{job id}-a{attempts}` so that a message is sent once per attempt however many processes settle
the run (`RQTransport.ensure`). An RQ worker forks a work horse per message, a fresh process,
which runs `perform`: it claims the job in the report store's queue, then runs it exactly as the
API's runner does (`crawler.jobs.runner.execute`: a child `footer-audit run FILE --domain D
--run-id RUN --run-part JOB`, heartbeats, its end recorded).

What RQ does when things die, and what is added here (docs/scale.md):

- The horse is killed (SIGKILL, the OOM killer): its worker sees it and, the message carrying
  `Retry`, queues the same message again at once. The job is still `running` under the dead
  horse's name; the next `claim(worker, job_id)` takes it because that process is gone.
- The worker is killed, not its horse: the horse runs its job to the end on its own (its own
  process group) and records it; nothing is lost or repeated.
- Worker and horse are killed (a machine lost): RQ leaves the message in its started registry
  until the execution's heartbeat lapses and some worker's maintenance finds it abandoned
  (minutes). Meanwhile `settle` (every worker runs it every few seconds) finds the job's holder
  dead (gone from this host, or silent for a minute elsewhere), queues the job again and sends
  the next attempt's message. The abandoned message, when RQ retries it later, finds the job
  done and does nothing.
- A crawl that fails (its exit status, a lost store): the job is queued again for its next
  attempt (`JobQueue.retry`) and its message sent; after `max_attempts` it stays failed and
  the run's settle gives its sites a final status.
- Redis restarts: workers retry their connection (the `worker` command starts RQ again when it
  gave up); messages lost with an older snapshot are sent again by `settle`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from rq import Queue, Retry, Worker
from rq.job import Job as RQJob
from rq.job import JobStatus

from crawler.jobs.model import Job
from crawler.reports.store.liveness import this_worker

__all__ = ["DEFAULT_JOB_TIMEOUT", "DEFAULT_QUEUE", "RQTransport", "message_id", "perform",
           "run_worker"]

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "footer-audit"
DEFAULT_JOB_TIMEOUT = 3600  # seconds one domain's crawl may take before RQ stops it
SETTLE_EVERY = 5.0  # seconds between a worker's looks at its queue's open runs
# Messages a dead horse leaves are sent again this many times by RQ itself.
_HORSE_RETRIES = 3
_RESULT_TTL = 3600  # seconds RQ keeps a finished message (memory: docs/scale.md)
_FAILURE_TTL = 86400
_CLAIM_GRACE = 30.0  # seconds a started message's horse has to claim its job
# The environment that tells a work horse which store its worker serves.
STORE_ENV = "FOOTER_AUDIT_WORKER_STORE"
_IN_FLIGHT = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def message_id(job: Job) -> str:
    """The RQ message of the job's next attempt."""
    return f"{job.id}-a{job.attempts}"


def _lost(message: RQJob, status: str) -> bool:
    """A message started long ago whose job is still queued: its horse claims the job within
    moments of starting, so this one died first (RQ itself would find it abandoned only once
    its heartbeat lapsed and some worker's maintenance looked, minutes later)."""
    if status != JobStatus.STARTED or message.started_at is None:
        return False
    started = message.started_at.replace(tzinfo=UTC) if message.started_at.tzinfo is None \
        else message.started_at
    return (datetime.now(UTC) - started).total_seconds() > _CLAIM_GRACE


def _connection(url: str) -> redis.Redis:
    # RQ stores pickled data: a connection that does not decode answers.
    return redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=30.0,
                                health_check_interval=30)


class RQTransport:
    """Sends RQ messages for queued jobs (`crawler.jobs.distributed.Transport`)."""

    def __init__(self, url: str, prefix: str, name: str = DEFAULT_QUEUE, *,
                 job_timeout: int = DEFAULT_JOB_TIMEOUT) -> None:
        self.name, self.prefix, self.job_timeout = name, prefix, job_timeout
        self.rq = Queue(name, connection=_connection(url))

    def ensure(self, jobs: list[Job]) -> int:
        queued = [j for j in jobs if j.state == "queued"]
        if not queued:
            return 0
        ids = [message_id(j) for j in queued]
        existing = RQJob.fetch_many(ids, connection=self.rq.connection)
        sent = []
        for job, mid, old in zip(queued, ids, existing, strict=True):
            if old is not None:
                status = old.get_status(refresh=False)
                if status in _IN_FLIGHT and not _lost(old, status):
                    continue
                # Delivered and done with, or started by a horse that never claimed the job
                # (it died, or Redis went away under it), yet the job is queued: send again.
                with contextlib.suppress(redis.RedisError):
                    old.delete()
            sent.append(Queue.prepare_data(
                perform, args=(job.id, self.prefix), job_id=mid, timeout=self.job_timeout,
                result_ttl=_RESULT_TTL, failure_ttl=_FAILURE_TTL, retry=Retry(_HORSE_RETRIES),
                description=f"crawl {job.target} (job {job.id}, run {job.run_id})"))
        for i in range(0, len(sent), 500):
            self.rq.enqueue_many(sent[i:i + 500])
        return len(sent)


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
        conn = _connection(store_url)
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
