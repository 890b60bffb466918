"""The base of footer-audit's spiders: request pages, turn every answer or failure into a
`FetchedPage`. The check spider and the portfolio spider differ only in what they request."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler.fetch.charset import declared_charset
from crawler.fetch.statuses import (
    PageStatus,
    declares_html,
    failure_status,
    response_status,
    sniff_content,
)
from crawler.items import FetchedPage
from crawler.net.addresses import AddressRefused
from crawler.render.page_handles import META_PAGE, PageReleaser, close_soon, take_page
from crawler.render.policy import (
    META_EXTRACTION,
    META_FALLBACK_URL,
    META_RENDER,
    META_RENDER_ERROR,
    META_REVIEW,
    META_URL,
    RenderConfig,
    RenderMode,
)

__all__ = ["META_CONTEXT", "PageSpider"]

# Request.meta key: FetchedPage context fields (org, domain, host, discovered_from,
# expectations) that the spider wants on the item.
META_CONTEXT = "footer_audit_context"

# Error answers reach the callback (to be reported), redirects are still followed.
_ERROR_STATUSES = list(range(400, 600))
# A bare domain's http:// is tried when its https:// cannot be reached at all.
_FALLBACK_ON = frozenset({PageStatus.UNREACHABLE, PageStatus.TLS_ERROR})


class PageSpider(scrapy.Spider):
    """Requests pages with `page_request` and yields one `FetchedPage` per page (no `name`:
    a base, not a spider to run)."""

    # The address policy (crawler/middlewares/address_policy.py): hosts the operator named
    # explicitly, never refused, and address ranges allowed beside FOOTER_AUDIT_ALLOW_NETWORKS.
    explicit_hosts: frozenset[str] = frozenset()
    page_releaser: PageReleaser  # set in from_crawler
    allow_networks: tuple[str, ...] = ()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Rendered pages kept open for evidence are closed whatever becomes of their item.
        spider.page_releaser = PageReleaser(crawler)
        return spider

    def page_request(self, url: str, *, render: RenderMode | None = None,
                     fallback_url: str | None = None, context: dict[str, Any] | None = None,
                     priority: int = 0) -> scrapy.Request:
        """A request for one page; `render` defaults to FOOTER_AUDIT_RENDER."""
        mode = render or self.render_config.mode
        meta: dict[str, Any] = {
            META_URL: url, META_RENDER: mode, META_CONTEXT: dict(context or {}),
            "handle_httpstatus_list": _ERROR_STATUSES,
        }
        if fallback_url:
            meta[META_FALLBACK_URL] = fallback_url
        # Mode always is fetched statically first too: the size cap, the content checks and the
        # redirects apply before Chromium sees the page (the render middleware renders it).
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed, meta=meta,
                              dont_filter=True, priority=priority)

    @cached_property
    def render_config(self) -> RenderConfig:
        return RenderConfig.from_settings(self.settings)

    def parse_page(self, response: Response) -> Iterator[Any]:
        """The answer as a FetchedPage (subclasses may extend it to follow links)."""
        yield self.page_from_response(response)

    def page_from_response(self, response: Response) -> FetchedPage:
        meta = response.meta
        content_type = _header(response, "Content-Type")
        # What the server says (Scrapy's response class may come from sniffing already).
        typed_html = (declares_html(content_type) if content_type
                      else isinstance(response, HtmlResponse))
        if not isinstance(response, HtmlResponse) and sniff_content(response.body) == "html":
            # HTML served under another type is read as HTML: the content decides.
            response = HtmlResponse(url=response.url, status=response.status,
                                    headers=response.headers, body=response.body,
                                    request=response.request, flags=response.flags)
        html = isinstance(response, HtmlResponse)
        status, message = response_status(
            response.status, is_html=typed_html, body=response.body,
            content_type=content_type,
        )
        return FetchedPage(
            url=meta.get(META_URL, response.url),
            final_url=response.url,
            status=status,
            http_status=response.status,
            encoding=(declared_charset(content_type, response.body, response.encoding)
                      if isinstance(response, HtmlResponse) else None),
            html=response.text if html and status == PageStatus.OK else "",
            rendered="playwright" in response.flags,
            redirect_chain=list(meta.get("redirect_urls", [])),
            error=message or meta.get(META_RENDER_ERROR),
            content_type=content_type,
            review_reasons=list(meta.get(META_REVIEW, [])),
            extraction=meta.pop(META_EXTRACTION, None) if html and status == PageStatus.OK
            and "playwright" not in response.flags else None,
            render_mode=meta.get(META_RENDER, RenderMode.AUTO),
            browser_page=meta.get(META_PAGE),
            **meta.get(META_CONTEXT, {}),
        )

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        """A failed fetch as a FetchedPage, or the http:// fallback of a bare domain."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        close_soon(take_page(meta))  # scrapy-playwright leaves a kept page to the errback
        exc = failure.value or RuntimeError(failure.getErrorMessage())
        status, message = failure_status(exc, size_limit=meta.get(
            "download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE")))
        if status == PageStatus.REDIRECT_LOOP and "meta refresh" in meta.get(
                "redirect_reasons", []):
            message = "meta refresh loop: the page keeps refreshing to itself, no page reached"
        fallback = meta.get(META_FALLBACK_URL)
        # A refused address is refused over http:// too.
        if fallback and status in _FALLBACK_ON and not isinstance(exc, AddressRefused):
            self.logger.info("%s: %s; trying %s", request.url, message, fallback)
            retry = self.page_request(fallback, render=meta.get(META_RENDER),
                                      context=meta.get(META_CONTEXT))
            retry.meta[META_URL] = meta.get(META_URL, request.url)
            yield retry
            return
        self.crawler.stats.inc_value(f"footer_audit/fetch_failed/{status}")
        yield FetchedPage(
            url=meta.get(META_URL, request.url),
            final_url=request.url,
            status=status,
            redirect_chain=list(meta.get("redirect_urls", [])),
            error=message,
            render_mode=meta.get(META_RENDER, RenderMode.AUTO),
            **meta.get(META_CONTEXT, {}),
        )


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
