"""Run a portfolio (or on-demand) crawl in this process: settings, spider by name, outcome.

`crawl_portfolio` is the one entry of `footer-audit run` and `footer-audit crawl`. It starts the
spider named "portfolio" through `crawler/settings.py` (never importing `spiders/`), writes JSON
Lines through `pipelines/jsonl.py` when asked, and returns the crawl's figures for the exit
status. A process can run it once (Twisted's reactor does not restart).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.errors import UsageError
from crawler.extensions.progress import SITES_DONE_STAT, SITES_TOTAL_STAT, CrawlSummary
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.fetch.resolve import resolve_settings
from crawler.net.addresses import allow_settings
from crawler.portfolio.model import Portfolio
from crawler.render.browser import launch_options
from crawler.render.policy import RENDER_MODES, static_only_settings

__all__ = ["CrawlOutcome", "crawl_portfolio", "portfolio_settings"]



@dataclass
class CrawlOutcome:
    pages: int
    errors: int  # violations of severity error
    sites_total: int
    sites_done: int
    run_id: str | None = None  # the report store's run, when results were stored
    stats: dict[str, Any] = field(default_factory=dict)


def portfolio_settings(*, output: str | None = None, resolve: Sequence[str] = (),
                       render: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                       quiet: bool = False, user_agent: str | None = None,
                       log_level: str = "WARNING", concurrency: int | None = None,
                       store: str | bool = True, allow_networks: Sequence[str] = (),
                       extra: dict[str, Any] | None = None) -> Settings:
    """`crawler/settings.py` plus the choices of the command line."""
    if render is not None and render not in RENDER_MODES:
        raise UsageError(f"--render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
    if timeout <= 0:
        raise UsageError(f"--timeout must be positive, not {timeout}")
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "LOG_LEVEL": log_level,
        "LOG_VERSIONS": [],
        # Nothing to control remotely or to persist; the progress extension shows the pace.
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None,
                       "scrapy.extensions.telnet.TelnetConsole": None,
                       "scrapy.extensions.logstats.LogStats": None,
                       "scrapy.extensions.memdebug.MemoryDebugger": None,
                       "scrapy.extensions.spiderstate.SpiderState": None},
        "DOWNLOAD_TIMEOUT": timeout,
        "FOOTER_AUDIT_RENDER_TIMEOUT": timeout,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(timeout * 1000),
        "FOOTER_AUDIT_JSONL_OUTPUT": output or "",
        # The bar would interleave with JSON on a terminal's stdout.
        "FOOTER_AUDIT_PROGRESS_ENABLED": not quiet and output != "-",
        "FOOTER_AUDIT_PROGRESS_SUMMARY": not quiet,
    }
    if render is not None:
        overrides["FOOTER_AUDIT_RENDER"] = render
    if render == "never":
        overrides.update(static_only_settings(settings))
    if user_agent:
        overrides["USER_AGENT"] = user_agent
    if concurrency:
        overrides["CONCURRENT_REQUESTS"] = concurrency
    if store is False:
        overrides["FOOTER_AUDIT_STORE_ENABLED"] = False
        # Screenshots live in the store only: without it, pages are not kept open for them.
        overrides["FOOTER_AUDIT_EVIDENCE_ENABLED"] = False
    elif isinstance(store, str) and store:
        overrides["FOOTER_AUDIT_STORE_URL"] = store
    overrides.update(resolve_settings(resolve, launch_options()))
    overrides.update(allow_settings(allow_networks))
    overrides.update(extra or {})
    settings.setdict(overrides, priority="cmdline")
    return settings


def crawl_portfolio(portfolio: Portfolio, *, render: str | None = None,
                    **options: Any) -> CrawlOutcome:
    """Crawl every site of `portfolio`; see `portfolio_settings` for the options."""
    settings = portfolio_settings(render=render, **options)
    process = CrawlerProcess(settings)
    if settings.get("LOG_LEVEL", "").upper() != "DEBUG":
        # scrapy-playwright logs each failed render with a traceback; the render middleware
        # already says it in one line.
        logging.getLogger("scrapy-playwright").setLevel(logging.ERROR)
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        # Certificates are not verified (DOWNLOAD_VERIFY_CERTIFICATES): no warning per host.
        logging.getLogger("scrapy.core.downloader.tls").setLevel(logging.ERROR)
        # A dead host is a result (status unreachable, its error line), not a log line each.
        logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    forced = render if render in ("always", "never") else None  # auto: each domain's own mode
    # By name, not a pre-built Crawler: CrawlerProcess.crawl(crawler) re-applies the process
    # settings over the ones the spider class added (its pipeline and extensions).
    process.crawl("portfolio", portfolio=portfolio, render=forced)
    (crawler,) = process.crawlers
    process.start()
    summary: CrawlSummary | None = getattr(crawler, "footer_audit_summary", None)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(
        pages=summary.pages if summary else 0,
        errors=summary.errors if summary else 0,
        sites_total=int(stats.get(SITES_TOTAL_STAT, 0)),
        sites_done=int(stats.get(SITES_DONE_STAT, 0)),
        run_id=stats.get("footer_audit/run_id"),
        stats=stats,
    )
