"""Enforce the address policy (`crawler/net/addresses.py`) on every connection of a crawl.

Three places, one decision (`crawler.fetch.address_guard.AddressGuard`):

- `AddressPolicyMiddleware.process_request`: before a page is fetched, statically or in Chromium,
  its host is resolved (through the crawl's own resolver, whose cache the connection then uses)
  and a host whose every address is refused fails with `AddressRefused`: the page gets the status
  `unreachable` and an error that names the host, the address and its kind. Redirects pass here
  again, so a public page that redirects to `http://169.254.169.254/` is refused too.
- `crawler.fetch.resolve.ResolvingHostnameResolver`: at connect time, refused addresses are
  dropped from every DNS answer, so a name whose address changes between the check and the
  connection (DNS rebinding) still never reaches a refused address.
- `crawler.fetch.address_guard.guard_playwright_abort`: Chromium resolves names itself; every
  request a rendered page makes (its scripts, frames, XHR) goes through scrapy-playwright's route
  hook, which aborts those to refused addresses. Playwright routes only the first request of a
  redirect chain, so redirects Chromium follows itself are not seen there: a rendered page whose
  final URL is on a refused address is not audited (`process_response`: status `unreachable`, "not
  audited: the page redirected to ..."), although its request went out. In render mode auto the
  static fetch has already followed (and checked) the page's redirects; closing the rest needs the
  route hook to fetch with `route.fetch(max_redirects=0)` and follow redirects itself. A resource's
  redirect is not seen at all.

Never refused: hosts a `--resolve` rule maps (the operator chose their address), hosts the spider
names as explicit (`footer-audit check URL`: the operator typed them), and everything when
FOOTER_AUDIT_ADDRESS_POLICY_ENABLED is off. Allowed ranges: FOOTER_AUDIT_ALLOW_NETWORKS
(`--allow-network`) and the spider's `allow_networks` (a portfolio's `crawl.allow_networks`).
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.fetch.address_guard import GUARD_ATTR, STAT_REFUSED, AddressGuard
from crawler.fetch.resolve import SETTING as RESOLVE_SETTING
from crawler.fetch.resolve import ResolvingHostnameResolver, parse_resolve
from crawler.net.addresses import AddressPolicy, AddressRefused, parse_networks
from rules.urls import host_of

__all__ = ["AddressPolicyMiddleware"]

logger = logging.getLogger(__name__)


class AddressPolicyMiddleware:
    """Refuse pages whose host resolves only to refused addresses (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        spider = crawler.spider
        policy = AddressPolicy.from_settings(settings)
        if not policy.enabled:
            raise NotConfigured
        extra = parse_networks(getattr(spider, "allow_networks", ()), origin="allow_networks")
        policy = AddressPolicy(allowed=policy.allowed + extra)
        # Imported here: importing the reactor installs one, and the crawl chose its own first.
        from twisted.internet import reactor

        resolver = getattr(reactor, "nameResolver", None)
        ours = resolver if isinstance(resolver, ResolvingHostnameResolver) else None
        self.guard = AddressGuard(policy, parse_resolve(settings.getlist(RESOLVE_SETTING)),
                                  getattr(spider, "explicit_hosts", ()), ours)
        if ours is not None:
            ours.guard = self.guard
        setattr(crawler, GUARD_ATTR, self.guard)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if not request.url.startswith(("http://", "https://")):
            return
        try:
            await self.guard.check(host_of(request.url))
        except AddressRefused as exc:
            self.stats.inc_value(STAT_REFUSED)
            logger.info("%s: %s", request.url, exc)
            raise

    async def process_response(self, request: Request, response: Response) -> Response:
        """A rendered page Chromium redirected to a refused address is not audited. (Runs after
        SlotConcurrencyMiddleware's process_response, which frees the slot: this middleware's
        order is lower.)"""
        if "playwright" not in response.flags:
            return response
        final = host_of(response.url)
        if final and final != host_of(request.url):
            try:
                await self.guard.check(final)
            except AddressRefused as exc:
                self.stats.inc_value(f"{STAT_REFUSED}/redirect")
                refused = AddressRefused(exc.host, exc.address, exc.kind, redirected=True)
                logger.info("%s: %s", request.url, refused)
                raise refused from None
        return response
