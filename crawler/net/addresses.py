"""Which network addresses the crawler may connect to.

A portfolio of thousands of names maintained by many people will hold a name that resolves to an
address of the crawler's own network (`10.0.4.14`, `127.0.0.1`, the cloud metadata service at
`169.254.169.254`); a public page may redirect there, or load a script from there. The audit has
no business on those networks unless the operator says so. `classify(address)` names the kind of
a non-public address; `AddressPolicy` refuses those kinds except in the networks allowed by
`--allow-network CIDR` (`FOOTER_AUDIT_ALLOW_NETWORKS`) or a portfolio's `crawl.allow_networks`.

An explicit `--resolve HOST:ADDRESS` mapping is the operator's allowance for HOST: the policy is
not asked about mapped hosts (see `crawler/middlewares/address_policy.py`).

Pure: no Scrapy, no I/O; the later API server reuses it as it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawler.errors import UsageError

__all__ = [
    "ALLOW_SETTING",
    "ENABLED_SETTING",
    "AddressPolicy",
    "AddressRefused",
    "IPAddress",
    "IPNetwork",
    "allow_settings",
    "classify",
    "parse_networks",
]

ENABLED_SETTING = "FOOTER_AUDIT_ADDRESS_POLICY_ENABLED"
ALLOW_SETTING = "FOOTER_AUDIT_ALLOW_NETWORKS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# RFC 1918 and IPv6 unique local addresses: what "private" means to an operator. Python's own
# `is_private` also covers documentation and benchmark ranges, reported here as "reserved".
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
# RFC 6598: carrier-grade NAT, the inside of a provider's network.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
# RFC 6052: IPv6 addresses a NAT64 gateway translates to the IPv4 address in their last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def classify(address: str | IPAddress) -> str | None:
    """The kind of a non-public address, or None for a public (globally routable) one.

    Kinds: `unspecified`, `loopback`, `link-local`, `multicast`, `private`, `shared` (carrier-grade
    NAT), `reserved` (any other special-purpose range: documentation, benchmarking, 240.0.0.0/4,
    broadcast...). An IPv4 address inside IPv6 (`::ffff:10.0.0.1`, NAT64) is judged by its IPv4
    address. Raises ValueError for text that is not an address.
    """
    ip = _plain(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:
        return classify(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _PRIVATE):
        return "private"
    if ip in _SHARED:
        return "shared"
    if not ip.is_global:
        return "reserved"
    return None


def parse_networks(values: Iterable[str], *, origin: str = "--allow-network") -> tuple[IPNetwork,
                                                                                         ...]:
    """CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or single addresses; a bad one raises UsageError
    naming `origin` and the value."""
    networks = []
    for raw in values:
        text = str(raw).strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise UsageError(f"{origin} {raw!r}: expected an address range such as 10.0.0.0/8 "
                             "or fd00::/8") from None
    return tuple(networks)


def allow_settings(values: Iterable[str]) -> dict[str, list[str]]:
    """The Scrapy setting for `--allow-network` values (checked here: UsageError at start)."""
    networks = parse_networks(values)
    return {ALLOW_SETTING: [str(n) for n in networks]} if networks else {}


_ALLOW_HINT = "(allow it with --allow-network or the portfolio's crawl.allow_networks)"


class AddressRefused(Exception):
    """A request not sent: its host resolves only to addresses the policy refuses. With
    `redirected`: a rendered page that Chromium redirected there, not audited."""

    def __init__(self, host: str, address: str, kind: str, *, redirected: bool = False):
        self.host, self.address, self.kind = host, address, kind
        where = (f"{address} is a {kind} address" if host == address
                 else f"{host} resolves to {address}, a {kind} address")
        if redirected:
            where = f"the page redirected to {host}" + (
                f", a {kind} address" if host == address
                else f", which resolves to {address}, a {kind} address")
            super().__init__(f"not audited: {where} {_ALLOW_HINT}")
        else:
            super().__init__(f"not crawled: {where} {_ALLOW_HINT}")


def _plain(address: str | IPAddress) -> IPAddress:
    """The address, an IPv4-mapped IPv6 one as its IPv4 address (what the socket reaches)."""
    ip = ipaddress.ip_address(address.strip("[]") if isinstance(address, str) else address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@dataclass(frozen=True)
class AddressPolicy:
    """Refuse non-public addresses, except inside `allowed` (or everything when not `enabled`)."""

    allowed: tuple[IPNetwork, ...] = ()
    enabled: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> AddressPolicy:
        """From FOOTER_AUDIT_ADDRESS_POLICY_ENABLED and FOOTER_AUDIT_ALLOW_NETWORKS (Scrapy
        settings, or any mapping with `getbool`/`getlist`)."""
        return cls(allowed=parse_networks(settings.getlist(ALLOW_SETTING), origin=ALLOW_SETTING),
                   enabled=settings.getbool(ENABLED_SETTING, True))

    def refusal(self, address: str | IPAddress) -> str | None:
        """The kind of address that makes it refused, or None when it may be connected to."""
        if not self.enabled:
            return None
        kind = classify(address)
        if kind is None:
            return None
        ip = _plain(address)
        if any(ip.version == net.version and ip in net for net in self.allowed):
            return None
        return kind

    def allows(self, address: str | IPAddress) -> bool:
        return self.refusal(address) is None

    def check(self, host: str, addresses: Iterable[str]) -> list[str]:
        """The addresses of `host` that may be used; AddressRefused when none may (naming the
        first refused one). An empty `addresses` is returned as is (a DNS failure, not ours)."""
        addresses = list(addresses)
        allowed = [a for a in addresses if self.allows(a)]
        if addresses and not allowed:
            first = addresses[0]
            raise AddressRefused(host, first, self.refusal(first) or "refused")
        return allowed
