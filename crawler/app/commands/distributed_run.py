"""`footer-audit run FILE --distributed`: the coordinator of a run spread over workers.

It opens the run in the Redis store, queues one job per registrable domain
(`crawler.jobs.distributed`), sends their messages (RQ), then waits: every second it settles
the run (recovering jobs of dead workers, sending lost messages) and shows how many domains are
done; once the run is closed it prints the same summary table as a local run and exits with the
same statuses (0, 1 errors found, 5 incomplete). `--detach` returns as soon as the jobs are
queued; the workers settle the run, and `footer-audit report show RUN` follows it. Killed while
waiting, the coordinator loses nothing: the workers finish the run without it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import redis
import typer

from crawler.errors import UsageError

if TYPE_CHECKING:
    from crawler.portfolio.model import Portfolio
    from crawler.reports.store.base import ReportStore

__all__ = ["run_distributed"]

WAIT_STEP = 1.0  # seconds between looks at the run while waiting
SAY_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def _summary(store: ReportStore, run_id: str) -> int:
    """Print the local run's summary table from the stored pages; returns errors found."""
    from rich.console import Console

    from crawler.extensions.progress import CrawlSummary

    summary = CrawlSummary()
    for record in store.iter_pages(run_id):
        summary.add_stored(record)
    if summary.orgs:
        Console(stderr=True).print(summary.table())
    return summary.errors


def run_distributed(portfolio: Portfolio, path: str, *, store: str | None, queue: str | None,
                    detach: bool, render: str | None, timeout: float, resolve: list[str],
                    allow_network: list[str], trigger: str, run_id: str | None, quiet: bool,
                    job_timeout: int, alerts: bool, per_job: int = 10) -> int:
    """Start the run; wait for it unless `detach`. Returns the exit status."""
    from pathlib import Path

    from crawler.jobs import queue_for
    from crawler.jobs.distributed import RunJobs, plan_run, settle, start_run
    from crawler.jobs.model import JobOptions
    from crawler.jobs.rq_backend import DEFAULT_QUEUE, RQTransport
    from crawler.reports.store import open_store
    from crawler.reports.store.base import TRIGGERS, StoreUnavailable, new_run_id
    from crawler.reports.store.redis_store import RedisStore

    if trigger not in TRIGGERS:
        raise UsageError(f"--trigger {trigger!r}: use {', '.join(TRIGGERS)}")
    if job_timeout < 10:
        raise UsageError("--job-timeout must be at least 10 seconds")
    opened = open_store(store)
    if not isinstance(opened, RedisStore):
        opened.close()
        raise UsageError("--distributed needs the Redis store (--store redis://… or $REDIS_URL): "
                         "workers on other machines write to it")
    name = queue or DEFAULT_QUEUE
    options = JobOptions(render=render, timeout=timeout, resolve=tuple(resolve),
                         allow_networks=tuple(allow_network))
    plan = plan_run(portfolio, str(Path(path).resolve()), Path(path).read_text(encoding="utf-8"),
                    options, per_job=per_job)
    if not plan.jobs:
        opened.close()
        raise UsageError(f"{path}: no domain or app to crawl")
    prefix = opened.keys.prefix
    runs = RunJobs(opened.url, prefix)
    transport = RQTransport(opened.url, prefix, name, job_timeout=job_timeout)
    try:
        with opened, queue_for(opened) as jobs:
            run = start_run(runs, jobs, opened, plan, transport,
                            run_id=run_id or new_run_id(), trigger=trigger)
            typer.echo(f"run {run.id}: {len(plan.jobs)} job(s) queued on {name}", err=True)
            if detach:
                typer.echo(run.id)
                return 0
            said, last, away = 0.0, "", False
            while True:
                try:
                    progress = settle(runs, jobs, opened, run.id, transport, alive=True)
                except (StoreUnavailable, redis.RedisError) as exc:
                    # The workers spool and retry too: wait for the store to be back.
                    if not away:
                        typer.echo(f"warning: {exc}; waiting for it", err=True)
                    away = True
                    time.sleep(WAIT_STEP)
                    continue
                if away:
                    typer.echo("the store is back", err=True)
                    away = False
                if progress is None:
                    raise UsageError(f"run {run.id} is gone from the store")
                line = progress.line()
                if not quiet and line != last and (sys.stderr.isatty()
                                                  or time.monotonic() - said > SAY_EVERY
                                                  or progress.closed):
                    typer.echo(line, err=True)
                    said, last = time.monotonic(), line
                if progress.closed:
                    break
                # A look reads every job of the run: fewer looks at a bigger run.
                time.sleep(max(WAIT_STEP, progress.total / 1000))
            closed = progress.run
            errors = _summary(opened, run.id) if not quiet else closed.counts.get("error", 0)
            if not quiet or closed.status != "finished":
                typer.echo(f"run {run.id} stored, {closed.status}: footer-audit report show "
                           f"{run.id}", err=True)
            if closed.note:
                typer.echo(f"run {run.id}: {closed.note}", err=True)
            if alerts and portfolio.alerts.channels:
                from crawler.alerts.deliver import send_run_alerts

                for result in send_run_alerts(portfolio, run.id, store):
                    if not result.ok:
                        typer.echo(f"warning: alert to {result.channel} not delivered after "
                                   f"{result.attempts} tries: {result.error}", err=True)
            if closed.status != "finished":
                return 5
            return 1 if errors else 0
    finally:
        runs.close()
