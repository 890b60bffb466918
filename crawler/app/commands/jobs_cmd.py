"""`footer-audit jobs ...`: crawl jobs queued in the report store: list, show, add, cancel,
prune, work.

The server queues a job for each crawl asked through the API and runs them itself; `jobs work`
runs the same pool in the foreground (a machine that only crawls, or a server started without
its runner). The store is the one `crawl`/`run` use: `--store`, else `$REDIS_URL`, else the
embedded SQLite file.
"""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crawler.errors import UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from crawler.jobs.model import Job
    from crawler.jobs.queue import JobQueue

__all__ = ["app"]

app = typer.Typer(help="Crawl jobs queued in the report store: list, show, add, cancel, work.",
                  no_args_is_help=True, rich_markup_mode=None)

JobId = Annotated[str, typer.Argument(help="The job's id.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@app.callback()
def jobs(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option(
        "--store", help="Report store: redis://… or a SQLite file (default: $REDIS_URL, else "
        "the embedded SQLite file).")] = None,
    prefix: Annotated[str | None, typer.Option(
        "--redis-prefix", envvar="FOOTER_AUDIT_REDIS_PREFIX",
        help="Namespace of the Redis keys (default footer-audit:).")] = None,
) -> None:
    """Crawl jobs queued in the report store."""
    ctx.obj = {"url": store, "prefix": prefix}


def _queue(ctx: typer.Context) -> JobQueue:
    from crawler.jobs.queue import open_queue

    queue = open_queue(ctx.obj["url"], prefix=ctx.obj["prefix"])
    ctx.find_root().call_on_close(queue.close)
    return queue


def _line(job: Job) -> str:
    progress = f"{job.pages_done} pages, {job.violations} violations"
    run = f" run {job.run_id}" if job.run_id else ""
    return f"{job.id}  {job.state:<9} {job.kind} {job.target}  {progress}{run}"


def _print(job: Job, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(job.to_json(), ensure_ascii=False))
        return
    typer.echo(_line(job))
    for name in ("created", "started", "finished", "attempts", "worker", "error"):
        value: Any = getattr(job, name)
        if value not in (None, ""):
            typer.echo(f"  {name}: {value}")


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option("--state", help="Only jobs in this state.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Jobs, newest first."""
    from crawler.jobs.model import JOB_STATES

    if state is not None and state not in JOB_STATES:
        raise UsageError(f"--state {state!r}: use {', '.join(JOB_STATES)}")
    found = _queue(ctx).list(limit=limit, state=state)
    if as_json:
        typer.echo(json.dumps([j.to_json() for j in found], ensure_ascii=False))
        return
    for job in found:
        typer.echo(_line(job))
    if not found:
        typer.echo("No jobs.")


def _get(queue: JobQueue, job_id: str) -> Job:
    job = queue.get(job_id)
    if job is None:
        raise UsageError(f"no job {job_id!r}")
    return job


@app.command()
def show(ctx: typer.Context, job_id: JobId, as_json: AsJson = False) -> None:
    """One job: state, progress, run, attempts, error."""
    _print(_get(_queue(ctx), job_id), as_json)


@app.command()
def add(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Argument(help="A site to crawl, e.g. example.cn.")] = None,
    org: Annotated[str | None, typer.Option(
        "--org", help="Crawl this organisation of --portfolio instead of a site.")] = None,
    portfolio: Annotated[str | None, typer.Option(
        "--portfolio", help="The portfolio file that names --org.")] = None,
    render: Annotated[str | None, typer.Option("--render", help="auto | always | never.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per page.")] = (
        DEFAULT_TIMEOUT),
    resolve: Annotated[list[str] | None, typer.Option(
        "--resolve", metavar="HOST:ADDRESS[:PORT]", help="As `crawl --resolve`.")] = None,
    allow_network: Annotated[list[str] | None, typer.Option(
        "--allow-network", metavar="CIDR", help="As `crawl --allow-network`.")] = None,
    as_json: AsJson = False,
) -> None:
    """Queue a crawl of a site, or of an organisation of a portfolio."""
    from pathlib import Path

    from crawler.jobs.model import Job, JobOptions
    from crawler.portfolio.model import load_portfolio

    if (site is None) == (org is None):
        raise UsageError("name a site, or --org with --portfolio")
    if org is not None:
        if portfolio is None:
            raise UsageError("--org needs --portfolio")
        loaded = load_portfolio(portfolio)
        if org not in {o.name for o in loaded.organisations}:
            raise UsageError(f"--org {org!r}: no such organisation in {portfolio}")
        portfolio = str(Path(portfolio).resolve())
    options = JobOptions(render=render, timeout=timeout, resolve=tuple(resolve or ()),
                         allow_networks=tuple(allow_network or ()), portfolio=portfolio)
    job = Job.new("crawl-org" if org else "crawl-site", org or site or "", options)
    _print(_queue(ctx).enqueue(job), as_json)


@app.command()
def cancel(ctx: typer.Context, job_id: JobId) -> None:
    """Cancel a queued or running job (its runner stops the crawl)."""
    job = _queue(ctx).cancel(job_id, "cancelled from the command line")
    if job is None:
        raise UsageError(f"no job {job_id!r}")
    typer.echo(_line(job))


@app.command()
def prune(
    ctx: typer.Context,
    days: Annotated[float, typer.Option("--days", help="Forget ended jobs created more than "
                                        "this many days ago.")] = 30,
) -> None:
    """Forget old ended jobs (their runs stay in the store; queued and running jobs stay)."""
    if days < 0:
        raise UsageError("--days must be 0 or more")
    typer.echo(f"{_queue(ctx).prune(days)} jobs forgotten")


@app.command()
def work(
    ctx: typer.Context,
    slots: Annotated[int, typer.Option("--slots", help="Crawls at once.")] = 2,
) -> None:
    """Run queued jobs until stopped (SIGTERM or Ctrl-C stop the crawls and queue their jobs
    again)."""
    from crawler.jobs.runner import JobRunner

    runner = JobRunner(_queue(ctx), slots=slots)

    def stop(signum: int, _frame: object) -> None:
        typer.echo(f"stopping ({signal.Signals(signum).name}): running jobs go back to the "
                   "queue", err=True)
        runner.stop(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    typer.echo(f"running jobs of {runner.queue.store_url}, {slots} at a time", err=True)
    runner.run_forever()
