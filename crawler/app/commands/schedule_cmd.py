"""`footer-audit schedule PORTFOLIO`: run the portfolio at the times of its `schedule:` until
stopped (docs/scheduling.md).

Exit status: 0 stopped cleanly (SIGTERM, Ctrl-C); 2 a bad portfolio file or option; 4 a store
that cannot be used.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from crawler.app.commands.crawl_cmd import (
    AllowNetwork,
    Concurrency,
    Render,
    Resolve,
    Store,
    Timeout,
)
from crawler.errors import UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT

__all__ = ["schedule"]


def schedule(
    portfolio: Annotated[str, typer.Argument(help="Portfolio file (YAML) with its schedule:.")],
    store: Store = None,
    resolve: Resolve = None,
    allow_network: AllowNetwork = None,
    render: Render = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    concurrency: Concurrency = None,
    no_alerts: Annotated[bool, typer.Option(
        "--no-alerts", help="Send no alerts after the runs.")] = False,
    distributed: Annotated[bool, typer.Option(
        "--distributed", help="Start each run as `run --distributed`: its jobs go to "
        "`footer-audit worker` processes (docs/scale.md).")] = False,
    queue: Annotated[str | None, typer.Option(
        "--queue", help="With --distributed: the workers' queue.")] = None,
) -> None:
    """Run a portfolio at the times of its schedule (cron, time zone) until stopped."""
    from crawler.launch.crawl_settings import crawl_settings
    from crawler.portfolio.model import load_portfolio
    from crawler.schedule.coordination import open_coordinator
    from crawler.schedule.runner import Scheduler

    # Options every run will get, checked now rather than refused by each night's run.
    crawl_settings(resolve=resolve or (), render=render, timeout=timeout,
                   allow_networks=allow_network or ())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    run_args: list[str] = []
    for rule in resolve or ():
        run_args += ["--resolve", rule]
    for network in allow_network or ():
        run_args += ["--allow-network", network]
    if render:
        run_args += ["--render", render]
    if timeout != DEFAULT_TIMEOUT:
        run_args += ["--timeout", str(timeout)]
    if concurrency:
        run_args += ["--concurrency", str(concurrency)]
    if no_alerts:
        run_args.append("--no-alerts")
    if queue and not distributed:
        raise UsageError("--queue goes with --distributed")
    if distributed:
        run_args.append("--distributed")
        if queue:
            run_args += ["--queue", queue]
    loaded = load_portfolio(portfolio)  # a bad file stops here, before the store is opened
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    scheduler = Scheduler(portfolio, loaded, open_coordinator(store), store=store,
                          run_args=run_args)
    scheduler.install_signal_handlers()
    try:
        code = scheduler.serve()
    finally:
        scheduler.coordinator.close()
    raise typer.Exit(code)
