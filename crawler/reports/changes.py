"""What changed between runs: violation fingerprints, their lifecycle, run diffs and waivers.

A violation's fingerprint is stable across runs: the site, the rule code and the evidence text
after normalisation (NFKC, collapsed whitespace, case-folded). So the same problem on the same site
keeps its identity from night to night, and a changed number is a different problem.

Lifecycle (one record per fingerprint, updated when a run closes): first seen, last seen, fixed at
(the first run in which the site was audited and the violation was gone), reopened (seen again
after being fixed). A diff compares a run with the previous finished run of the same portfolio:
`new` (never seen before), `regressed` (seen before, fixed, back now), `still_open`, `fixed` (gone,
and the site was audited), `unverified` (gone, but the site could not be audited this time) and
`waived` (an active waiver covers site + rule: listed apart and not counted). Only sites both runs
audited are compared: a violation on a site the baseline did not audit (a half run, a site added
since) is neither new nor regressed; the diff counts those sites and violations as not compared.

Re-audit runs today's rules over a stored run's footer snapshots and reports what the rule change
alone changes (`added`, `removed`), without crawling again.

Everything here works through the store's small interface, in batches, so it runs the same over
both backends and keeps memory flat on large runs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crawler.reports.store.base import ReportStore, Run, ViolationRow

__all__ = [
    "AUDITED_STATUSES",
    "CHANGE_KINDS",
    "Lifecycle",
    "NotCompared",
    "ReauditChange",
    "RunDiff",
    "Waiver",
    "active_waivers",
    "diff_runs",
    "fingerprint",
    "is_waived",
    "iter_changes",
    "listed_changes",
    "normalise_evidence",
    "previous_finished_run",
    "reaudit_run",
    "update_lifecycle",
]

# Page statuses where the rules actually looked at the footer: only these can prove a fix.
AUDITED_STATUSES = frozenset({"ok", "needs_review"})
CHANGE_KINDS = ("new", "regressed", "still_open", "fixed", "unverified", "waived")

_SPACE = re.compile(r"\s+")
_BATCH = 500


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


def active_waivers(store: ReportStore, today: date | None = None) -> dict[tuple[str, str], Waiver]:
    """Waivers in force today, keyed by (site, rule)."""
    return {(w.site, w.rule): w for w in store.list_waivers() if w.active(today)}


def is_waived(row: ViolationRow, waivers: dict[tuple[str, str], Waiver]) -> bool:
    return (row.site, row.code) in waivers


def previous_finished_run(store: ReportStore, run: Run) -> Run | None:
    """The latest finished run of the same portfolio that started before `run`."""
    for other in store.list_runs(portfolio=run.portfolio):
        if other.id != run.id and other.status == "finished" and other.started < run.started:
            return other
    return None


def _batches(rows: Iterable[ViolationRow], size: int = _BATCH) -> Iterator[list[ViolationRow]]:
    batch: list[ViolationRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def audited_sites(store: ReportStore, run_id: str) -> set[str]:
    """Sites whose footer the rules read in this run (a fetch failure proves nothing)."""
    return {p.site for p in store.iter_page_meta(run_id) if p.status in AUDITED_STATUSES}


def update_lifecycle(store: ReportStore, run: Run) -> Counter[str]:
    """Fold one closed run into the fingerprints' lifecycle; returns counts of what happened
    (`first_seen`, `seen`, `reopened`, `fixed`). Safe to call twice for the same run."""
    tally: Counter[str] = Counter()
    seen_sites: set[str] = set()
    for batch in _batches(store.iter_violations(run.id)):
        known = store.get_lifecycle([r.fingerprint for r in batch])
        changed: dict[str, Lifecycle] = {}
        for row in batch:
            seen_sites.add(row.site)
            if row.fingerprint in changed:
                continue
            lc = known.get(row.fingerprint)
            if lc is None:
                lc = Lifecycle(row.fingerprint, row.site, row.code, row.evidence,
                               first_seen=run.started, first_run=run.id)
                tally["first_seen"] += 1
            elif lc.fixed_at and lc.fixed_at <= run.started and lc.fixed_run != run.id:
                lc.fixed_at = lc.fixed_run = None
                lc.reopened_at = run.started
                lc.reopen_count += 1
                tally["reopened"] += 1
            else:
                tally["seen"] += 1
            if not lc.last_seen or run.started >= lc.last_seen:
                lc.last_seen, lc.last_run = run.started, run.id
            changed[row.fingerprint] = lc
        store.put_lifecycle(list(changed.values()))
    # Open fingerprints of an audited site that this run did not see are fixed as of this run.
    for site in sorted(audited_sites(store, run.id)):
        open_items = [lc for lc in store.open_lifecycle(site) if lc.last_seen < run.started]
        if not open_items:
            continue
        present = store.fingerprints_present(run.id, [lc.fingerprint for lc in open_items])
        fixed = [lc for lc in open_items if lc.fingerprint not in present]
        for lc in fixed:
            lc.fixed_at, lc.fixed_run = run.started, run.id
        tally["fixed"] += len(fixed)
        if fixed:
            store.put_lifecycle(fixed)
    return tally


@dataclass
class NotCompared:
    """What a diff left out: sites audited in only one of the two runs, and the violations of
    `run` on sites the baseline did not audit."""

    sites: int = 0
    violations: int = 0

    def to_json(self) -> dict[str, int]:
        return {"sites": self.sites, "violations": self.violations}


@dataclass
class RunDiff:
    """Counts of what changed in `run` against `against` (None: no earlier finished run)."""

    run: str
    against: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    not_compared: NotCompared = field(default_factory=NotCompared)

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "against": self.against, "counts": dict(self.counts),
                "not_compared": self.not_compared.to_json()}


def iter_changes(store: ReportStore, run: Run, against: Run | None,
                 today: date | None = None,
                 not_compared: NotCompared | None = None) -> Iterator[tuple[str, ViolationRow]]:
    """Yield (kind, violation) for every violation of `run` and every one of `against` that is
    gone, on the sites both runs audited (plus `unverified` ones). `not_compared`, if given,
    receives what was left out. Streams both runs in batches; only the sets of audited sites are
    held."""
    waivers = active_waivers(store, today)
    skipped = not_compared if not_compared is not None else NotCompared()
    sites = audited_sites(store, run.id)
    baseline_sites = audited_sites(store, against.id) if against else None
    if baseline_sites is not None:
        skipped.sites = len(sites ^ baseline_sites)
    for batch in _batches(store.iter_violations(run.id)):
        prev = (store.fingerprints_present(against.id, [r.fingerprint for r in batch])
                if against else set())
        unseen = [r.fingerprint for r in batch if r.fingerprint not in prev]
        lifecycles = store.get_lifecycle(unseen)
        for row in batch:
            if is_waived(row, waivers):
                yield "waived", row
            elif (baseline_sites is not None and row.site not in baseline_sites
                  and row.fingerprint not in prev):
                skipped.violations += 1  # the baseline never looked at this site
            elif row.fingerprint in prev:
                yield "still_open", row
            else:
                lc = lifecycles.get(row.fingerprint)
                before = lc is not None and lc.first_seen < run.started
                yield ("regressed" if before else "new"), row
    if against is None:
        return
    for batch in _batches(store.iter_violations(against.id)):
        now = store.fingerprints_present(run.id, [r.fingerprint for r in batch])
        for row in batch:
            if row.fingerprint in now or is_waived(row, waivers):
                continue
            yield ("fixed" if row.site in sites else "unverified"), row


def diff_runs(store: ReportStore, run: Run, against: Run | None = None,
              today: date | None = None) -> RunDiff:
    """Count the changes of `run` against `against` (default: the previous finished run)."""
    if against is None:
        against = previous_finished_run(store, run)
    diff = RunDiff(run.id, against.id if against else None)
    for kind, _row in iter_changes(store, run, against, today, diff.not_compared):
        diff.counts[kind] += 1
    return diff


def listed_changes(store: ReportStore, run: Run, against: Run | None,
                   limit: int = 50) -> dict[str, Any]:
    """What changed, as `report diff --json` and the API print it: the counts of every kind and
    at most `limit` violations of each (site, url, rule, severity, evidence, message_zh)."""
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    listed: dict[str, list[dict[str, Any]]] = {k: [] for k in CHANGE_KINDS}
    skipped = NotCompared()
    for kind, row in iter_changes(store, run, against, not_compared=skipped):
        counts[kind] += 1
        if len(listed[kind]) < limit:
            listed[kind].append({"site": row.site, "url": row.url, "rule": row.code,
                                 "severity": row.severity, "evidence": row.evidence,
                                 "message_zh": row.message_zh})
    return {"run": run.id, "against": against.id if against else None, "counts": counts,
            "not_compared": skipped.to_json(), "violations": listed}


# -- re-audit: today's rules over a stored run's footer snapshots --------------------------------
def _expectations(data: dict[str, Any] | None) -> Any:
    """The Expectations the page was audited with (as stored), for today's date."""
    from rules.model import Expectations

    if not data:
        return Expectations()
    names = Expectations.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in names and k != "today"}
    values["disabled"] = frozenset(values.get("disabled") or ())
    values["severity_overrides"] = dict(values.get("severity_overrides") or {})
    return Expectations(**values)


@dataclass
class ReauditChange:
    kind: str  # "added" (today's rules report it, the stored run did not) or "removed"
    site: str
    url: str
    code: str
    severity: str
    evidence: str
    message_zh: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def reaudit_run(store: ReportStore, run: Run, counts: Counter[str] | None = None,
                audit: Any = None) -> Iterator[ReauditChange]:
    """Run today's rules (`rules.audit.audit_page`) over every stored footer snapshot of `run`
    and yield what differs from the stored violations: only the rule change, since the HTML is
    the same. `counts` (if given) receives pages, reaudited, no_snapshot, added, removed,
    unchanged. Nothing is written to the store."""
    if audit is None:
        from rules.audit import audit_page as audit
    from rules.model import PageInput

    counts = counts if counts is not None else Counter()
    for record in store.iter_pages(run.id):
        counts["pages"] += 1
        snapshot = record.get("snapshot")
        if not snapshot or record.get("status") not in AUDITED_STATUSES | {"needs_rendering"}:
            counts["no_snapshot"] += 1
            continue
        counts["reaudited"] += 1
        url = record["url"]
        # As crawler.reports.store.base computes it, so fingerprints match the stored rows.
        site = (record.get("host") or urlsplit(record.get("final_url") or url).hostname
                or "").lower()
        page = PageInput(url=url, html=snapshot, final_url=record.get("final_url"),
                         rendered=bool(record.get("rendered")))
        result = audit(page, _expectations(record.get("expectations")))
        now = {fingerprint(site, v.code, v.evidence): v for v in result.violations}
        before = {fingerprint(site, v.get("code", ""), v.get("evidence")): v
                  for v in record.get("violations") or []}
        for fp, v in now.items():
            if fp in before:
                counts["unchanged"] += 1
            else:
                counts["added"] += 1
                yield ReauditChange("added", site, url, v.code, v.severity, v.evidence,
                                    v.message_zh)
        for fp, v in before.items():
            if fp not in now:
                counts["removed"] += 1
                yield ReauditChange("removed", site, url, v.get("code", ""),
                                    v.get("severity", ""), v.get("evidence", ""),
                                    v.get("message_zh", ""))
