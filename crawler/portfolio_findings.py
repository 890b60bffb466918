"""Portfolio-wide findings: rules that look across one organisation's sites at the end of a crawl.

`PortfolioFindingsExtension` collects, per organisation, the ICP numbers each audited site shows
in its footer, and when the spider closes runs `rules.portfolio_rules.subject_inconsistent` on
them. Results are sent with the `PORTFOLIO_FINDINGS` signal (writers listen to it) and counted in
the `footer_audit/portfolio_violations` stat.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

__all__ = ["PORTFOLIO_FINDINGS", "PortfolioFindingsExtension", "site_numbers"]

logger = logging.getLogger(__name__)

# Sent once when the crawl ends, with `records`: a list of
# {"org": ..., "sites": {host: [numbers]}, "violations": [Violation JSON]}.
PORTFOLIO_FINDINGS = object()

_SITE_KINDS = frozenset({"site", "subject", "licence"})


def site_numbers(audit: dict[str, Any]) -> list[str]:
    """The website / subject numbers a page shows in its footer (app numbers are not the site's)."""
    icp = (audit.get("findings") or {}).get("icp") or []
    return [m["number"] for m in icp
            if m.get("valid") and m.get("in_footer", True) and m.get("kind") in _SITE_KINDS]


class PortfolioFindingsExtension:
    """Runs the portfolio-wide rules per organisation once every page is in."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.sites: dict[str, dict[str, list[str]]] = defaultdict(dict)
        self.expect: dict[str, Any] = {}  # org -> its expectations (severities, disabled rules)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PortfolioFindingsExtension:
        if not crawler.settings.getbool("FOOTER_AUDIT_PORTFOLIO_RULES", True):
            raise NotConfigured("FOOTER_AUDIT_PORTFOLIO_RULES is off")
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
        numbers = site_numbers(getattr(item, "audit", None) or {})
        if numbers:
            seen = self.sites[org].setdefault(host, [])
            seen.extend(n for n in numbers if n not in seen)

    def records(self) -> list[dict[str, Any]]:
        from rules.portfolio_rules import subject_inconsistent

        out = []
        for org, sites in self.sites.items():
            violations = subject_inconsistent(sites, self.expect.get(org))
            if violations:
                out.append({"org": org, "sites": sites,
                            "violations": [v.to_json() for v in violations]})
        return out

    def spider_closed(self, **_: Any) -> None:
        records = self.records()
        if records:
            self.crawler.stats.set_value(
                "footer_audit/portfolio_violations",
                sum(len(r["violations"]) for r in records))
        self.crawler.signals.send_catch_log(PORTFOLIO_FINDINGS, records=records)
