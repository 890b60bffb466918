"""`--resolve HOST:ADDRESS[:PORT]`: send every connection for HOST to ADDRESS (and PORT).

What curl's `--resolve` and `--connect-to` do together, for the whole crawl, static and rendered,
while the page's URL (and so its Host header, TLS SNI and cookies) stays the real one. A staging
server can be audited before DNS moves, and tests serve many virtual hosts from one loopback port.

HOST is a host name, `*.example.cn` (example.cn and every host under it) or `*` (every host).
ADDRESS is an IPv4 address or a bracketed IPv6 one (`[::1]`).

- Static fetches: `ResolvingHostnameResolver` is installed as Scrapy's `TWISTED_DNS_RESOLVER`. A
  Twisted name resolver answers with addresses that carry a port, and the connecting endpoint uses
  that port, so one resolver redirects both address and port for http and https alike.
- Rendered fetches: `chromium_args(rules)` gives Chromium's `--host-resolver-rules`.

The resolver also applies the address policy to the names it hands to Scrapy's resolver: refused
addresses are dropped from their answers (`guard`: the crawl's `AddressGuard`,
`crawler/fetch/address_guard.py`, set by the address policy middleware), and `lookup` gives the
guard the unfiltered answer.

The rules travel in the `FOOTER_AUDIT_RESOLVE` setting (a list of `HOST:ADDRESS[:PORT]` strings).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer, provider

from crawler.errors import UsageError
from rules.urls import host_ascii

__all__ = [
    "ResolveRule",
    "ResolvingHostnameResolver",
    "chromium_args",
    "find_rule",
    "parse_resolve",
    "resolve_settings",
]

SETTING = "FOOTER_AUDIT_RESOLVE"

_RULE_RE = re.compile(
    r"^(?P<host>\*|(?:\*\.)?[A-Za-z0-9_.\-\u0080-\uffff]+)"
    r":(?P<addr>\[[0-9A-Fa-f:.]+\]|[0-9.]+)"
    r"(?::(?P<port>\d{1,5}))?$"
)


@dataclass(frozen=True)
class ResolveRule:
    pattern: str  # "example.cn", "*.example.cn" or "*"
    address: str  # without brackets
    port: int | None = None  # None: the URL's own port

    def matches(self, host: str) -> bool:
        host = host.rstrip(".").lower()
        if self.pattern == "*":
            return True
        if self.pattern.startswith("*."):
            zone = self.pattern[2:]
            return host == zone or host.endswith("." + zone)
        return host == self.pattern

    @property
    def is_ipv6(self) -> bool:
        return ":" in self.address

    def target(self) -> str:
        addr = f"[{self.address}]" if self.is_ipv6 else self.address
        return f"{addr}:{self.port}" if self.port else addr


def parse_resolve(values: Iterable[str]) -> tuple[ResolveRule, ...]:
    """Parse `HOST:ADDRESS[:PORT]` strings; a bad one raises `UsageError` naming it."""
    rules = []
    for raw in values:
        m = _RULE_RE.match(raw.strip())
        if not m:
            raise UsageError(f"--resolve {raw!r}: expected HOST:ADDRESS[:PORT], "
                             "e.g. www.example.cn:127.0.0.1:8080 or *.example.cn:[::1]")
        addr = m["addr"].strip("[]")
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise UsageError(f"--resolve {raw!r}: {addr!r} is not an IP address") from None
        port = int(m["port"]) if m["port"] else None
        if port is not None and not 0 < port < 65536:
            raise UsageError(f"--resolve {raw!r}: port {port} out of range")
        # An internationalised name in A-label form: the form of the hosts it is matched with.
        pattern = m["host"].lower().rstrip(".")
        if pattern.startswith("*."):
            pattern = "*." + host_ascii(pattern[2:])
        elif pattern != "*":
            pattern = host_ascii(pattern)
        rules.append(ResolveRule(pattern, addr, port))
    return tuple(rules)


def find_rule(rules: Sequence[ResolveRule], host: str) -> ResolveRule | None:
    """The first rule for `host`: exact names first, then zones, longest first, then `*`."""
    def rank(r: ResolveRule) -> tuple[int, int]:
        return (0 if "*" not in r.pattern else 1 if r.pattern != "*" else 2, -len(r.pattern))
    for rule in sorted(rules, key=rank):
        if rule.matches(host):
            return rule
    return None


def chromium_args(rules: Sequence[ResolveRule]) -> list[str]:
    """`--host-resolver-rules` for Chromium: the same mapping for rendered pages.

    Chromium's `*.zone` does not match the zone itself, so a zone rule maps both. Exact names go
    first because Chromium applies the first matching rule.
    """
    if not rules:
        return []
    parts = []
    order = sorted(rules, key=lambda r: ("*" in r.pattern, r.pattern == "*", -len(r.pattern)))
    for rule in order:
        if rule.pattern.startswith("*."):
            parts.append(f"MAP {rule.pattern[2:]} {rule.target()}")
        parts.append(f"MAP {rule.pattern} {rule.target()}")
    return ["--host-resolver-rules=" + ", ".join(parts)]


class _Resolution:
    """The `IHostResolution` handed to the receiver (nothing to cancel: the answer is local)."""

    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        """Nothing is pending."""


@implementer(IHostnameResolver)
class ResolvingHostnameResolver:
    """Scrapy `TWISTED_DNS_RESOLVER`: answers mapped hosts itself, the rest through Scrapy's
    caching resolver."""

    def __init__(self, reactor: Any, rules: Sequence[ResolveRule], fallback: Any):
        self.reactor = reactor
        self.rules = tuple(rules)
        self.fallback = fallback
        # `filter(host, addresses) -> addresses` of the address policy; None: no filtering.
        self.guard: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> ResolvingHostnameResolver:
        from scrapy.resolver import CachingHostnameResolver

        rules = parse_resolve(crawler.settings.getlist(SETTING))
        return cls(reactor, rules, CachingHostnameResolver.from_crawler(crawler, reactor))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Any = None, transportSemantics: str = "TCP") -> Any:
        rule = find_rule(self.rules, hostName)
        if rule is None:
            if self.guard is not None:
                resolutionReceiver = _Filtering(resolutionReceiver, hostName, self.guard)
            return self.fallback.resolveHostName(
                resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics)
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        port = rule.port or portNumber
        address_type = IPv6Address if rule.is_ipv6 else IPv4Address
        resolutionReceiver.addressResolved(address_type("TCP", rule.address, port))
        resolutionReceiver.resolutionComplete()
        return resolution

    def lookup(self, host: str) -> Deferred[list[str]]:
        """Every address `host` resolves to, unfiltered (what the address policy judges); the
        fallback resolver caches the answer for the connection that follows. A failed lookup
        gives an empty list."""
        done: Deferred[list[str]] = Deferred()
        found: list[str] = []

        @provider(IResolutionReceiver)
        class Collect:
            @staticmethod
            def resolutionBegan(resolution: Any) -> None:
                """Nothing to keep."""

            @staticmethod
            def addressResolved(address: Any) -> None:
                found.append(address.host)

            @staticmethod
            def resolutionComplete() -> None:
                done.callback(found)

        self.fallback.resolveHostName(Collect, host, 0)
        return done


@implementer(IResolutionReceiver)
class _Filtering:
    """Passes a DNS answer on without the addresses the address policy refuses."""

    def __init__(self, receiver: Any, host: str, guard: Any):
        self.receiver, self.host, self.guard = receiver, host, guard
        self.addresses: list[Any] = []

    def resolutionBegan(self, resolution: Any) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        allowed = set(self.guard.filter(self.host, [a.host for a in self.addresses]))
        for address in self.addresses:
            if address.host in allowed:
                self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()


def resolve_settings(values: Sequence[str]) -> dict[str, Any]:
    """Scrapy settings that apply `--resolve` rules (checked here: a bad one is a usage error
    before anything starts) to static and rendered fetches alike: the download handler gives
    Chromium the same map (crawler/render/handler.py)."""
    if not parse_resolve(values):
        return {}
    return {
        SETTING: list(values),
        "TWISTED_DNS_RESOLVER": "crawler.fetch.resolve.ResolvingHostnameResolver",
    }
