"""Hold every download slot to its concurrency, bursts included.

The portfolio spider gives all hosts of a registrable domain one download slot, whose concurrency
is CONCURRENT_REQUESTS_PER_DOMAIN (or its DOWNLOAD_SLOTS entry). Scrapy 2.19's downloader does
not hold a burst to it under the asyncio reactor: it counts a request as transferring only when
the request's download task starts, after the loop that compares that count with the slot's
concurrency, so the six subdomain links found on one homepage all go to the network at once.
This middleware, next to the downloader, lets a request through only while its slot has room.
(Pacing with DOWNLOAD_DELAY is Scrapy's own and works.)
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

__all__ = ["SlotConcurrencyMiddleware"]

# Request.meta key: the slot whose permit this request holds while it downloads.
_HELD = "_footer_audit_slot_permit"


class SlotConcurrencyMiddleware:
    """One semaphore per download slot; a permit from process_request to the answer or error."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.default = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.per_slot = crawler.settings.getdict("DOWNLOAD_SLOTS")
        self.permits: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        assert self.crawler.engine is not None
        key = self.crawler.engine.downloader.get_slot_key(request)
        permits = self.permits.get(key)
        if permits is None:
            limit = self.per_slot.get(key, {}).get("concurrency", self.default)
            permits = self.permits[key] = asyncio.Semaphore(max(1, int(limit)))
        await permits.acquire()
        request.meta[_HELD] = key

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> Any:
        self._release(request)
        return None

    def _release(self, request: Request) -> None:
        # Popped, so a redirect or a re-request built from this meta holds no permit.
        key = request.meta.pop(_HELD, None)
        if key is not None:
            self.permits[key].release()
