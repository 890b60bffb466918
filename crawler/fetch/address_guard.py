"""The address policy of one crawl (`crawler/net/addresses.py` with the crawl's exemptions), and
the hook that applies it to the requests a rendered page makes.

`AddressGuard` is the one decision; it is asked in three places (see
`crawler/middlewares/address_policy.py`): by the downloader middleware before a page is fetched,
by the crawl's resolver (`crawler.fetch.resolve`) on every DNS answer, and, through
`guard_playwright_abort`, by scrapy-playwright's route hook for every request Chromium makes. The
middleware sets the crawl's guard on the `Crawler` (`GUARD_ATTR`); the render handler reads it
from there, so rendering needs no import of the middleware.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.fetch.resolve import ResolveRule, ResolvingHostnameResolver, find_rule
from crawler.net.addresses import AddressPolicy, AddressRefused
from crawler.net.domains import is_ip
from rules.urls import host_of

__all__ = ["GUARD_ATTR", "STAT_REFUSED", "AddressGuard", "guard_playwright_abort"]

logger = logging.getLogger(__name__)

# Crawler attribute: the crawl's AddressGuard (absent when the policy is off).
GUARD_ATTR = "footer_audit_address_guard"
STAT_REFUSED = "footer_audit/address_refused"


class AddressGuard:
    """The policy with the crawl's exemptions, and a way to resolve names."""

    def __init__(self, policy: AddressPolicy, rules: Sequence[ResolveRule] = (),
                 explicit_hosts: Iterable[str] = (),
                 resolver: ResolvingHostnameResolver | None = None):
        self.policy = policy
        self.rules = tuple(rules)
        self.explicit_hosts = frozenset(h.lower() for h in explicit_hosts)
        self.resolver = resolver

    def exempt(self, host: str) -> bool:
        return (not self.policy.enabled or host in self.explicit_hosts
                or find_rule(self.rules, host) is not None)

    def filter(self, host: str, addresses: list[str]) -> list[str]:
        """The addresses of a DNS answer for `host` that may be connected to."""
        if self.exempt(host) or is_ip(host):
            return addresses  # literals are judged in check(), before the connection
        return [a for a in addresses if self.policy.allows(a)]

    async def check(self, host: str) -> None:
        """Raise AddressRefused when `host` is, or resolves only to, refused addresses."""
        host = host.rstrip(".").lower()
        if not host or self.exempt(host):
            return
        if is_ip(host):
            kind = self.policy.refusal(host)
            if kind is not None:
                raise AddressRefused(host, host.strip("[]"), kind)
            return
        self.policy.check(host, await self._lookup(host))

    async def _lookup(self, host: str) -> list[str]:
        if self.resolver is not None:
            return await maybe_deferred_to_future(self.resolver.lookup(host))
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                                 type=socket.SOCK_STREAM)
        except OSError:
            return []  # the fetch fails with its own DNS error
        return [str(info[4][0]) for info in infos]


def guard_playwright_abort(inner: Callable[[Any], Any] | None,
                           crawler: Crawler) -> Callable[[Any], Awaitable[bool]]:
    """A PLAYWRIGHT_ABORT_REQUEST predicate: `inner`'s decision, and requests to refused
    addresses aborted (the crawl's AddressGuard, when the policy is on)."""

    async def abort(request: Any) -> bool:
        if inner is not None:
            decision = inner(request)
            if hasattr(decision, "__await__"):
                decision = await decision
            if decision:
                return True
        guard: AddressGuard | None = getattr(crawler, GUARD_ATTR, None)
        if guard is None or not request.url.startswith(("http://", "https://")):
            return False
        try:
            await guard.check(host_of(request.url))
        except AddressRefused as exc:
            if crawler.stats is not None:
                crawler.stats.inc_value(f"{STAT_REFUSED}/render")
            logger.info("Rendering: %s: %s", request.url, exc)
            return True
        return False

    return abort
