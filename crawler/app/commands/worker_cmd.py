"""`footer-audit worker`: run the jobs of distributed runs (`run FILE --distributed`).

A worker on any machine that reaches the Redis store takes one job at a time from the queue (an
RQ worker: a fresh process per job, each running one domain's crawl in a child process) and
writes its pages into the run. Start as many as the machine has cores. SIGTERM or Ctrl-C: the
current job ends first; a second one stops it now (the job runs again elsewhere).
"""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.errors import UsageError

__all__ = ["worker"]


def worker(
    store: Annotated[str | None, typer.Option(
        "--store", help="The Redis store (redis://…; default $REDIS_URL).")] = None,
    queue: Annotated[str | None, typer.Option(
        "--queue", help="The queue to take jobs from (default footer-audit).")] = None,
    burst: Annotated[bool, typer.Option(
        "--burst", help="Stop once the queue is empty.")] = False,
    prefix: Annotated[str | None, typer.Option(
        "--redis-prefix", envvar="FOOTER_AUDIT_REDIS_PREFIX",
        help="Namespace of the Redis keys (default footer-audit:).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each job.")] = False,
) -> None:
    """Run the jobs of distributed runs (one domain's crawl at a time)."""
    import os

    from crawler.jobs.rq_backend import DEFAULT_QUEUE
    from crawler.jobs.rq_worker import run_worker
    from crawler.reports.store import open_store
    from crawler.reports.store.redis_store import RedisStore

    url = store or os.environ.get("REDIS_URL")
    if not url:
        raise UsageError("footer-audit worker needs the Redis store: --store redis://… or "
                         "$REDIS_URL")
    with open_store(url, prefix=prefix) as opened:
        if not isinstance(opened, RedisStore):
            raise UsageError(f"--store {url!r}: a worker needs a Redis store")
        opened.ping()
        real_prefix = opened.keys.prefix
    run_worker(url, real_prefix, queue or DEFAULT_QUEUE, burst=burst,
               log_level="INFO" if verbose else "WARNING")
