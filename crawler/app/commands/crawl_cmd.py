"""`footer-audit crawl SITE...` (on demand) and `footer-audit run PORTFOLIO` (a whole portfolio).

Both run the same portfolio spider (`crawler.launch.run.crawl_portfolio`). Exit status
(docs/portfolio.md):

    0  the run is complete and stored; no violation of severity error
    1  the run is complete and stored; some violations of severity error
    2  bad usage or a bad portfolio file (nothing is crawled)
    4  the report store named can never work (a bad URL; nothing is crawled)
    5  the run is incomplete: interrupted (SIGTERM, Ctrl-C), stopped early because its results
       could be kept nowhere, or the store lost pages it had written
    6  the run is complete but not stored: its results wait in a spool file (`report replay`)
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Annotated

import typer

from crawler.app.commands.options import STORE_HELP
from crawler.errors import UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.launch.expectations import valid_icp, valid_province
from crawler.render.modes import RenderMode

if TYPE_CHECKING:  # the portfolio model and the crawl load only when a command runs
    from crawler.portfolio.model import Portfolio

__all__ = ["EXIT_INCOMPLETE", "EXIT_SPOOLED", "crawl", "run"]

EXIT_INCOMPLETE = 5
EXIT_SPOOLED = 6

Resolve = Annotated[list[str] | None, typer.Option(
    "--resolve", metavar="HOST:ADDRESS[:PORT]",
    help="Send connections for HOST (or *.zone, or *) to ADDRESS[:PORT]; repeatable.")]
AllowNetwork = Annotated[list[str] | None, typer.Option(
    "--allow-network", metavar="CIDR",
    help="Crawl hosts that resolve into this private or reserved address range (e.g. "
         "10.0.0.0/8); repeatable. Public addresses are always allowed.")]
Format = Annotated[str, typer.Option("--format", help="Output format: jsonl.")]
Output = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write results to FILE, or - for standard output.")]
Render = Annotated[RenderMode | None, typer.Option(
    "--render", help="Render in Chromium (default: each domain's setting, else auto).")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds per page (fetch or render).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary.")]
UserAgent = Annotated[str | None, typer.Option("--user-agent", help="User agent to send.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log the crawl (INFO).")]
Store = Annotated[str | None, typer.Option("--store", metavar="URL", help=STORE_HELP)]
NoStore = Annotated[bool, typer.Option("--no-store", help="Do not keep results in the store.")]
Concurrency = Annotated[int | None, typer.Option(
    "--concurrency", help="Pages fetched at once (default: CONCURRENT_REQUESTS).")]
Trigger = Annotated[str, typer.Option(
    "--trigger", help="What started the run, kept with it in the store: nightly (a scheduled "
    "job), on-demand or api.")]
RunPart = Annotated[str | None, typer.Option(
    "--run-part", metavar="NAME",
    help="Write into the existing run --run-id as this part (a job of a distributed run): the "
    "run is neither created nor closed by this crawl.")]
RunId = Annotated[str | None, typer.Option(
    "--run-id", help="Store the results as this run (a new id such as 20261123T140512-3f9a1c), "
    "so that whoever started the crawl knows its run before it begins.")]
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _check_format(fmt: str) -> None:
    if fmt != "jsonl":
        raise UsageError(f"--format {fmt!r}: only jsonl is available")


def _warn_without_cjk_font(portfolio: Portfolio, render: RenderMode | None) -> None:
    """One line on stderr when pages may be rendered and no Chinese font is installed."""
    from crawler.render.browser import find_chromium
    from crawler.render.fonts import cjk_font_warning

    modes = {render} if render else {d.render for o in portfolio.organisations
                                     for d in o.domains}
    warning = cjk_font_warning(modes != {RenderMode.NEVER} and find_chromium() is not None)
    if warning:
        typer.echo(warning, err=True)


def _finish(portfolio: Portfolio, *, fmt: str, output: str | None, resolve: list[str] | None,
            render: RenderMode | None, timeout: float, quiet: bool, user_agent: str | None,
            verbose: bool, concurrency: int | None = None, store: str | None = None,
            no_store: bool = False, trigger: str = "on-demand",
            allow_network: list[str] | None = None, run_id: str | None = None,
            alerts: bool = False, run_part: str | None = None) -> None:
    from crawler.launch.run import crawl_portfolio
    from crawler.reports.store.base import TRIGGERS

    _check_format(fmt)
    if trigger not in TRIGGERS:
        raise UsageError(f"--trigger {trigger!r}: use {', '.join(TRIGGERS)}")
    extra = {"FOOTER_AUDIT_STORE_TRIGGER": trigger}
    if run_id is not None:
        if not _RUN_ID.match(run_id):
            raise UsageError(f"--run-id {run_id!r}: letters, digits, '.', '_' and '-' only "
                             "(at most 64)")
        extra["FOOTER_AUDIT_STORE_RUN_ID"] = run_id
    if run_part is not None:
        if run_id is None or not _RUN_ID.match(run_part):
            raise UsageError("--run-part needs --run-id, and letters, digits, '.', '_' and '-'")
        extra["FOOTER_AUDIT_STORE_RUN_PART"] = run_part
        alerts = False  # the run's alerts are sent once, when it is settled
    _warn_without_cjk_font(portfolio, render)
    if not no_store:
        _check_store(store)
    outcome = crawl_portfolio(
        portfolio, output=output, resolve=resolve or (), render=render, timeout=timeout,
        quiet=quiet, user_agent=user_agent, log_level="INFO" if verbose else "WARNING",
        concurrency=concurrency, store=False if no_store else (store or True),
        allow_networks=allow_network or (), extra=extra)
    code = _outcome_status(outcome.stats, stored=not no_store, run_id=outcome.run_id,
                           quiet=quiet)
    if alerts and not no_store and outcome.run_id and portfolio.alerts.channels:
        _send_alerts(portfolio, outcome.run_id, outcome.stats, store)
    if outcome.sites_done < outcome.sites_total and not quiet:
        typer.echo(f"warning: {outcome.sites_total - outcome.sites_done} of "
                   f"{outcome.sites_total} sites have no homepage result (see the log)", err=True)
    raise typer.Exit(code if code is not None else (1 if outcome.errors else 0))


def _send_alerts(portfolio: Portfolio, run_id: str, stats: dict, store: str | None) -> None:
    """The run's changes to the portfolio's channels, once the run is stored. A delivery that
    fails is logged and never changes the exit status."""
    from crawler.alerts.deliver import send_run_alerts
    from crawler.stats import STORE_OUTCOME_STAT

    if stats.get(STORE_OUTCOME_STAT) != "stored":
        return  # spooled or lost: its changes are not in the store to compare
    for result in send_run_alerts(portfolio, run_id, store):
        if not result.ok:
            typer.echo(f"warning: alert to {result.channel} not delivered after "
                       f"{result.attempts} tries: {result.error}", err=True)


def _check_store(url: str | None) -> None:
    """A store URL that can never work stops the command before crawling (exit 4); a store that
    cannot be reached now is the crawl's business (it spools)."""
    from crawler.reports.store import open_store
    from crawler.reports.store.base import StoreUnavailable

    with contextlib.suppress(StoreUnavailable):
        open_store(url, timeout=2.0).close()


def _outcome_status(stats: dict, *, stored: bool, run_id: str | None,
                    quiet: bool) -> int | None:
    """What the run's end says on stderr, and its exit status when it is not 0/1 (None)."""
    from crawler.stats import (
        RUN_NOTE_STAT,
        RUN_STATUS_STAT,
        SPOOL_FILES_STAT,
        STORE_OUTCOME_STAT,
    )

    reason = stats.get("finish_reason")
    status = stats.get(RUN_STATUS_STAT)
    where = stats.get(STORE_OUTCOME_STAT)
    note = "" if reason == "finished" else f" (stopped: {reason or 'killed'})"
    if stored and where == "stored":
        if not quiet or status != "finished":
            typer.echo(f"run {run_id} stored, {status}{note}: footer-audit report show "
                       f"{run_id}", err=True)
        if stats.get(RUN_NOTE_STAT):
            typer.echo(f"run {run_id}: {stats[RUN_NOTE_STAT]}", err=True)
    elif stored and where == "spooled":
        files = " ".join(stats.get(SPOOL_FILES_STAT) or [])
        typer.echo(f"run {run_id} not stored: its results wait in {files}; write them with "
                   f"footer-audit report replay {files}", err=True)
    elif stored and where is None:
        typer.echo(f"run {run_id or '?'} was not closed (the crawl was stopped hard); the next "
                   "footer-audit command marks it incomplete", err=True)
    elif stored:
        typer.echo(f"run {run_id or '?'} not stored: its results could not be kept (see the "
                   "error above)", err=True)
    complete = reason == "finished" and (not stored or status == "finished")
    if not complete:
        return EXIT_INCOMPLETE
    if stored and where != "stored":
        return EXIT_SPOOLED
    return None


def crawl(
    sites: Annotated[list[str], typer.Argument(help="Domains to crawl, e.g. example.cn.")],
    org: Annotated[str | None, typer.Option("--org", help="Filing subject (主办单位).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="e.g. 北京 or 京.")] = None,
    expect_icp: Annotated[str | None, typer.Option(
        "--expect-icp", help="The subject or website number the sites must show.")] = None,
    max_subdomains: Annotated[int, typer.Option(
        "--max-subdomains", help="Discovered subdomains per domain.")] = 200,
    depth: Annotated[int, typer.Option("--depth", help="Link hops while discovering.")] = 2,
    resolve: Resolve = None,
    allow_network: AllowNetwork = None,
    fmt: Format = "jsonl",
    output: Output = None,
    render: Render = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    quiet: Quiet = False,
    user_agent: UserAgent = None,
    verbose: Verbose = False,
    concurrency: Concurrency = None,
    store: Store = None,
    no_store: NoStore = False,
    trigger: Trigger = "on-demand",
    run_id: RunId = None,
) -> None:
    """Crawl sites on demand: homepages, www., subdomains found in links and sitemaps."""
    from crawler.portfolio.model import CrawlSpec, Portfolio

    _check_format(fmt)
    province, expect_icp = valid_province(province), valid_icp(expect_icp)
    if max_subdomains < 0 or depth < 0:
        raise UsageError("--max-subdomains and --depth must be 0 or more")
    portfolio = Portfolio.on_demand(
        sites, org=org, province=province, render=render or RenderMode.AUTO,
        crawl=CrawlSpec(subdomain_cap=max_subdomains, link_depth=depth))
    if expect_icp:
        org_spec = portfolio.organisations[0].model_copy(update={"icp": expect_icp})
        portfolio = portfolio.model_copy(update={"organisations": (org_spec,)})
    _finish(portfolio, fmt=fmt, output=output, resolve=resolve, render=render, timeout=timeout,
            quiet=quiet, user_agent=user_agent, verbose=verbose, concurrency=concurrency,
            store=store, no_store=no_store, trigger=trigger, allow_network=allow_network,
            run_id=run_id)


def _only_orgs(portfolio: Portfolio, names: list[str]) -> Portfolio:
    """The portfolio with only the organisations named (each must be in it)."""
    known = {o.name for o in portfolio.organisations}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"--org {unknown[0]!r}: no such organisation in {portfolio.source} "
                         f"(it has: {', '.join(sorted(known))})")
    return portfolio.model_copy(update={"organisations": tuple(
        o for o in portfolio.organisations if o.name in names)})


def _only_domains(portfolio: Portfolio, names: list[str]) -> Portfolio:
    """The portfolio with only the domains named (each must be in it), their organisations'
    policies, and the apps whose pages are on them. A registrable domain names every domain of
    the file under it and every app on it (one job of a distributed run)."""
    from crawler.net.domains import registrable_domain
    from rules.urls import host_of

    wanted = {n.strip().rstrip(".").lower() for n in names}
    orgs, found = [], set[str]()
    for org in portfolio.organisations:
        domains = tuple(d for d in org.domains
                        if d.domain in wanted or registrable_domain(d.domain) in wanted)
        apps = tuple(a for a in org.apps if any(
            host_of(a.url) == d.domain or host_of(a.url).endswith("." + d.domain)
            for d in domains) or registrable_domain(host_of(a.url)) in wanted)
        if not domains and not apps:
            continue
        found.update(d.domain for d in domains)
        found.update(registrable_domain(d.domain) for d in domains)
        found.update(registrable_domain(host_of(a.url)) for a in apps)
        orgs.append(org.model_copy(update={"domains": domains, "apps": apps}))
    unknown = sorted(wanted - found)
    if unknown:
        raise UsageError(f"--domain {unknown[0]!r}: no such domain in {portfolio.source}"
                         + (" (or not in the organisations named by --org)" if orgs else ""))
    return portfolio.model_copy(update={"organisations": tuple(orgs)})


def run(
    portfolio: Annotated[str, typer.Argument(help="Portfolio file (YAML).")],
    org: Annotated[list[str] | None, typer.Option(
        "--org", help="Crawl only this organisation of the portfolio (its name as in the "
        "file); repeatable.")] = None,
    domain: Annotated[list[str] | None, typer.Option(
        "--domain", help="Crawl only this domain of the portfolio (as in the file), with its "
        "organisation's policy; repeatable.")] = None,
    resolve: Resolve = None,
    allow_network: AllowNetwork = None,
    fmt: Format = "jsonl",
    output: Output = None,
    render: Render = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    quiet: Quiet = False,
    user_agent: UserAgent = None,
    verbose: Verbose = False,
    concurrency: Concurrency = None,
    store: Store = None,
    no_store: NoStore = False,
    trigger: Trigger = "on-demand",
    run_id: RunId = None,
    no_alerts: Annotated[bool, typer.Option(
        "--no-alerts", help="Do not send the run's changes to the portfolio's alerts channels."
    )] = False,
    run_part: RunPart = None,
    distributed: Annotated[bool, typer.Option(
        "--distributed", help="Split the run into one job per registrable domain for "
        "`footer-audit worker` processes on any machine that reaches the Redis store; wait for "
        "them and print the summary (docs/scale.md).")] = False,
    detach: Annotated[bool, typer.Option(
        "--detach", help="With --distributed: print the run id and return once its jobs are "
        "queued (`footer-audit report show RUN` follows it).")] = False,
    queue: Annotated[str | None, typer.Option(
        "--queue", help="With --distributed: the job engine's queue the workers listen on "
        "(default footer-audit).")] = None,
    job_timeout: Annotated[int, typer.Option(
        "--job-timeout", help="With --distributed: seconds one job's crawl may take.")] = 3600,
    domains_per_job: Annotated[int, typer.Option(
        "--domains-per-job", help="With --distributed: whole registrable domains per job (a "
        "job is one crawl process: a few seconds of start-up each).")] = 10,
) -> None:
    """Crawl a whole portfolio (see examples/portfolio.yaml)."""
    from crawler.portfolio.model import load_portfolio

    if (detach or queue) and not distributed:
        raise UsageError("--detach and --queue go with --distributed")

    _check_format(fmt)
    loaded = load_portfolio(portfolio)  # a bad file stops here: nothing starts
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if org:
        loaded = _only_orgs(loaded, org)
    if domain:
        loaded = _only_domains(loaded, domain)
    if distributed:
        from crawler.app.commands.distributed_run import run_distributed

        if output or no_store or run_part:
            raise UsageError("--distributed stores its run: no --output, --no-store or --run-part")
        _check_format(fmt)
        raise typer.Exit(run_distributed(
            loaded, portfolio, store=store, queue=queue, detach=detach, render=render,
            timeout=timeout, resolve=resolve or [], allow_network=allow_network or [],
            trigger=trigger, run_id=run_id, quiet=quiet, job_timeout=job_timeout,
            alerts=not no_alerts, per_job=domains_per_job))
    _finish(loaded, fmt=fmt, output=output, resolve=resolve, render=render, timeout=timeout,
            quiet=quiet, user_agent=user_agent or loaded.crawl.user_agent, verbose=verbose,
            concurrency=concurrency, store=store, no_store=no_store, trigger=trigger,
            allow_network=allow_network, run_id=run_id, alerts=not no_alerts, run_part=run_part)
