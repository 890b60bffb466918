"""Portfolio-wide findings: rules that look across one organisation's sites at the end of a crawl.

`PortfolioFindingsExtension` collects, per organisation, the ICP numbers each audited site shows
in its footer, and when the spider closes runs `rules.portfolio_rules.subject_inconsistent` on
them. It also compares each site's homepage footer with the inner pages sampled from it: a homepage
whose numbers differ from its inner pages' (a footer that is not the site's template, or a
homepage that lost its marks) is listed under `footers_differ`.

Results are sent with the `PORTFOLIO_FINDINGS` signal (writers listen to it) and counted in
the `footer_audit/portfolio_violations` stats (in all, and by severity: the exit status of
`footer-audit run` counts their errors).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.stats import PORTFOLIO_VIOLATIONS_STAT
from rules.model import AUDITED_STATUSES, Findings
from rules.page_record import PageRecord
from rules.urls import host_of

__all__ = ["PORTFOLIO_FINDINGS", "PortfolioFindingsExtension", "site_numbers"]

logger = logging.getLogger(__name__)

# Sent once when the crawl ends, with `records`: a list of
# {"org": ..., "sites": {host: [numbers]}, "violations": [Violation JSON]}.
PORTFOLIO_FINDINGS = object()

_SITE_KINDS = frozenset({"site", "subject", "licence"})


def site_numbers(findings: Findings) -> list[str]:
    """The website / subject numbers a page shows in its footer (app numbers are not the site's)."""
    return [m.number for m in findings.icp
            if m.valid and m.in_footer and m.kind in _SITE_KINDS]


class PortfolioFindingsExtension:
    """Runs the portfolio-wide rules per organisation once every page is in."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.sites: dict[str, dict[str, list[str]]] = defaultdict(dict)
        self.expect: dict[str, Any] = {}  # org -> its expectations (severities, disabled rules)
        # (org, host) -> numbers on the homepage, and on each sampled inner page
        self.homes: dict[tuple[str, str], list[str]] = {}
        self.inner: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PortfolioFindingsExtension:
        if not crawler.settings.getbool("FOOTER_AUDIT_PORTFOLIO_ENABLED", True):
            raise NotConfigured  # FOOTER_AUDIT_PORTFOLIO_ENABLED off (bare: Scrapy logs no warning)
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, **_: Any) -> None:
        org, host = getattr(item, "org", None), getattr(item, "host", None)
        expect = getattr(item, "expectations", None)
        if not org or not host or (expect is not None and expect.app_page):
            return
        if expect is not None:
            self.expect.setdefault(org, expect)
        record = getattr(item, "record", None)
        if not isinstance(record, PageRecord):
            return  # not audited
        numbers = site_numbers(record.findings)
        if record.status in AUDITED_STATUSES:
            url = getattr(item, "url", "") or ""
            if urlsplit(url).path in ("", "/"):
                self.homes[(org, host)] = numbers
            elif host_of(getattr(item, "discovered_from", None) or "") == host:
                self.inner[(org, host)][url] = numbers
        if numbers:
            seen = self.sites[org].setdefault(host, [])
            seen.extend(n for n in numbers if n not in seen)

    def records(self) -> list[dict[str, Any]]:
        from rules.portfolio_rules import subject_inconsistent

        differ: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (org, host), pages in self.inner.items():
            home = self.homes.get((org, host))
            if home is None:
                continue
            odd = {url: nums for url, nums in pages.items() if set(nums) != set(home)}
            if odd:
                differ[org].append({"host": host, "homepage": home, "inner_pages": odd})
        out = []
        for org in sorted(set(self.sites) | set(differ)):
            sites = self.sites.get(org, {})
            violations = subject_inconsistent(sites, self.expect.get(org)) if sites else []
            if violations or differ.get(org):
                out.append({"org": org, "sites": sites,
                            "violations": [v.to_json() for v in violations],
                            "footers_differ": differ.get(org, [])})
        return out

    def spider_closed(self, **_: Any) -> None:
        records = self.records()
        if records:
            stats = self.crawler.stats
            stats.set_value(PORTFOLIO_VIOLATIONS_STAT,
                            sum(len(r["violations"]) for r in records))
            for record in records:
                for violation in record["violations"]:
                    stats.inc_value(f"{PORTFOLIO_VIOLATIONS_STAT}/{violation['severity']}")
        self.crawler.signals.send_catch_log(PORTFOLIO_FINDINGS, records=records)
