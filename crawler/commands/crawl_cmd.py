"""`footer-audit crawl SITE...` (on demand) and `footer-audit run PORTFOLIO` (a whole portfolio).

Both run the same portfolio spider (`crawler.run.crawl_portfolio`). Exit status: 0 no violation
of severity error, 1 some, 2 bad usage or a bad portfolio file (nothing is crawled).
"""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.errors import UsageError
from crawler.portfolio import CrawlSpec, Portfolio, load_portfolio

__all__ = ["crawl", "run"]

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
Render = Annotated[str | None, typer.Option(
    "--render", help="auto | always | never (default: each domain's setting, else auto).")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds per page (fetch or render).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary.")]
UserAgent = Annotated[str | None, typer.Option("--user-agent", help="User agent to send.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log the crawl (INFO).")]
Store = Annotated[str | None, typer.Option(
    "--store", help="Report store: redis://… or a SQLite file (default: $REDIS_URL, else the "
    "embedded SQLite file).")]
NoStore = Annotated[bool, typer.Option("--no-store", help="Do not keep results in the store.")]
Concurrency = Annotated[int | None, typer.Option(
    "--concurrency", help="Pages fetched at once (default: CONCURRENT_REQUESTS).")]
Trigger = Annotated[str, typer.Option(
    "--trigger", help="What started the run, kept with it in the store: nightly (a scheduled "
    "job), on-demand or api.")]


def _check_format(fmt: str) -> None:
    if fmt != "jsonl":
        raise UsageError(f"--format {fmt!r}: only jsonl is available")


def _finish(portfolio: Portfolio, *, fmt: str, output: str | None, resolve: list[str] | None,
            render: str | None, timeout: float, quiet: bool, user_agent: str | None,
            verbose: bool, concurrency: int | None = None, store: str | None = None,
            no_store: bool = False, trigger: str = "on-demand",
            allow_network: list[str] | None = None) -> None:
    from crawler.run import crawl_portfolio
    from crawler.store.base import TRIGGERS

    _check_format(fmt)
    if trigger not in TRIGGERS:
        raise UsageError(f"--trigger {trigger!r}: use {', '.join(TRIGGERS)}")
    outcome = crawl_portfolio(
        portfolio, output=output, resolve=resolve or (), render=render, timeout=timeout,
        quiet=quiet, user_agent=user_agent, log_level="INFO" if verbose else "WARNING",
        concurrency=concurrency, store=False if no_store else (store or True),
        allow_networks=allow_network or (), extra={"FOOTER_AUDIT_STORE_TRIGGER": trigger})
    if outcome.run_id and not quiet:
        typer.echo(f"run {outcome.run_id} stored: footer-audit report show {outcome.run_id}",
                   err=True)
    if outcome.sites_done < outcome.sites_total and not quiet:
        typer.echo(f"warning: {outcome.sites_total - outcome.sites_done} of "
                   f"{outcome.sites_total} sites have no homepage result (see the log)", err=True)
    raise typer.Exit(1 if outcome.errors else 0)


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
    timeout: Timeout = 20.0,
    quiet: Quiet = False,
    user_agent: UserAgent = None,
    verbose: Verbose = False,
    concurrency: Concurrency = None,
    store: Store = None,
    no_store: NoStore = False,
    trigger: Trigger = "on-demand",
) -> None:
    """Crawl sites on demand: homepages, www., subdomains found in links and sitemaps."""
    _check_format(fmt)
    if max_subdomains < 0 or depth < 0:
        raise UsageError("--max-subdomains and --depth must be 0 or more")
    portfolio = Portfolio.on_demand(
        sites, org=org, province=province, render=render or "auto",
        crawl=CrawlSpec(subdomain_cap=max_subdomains, link_depth=depth))
    if expect_icp:
        org_spec = portfolio.organisations[0].model_copy(update={"icp": expect_icp})
        portfolio = portfolio.model_copy(update={"organisations": (org_spec,)})
    _finish(portfolio, fmt=fmt, output=output, resolve=resolve, render=render, timeout=timeout,
            quiet=quiet, user_agent=user_agent, verbose=verbose, concurrency=concurrency,
            store=store, no_store=no_store, trigger=trigger, allow_network=allow_network)


def run(
    portfolio: Annotated[str, typer.Argument(help="Portfolio file (YAML).")],
    resolve: Resolve = None,
    allow_network: AllowNetwork = None,
    fmt: Format = "jsonl",
    output: Output = None,
    render: Render = None,
    timeout: Timeout = 20.0,
    quiet: Quiet = False,
    user_agent: UserAgent = None,
    verbose: Verbose = False,
    concurrency: Concurrency = None,
    store: Store = None,
    no_store: NoStore = False,
    trigger: Trigger = "on-demand",
) -> None:
    """Crawl a whole portfolio (see examples/portfolio.yaml)."""
    _check_format(fmt)
    loaded = load_portfolio(portfolio)  # a bad file stops here: nothing starts
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    _finish(loaded, fmt=fmt, output=output, resolve=resolve, render=render, timeout=timeout,
            quiet=quiet, user_agent=user_agent or loaded.crawl.user_agent, verbose=verbose,
            concurrency=concurrency, store=store, no_store=no_store, trigger=trigger,
            allow_network=allow_network)
