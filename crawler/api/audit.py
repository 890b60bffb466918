"""POST /audit's core call: a page the browser already has, audited as the crawl audits one.

The extension sends the page's URL and its rendered DOM, serialised after the layout probe
(`crawler/render/layout_probe.js`, the file the crawler injects) wrote its facts into it as
`data-fa-*` attributes. The HTML is parsed by `rules.audit.audit_page` and nothing else: it is
never fetched from, never loaded in a browser, and its scripts never run.

The answer is the `check --json` object (docs/check.md): `AuditResult.to_json()` with the fetch
facts a browser-side page has (no HTTP status or charset of its own: the browser decoded it).

No FastAPI here: the function runs in the server's audit processes, which import only this.
"""

from __future__ import annotations

from typing import Any

from rules.audit import audit_page
from rules.model import ATTR_DOC, Expectations, PageInput

__all__ = ["audit_submitted", "carries_layout"]


def carries_layout(html: str) -> bool:
    """True when the layout probe ran on the page before it was serialised (it marks <html>
    with `data-fa-doc`); only then are visibility, position and covering judged."""
    head = html[:4096].lower()
    return ATTR_DOC in head


def audit_submitted(url: str, html: str, expect: Expectations | None,
                    layout: bool | None = None) -> dict[str, Any]:
    """The check JSON of a page the browser sent (`layout`: probe facts present; None: look)."""
    rendered = carries_layout(html) if layout is None else layout
    page = PageInput(url=url, html=html, final_url=url, rendered=rendered)
    result = audit_page(page, expect)
    audit = result.to_json(http_status=None, encoding=None, status=result.status)
    audit.update(redirect_chain=[], error=None)
    return audit
