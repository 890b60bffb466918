"""Crawl jobs: crawls asked for through the API, queued in the report store and run apart from
the request (`model`: the job; `queue`: the one interface; `runner`: the embedded pool)."""

from __future__ import annotations

from crawler.jobs.queue import JobQueue
from crawler.reports.store.base import ReportStore

__all__ = ["open_queue", "queue_for"]


def queue_for(store: ReportStore) -> JobQueue:
    """The job queue kept in `store` (its SQLite file, or its Redis under its prefix)."""
    from crawler.reports.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from crawler.jobs.sqlite_queue import SQLiteJobQueue

        return SQLiteJobQueue(store.path)
    from crawler.jobs.redis_queue import RedisJobQueue
    from crawler.reports.store.redis_store import RedisStore

    if isinstance(store, RedisStore):
        return RedisJobQueue(store.url, store.keys.prefix)
    raise TypeError(f"no job queue for a {type(store).__name__}")


def open_queue(url: str | None = None, *, prefix: str | None = None) -> JobQueue:
    """The job queue of the store `open_store(url, prefix=prefix)` opens (same rules: a Redis
    URL, else `$REDIS_URL`, else the embedded SQLite file)."""
    from crawler.reports.store import open_store

    with open_store(url, prefix=prefix) as store:
        return queue_for(store)

