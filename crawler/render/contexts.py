"""Which browser context a rendered page opens in: rotation, and single-use contexts.

A browser context gathers the cache, cookies and service workers of every site it renders; over a
nightly crawl of thousands of pages that is memory nothing uses again. So pages share a context for
`FOOTER_AUDIT_RENDER_CONTEXT_PAGES` pages, then new pages go to a new context and the old one is
closed once its last page has closed. A page retried after a crash gets a context of its own
(`single_use_context`), closed after that one page.

This module only keeps the books (names, pages in flight, which context may close); the
scrapy-playwright handler (`crawler/render/handler.py`) opens and closes the contexts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

__all__ = ["ROTATING_PREFIX", "SINGLE_USE_PREFIX", "ContextRotation", "single_use_context"]

ROTATING_PREFIX = "footer-audit-"
SINGLE_USE_PREFIX = "footer-audit-once-"

_single_use_ids = itertools.count(1)


def single_use_context() -> str:
    """A context name never used before; its context is closed after its page."""
    return f"{SINGLE_USE_PREFIX}{next(_single_use_ids)}"


@dataclass
class _Context:
    pages: int = 0  # pages sent to it so far
    in_flight: int = 0  # of those, not finished yet
    retired: bool = False  # takes no new pages; closes once idle
    closing: bool = False  # handed to the handler to close


class ContextRotation:
    """Hands out context names and says which contexts may close.

    `pages_per_context` 0 means one context for the whole crawl. Contexts named by someone else
    (`playwright_context` set on the request) are left alone.
    """

    def __init__(self, pages_per_context: int) -> None:
        if pages_per_context < 0:
            raise ValueError("pages per context must not be negative")
        self.pages_per_context = pages_per_context
        self._contexts: dict[str, _Context] = {}
        self._current: str | None = None
        self._ids = itertools.count(1)
        self.opened = 0  # contexts handed out, rotating and single-use

    def assign(self, requested: str | None) -> str | None:
        """The context for a new page, counted in flight until `finish`; None for a context
        that someone else manages (`requested` is then used as it is).

        A request that comes back with a rotating context's name (a retry) gets the current one:
        its old context may be closed already."""
        if requested is None or (requested.startswith(ROTATING_PREFIX)
                                 and not requested.startswith(SINGLE_USE_PREFIX)):
            name = self._rotating()
        elif requested.startswith(SINGLE_USE_PREFIX):
            name = requested
            if name not in self._contexts:
                self._contexts[name] = _Context(retired=True)
                self.opened += 1
        else:
            return None
        context = self._contexts[name]
        context.pages += 1
        context.in_flight += 1
        return name

    def finish(self, name: str) -> None:
        """A page sent to `name` is done (answered or failed)."""
        context = self._contexts.get(name)
        if context is not None and context.in_flight:
            context.in_flight -= 1

    def closable(self) -> list[str]:
        """Retired contexts with no page in flight, each given once: close them (after their
        pages) and then call `closed`."""
        names = [n for n, c in self._contexts.items()
                 if c.retired and not c.closing and not c.in_flight]
        for name in names:
            self._contexts[name].closing = True
        return names

    def closed(self, name: str) -> None:
        self._contexts.pop(name, None)

    def live(self) -> int:
        """Contexts handed out and not closed yet."""
        return len(self._contexts)

    def _rotating(self) -> str:
        current = self._contexts.get(self._current) if self._current else None
        if current is not None and self._due(current):
            current.retired = True
            current = None
        if current is None:
            self._current = f"{ROTATING_PREFIX}{next(self._ids)}"
            self._contexts[self._current] = _Context()
            self.opened += 1
        return self._current  # type: ignore[return-value]

    def _due(self, current: _Context) -> bool:
        if not self.pages_per_context or current.pages < self.pages_per_context:
            return False
        # One rotating context closing at a time: until the previous one has closed, the current
        # one takes more pages, so at most two rotating contexts are ever open.
        return not any(c.retired and not n.startswith(SINGLE_USE_PREFIX)
                       for n, c in self._contexts.items())
