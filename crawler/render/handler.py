"""scrapy-playwright's download handler, one instance for both http and https, with rotating
browser contexts and one cap on pages across them.

Scrapy builds one handler per URL scheme; with scrapy-playwright's handler on "http" and "https"
that means two Playwright drivers and, on a mixed crawl, two Chromiums (each several hundred MiB).
This subclass hands the crawler the same instance for both schemes and closes it once.

Contexts: a rendered page that names no context goes to the current rotating one
(`crawler/render/contexts.py`); after `FOOTER_AUDIT_RENDER_CONTEXT_PAGES` pages a new one takes
over and the old one is closed once its last page has closed. With `playwright_include_page` that
is when whoever received the page closes it, not when the download ends.

Pages: `PLAYWRIGHT_MAX_PAGES_PER_CONTEXT` caps each context, and while a context retires two are
open, so `FOOTER_AUDIT_RENDER_MAX_PAGES` caps the pages of all contexts together.
`PLAYWRIGHT_MAX_CONTEXTS` would not do: scrapy-playwright waits for a free context while holding
the lock every new page takes, so the pages that would let the old context close could not start.

Crashes: scrapy-playwright reopens a page up to three times in the same context when its target
closed. That suits a browser that died (it is restarted), not a renderer that crashed on this
page: such a crash is raised at once, and the render middleware retries the page once in a
single-use context.

Budget: every render (from its page's opening to the DOM read back, through the settle wait and
the layout probe) has the seconds its request carries (`META_RENDER_BUDGET`: what the static
fetch left of `FOOTER_AUDIT_RENDER_TIMEOUT`). A page past it (a script that never
yields after the load event, a renderer that stopped answering) is closed (its context too when
the page will not close) and the download fails with `RenderTimeout`, which the render middleware
turns into the static HTML under review (`render_timeout`). When the engine stops (SIGTERM, Ctrl-C)
renders in flight end the same way at once, so a graceful shutdown never waits on a page.

Size: what the browser receives for a page (the document is served from the static fetch, so
this is frames, scripts, styles, fetches; decoded bytes, as Chromium's `Network.dataReceived`
counts them on a CDP session of the page) is capped at `DOWNLOAD_MAXSIZE`: past it the page is
closed and the download fails with `PageTooLarge` (status `too_large`).

Popups (`window.open`) are closed as soon as they open; dialogs are dismissed.

scrapy-playwright's private methods are reached only through `PlaywrightHandlerBase`
(crawler/render/playwright_private.py, checked by tests/test_private_apis.py);
tests/test_crawl_render.py (recycling, killed renderers, killed browser) tells whether an upgrade
still behaves.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import weakref
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast

from playwright.async_api import BrowserContext, Dialog, Page
from playwright.async_api import Error as PlaywrightError
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.errors import UsageError
from crawler.fetch.statuses import RENDERER_CRASH, PageTooLarge, RenderTimeout
from crawler.fetch.tls import share_tls_context
from crawler.middlewares.address_policy import guard_playwright_abort
from crawler.render.contexts import ContextRotation
from crawler.render.playwright_private import PlaywrightHandlerBase, TargetClosedError
from crawler.render.policy import META_RENDER_BUDGET

__all__ = ["SharedPlaywrightDownloadHandler"]

logger = logging.getLogger(__name__)

_ATTR = "_footer_audit_playwright_handler"
# Request.meta key, while the download runs: the rotating context it was counted in.
_ASSIGNED = "_footer_audit_context"
# A retired context waits this long for pages still held elsewhere (include_page), then closes:
# a page nobody closes must not keep a context, and its page slots, for the rest of the crawl.
_PAGE_GRACE_SECONDS = 120.0
# Request.meta key, while the download runs: its `_Render`.
_RENDERING = "_footer_audit_rendering"
# How often a render's budget and the engine's state are looked at.
_WATCH_SECONDS = 0.25
# A page past its budget gets this long to close before its whole context is closed.
_CLOSE_SECONDS = 5.0


@dataclass
class _Render:
    """A page being rendered: when it opened and how many bytes it has received."""

    page: Page
    opened: float
    limit: int  # DOWNLOAD_MAXSIZE of its request (0: none)
    received: int = 0

    def data_received(self, params: dict[str, Any]) -> None:
        self.received += int(params.get("dataLength") or 0)


class SharedPlaywrightDownloadHandler(PlaywrightHandlerBase):
    """One scrapy-playwright handler (one driver, one browser) per crawler."""

    _closed = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._footer_audit_crawler = crawler
        share_tls_context(self)  # static fetches: one OpenSSL context (crawler/fetch/tls.py)
        settings = crawler.settings
        max_pages = settings.getint("FOOTER_AUDIT_RENDER_MAX_PAGES", 4)
        context_pages = settings.getint("FOOTER_AUDIT_RENDER_CONTEXT_PAGES", 0)
        if max_pages < 1:
            raise UsageError(f"FOOTER_AUDIT_RENDER_MAX_PAGES must be at least 1, not {max_pages}")
        if context_pages < 0:
            raise UsageError("FOOTER_AUDIT_RENDER_CONTEXT_PAGES must not be negative")
        self._budget = settings.getfloat("FOOTER_AUDIT_RENDER_TIMEOUT", 20.0)
        self._max_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        self._rotation = ContextRotation(context_pages)
        self._page_slots = asyncio.Semaphore(max_pages)
        self._crashed_pages: weakref.WeakSet[Page] = weakref.WeakSet()
        self._closing: set[asyncio.Task[None]] = set()
        # Requests of rendered pages to refused addresses are aborted (the address policy).
        self.abort_request = guard_playwright_abort(self.abort_request, crawler)

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

    def before_close(self) -> None:
        # Every context is closed next; contexts still waiting for their pages need not wait.
        for task in list(self._closing):
            task.cancel()

    async def render(self, request: Request, spider: Spider | None) -> Response:
        try:
            # scrapy-playwright's own default: the crawler's spider (set while it crawls).
            spider = spider or cast(Spider, self._footer_audit_crawler.spider)
            return await self._within_budget(request, spider)
        finally:
            request.meta.pop(_RENDERING, None)
            name = request.meta.pop(_ASSIGNED, None)  # not carried over to a retry
            if name is not None:
                self._rotation.finish(name)
                self._close_retired()

    async def _within_budget(self, request: Request, spider: Spider) -> Response:
        """The render, ended (its page closed) once its page has been open longer than the
        budget, or at once when the engine stops."""
        task = asyncio.ensure_future(self._download_unless_crashed(request, spider))
        overdue = None
        try:
            while overdue is None:
                done, _ = await asyncio.wait({task}, timeout=_WATCH_SECONDS)
                if done:
                    return task.result()
                overdue = self._overdue(request)
        except asyncio.CancelledError:
            task.cancel()
            raise
        task.cancel()
        rendering = request.meta.get(_RENDERING)
        if rendering is not None:
            await self._discard_page(rendering.page)
        with suppress(BaseException):  # what it raises now is of no interest
            await asyncio.wait_for(task, _CLOSE_SECONDS)
        why, message = overdue
        self.stats.inc_value(f"footer_audit/render_stopped/{why}")
        raise (PageTooLarge if why == "too_large" else RenderTimeout)(message)

    def _overdue(self, request: Request) -> tuple[str, str] | None:
        """Why the render must end now (a stats key and a message), or None."""
        engine = getattr(self._footer_audit_crawler, "engine", None)
        if engine is not None and not engine.running:
            return "shutdown", "rendering stopped: the crawl is shutting down"
        rendering: _Render | None = request.meta.get(_RENDERING)
        if rendering is None:
            return None
        if rendering.limit and rendering.received > rendering.limit:
            return "too_large", (f"page too large: the browser received more than "
                                 f"{rendering.limit / 1024 / 1024:g} MB for it (frames, scripts "
                                 "or fetches): the page was closed")
        budget = float(request.meta.get(META_RENDER_BUDGET) or self._budget)
        if time.monotonic() - rendering.opened > budget:
            return "budget", (f"rendering took longer than {budget:.1f} s (the page's "
                              "scripts kept the browser busy): the page was closed")
        return None

    async def _discard_page(self, page: Page) -> None:
        """Close a page whose renderer may not answer; failing that, its whole context."""
        if page.is_closed():
            return
        try:
            await asyncio.wait_for(page.close(), _CLOSE_SECONDS)
            return
        except (TimeoutError, PlaywrightError) as exc:
            logger.warning("A page past its render budget did not close (%s): closing its "
                           "browser context", type(exc).__name__)
        with suppress(TimeoutError, PlaywrightError):
            await asyncio.wait_for(page.context.close(), _CLOSE_SECONDS)

    async def _download_unless_crashed(self, request: Request, spider: Spider) -> Response:
        # scrapy-playwright's own retry loop (`render`), except for renderer crashes.
        for attempt in itertools.count():
            try:
                return await self.render_once(request, spider)
            except TargetClosedError as exc:
                if (any(words in str(exc) for words in RENDERER_CRASH)
                        or attempt >= self.target_closed_retries):
                    raise
                logger.debug("Target closed, opening the page for %s again", request)
        raise AssertionError("unreachable")

    async def open_page(self, request: Request, spider: Spider) -> Page:
        await self._page_slots.acquire()
        try:
            # The context is chosen once a page may open, so contexts take pages in the order
            # they render and a retired one has at most a few left in flight.
            if _ASSIGNED not in request.meta:  # not again when scrapy-playwright reopens it
                self._assign_context(request)
            page = await super().open_page(request, spider)
        except BaseException:
            self._page_slots.release()
            raise
        released = False

        def release() -> None:
            nonlocal released  # a crashed page may be closed afterwards: one release per page
            if not released:
                released = True
                self._page_slots.release()

        def crashed() -> None:
            self._crashed_pages.add(page)
            release()

        page.on("close", release)
        page.on("crash", crashed)
        # No page of ours opens windows or waits for an answer to a dialog.
        page.on("popup", self._close_popup)
        page.on("dialog", self._dismiss)
        rendering = _Render(page, time.monotonic(),  # the budget starts now
                            request.meta.get("download_maxsize", self._max_bytes))
        request.meta[_RENDERING] = rendering
        if rendering.limit:
            try:
                session = await page.context.new_cdp_session(page)
                session.on("Network.dataReceived", rendering.data_received)
                await session.send("Network.enable")
            except PlaywrightError as exc:  # the page went away already: goto will say so
                logger.debug("No byte count for %s: %s", request.url, exc)
        live = self.open_context_count()
        if live > (self.stats.get_value("footer_audit/render_contexts_max_live") or 0):
            self.stats.set_value("footer_audit/render_contexts_max_live", live)
        return page

    def _close_popup(self, popup: Page) -> None:
        self.stats.inc_value("footer_audit/popups_closed")
        self._later(_quietly(popup.close()))

    def _dismiss(self, dialog: Dialog) -> None:
        self.stats.inc_value("footer_audit/dialogs_dismissed")
        self._later(_quietly(dialog.dismiss()))

    def _later(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _assign_context(self, request: Request) -> None:
        name = self._rotation.assign(request.meta.get("playwright_context"))
        request.meta[_ASSIGNED] = name
        if name is not None:
            request.meta["playwright_context"] = name
            self.stats.set_value("footer_audit/render_contexts", self._rotation.opened)
            self._close_retired()  # the context this one replaces may be idle already

    def _close_retired(self) -> None:
        for name in self._rotation.closable():
            task = asyncio.ensure_future(self._close_context(name))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_context(self, name: str) -> None:
        try:
            context = self.browser_context(name)
            if context is None:  # never opened, or gone with a browser that died
                return
            if not await self._pages_closed(context, _PAGE_GRACE_SECONDS):
                logger.warning("Closing browser context %s with pages nobody closed in %.0f s",
                               name, _PAGE_GRACE_SECONDS)
            with suppress(TargetClosedError):  # the browser may have died meanwhile
                await context.close()
            self.stats.inc_value("footer_audit/render_contexts_closed")
            logger.debug("Closed browser context %s", name)
        finally:
            self._rotation.closed(name)

    async def _pages_closed(self, context: BrowserContext, timeout: float) -> bool:
        """Wait until every page of `context` is closed or crashed; False on timeout."""
        left = {p for p in context.pages if not p.is_closed() and p not in self._crashed_pages}
        if not left:
            return True
        done = asyncio.Event()

        def gone(page: Page) -> None:
            left.discard(page)
            if not left:
                done.set()

        for page in left:
            page.on("close", gone)
            page.on("crash", gone)
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def _quietly(action: Any) -> None:
    """Await a Playwright call whose target may be gone already."""
    with suppress(PlaywrightError):
        await action
