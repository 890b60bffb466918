"""Distributed runs on RQ: the messages that carry crawl jobs to workers (the worker that runs
them is `crawler.jobs.rq_worker`).

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
from datetime import UTC, datetime

import redis
from rq import Queue, Retry
from rq.job import Job as RQJob
from rq.job import JobStatus

from crawler.jobs.model import Job

__all__ = ["DEFAULT_JOB_TIMEOUT", "DEFAULT_QUEUE", "SETTLE_EVERY", "STORE_ENV", "RQTransport",
           "connection", "message_id"]

# What a message calls, by name: the worker side imports this module, not the other way round.
PERFORM = "crawler.jobs.rq_worker.perform"

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


def connection(url: str) -> redis.Redis:
    # RQ stores pickled data: a connection that does not decode answers.
    return redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=30.0,
                                health_check_interval=30)


class RQTransport:
    """Sends RQ messages for queued jobs (`crawler.jobs.distributed.Transport`)."""

    def __init__(self, url: str, prefix: str, name: str = DEFAULT_QUEUE, *,
                 job_timeout: int = DEFAULT_JOB_TIMEOUT) -> None:
        self.name, self.prefix, self.job_timeout = name, prefix, job_timeout
        self.rq = Queue(name, connection=connection(url))

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
                PERFORM, args=(job.id, self.prefix), job_id=mid, timeout=self.job_timeout,
                result_ttl=_RESULT_TTL, failure_ttl=_FAILURE_TTL, retry=Retry(_HORSE_RETRIES),
                description=f"crawl {job.target} (job {job.id}, run {job.run_id})"))
        for i in range(0, len(sent), 500):
            self.rq.enqueue_many(sent[i:i + 500])
        return len(sent)
