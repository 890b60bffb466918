"""Render after the static fetch: always (mode always) or when the static HTML needs it (mode
auto); fall back to the static HTML when rendering times out or fails.

Every page is fetched statically first, so the download size cap (Content-Length, the body as it
streams, the inflated size of a compressed body), redirects and the content checks of
`crawler.fetch.statuses.response_status` apply before Chromium sees it; the browser is then served
that same static document (`crawler.render.policy.serve_static_document`), never a second download.
A page that crashes the browser is rendered once more in a fresh context; after a second crash
its static HTML is audited with the needs-review reason `render_crashed`."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

from crawler.fetch.statuses import (
    PageStatus,
    declares_html,
    error_line,
    failure_status,
    host_failure,
    render_crashed,
    sniff_content,
)
from crawler.render.browser import find_chromium
from crawler.render.contexts import single_use_context
from crawler.render.page_handles import close_soon, take_page
from crawler.render.policy import (
    META_EXTRACTION,
    META_RENDER,
    META_RENDER_ERROR,
    META_REVIEW,
    META_STATIC,
    RenderConfig,
    RenderMode,
    render_meta,
)
from rules.extract import extract
from rules.model import PageInput
from rules.render_decision import needs_rendering

__all__ = ["RenderOnDemandMiddleware"]

logger = logging.getLogger(__name__)

# Request.meta key: the render crashed once already (the retry runs in a single-use context).
META_CRASHED = "footer_audit_render_crashed"
# The least a render is given, however long the static fetch took.
_MIN_RENDER_SECONDS = 2.0


class RenderOnDemandMiddleware:
    """Static first; then Chromium (mode always, or auto when `needs_rendering(html)`); the
    static HTML when the render fails."""

    def __init__(self, crawler: Crawler) -> None:
        self.config = RenderConfig.from_settings(crawler.settings)
        if not self.config.enabled:
            raise NotConfigured  # FOOTER_AUDIT_RENDER_ENABLED off (bare: Scrapy logs no warning)
        self.stats = crawler.stats
        # Without a browser, mode auto degrades to static reading (pages then say
        # needs_rendering) instead of failing page after page.
        self.browser = find_chromium()
        if self.browser is None:
            logger.warning("No Chromium found: pages that need rendering are read statically")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("playwright"):
            if not request.meta.get(META_RENDER_ERROR):
                self.stats.inc_value("footer_audit/pages_rendered")
            return response
        mode = request.meta.get(META_RENDER)
        # Only HTML typed and sniffed as such is rendered (scrapy-playwright handles http(s)):
        # a browser shows HTML served as image/png as an image.
        if (mode not in (RenderMode.AUTO, RenderMode.ALWAYS) or self.browser is None
                or request.meta.get(META_RENDER_ERROR)
                or response.status != 200 or not isinstance(response, HtmlResponse)
                or not declares_html(_content_type(response))
                or not response.url.startswith(("http://", "https://"))
                or not response.body.strip()
                or sniff_content(response.body) not in (None, "html")):
            return response
        if mode == RenderMode.AUTO:
            # The audit pipeline reuses this parse of the static page (spiders/_pages.py).
            extraction = extract(PageInput(url=response.url, html=response.text))
            if not needs_rendering(response.text, extraction=extraction):
                request.meta[META_EXTRACTION] = extraction
                return response
            self.stats.inc_value("footer_audit/render_on_demand")
            logger.debug("Rendering %s: its static HTML needs it", response.url)
        # One budget per page: what the static fetch took is not the render's to spend again.
        budget = max(_MIN_RENDER_SECONDS,
                     self.config.timeout - float(request.meta.get("download_latency") or 0))
        meta: dict[str, Any] = {**request.meta, **render_meta(self.config, budget)}
        meta[META_STATIC] = {
            "url": response.url, "status": response.status, "body": response.body,
            "ip": str(response.ip_address) if response.ip_address else None,
            "headers": {k.decode(): v[0].decode("latin-1") for k, v in response.headers.items()
                        if v},
        }
        # The final URL, so the browser does not walk the redirect chain again.
        return request.replace(url=response.url, meta=meta, dont_filter=True)

    def process_exception(self, request: Request,
                          exception: BaseException) -> Request | Response | None:
        # A broken host (DNS, refused, TLS) fails statically too: let the spider report it.
        if not request.meta.get("playwright"):
            return None
        if host_failure(exception):
            return None
        if render_crashed(exception):
            return self._crashed(request, exception)
        status, message = failure_status(exception)
        if status == PageStatus.TOO_LARGE:
            # The browser was made to download past the size cap: the page's own status.
            close_soon(take_page(request.meta))
            return None
        reason = "render_timeout" if status == PageStatus.TIMEOUT else "render_failed"
        self.stats.inc_value(f"footer_audit/{reason}")
        logger.warning("Rendering %s failed (%s): auditing its static HTML", request.url, message)
        # A page kept open for evidence (playwright_include_page) is of no use now: free its slot.
        close_soon(take_page(request.meta))
        # A timeout leaves the page undecided (needs_review); another failure leaves the static
        # HTML, which the audit pipeline marks needs_rendering when it has no footer marks.
        review = [reason] if reason == "render_timeout" else []
        return _static_fallback(request, review, message)

    def _crashed(self, request: Request, exception: BaseException) -> Request | Response:
        """Once: the page again, in a context of its own; twice: its static HTML, under review."""
        # The crashed page must not be reused by the retry, nor keep its slot.
        close_soon(take_page(request.meta))
        if not request.meta.get(META_CRASHED):
            self.stats.inc_value("footer_audit/render_crash_retried")
            logger.warning("Rendering %s crashed the browser (%s): retrying in a fresh context",
                           request.url, error_line(exception))
            meta = {**request.meta, META_CRASHED: True,
                    "playwright_context": single_use_context(),
                    # PageMethod objects keep their results: fresh ones for the new attempt.
                    "playwright_page_methods": render_meta(self.config)["playwright_page_methods"]}
            return request.replace(meta=meta, dont_filter=True)
        self.stats.inc_value("footer_audit/render_crashed")
        logger.warning("Rendering %s crashed the browser twice (%s): auditing its static HTML",
                       request.url, error_line(exception))
        return _static_fallback(request, ["render_crashed"],
                                "the page crashed the browser twice while rendering; "
                                "audited from its static HTML")


def _static_fallback(request: Request, review: list[str], message: str) -> Request | Response:
    """The page's static answer kept by mode auto, else the page fetched again statically."""
    static = request.meta.get(META_STATIC)
    if static:
        request.meta[META_REVIEW] = review
        request.meta[META_RENDER_ERROR] = message
        return HtmlResponse(url=static["url"], status=static["status"],
                            headers=static["headers"], body=static["body"], request=request)
    meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright")}
    meta[META_REVIEW] = review
    meta[META_RENDER_ERROR] = message
    return request.replace(meta=meta, dont_filter=True)


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None
