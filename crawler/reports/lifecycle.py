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
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

__all__ = [
    "Lifecycle",
    "Waiver",
    "fingerprint",
    "normalise_evidence",
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
        return dict(vars(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lifecycle:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Waiver:
    """A suppressed site + rule, active strictly before `until` (on that day it is back)."""

    site: str
    rule: str
    reason: str
    owner: str = ""
    until: date | None = None
    created: str = ""

    def active(self, today: date | None = None) -> bool:
        return self.until is None or (today or date.today()) < self.until

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["until"] = self.until.isoformat() if self.until else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Waiver:
        until = data.get("until")
        return cls(site=data["site"], rule=data["rule"], reason=data.get("reason", ""),
                   owner=data.get("owner") or "", created=data.get("created") or "",
                   until=date.fromisoformat(until) if until else None)
