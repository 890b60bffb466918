"""The job queue: one interface for every runner of crawl jobs, kept in the report store.

    queue = open_queue(store_url)             # the store's file, or its Redis under its prefix
    job = queue.enqueue(Job.new("crawl-site", "example.cn", JobOptions(render="never")))
    job = queue.claim(worker)                 # atomically: the oldest queued job, now running
    queue.progress(job.id, worker, pages_done=12, violations=3)   # also a heartbeat
    queue.finish(job.id, worker, "finished", pages_done=40, violations=7)
    queue.recover()                           # running jobs whose runner died: queued again

Delivery is at least once. A claimed job is held by its worker (`host:pid:start`, as a run's
writer in `crawler.reports.store.liveness`) and kept alive by its heartbeat; every write of a
runner names its worker and is refused (False / None) once the job is no longer held by it
(cancelled, or recovered because the runner looked dead), so the runner stops its crawl.
`recover()` puts back in the queue each running job whose worker process is gone from this host
or whose heartbeat is older than `stale_after` (a worker elsewhere); after `max_attempts` claims
the job is failed instead, with the reason. A crawl run twice is harmless: each attempt writes a
run of its own (or, for jobs sharing a run, the store keeps a page delivered twice once).

Both backends implement the same few primitives (insert, read, a conditional read-modify-write,
claim); the state machine lives here once. SQLite: the `jobs` table of the store's file
(`crawler.jobs.sqlite_queue`), claimed under SQLite's write lock. Redis: `job:{id}`,
`jobs`, `jobs:queued`, `jobs:running` under the store's prefix (`crawler.jobs.redis_queue`,
docs/redis-layout.md), claimed in a WATCH/MULTI transaction.

Workers on other machines (distributed runs, on RQ). The same `Job` travels unchanged; RQ
carries only its id:

- The coordinator (`crawler.jobs.distributed`) enqueues `crawl-domain` jobs of whole
  registrable domains into this queue (`Job.new(..., run_id=RUN)`: the jobs share the run) and,
  for each attempt, an RQ message calling `crawler.jobs.rq_worker.perform` with the job's id
  and the store's prefix (the worker knows the store's URL).
- The RQ work-horse (a fresh process per job, which Twisted needs) opens the queue, calls
  `claim(worker, job_id=ID)` (None: cancelled or already done, nothing to do), then
  `crawler.jobs.runner.execute(queue, job, worker)`: the same child crawl, heartbeats,
  progress and `finish` as the embedded pool.
- RQ's own retry and abandoned-job handling redeliver the RQ job; `claim(worker, job_id)` also
  takes a job still `running` whose worker is dead, so a redelivery after a killed worker goes
  through; `retry()` queues a failed attempt again; `recover()` fails a job that used up its
  attempts, and the run's `settle` gives its sites a final status, so a run always ends.
- The coordinator (and `GET /api/v1/crawls/{id}`) reads state and progress from this queue,
  never from RQ's registries, so the embedded setup and the distributed one answer alike.
- An embedded pool on the same store (`serve --crawl-slots N`) never takes a distributed run's
  jobs: they are not in `jobs:queued` and `claim()` without an id skips jobs of a shared run
  (the API's own jobs never wait behind a night's thousands, and a job whose portfolio file
  only the run's workers fetch is never started where the file is missing).
"""

from __future__ import annotations

import builtins
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from crawler.jobs.model import Job
from crawler.reports.store.base import new_run_id, parse_time, utc_now
from crawler.reports.store.liveness import worker_gone

__all__ = ["STALE_AFTER", "JobQueue", "is_stale"]

# A running job whose worker (on another host) has not beaten for this long is taken for dead.
# Runners beat every few seconds (crawler.jobs.runner.HEARTBEAT_INTERVAL).
STALE_AFTER = 60.0

Mutation = Callable[[Job], Job | None]  # the new job, or None to leave it as it is


def is_stale(job: Job, *, stale_after: float = STALE_AFTER, now: datetime | None = None) -> bool:
    """A running job whose worker process is gone (this host) or silent too long (elsewhere)."""
    if job.state != "running":
        return False
    gone = worker_gone(job.worker) if job.worker else None
    if gone is not None:
        return gone
    now = now or datetime.now(UTC)
    last = parse_time(job.heartbeat or job.started or job.created)
    return (now - last).total_seconds() > stale_after


class JobQueue(ABC):
    """Crawl jobs in the report store. Thread-safe: the server's request threads and its
    runner share one queue object."""

    # Where the crawls of these jobs store their runs: the store URL (`--store`) and, for
    # Redis, the key prefix ($FOOTER_AUDIT_REDIS_PREFIX), for the runner's child processes.
    store_url: str = ""
    prefix: str | None = None

    def __init__(self) -> None:
        self._lock = threading.RLock()

    # -- primitives of a backend -------------------------------------------------------------
    @abstractmethod
    def _insert(self, job: Job) -> None:
        """Store a new queued job at the end of the queue."""

    @abstractmethod
    def _read(self, job_id: str) -> Job | None: ...

    @abstractmethod
    def _mutate(self, job_id: str, change: Mutation) -> Job | None:
        """Apply `change` to the job atomically (no other write in between); store and return
        its result, or None when the job is absent or `change` returned None."""

    @abstractmethod
    def _claim_next(self, change: Mutation) -> Job | None:
        """Atomically: the oldest queued job, changed by `change` (which turns it running)."""

    @abstractmethod
    def _running(self) -> list[Job]:
        """Every running job."""

    @abstractmethod
    def list(self, limit: int = 50, state: str | None = None) -> list[Job]:
        """Jobs newest first, at most `limit`, only those in `state` when given."""

    @abstractmethod
    def _delete_ended(self, before: str) -> int:
        """Delete finished, failed and cancelled jobs created before `before` (ISO time)."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release connections."""

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the interface -----------------------------------------------------------------------
    def enqueue(self, job: Job) -> Job:
        """Queue a new job (from `Job.new`); returns it as stored."""
        if job.state != "queued":
            raise ValueError(f"job {job.id} is {job.state}, not queued")
        with self._lock:
            self._insert(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._read(job_id)

    def running(self) -> builtins.list[Job]:
        """Every running job (one per busy runner: few)."""
        with self._lock:
            return self._running()

    def claim(self, worker: str, job_id: str | None = None) -> Job | None:
        """Take a job to run: the oldest queued one, or the job `job_id` (a worker its engine
        handed that job) when it is queued, or running on a dead worker. The job becomes
        running, held by `worker`, with one more attempt and, unless its jobs share a run, a
        fresh run id. None when there is nothing to take."""
        now = utc_now()

        def start(job: Job) -> Job | None:
            if job.state != "queued" and not (job_id and is_stale(job)):
                return None
            if job_id is None and job.shared_run:  # a distributed run's: its engine delivers it
                return None
            return job.copy(state="running", worker=worker, heartbeat=now, started=now,
                            attempts=job.attempts + 1, pages_done=0, violations=0,
                            run_id=job.run_id if job.shared_run else new_run_id())

        with self._lock:
            if job_id is None:
                return self._claim_next(start)
            return self._mutate(job_id, start)

    def _held(self, worker: str, change: Callable[[Job], Job]) -> Mutation:
        """A mutation applied only while `worker` holds the running job."""
        def held(job: Job) -> Job | None:
            if job.state != "running" or job.worker != worker:
                return None
            return change(job)
        return held

    def heartbeat(self, job_id: str, worker: str) -> bool:
        """Keep a running job alive; False when `worker` no longer holds it (stop the crawl)."""
        with self._lock:
            return self._mutate(job_id, self._held(
                worker, lambda job: job.copy(heartbeat=utc_now()))) is not None

    def progress(self, job_id: str, worker: str, *, pages_done: int, violations: int) -> bool:
        """Record the crawl's progress (and beat); False when `worker` no longer holds it."""
        with self._lock:
            return self._mutate(job_id, self._held(worker, lambda job: job.copy(
                pages_done=pages_done, violations=violations,
                heartbeat=utc_now()))) is not None

    def finish(self, job_id: str, worker: str, state: str, *, error: str = "",
               pages_done: int | None = None, violations: int | None = None) -> Job | None:
        """End a running job held by `worker` as finished or failed; None when not held."""
        if state not in ("finished", "failed"):
            raise ValueError(f"a job finishes as finished or failed, not {state!r}")

        def end(job: Job) -> Job:
            return job.copy(state=state, error=error, finished=utc_now(), worker="",
                            heartbeat=None,
                            pages_done=job.pages_done if pages_done is None else pages_done,
                            violations=job.violations if violations is None else violations)

        with self._lock:
            return self._mutate(job_id, self._held(worker, end))

    def release(self, job_id: str, worker: str, note: str = "") -> Job | None:
        """Give a running job back to the queue (a runner shutting down): queued again and
        the attempt not counted. None when `worker` does not hold it."""
        with self._lock:
            return self._mutate(job_id, self._held(worker, lambda job: _requeued(
                job, attempts=job.attempts - 1, note=note)))

    def retry(self, job_id: str, note: str = "") -> Job | None:
        """Queue a failed job again for its next attempt (the failed one counted); None when
        it is not failed or has used up its attempts (a worker of a job engine whose crawl
        failed: the engine sends the next attempt)."""
        def again(job: Job) -> Job | None:
            if job.state != "failed" or job.attempts >= job.max_attempts:
                return None
            return _requeued(job.copy(finished=None), attempts=job.attempts,
                             note=note or job.error)

        with self._lock:
            return self._mutate(job_id, again)

    def cancel(self, job_id: str, reason: str = "cancelled") -> Job | None:
        """Cancel a queued or running job (its runner stops the crawl at its next beat);
        returns the job, unchanged when it had already ended; None when there is no such
        job."""
        def stop(job: Job) -> Job | None:
            if job.done:
                return None
            return job.copy(state="cancelled", error=reason, finished=utc_now(), worker="",
                            heartbeat=None)

        with self._lock:
            return self._mutate(job_id, stop) or self._read(job_id)

    def prune(self, days: float) -> int:
        """Forget jobs that ended and were created more than `days` ago (their runs stay in
        the store); returns how many. Queued and running jobs are kept whatever their age."""
        before = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._lock:
            return self._delete_ended(before)

    def recover(self, *, stale_after: float = STALE_AFTER) -> builtins.list[Job]:
        """Jobs whose runner died: queued again, or failed after `max_attempts` claims.
        Returns the jobs changed. Safe to call from several processes at once."""
        changed = []
        with self._lock:
            for job in self._running():
                if not is_stale(job, stale_after=stale_after):
                    continue
                seen = job.heartbeat or job.started or job.created
                why = f"its runner {job.worker} died (last sign of life {seen[:19]}Z)"
                worker = job.worker

                def fix(current: Job, worker: str = worker, why: str = why) -> Job | None:
                    # Only the attempt seen as dead: it may have moved on since.
                    if current.state != "running" or current.worker != worker:
                        return None
                    if current.attempts >= current.max_attempts:
                        return current.copy(
                            state="failed", finished=utc_now(), worker="", heartbeat=None,
                            error=f"attempt {current.attempts} of {current.max_attempts}: {why}")
                    return _requeued(current, attempts=current.attempts,
                                     note=f"attempt {current.attempts}: {why}")

                fixed = self._mutate(job.id, fix)
                if fixed is not None:
                    changed.append(fixed)
        return changed


def _requeued(job: Job, *, attempts: int, note: str) -> Job:
    return job.copy(state="queued", worker="", heartbeat=None, started=None, attempts=attempts,
                    run_id=job.run_id if job.shared_run else None, error=note,
                    pages_done=0, violations=0)
