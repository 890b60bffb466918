"""Crawl jobs in the Redis store, under the store's key prefix (docs/redis-layout.md):

    job:{id}        STRING  the job (JSON)
    jobs            ZSET    job id -> creation time: every job, for listings
    jobs:queued     LIST    ids of queued jobs, the next to claim first
    jobs:running    SET     ids of running jobs, for recovery

Every change is an optimistic transaction (WATCH the job's key, and the queue list when
claiming; MULTI/EXEC; retried when another client changed them in between), so two workers
claiming at once never take the same job and a cancel never crosses a claim.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from crawler.errors import StoreError
from crawler.jobs.model import Job
from crawler.jobs.queue import JobQueue, Mutation
from crawler.reports.store.base import dumps, parse_time
from crawler.reports.store.keys import Keys
from crawler.reports.store.redis_store import _unavailable

__all__ = ["RedisJobQueue"]

_CLAIM_WINDOW = 20  # queued ids looked at per claim (those already cancelled are dropped)


class RedisJobQueue(JobQueue):
    def __init__(self, url: str, prefix: str, *, timeout: float = 10.0) -> None:
        super().__init__()
        self.url = self.store_url = url
        self.prefix = prefix
        self.keys = Keys(prefix)
        try:
            self._r: Any = redis.Redis.from_url(url, decode_responses=True,
                                                socket_connect_timeout=min(2.0, timeout),
                                                socket_timeout=timeout,
                                                health_check_interval=30)
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {url!r}: {exc}") from exc

    def close(self) -> None:
        self._r.close()

    def _write(self, pipe: Any, old: Job | None, job: Job) -> None:
        """Queue the writes of `job` (was `old`) and its place in the indexes on `pipe`."""
        k = self.keys
        pipe.set(k.job(job.id), dumps(job.to_json()))
        was = old.state if old else None
        # A distributed run's jobs reach workers through the job engine, by id: they are
        # never in the list the API's runners claim from.
        if job.state == "queued" and was != "queued" and not job.shared_run:
            if old is None:
                pipe.rpush(k.jobs_queued(), job.id)
            else:  # back from a dead or stopping runner: it was claimed long ago, next in line
                pipe.lpush(k.jobs_queued(), job.id)
        elif was == "queued" and job.state != "queued":
            pipe.lrem(k.jobs_queued(), 0, job.id)
        if job.state == "running":
            pipe.sadd(k.jobs_running(), job.id)
        elif was == "running":
            pipe.srem(k.jobs_running(), job.id)

    @_unavailable
    def _insert(self, job: Job) -> None:
        with self._r.pipeline() as pipe:
            pipe.zadd(self.keys.jobs(), {job.id: parse_time(job.created).timestamp()})
            self._write(pipe, None, job)
            pipe.execute()

    @_unavailable
    def _read(self, job_id: str) -> Job | None:
        raw = self._r.get(self.keys.job(job_id))
        return Job.from_json(json.loads(raw)) if raw else None

    @_unavailable
    def _mutate(self, job_id: str, change: Mutation) -> Job | None:
        key = self.keys.job(job_id)

        def attempt(pipe: Any) -> Job | None:
            raw = pipe.get(key)
            if raw is None:
                return None
            old = Job.from_json(json.loads(raw))
            job = change(old)
            if job is not None:
                pipe.multi()
                self._write(pipe, old, job)
            return job

        return self._r.transaction(attempt, key, value_from_callable=True)

    @_unavailable
    def _claim_next(self, change: Mutation) -> Job | None:
        queued = self.keys.jobs_queued()

        def attempt(pipe: Any) -> Job | None:
            for job_id in pipe.lrange(queued, 0, _CLAIM_WINDOW - 1):
                key = self.keys.job(job_id)
                pipe.watch(key)  # a cancel in between makes the claim start over
                raw = pipe.get(key)
                old = Job.from_json(json.loads(raw)) if raw else None
                job = change(old) if old is not None else None
                if job is None:
                    continue
                pipe.multi()
                self._write(pipe, old, job)
                return job
            return None

        return self._r.transaction(attempt, queued, value_from_callable=True)

    def _jobs(self, ids: list[str]) -> list[Job]:
        if not ids:
            return []
        values = self._r.mget([self.keys.job(i) for i in ids])
        return [Job.from_json(json.loads(v)) for v in values if v]

    @_unavailable
    def _running(self) -> list[Job]:
        jobs = self._jobs(sorted(self._r.smembers(self.keys.jobs_running())))
        return [j for j in jobs if j.state == "running"]

    @_unavailable
    def _delete_ended(self, before: str) -> int:
        k = self.keys
        ids = self._r.zrangebyscore(k.jobs(), "-inf", f"({parse_time(before).timestamp()}")
        deleted = 0
        for i in range(0, len(ids), 500):
            for job in self._jobs(ids[i:i + 500]):
                if not job.done:
                    continue

                def drop(pipe: Any, job_id: str = job.id) -> bool:
                    raw = pipe.get(k.job(job_id))  # watched: it may have changed since
                    if raw is None or not Job.from_json(json.loads(raw)).done:
                        return False
                    pipe.multi()
                    pipe.delete(k.job(job_id))
                    pipe.zrem(k.jobs(), job_id)
                    return True

                deleted += self._r.transaction(drop, k.job(job.id), value_from_callable=True)
        return deleted

    @_unavailable
    def list(self, limit: int = 50, state: str | None = None) -> list[Job]:
        found: list[Job] = []
        start, batch = 0, max(limit, 100) if state else limit
        while len(found) < limit:
            ids = self._r.zrevrange(self.keys.jobs(), start, start + batch - 1)
            found += [j for j in self._jobs(ids) if state is None or j.state == state]
            if len(ids) < batch:
                break
            start += batch
        # Same order as SQLite: creation time, newest first (ids sort as their creation).
        found.sort(key=lambda j: (j.created, j.id), reverse=True)
        return found[:limit]
