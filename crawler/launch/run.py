"""Run a portfolio (or on-demand) crawl in this process: settings, spider by name, outcome.

`crawl_portfolio` is the one entry of `footer-audit run` and `footer-audit crawl`. It starts the
spider named "portfolio" through `crawler/settings.py` (never importing `spiders/`), writes JSON
Lines through `pipelines/jsonl.py` when asked, and returns the crawl's figures for the exit
status, read from its stats (`crawler/stats.py`). A process can run it once (Twisted's reactor
does not restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.launch.crawl_settings import crawl_settings, quiet_third_party_logs
from crawler.portfolio.model import Portfolio
from crawler.render.modes import RenderMode
from crawler.stats import (
    RUN_ID_STAT,
    SITES_DONE_STAT,
    SITES_TOTAL_STAT,
    audited_pages,
    error_violations,
)

__all__ = ["CrawlOutcome", "crawl_portfolio"]


@dataclass
class CrawlOutcome:
    pages: int
    errors: int  # violations of severity error, on pages and across the portfolio
    sites_total: int
    sites_done: int
    run_id: str | None = None  # the report store's run, when results were stored
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> CrawlOutcome:
        """The outcome as the crawl's stats tell it (whichever extensions were on)."""
        return cls(pages=audited_pages(stats), errors=error_violations(stats),
                   sites_total=int(stats.get(SITES_TOTAL_STAT, 0)),
                   sites_done=int(stats.get(SITES_DONE_STAT, 0)),
                   run_id=stats.get(RUN_ID_STAT), stats=stats)


def crawl_portfolio(portfolio: Portfolio, *, render: RenderMode | None = None,
                    **options: Any) -> CrawlOutcome:
    """Crawl every site of `portfolio`; see `crawl_settings` for the options.

    `render`: always or never force every page's mode; None or auto: each domain's own."""
    settings = crawl_settings(render=render, **options)
    process = CrawlerProcess(settings)
    quiet_third_party_logs(settings.get("LOG_LEVEL", ""))
    process.crawl("portfolio", portfolio=portfolio, render=render)
    (crawler,) = process.crawlers
    process.start()
    return CrawlOutcome.from_stats(crawler.stats.get_stats() if crawler.stats else {})
