"""The server's crawl jobs: the queue in its report store, and the runner it starts.

`create_app` opens the queue (`open_crawl_jobs`) and, in its lifespan, starts the runner
(`CrawlJobs.start`: `config.crawl_slots` crawls at a time, each a child process) and stops it on
shutdown (running crawls stopped, their jobs queued again for the next start). With
`crawl_slots` 0 the server only queues: `footer-audit jobs work` runs the jobs elsewhere, on
the same store.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from fastapi import Request
from starlette.exceptions import HTTPException

from crawler.api.config import ApiConfig
from crawler.api.state import api_state
from crawler.jobs.queue import JobQueue, open_queue
from crawler.jobs.runner import JobRunner

__all__ = ["CrawlJobs", "crawl_jobs", "open_crawl_jobs"]


@dataclass
class CrawlJobs:
    queue: JobQueue  # the routes' (thread-safe); the runner has a connection of its own
    config: ApiConfig
    runner: JobRunner | None = field(default=None)

    def start(self) -> None:
        if self.config.crawl_slots < 1 or self.runner is not None:
            return
        own = open_queue(self.config.store_url, prefix=self.config.store_prefix)
        self.runner = JobRunner(own, slots=self.config.crawl_slots)
        self.runner.start()

    def wake(self) -> None:
        """A job was queued: the runner looks now instead of at its next poll."""
        if self.runner is not None:
            self.runner.wake()

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.runner.queue.close()
            self.runner = None
        with contextlib.suppress(Exception):
            self.queue.close()


def open_crawl_jobs(config: ApiConfig) -> CrawlJobs:
    return CrawlJobs(open_queue(config.store_url, prefix=config.store_prefix), config)


def crawl_jobs(request: Request) -> CrawlJobs:
    jobs = api_state(request).extra.get("crawl_jobs")
    if not isinstance(jobs, CrawlJobs):
        raise HTTPException(503, "crawl jobs are not available on this server")
    return jobs
