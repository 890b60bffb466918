"""scrapy-playwright's download handler, one instance for both http and https.

Scrapy builds one handler per URL scheme; with scrapy-playwright's handler on "http" and "https"
that means two Playwright drivers and, on a mixed crawl, two Chromiums (each several hundred MiB).
This subclass hands the crawler the same instance for both schemes and closes it once.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

__all__ = ["SharedPlaywrightDownloadHandler"]

_ATTR = "_footer_audit_playwright_handler"


class SharedPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """One scrapy-playwright handler (one driver, one browser) per crawler."""

    _closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        handler = getattr(crawler, _ATTR, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, _ATTR, handler)
        return handler

    async def close(self) -> None:
        # Scrapy closes each scheme's handler: the shared one must close only once.
        if self._closed:
            return
        self._closed = True
        await super().close()
