"""The audit pipeline: a fetched page becomes an audited page with its record
(`rules.audit.audit_record`, which decides the page's status)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import AuditedPage, FetchedPage, utc_now
from crawler.stats import PAGES_STAT, VIOLATIONS_STAT
from rules.audit import audit_record

__all__ = ["AuditPipeline", "audit_fetched_page"]

logger = logging.getLogger(__name__)


def audit_fetched_page(page: FetchedPage, *, snapshot: bool = True) -> AuditedPage:
    """Audit one fetched page (a fetch failure is recorded unaudited, with its status)."""
    extraction, page.extraction = page.extraction, None
    record = audit_record(page.page_input(), page.expectations, extraction=extraction,
                          snapshot=snapshot)
    if record.failure is not None:
        logger.error("Auditing %s failed", page.url, exc_info=record.failure)
    # The parse is not kept with the record (records outlive pages in a crawl's output).
    audited = AuditedPage.from_fetched(page, replace(
        page.with_context(record), audited_at=utc_now(), extraction=None))
    if page.browser_page is not None and record.violations:
        # The evidence pipeline frames the footer with it, then drops it.
        audited.extraction = record.extraction
    return audited


class AuditPipeline:
    """Audits each `FetchedPage` and passes on an `AuditedPage`."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("FOOTER_AUDIT_AUDIT_ENABLED"):
            raise NotConfigured  # FOOTER_AUDIT_AUDIT_ENABLED off (bare: Scrapy logs no warning)
        self.snapshot = crawler.settings.getbool("FOOTER_AUDIT_AUDIT_SNAPSHOT")
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage) or isinstance(item, AuditedPage):
            return item
        audited = audit_fetched_page(item, snapshot=self.snapshot)
        self.stats.inc_value(f"{PAGES_STAT}/{audited.record.status}")
        for violation in audited.record.violations:
            self.stats.inc_value(f"{VIOLATIONS_STAT}/{violation.severity}")
        return audited
