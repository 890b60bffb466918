"""scrapy-playwright's private API, in the one module of footer-audit that touches it.

scrapy-playwright has no public hook for what the shared handler (crawler/render/handler.py)
does: one page cap across rotating contexts, renderer crashes raised at once instead of retried
in place, a budget per render. So `PlaywrightHandlerBase` overrides three of its private methods
(`_create_page`, `_download_request`, `_close`) and turns them into hooks with names of ours
(`open_page`, `render`, `before_close`); the shared handler overrides those hooks and reaches
scrapy-playwright's own behaviour and state only through the methods below. Playwright's
`TargetClosedError` is not exported by `playwright.async_api` either: it is imported here.

`PRIVATE_NAMES` lists every private name used; tests/test_private_apis.py checks each against
the installed release (present, same parameters, still called where the hooks need it), and
pyproject.toml caps scrapy-playwright at the release tested (0.0.48).
"""

from __future__ import annotations

from typing import Any

from playwright._impl._errors import TargetClosedError
from playwright.async_api import BrowserContext, Page
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

__all__ = ["PRIVATE_NAMES", "PlaywrightHandlerBase", "TargetClosedError"]

# name in scrapy-playwright's handler -> how it is used here
PRIVATE_NAMES = {
    "_create_page": "overridden: every attempt at a page opens it here (open_page)",
    "_download_request": "overridden: one render with its retries (render)",
    "_close": "overridden: the handler closing every context (before_close)",
    "_download_request_with_retry": "called: one attempt at a render (render_once)",
    "context_wrappers": "read: the open browser contexts by name (browser_context)",
    "config.target_closed_max_retries": "read: attempts at a page whose target closed",
}


class PlaywrightHandlerBase(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler with its private methods behind hooks of ours."""

    # -- scrapy-playwright's private methods, turned into the hooks below -----------------------
    async def _create_page(self, request: Request, spider: Spider) -> Page:
        return await self.open_page(request, spider)

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        return await self.render(request, spider)

    async def _close(self) -> None:
        self.before_close()
        await super()._close()

    # -- hooks: scrapy-playwright's behaviour unless a subclass overrides them -----------------
    async def open_page(self, request: Request, spider: Spider) -> Page:
        """Open the page `request` is rendered in (called again when a render is retried)."""
        return await super()._create_page(request, spider)

    async def render(self, request: Request, spider: Spider | None) -> Response:
        """Render `request`: scrapy-playwright retries a page whose target closed."""
        return await super()._download_request(request, spider)

    def before_close(self) -> None:
        """The handler is closing: every browser context is closed next."""

    # -- scrapy-playwright's behaviour and state, for the hooks ---------------------------------
    async def render_once(self, request: Request, spider: Spider) -> Response:
        """One attempt at rendering `request`, without scrapy-playwright's retries."""
        return await self._download_request_with_retry(request=request, spider=spider)

    @property
    def target_closed_retries(self) -> int:
        """How many times a page whose target closed is opened again (its own setting)."""
        return int(self.config.target_closed_max_retries)

    def browser_context(self, name: str) -> BrowserContext | None:
        """The open browser context of that name, None when it never opened or is gone."""
        wrapper: Any = self.context_wrappers.get(name)
        return wrapper.context if wrapper is not None else None

    def open_context_count(self) -> int:
        return len(self.context_wrappers)
