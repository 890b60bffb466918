"""Items: a fetched page goes through the audit pipeline and becomes an audited page.

The spiders fill the transport fields and the crawler's context; `pipelines/audit.py` turns a
`FetchedPage` into an `AuditedPage` with the audit JSON (docs/check.md) and a compact footer
snapshot for the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from rules.model import Expectations

__all__ = ["AuditedPage", "FetchedPage", "RenderMode", "utc_now"]

RenderMode = str  # "always" | "auto" | "never" (crawler.render.modes.RenderMode, a str)


def utc_now() -> str:
    """An ISO 8601 UTC timestamp with seconds, as stored and exported."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FetchedPage:
    """One page as the fetch path saw it; `status` is a `crawler.fetch.statuses.PageStatus`."""

    url: str  # as requested
    final_url: str  # after redirects (the requested URL when the fetch failed)
    status: str
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

    def transport_json(self) -> dict[str, Any]:
        """The fetch facts that extend the audit JSON."""
        return {
            "url": self.url, "final_url": self.final_url, "status": self.status,
            "http_status": self.http_status, "rendered": self.rendered,
            "encoding": self.encoding, "redirect_chain": list(self.redirect_chain),
            "error": self.error,
        }


@dataclass
class AuditedPage(FetchedPage):
    """A fetched page with its audit: `audit` is the check JSON (docs/check.md plus the
    transport fields), empty findings when the page could not be fetched."""

    audit: dict[str, Any] = field(default_factory=dict)
    footer_snapshot: str = ""  # compact footer HTML (rules.snapshot.footer_snapshot)
    audited_at: str = field(default_factory=utc_now)
    # Evidence of a rendered page with violations (pipelines/evidence.py): the footer region as
    # an image, its MIME type and the clip box [x, y, width, height] in CSS pixels.
    screenshot: bytes | None = field(default=None, repr=False)
    screenshot_type: str | None = None
    screenshot_clip: list[int] | None = None

    @classmethod
    def from_fetched(cls, page: FetchedPage, **extra: Any) -> AuditedPage:
        """Copy a fetched page's fields (shallow: expectations stay the same object)."""
        values = {f.name: getattr(page, f.name) for f in fields(FetchedPage)}
        return cls(**values, **extra)
