"""The audit pipeline: a fetched page becomes an audited page (rules.audit.audit_page)."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.fetch.statuses import PageStatus
from crawler.items import AuditedPage, FetchedPage
from crawler.stats import PAGES_STAT, VIOLATIONS_STAT
from rules.audit import audit_page
from rules.model import Findings, PageInput
from rules.render_decision import needs_rendering
from rules.snapshot import footer_snapshot

__all__ = ["AuditPipeline", "audit_fetched_page"]

logger = logging.getLogger(__name__)


def _unaudited_json(page: FetchedPage) -> dict[str, Any]:
    """The check JSON of a page that could not be audited: no findings, never a pass."""
    return {
        **page.transport_json(),
        "findings": Findings().to_json(), "violations": [], "review": [], "rules_version": "",
    }


def audit_fetched_page(page: FetchedPage, *, snapshot: bool = True) -> AuditedPage:
    """Audit one fetched page; its status becomes ok, needs_rendering or needs_review."""
    if page.status != PageStatus.OK:
        return AuditedPage.from_fetched(page, audit=_unaudited_json(page))
    page_input = PageInput(url=page.url, html=page.html, final_url=page.final_url,
                           rendered=page.rendered, review_reasons=tuple(page.review_reasons))
    extraction, page.extraction = page.extraction, None
    try:
        result = audit_page(page_input, page.expectations, extraction=extraction)
    except Exception as exc:  # one unreadable page must not end a portfolio run
        logger.exception("Auditing %s failed", page.url)
        page.status = PageStatus.NEEDS_REVIEW
        page.error = f"the audit failed on this page: {type(exc).__name__}: {exc}"
        return AuditedPage.from_fetched(page, audit=_unaudited_json(page))
    status = result.status
    # Static HTML without footer marks, and rendering off or failed: nothing can be concluded.
    if status == PageStatus.OK and not page.rendered and needs_rendering(
            page.html, extraction=result.extraction):
        status = PageStatus.NEEDS_RENDERING
    page.status = status
    audit = result.to_json(http_status=page.http_status, encoding=page.encoding, status=status)
    audit.update(redirect_chain=list(page.redirect_chain), error=page.error)
    audited = AuditedPage.from_fetched(
        page, audit=audit, footer_snapshot=footer_snapshot(
            page.html, page.final_url, extraction=result.extraction) if snapshot else "",
    )
    if page.browser_page is not None and result.violations:
        # The evidence pipeline frames the footer with it, then drops it.
        audited.extraction = result.extraction
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
        self.stats.inc_value(f"{PAGES_STAT}/{audited.status}")
        for violation in audited.audit.get("violations", []):
            self.stats.inc_value(f"{VIOLATIONS_STAT}/{violation['severity']}")
        return audited
