"""Rendered pages kept open for evidence, and closing them on every path.

A rendered request with `playwright_include_page` leaves its Playwright page open: the spider hands
it on with the `FetchedPage` (field `browser_page`) so that the evidence pipeline can photograph
pages whose audit found violations. An open page holds one of its context's
`PLAYWRIGHT_MAX_PAGES_PER_CONTEXT` slots, so a page nobody closes stalls the crawl. Who closes it:

- the evidence pipeline, after the screenshot or when there is none to take;
- `PageReleaser`, whatever the pipelines did: when the item leaves them (scraped, dropped, or a
  pipeline raised) and when the spider callback itself raised;
- the spider's errback (a failed fetch) and the render middleware when it falls back to static
  HTML, through `close_soon`.
Closing twice is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

__all__ = ["META_PAGE", "PageReleaser", "close_page", "close_soon", "take_page"]

logger = logging.getLogger(__name__)

META_PAGE = "playwright_page"  # where scrapy-playwright puts the page it kept open
ITEM_FIELD = "browser_page"  # the FetchedPage field that carries it through the pipelines

_CLOSE_SECONDS = 10.0  # a page close normally takes well under a second, even on a hung page
_closing: set[asyncio.Task[None]] = set()  # references, so pending closes are not collected


async def close_page(page: Any) -> None:
    """Close a Playwright page unless it is gone already (browser crashed or closed)."""
    if page is None or page.is_closed():
        return
    from playwright.async_api import Error as PlaywrightError

    try:
        await asyncio.wait_for(page.close(), _CLOSE_SECONDS)
    except PlaywrightError as exc:  # the browser or context went away meanwhile
        logger.debug("Closing a kept page failed: %s", exc)
    except TimeoutError:  # a renderer that no longer answers: its context goes with it
        logger.warning("A kept page did not close in %.0f s: closing its browser context",
                       _CLOSE_SECONDS)
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(page.context.close(), _CLOSE_SECONDS)


def close_soon(page: Any) -> None:
    """Close a page from synchronous code (errbacks, middlewares, signal handlers)."""
    if page is None or page.is_closed():
        return
    task = asyncio.get_event_loop().create_task(close_page(page))
    _closing.add(task)
    task.add_done_callback(_closing.discard)


def take_page(meta: dict[str, Any]) -> Any:
    """The page a request kept open, removed from its meta (None when there is none)."""
    return meta.pop(META_PAGE, None)


class PageReleaser:
    """Closes the page an item or a failed callback still holds (the safety net)."""

    def __init__(self, crawler: Crawler) -> None:
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)
        crawler.signals.connect(self.callback_failed, signal=signals.spider_error)

    def item_done(self, item: Any, response: Any = None, **_: Any) -> None:
        page = getattr(item, ITEM_FIELD, None)
        if page is not None:
            setattr(item, ITEM_FIELD, None)
            close_soon(page)

    def callback_failed(self, failure: Any, response: Any = None, **_: Any) -> None:
        meta = getattr(response, "meta", None) if response is not None else None
        if meta:
            close_soon(meta.get(META_PAGE))
