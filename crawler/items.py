"""Items: a fetched page goes through the audit pipeline and becomes an audited page.

The spiders fill the transport fields and the crawler's context; `pipelines/audit.py` turns a
`FetchedPage` into an `AuditedPage` carrying its `rules.page_record.PageRecord`: the one typed
record of the page (status, audit, crawl context, footer snapshot, screenshot) that every output
serialises (`PageRecord.to_json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from crawler.version import tool_version
from rules.model import Expectations, PageInput, PageStatus
from rules.page_record import PageRecord

__all__ = ["AuditedPage", "FetchedPage", "RenderMode", "item_page_record", "utc_now"]

RenderMode = str  # "always" | "auto" | "never" (crawler.render.modes.RenderMode, a str)


def utc_now() -> str:
    """An ISO 8601 UTC timestamp with seconds, as stored and exported."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FetchedPage:
    """One page as the fetch path saw it: `status` is ok or the fetch failure's."""

    url: str  # as requested
    final_url: str  # after redirects (the requested URL when the fetch failed)
    status: PageStatus
    http_status: int | None = None
    encoding: str | None = None  # the declared charset (BOM, header, then <meta>), e.g. "gbk"
    html: str = ""
    rendered: bool = False
    redirect_chain: list[str] = field(default_factory=list)  # URLs that redirected, in order
    error: str | None = None  # one line: why the page could not be fetched or rendered
    fetched_at: str = field(default_factory=utc_now)
    content_type: str | None = None
    review_reasons: list[str] = field(default_factory=list)  # e.g. ["render_timeout"]
    render_mode: RenderMode = "auto"
    # Context the crawler fills (None for an on-demand check).
    org: str | None = None
    domain: str | None = None  # registrable domain, e.g. "example.cn"
    host: str | None = None  # e.g. "www.example.cn"
    discovered_from: str | None = None  # the page whose link led here
    owner: str | None = None  # team or person the portfolio routes this site's findings to
    expectations: Expectations | None = None
    # What the crawl noticed about the page beside its audit, e.g. {"redirected_offsite":
    # "other.cn"} for a homepage that lands on another registrable domain.
    notes: dict[str, Any] = field(default_factory=dict)
    # The Playwright page of a rendered request, kept open until the evidence pipeline has taken
    # its screenshot (crawler/render/page_handles.py closes it on every path). Never serialised.
    browser_page: Any = field(default=None, repr=False, compare=False)
    # The static page's rules.extract.Extraction when the render decision already parsed it: the
    # audit reuses it instead of parsing again. Dropped once audited; never serialised.
    extraction: Any = field(default=None, repr=False, compare=False)

    def page_input(self) -> PageInput:
        """What the audit core is given: the HTML and every fetch fact."""
        return PageInput(
            url=self.url, html=self.html, final_url=self.final_url, rendered=self.rendered,
            review_reasons=tuple(self.review_reasons), status=PageStatus(self.status),
            http_status=self.http_status, encoding=self.encoding,
            redirect_chain=tuple(self.redirect_chain), error=self.error,
        )

    def with_context(self, record: PageRecord) -> PageRecord:
        """`record` with this page's crawl context: organisation, owner, domain, host, where
        its link came from, fetch time, expectations and notes."""
        return replace(
            record, org=self.org, owner=self.owner, domain=self.domain, host=self.host,
            discovered_from=self.discovered_from, fetched_at=self.fetched_at,
            expectations=self.expectations, notes=dict(self.notes), tool_version=tool_version(),
        )


@dataclass
class AuditedPage(FetchedPage):
    """A fetched page with its record (`record.status` is the page's status, also in `status`);
    the evidence pipeline adds the footer screenshot to the record."""

    record: PageRecord = field(kw_only=True)

    @classmethod
    def from_fetched(cls, page: FetchedPage, record: PageRecord) -> AuditedPage:
        """Copy a fetched page's fields (shallow: expectations stay the same object)."""
        values = {f.name: getattr(page, f.name) for f in fields(FetchedPage)}
        values["status"] = record.status
        return cls(**values, record=record)


def item_page_record(item: FetchedPage) -> PageRecord:
    """The record of a page item: an audited page's own; a page that did not go through the
    audit (FOOTER_AUDIT_AUDIT_ENABLED off) recorded unaudited, with its fetch facts and context."""
    if isinstance(item, AuditedPage):
        return item.record
    return item.with_context(PageRecord(
        url=item.url, final_url=item.final_url, status=PageStatus(item.status),
        http_status=item.http_status, rendered=item.rendered, encoding=item.encoding,
        redirect_chain=tuple(item.redirect_chain), error=item.error))
