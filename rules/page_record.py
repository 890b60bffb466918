"""One audited page as one typed record, and its one JSON form.

A `PageRecord` holds everything footer-audit says about a page: the fetch facts (status, HTTP
status, charset, redirects, error), the audit (findings, violations, reviews, rules version) and,
in a crawl, the crawl's context (organisation, owner, domain, host, where the link came from,
times, the expectations, the footer snapshot and the evidence screenshot).
`rules.audit.audit_record` makes it, deciding the page's status in that one place; the crawler
adds its context with `dataclasses.replace`, never by editing a dict.

`PageRecord.to_json(form)` is the one serializer of a page:

- ``"check"``: the JSON of docs/check.md (`footer-audit check --json`);
- ``"lines"``: one JSON Lines record of a portfolio crawl (docs/portfolio.md): the check JSON
  plus the fetch time, the tool version, the crawl's context, whether a screenshot was taken
  and the crawl's notes on the page;
- ``"store"``: the report store's page record (docs/reports.md): the check JSON plus the crawl's
  context, the times, the footer snapshot and the expectations (what re-audit reads) and the
  screenshot, base64, which the store keeps apart.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from typing import Any, Literal

from rules.model import Expectations, Findings, PageStatus, Review, Violation

__all__ = ["JsonForm", "PageRecord", "Screenshot", "plain"]

JsonForm = Literal["check", "lines", "store"]

# The crawl's context, in this order, in the JSON Lines and store forms.
_CONTEXT_KEYS = ("org", "owner", "domain", "host", "discovered_from")


@dataclass(frozen=True)
class Screenshot:
    """The evidence screenshot of a rendered page: the image, its MIME type, the clip box
    [x, y, width, height] in CSS pixels (document coordinates)."""

    data: bytes = field(repr=False)
    type: str
    clip: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """As the store receives it (it keeps the bytes apart from the page)."""
        return {"type": self.type, "clip": list(self.clip), "size": len(self.data),
                "data": base64.b64encode(self.data).decode()}


@dataclass(frozen=True)
class PageRecord:
    """One page: fetch facts, audit and crawl context (see the module docstring)."""

    url: str  # as requested
    final_url: str  # after redirects (the requested URL when the fetch failed)
    status: PageStatus
    http_status: int | None = None
    rendered: bool = False
    encoding: str | None = None
    redirect_chain: tuple[str, ...] = ()
    error: str | None = None
    findings: Findings = field(default_factory=Findings)
    violations: tuple[Violation, ...] = ()
    reviews: tuple[Review, ...] = ()
    rules_version: str = ""  # empty when the page was not audited
    # The crawl's context (None for an on-demand check).
    org: str | None = None
    owner: str | None = None
    domain: str | None = None
    host: str | None = None
    discovered_from: str | None = None
    fetched_at: str | None = None
    audited_at: str | None = None
    tool_version: str = ""
    expectations: Expectations | None = None
    # What the crawl noticed beside the audit, e.g. {"redirected_offsite": "other.cn"}.
    notes: Mapping[str, Any] = field(default_factory=dict)
    snapshot: str = ""  # compact footer HTML (rules.snapshot.footer_snapshot)
    screenshot: Screenshot | None = None
    # Never serialised: each rule's outcome, the parse the audit read (the evidence screenshot
    # frames the footer with it), and the exception of an audit that failed.
    outcomes: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    extraction: Any = field(default=None, repr=False, compare=False)
    failure: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def audited(self) -> bool:
        """The rules ran on this page (a fetch failure or a failed audit: they did not)."""
        return bool(self.rules_version)

    def to_json(self, form: JsonForm = "check") -> dict[str, Any]:
        """The page as JSON: the check JSON, a JSON Lines record or the stored record.

        Key order is not part of the contract; it is kept as it always was: a JSON Lines record
        starts with its fetch time, and a page that was not audited lists its fetch facts
        (redirects, error) before the empty audit."""
        out: dict[str, Any] = {"fetched_at": self.fetched_at} if form == "lines" else {}
        out.update({
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status.value,
            "http_status": self.http_status,
            "rendered": self.rendered,
            "encoding": self.encoding,
        })
        fetch = {"redirect_chain": list(self.redirect_chain), "error": self.error}
        if not self.audited:
            out.update(fetch)
        out.update({
            "findings": self.findings.to_json(),
            "violations": [v.to_json() for v in self.violations],
            "review": [r.to_json() for r in self.reviews],
            "rules_version": self.rules_version,
        })
        out.update(fetch)  # in place when already there
        if form == "lines":
            out.update((key, getattr(self, key)) for key in _CONTEXT_KEYS)
            out["tool_version"] = self.tool_version
            # The image itself goes to the report store (`footer-audit report screenshot`).
            out["screenshot"] = self.screenshot is not None
            for key, value in self.notes.items():
                out.setdefault(key, plain(value))  # a note never hides a field
        elif form == "store":
            if self.snapshot:
                out["snapshot"] = self.snapshot
            for key in ("fetched_at", "audited_at"):
                if getattr(self, key):
                    out[key] = getattr(self, key)
            out.update((key, getattr(self, key)) for key in _CONTEXT_KEYS)
            if self.expectations is not None:
                out["expectations"] = plain(self.expectations)
            if self.screenshot is not None and self.screenshot.data:
                out["screenshot"] = self.screenshot.to_json()
        return out


def plain(value: Any) -> Any:
    """Dataclasses (expectations), sets, tuples and dates as JSON-ready values; sets sorted."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value
