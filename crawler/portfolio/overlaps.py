"""Entries of a portfolio file that are valid one by one but not together.

Errors (the file is refused, nothing is crawled):

- the same domain twice in one organisation, however written (`Example.CN`, `ｅｘａｍｐｌｅ.cn`,
  `例子.中国` and `xn--fsqu00a.xn--fiqs8s` are each one name);
- `www.example.cn` beside `example.cn`: the crawl of either audits both homepages, so they are
  one site listed twice;
- one domain (or its `www.` form) under two organisations: a site has one filing subject, and its
  results would be filed under either;
- two apps of one organisation with the same name (results are keyed by it).

Warnings (printed, the crawl goes on):

- a domain listed under another listed domain (`shop.example.cn` beside `example.cn`): the crawl
  of `example.cn` may discover it too, and then audits it once more as a subdomain;
- `add_subdomains` and `own_filing` hosts that are not under their domain: they have no effect.

Works on the raw YAML data, so it runs beside the model's validation and a file's problems are
reported in one go; entries the model refuses are skipped here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crawler.net.domains import SiteScope, bare_host
from crawler.net.host_names import normalise_host
from crawler.portfolio.lines import line_of

__all__ = ["Problem", "find_overlaps"]


@dataclass(frozen=True)
class Problem:
    """One problem of the file, at a line and a field (`organisations.0.domains.3.domain`)."""

    line: int
    field: str
    message: str

    def render(self, source: str) -> str:
        return f"{source}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class _Entry:
    org_index: int
    org_name: str
    field: str
    line: int
    host: str  # canonical form
    written: str  # as in the file


def find_overlaps(data: Any, node: Any) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of `data` (the parsed YAML), with lines from `node` (its node tree)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    entries = list(_domains(data, node))
    by_site: dict[str, _Entry] = {}
    for entry in entries:
        site = bare_host(entry.host)
        first = by_site.get(site)
        if first is None:
            by_site[site] = entry
            continue
        errors.append(Problem(entry.line, entry.field, _clash(entry, first)))
    # Nested listings: only the first entry of each site takes part (the others are errors).
    firsts = sorted(by_site.values(), key=lambda e: e.line)
    sites = {bare_host(e.host): e for e in firsts}
    for entry in firsts:
        parent = _listed_parent(entry.host, sites)
        if parent is not None:
            where = ("" if parent.org_index == entry.org_index
                     else f" of organisation {parent.org_name!r}")
            warnings.append(Problem(entry.line, entry.field, (
                f"{entry.host} is under {parent.host} (line {parent.line}{where}), whose crawl "
                f"may discover it as a subdomain and audit it a second time; list it in "
                f"{parent.host}'s skip_subdomains to audit it only as its own site")))
    errors.extend(_duplicate_apps(data, node))
    warnings.extend(_hosts_outside(data, node))
    errors.sort(key=lambda p: p.line)
    warnings.sort(key=lambda p: p.line)
    return errors, warnings


def _organisations(data: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    orgs = data.get("organisations") if isinstance(data, dict) else None
    if not isinstance(orgs, list):
        return
    for oi, org in enumerate(orgs):
        if isinstance(org, dict):
            yield oi, org


def _list(org: dict[str, Any], key: str) -> list[Any]:
    value = org.get(key)
    return value if isinstance(value, list) else []


def _domains(data: Any, node: Any) -> Iterator[_Entry]:
    for oi, org in _organisations(data):
        name = str(org.get("name") or f"#{oi + 1}")
        for di, spec in enumerate(_list(org, "domains")):
            written = spec.get("domain") if isinstance(spec, dict) else None
            if not isinstance(written, str):
                continue
            host = _host(written)
            if host is None or host.startswith("*."):
                continue  # the model reports it
            loc = ("organisations", oi, "domains", di, "domain")
            yield _Entry(oi, name, ".".join(map(str, loc)), line_of(node, loc), host, written)


def _host(written: str) -> str | None:
    """The canonical form, None when the model refuses the name (and reports it). The model's
    own call (wildcards allowed) is cached: this one costs nothing more."""
    try:
        return normalise_host(written, wildcard=True)
    except ValueError:
        return None


def _as_written(entry: _Entry) -> str:
    written = entry.written.strip()
    return entry.host if written == entry.host else f"{entry.host} (written {written!r})"


def _clash(entry: _Entry, first: _Entry) -> str:
    same_name = entry.host == first.host
    if entry.org_index != first.org_index:
        return (f"conflict: {_as_written(entry)} is already listed under organisation "
                f"{first.org_name!r} at line {first.line}"
                + ("" if same_name else f" as {first.host}")
                + "; a site belongs to one filing subject: keep it under one of them")
    if same_name:
        return f"duplicate: {_as_written(entry)} is already listed at line {first.line}"
    site = bare_host(entry.host)
    return (f"duplicate site: {entry.host} and {first.host} (line {first.line}) are one site "
            f"(the crawl of either audits both {site} and www.{site}); keep one of them")


def _listed_parent(host: str, sites: dict[str, _Entry]) -> _Entry | None:
    """The closest listed domain `host` lies under, within its registrable domain."""
    labels = bare_host(host).split(".")
    for i in range(1, len(labels) - 1):
        parent = sites.get(".".join(labels[i:]))
        if parent is not None and SiteScope(parent.host).contains(host):
            return parent
    return None


def _duplicate_apps(data: Any, node: Any) -> Iterator[Problem]:
    for oi, org in _organisations(data):
        seen: dict[str, int] = {}
        for ai, app in enumerate(_list(org, "apps")):
            name = app.get("name") if isinstance(app, dict) else None
            if not isinstance(name, str) or not name:
                continue
            loc = ("organisations", oi, "apps", ai, "name")
            line = line_of(node, loc)
            if name in seen:
                yield Problem(line, ".".join(map(str, loc)),
                              f"duplicate: app {name!r} is already listed at line {seen[name]}")
            else:
                seen[name] = line


def _hosts_outside(data: Any, node: Any) -> Iterator[Problem]:
    for oi, org in _organisations(data):
        for di, spec in enumerate(_list(org, "domains")):
            if not isinstance(spec, dict) or not isinstance(spec.get("domain"), str):
                continue
            domain = _host(spec["domain"])
            if domain is None or domain.startswith("*."):
                continue
            scope = SiteScope(domain)
            for key in ("add_subdomains", "own_filing"):
                for hi, written in enumerate(_list(spec, key)):
                    host = _host(str(written))
                    if host is not None and not scope.contains(host):
                        loc = ("organisations", oi, "domains", di, key, hi)
                        yield Problem(line_of(node, loc), ".".join(map(str, loc)), (
                            f"{host} is not under {scope.domain}: this entry has no effect"))
