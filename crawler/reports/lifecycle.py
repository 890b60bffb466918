"""A violation across runs, as plain records: its fingerprint (its identity from run to run), its
lifecycle (first seen, last seen, fixed, reopened) and the waivers that silence a site's rule.

A violation's fingerprint is stable across runs: the site, the rule code and the evidence text
after normalisation (NFKC, collapsed whitespace, case-folded). So the same problem on the same site
keeps its identity from night to night, and a changed number is a different problem.

Lifecycle (one record per fingerprint, updated when a run closes,
`crawler.reports.store.closing`): first seen, last seen, fixed at (the first run in which the site
was audited and the violation was gone), reopened (seen again after being fixed).

Nothing here reads or writes a store: the store (`crawler.reports.store`) keeps these records,
and `crawler.reports.changes` compares runs with them.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from crawler.reports.validation import adapter

__all__ = [
    "Lifecycle",
    "Waiver",
    "Waivers",
    "fingerprint",
    "normalise_evidence",
    "waiver_covers",
    "waiver_for",
]


_SPACE = re.compile(r"\s+")


def normalise_evidence(text: str | None) -> str:
    """The evidence as compared across runs: NFKC, zero-width characters dropped, whitespace
    collapsed, case-folded (markup reflows and full-width variants are not new problems)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "").replace(
        "\ufeff", "")
    return _SPACE.sub(" ", text).strip().casefold()


def fingerprint(site: str, rule: str, evidence: str | None) -> str:
    """Stable id of one violation: site + rule + normalised evidence (20 hex characters)."""
    key = "\x1f".join((site.strip().lower(), rule.strip(), normalise_evidence(evidence)))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


@dataclass
class Lifecycle:
    """The history of one fingerprint across runs (times are the runs' start times, ISO UTC)."""

    fingerprint: str
    site: str
    rule: str
    evidence: str = ""
    first_seen: str = ""
    first_run: str = ""
    last_seen: str = ""
    last_run: str = ""
    fixed_at: str | None = None
    fixed_run: str | None = None
    reopened_at: str | None = None
    reopen_count: int = 0

    @property
    def status(self) -> str:
        return "fixed" if self.fixed_at else "open"

    def to_json(self) -> dict[str, Any]:
        return adapter(Lifecycle).dump_python(self)

    def to_json_text(self) -> str:
        """The stored form: compact JSON, UTF-8 text as it is."""
        return adapter(Lifecycle).dump_json(self).decode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lifecycle:
        """Validated (pydantic ValidationError on a malformed record); unknown keys ignored."""
        return adapter(Lifecycle).validate_python(data)

    @classmethod
    def from_json_text(cls, text: str | bytes) -> Lifecycle:
        return adapter(Lifecycle).validate_json(text)


@dataclass
class Waiver:
    """A suppressed site + rule, active strictly before `until` (on that day it is back). The
    site is a host, or `*.domain` for the domain and every host under it."""

    site: str
    rule: str
    reason: str = ""
    owner: str = ""
    until: date | None = None  # stored as an ISO date
    created: str = ""

    def active(self, today: date | None = None) -> bool:
        return self.until is None or (today or date.today()) < self.until

    def to_json(self) -> dict[str, Any]:
        return adapter(Waiver).dump_python(self, mode="json")

    def to_json_text(self) -> str:
        return adapter(Waiver).dump_json(self).decode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Waiver:
        """Validated (pydantic ValidationError on a malformed record); unknown keys ignored, a
        null reason, owner or creation time read as empty."""
        blank = {k: "" for k in _WAIVER_TEXT if data.get(k) is None}
        return adapter(Waiver).validate_python({**data, **blank} if blank else data)

    @classmethod
    def from_json_text(cls, text: str | bytes) -> Waiver:
        return cls.from_json(json.loads(text))


_WAIVER_TEXT = ("reason", "owner", "created")


class Waivers(dict[tuple[str, str], Waiver]):
    """Waivers keyed by (site, rule); `patterns` says whether any site is a `*.domain` pattern
    (so that the common case, none, stays one dictionary lookup per violation)."""

    patterns: bool = False


def waiver_for(site: str, rule: str, waivers: Mapping[tuple[str, str], Waiver]) -> Waiver | None:
    """The waiver covering `rule` on `site`: the site's own, else a pattern `*.domain`, which
    covers the domain and every host under it (the nearest pattern first)."""
    found = waivers.get((site, rule))
    if found is not None or not getattr(waivers, "patterns", True):
        return found
    labels = site.split(".")
    for i in range(len(labels) - 1):
        found = waivers.get(("*." + ".".join(labels[i:]), rule))
        if found is not None:
            return found
    return None


def waiver_covers(waiver_site: str, site: str) -> bool:
    """Whether a waiver's site (a host or a `*.domain` pattern) covers `site`."""
    if waiver_site.startswith("*."):
        domain = waiver_site[2:]
        return site == domain or site.endswith("." + domain)
    return site == waiver_site
