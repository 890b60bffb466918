"""Registrable domains and the scope of a site's crawl.

The registrable domain comes from the Public Suffix List through tldextract, using the snapshot
bundled with the package: nothing is fetched at run time (a crawl on a locked-down machine must
behave like one on a laptop). Private suffixes count (`foo.github.io` and `bar.github.io` are two
sites), because two tenants of one platform are not one organisation's subdomains.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache

import tldextract

__all__ = [
    "SiteScope",
    "bare_host",
    "is_ip",
    "matches_host_pattern",
    "public_suffix_parts",
    "registrable_domain",
]

# suffix_list_urls=() and cache_dir=None: the bundled snapshot only, no network, no cache files.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True,
    include_psl_private_domains=True,
)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """`a.b.example.com.cn` -> `example.com.cn`; an IP address, a bare suffix or a single-label
    name is its own registrable domain (so it is in scope only of itself)."""
    host = host.rstrip(".").lower()
    if not host or is_ip(host):
        return host
    ext = _EXTRACT(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    return host


def public_suffix_parts(host: str) -> tuple[str, str]:
    """`(domain label, public suffix)` of a host: `("example", "com.cn")` for a.example.com.cn;
    `("", "com.cn")` for a bare suffix; `(..., "")` when no suffix of the list matches."""
    ext = _EXTRACT(host)
    return ext.domain, ext.suffix


def matches_host_pattern(host: str, pattern: str) -> bool:
    """`pattern` is a host (`mail.example.cn`) or a zone (`*.dev.example.cn`: the zone itself and
    every host under it)."""
    if pattern.startswith("*."):
        zone = pattern[2:]
        return host == zone or host.endswith("." + zone)
    return host == pattern


def bare_host(host: str) -> str:
    """The site a host stands for: `www.example.cn` and `example.cn` are one site (a crawl of
    either audits both homepages), named by the bare form."""
    return host.removeprefix("www.")


@dataclass
class SiteScope:
    """Which hosts belong to one portfolio domain, and how many discovered ones are admitted."""

    domain: str  # as written in the portfolio (usually the registrable domain)
    skip: tuple[str, ...] = ()
    cap: int = 200  # discovered subdomains admitted at most
    admitted: set[str] = field(default_factory=set)
    refused: int = 0  # hosts turned away by the cap

    @property
    def registrable(self) -> str:
        return registrable_domain(self.domain)

    def homepage_hosts(self) -> tuple[str, ...]:
        """The domain itself and its `www.` variant (a `www.` domain also gets its bare form)."""
        bare = bare_host(self.domain)
        return (self.domain, bare) if bare != self.domain else (self.domain, "www." + bare)

    def contains(self, host: str) -> bool:
        """Same registrable domain and under the portfolio domain, and not skipped."""
        host = host.rstrip(".").lower()
        if not host or registrable_domain(host) != self.registrable:
            return False
        base = bare_host(self.domain)
        if host != base and not host.endswith("." + base):
            return False
        return not any(matches_host_pattern(host, p) for p in self.skip)

    def is_subdomain(self, host: str) -> bool:
        return self.contains(host) and host not in self.homepage_hosts()

    def admit(self, host: str) -> bool:
        """Whether a discovered subdomain may be crawled: in scope, new, and under the cap.
        Each host is counted once; a refusal past the cap is counted in `refused`."""
        if not self.is_subdomain(host):
            return False
        if host in self.admitted:
            return False
        if len(self.admitted) >= self.cap:
            self.refused += 1
            return False
        self.admitted.add(host)
        return True
