"""Progress bar and end-of-crawl summary table (a Scrapy extension).

On a terminal, a rich progress bar on stderr shows sites done of total, pages, violations and an
ETA. It stays quiet when stderr is not a terminal or `FOOTER_AUDIT_PROGRESS_BAR` is off (JSON
on stdout). When the spider closes, a table per organisation (pages, statuses, violations by
severity) is printed to stderr unless `FOOTER_AUDIT_PROGRESS_SUMMARY` is off.
`FOOTER_AUDIT_PROGRESS_ENABLED` off: the extension is not loaded at all. It only shows: the crawl's
figures and the exit status come from the stats (`crawler/stats.py`), never from here.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.portfolio.findings import PORTFOLIO_FINDINGS
from crawler.stats import SITES_DONE_STAT, SITES_TOTAL_STAT
from rules.model import FETCH_FAILURES, PageStatus

__all__ = ["CrawlSummary", "ProgressExtension"]

_FAILURES = tuple(sorted(FETCH_FAILURES))


@dataclass
class OrgTally:
    pages: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    hosts: set[str] = field(default_factory=set)


@dataclass
class CrawlSummary:
    """Figures of a crawl per organisation, for the table."""

    orgs: dict[str, OrgTally] = field(default_factory=lambda: defaultdict(OrgTally))

    def add(self, item: Any) -> int:
        """Count one audited page; returns its number of violations."""
        tally = self.orgs[getattr(item, "org", None) or "-"]
        record = getattr(item, "record", None)
        tally.pages += 1
        tally.statuses[record.status if record else getattr(item, "status", "?")] += 1
        if getattr(item, "host", None):
            tally.hosts.add(item.host)
        violations = record.violations if record else ()
        for v in violations:
            tally.severities[v.severity] += 1
        return len(violations)

    def add_stored(self, record: dict[str, Any]) -> None:
        """Count one page as the report store keeps it (a distributed run's summary)."""
        tally = self.orgs[record.get("org") or "-"]
        tally.pages += 1
        tally.statuses[record.get("status") or "?"] += 1
        if record.get("host"):
            tally.hosts.add(record["host"])
        self.add_portfolio([record])

    @property
    def errors(self) -> int:
        """Violations of severity error, on pages and across the portfolio."""
        return sum(t.severities["error"] for t in self.orgs.values())

    def add_portfolio(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            tally = self.orgs[record.get("org") or "-"]
            for v in record.get("violations", []):
                tally.severities[v.get("severity", "?")] += 1

    @property
    def pages(self) -> int:
        return sum(t.pages for t in self.orgs.values())

    def table(self) -> Table:
        table = Table(title="footer-audit: crawl summary", title_justify="left")
        for col in ("organisation", "hosts", "pages", "ok", "review", "failed",
                    "errors", "warnings", "info"):
            if col == "organisation":  # names are long: fold them rather than cut them
                table.add_column(col, overflow="fold", min_width=12)
            else:
                table.add_column(col, justify="right")
        for org, t in sorted(self.orgs.items()):
            failed = sum(t.statuses[s] for s in _FAILURES)
            review = t.statuses[PageStatus.NEEDS_REVIEW] + t.statuses[PageStatus.NEEDS_RENDERING]
            table.add_row(org, str(len(t.hosts)), str(t.pages), str(t.statuses[PageStatus.OK]),
                          str(review), str(failed), _red(t.severities["error"]),
                          str(t.severities["warning"]), str(t.severities["info"]))
        return table


def _red(n: int) -> str:
    return f"[bold red]{n}[/]" if n else "0"


class ProgressExtension:
    """Shows crawl progress on a terminal and a summary table at the end."""

    def __init__(self, crawler: Any, show_progress: bool, show_summary: bool):
        self.crawler = crawler
        self.summary = CrawlSummary()
        self.show_summary = show_summary
        # Not a terminal (a log file, CI): wide enough that names are never cut.
        self.console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)
        self.progress: Progress | None = None
        self.task: Any = None
        self.violations = 0
        if show_progress and sys.stderr.isatty():
            self.progress = Progress(
                TextColumn("[bold]sites"), BarColumn(), MofNCompleteColumn(),
                TextColumn("pages {task.fields[pages]}  violations {task.fields[violations]}"),
                TimeRemainingColumn(), console=self.console, transient=True)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        s = crawler.settings
        if not s.getbool("FOOTER_AUDIT_PROGRESS_ENABLED", True):
            raise NotConfigured  # FOOTER_AUDIT_PROGRESS_ENABLED off (bare: Scrapy logs no warning)
        ext = cls(crawler, s.getbool("FOOTER_AUDIT_PROGRESS_BAR", True),
                  s.getbool("FOOTER_AUDIT_PROGRESS_SUMMARY", True))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.portfolio_findings, signal=PORTFOLIO_FINDINGS)
        return ext

    def spider_opened(self, **_: Any) -> None:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task("crawl", total=None, pages=0, violations=0)

    def item_scraped(self, item: Any, **_: Any) -> None:
        self.violations += self.summary.add(item)
        if self.progress is not None and self.task is not None:
            stats = self.crawler.stats
            self.progress.update(
                self.task, total=stats.get_value(SITES_TOTAL_STAT) or None,
                completed=stats.get_value(SITES_DONE_STAT, 0),
                pages=self.summary.pages, violations=self.violations)

    def portfolio_findings(self, records: list[dict[str, Any]], **_: Any) -> None:
        self.summary.add_portfolio(records)

    def spider_closed(self, **_: Any) -> None:
        if self.progress is not None:
            self.progress.stop()
        if self.show_summary and self.summary.orgs:
            self.console.print(self.summary.table())
