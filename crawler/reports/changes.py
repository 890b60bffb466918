"""What changed between runs: run diffs, with waivers applied, and re-audits of stored runs.

Violations are compared by fingerprint, and their history is the fingerprints' lifecycle
(`crawler.reports.lifecycle`; folded in when a run closes, `crawler.reports.store.closing`). A
diff compares a run with the previous finished run of the same portfolio:
`new` (never seen before), `regressed` (seen before, fixed, back now), `still_open`, `fixed` (gone,
and the site was audited), `unverified` (gone, but the site could not be audited this time) and
`waived` (an active waiver covers site + rule: listed apart and not counted). Only sites both runs
audited are compared: a violation on a site the baseline did not audit (a half run, a site added
since) is neither new nor regressed; the diff counts those sites and violations as not compared.

Re-audit runs today's rules over a stored run's footer snapshots and reports what the rule change
alone changes (`added`, `removed`), without crawling again.

Everything here works through the store's small interface, in batches, so it runs the same over
both backends and keeps memory flat on large runs. It stands above the store: the store never
imports it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from crawler.reports.lifecycle import fingerprint
from crawler.reports.store.base import (
    ReportStore,
    Run,
    ViolationRow,
    active_waivers,
    audited_sites,
    batches,
    is_waived,
)
from rules.model import AUDITED_STATUSES, Expectations, PageInput, PageStatus

__all__ = [
    "CHANGE_KINDS",
    "NotCompared",
    "ReauditChange",
    "RunDiff",
    "diff_runs",
    "iter_changes",
    "listed_changes",
    "previous_finished_run",
    "reaudit_run",
]

# Page statuses where the rules actually looked at the footer (rules.model.AUDITED_STATUSES):
# only these can prove a fix. A page that needs rendering was read too: re-audit runs over it.
REAUDITABLE = AUDITED_STATUSES | {PageStatus.NEEDS_RENDERING}
CHANGE_KINDS = ("new", "regressed", "still_open", "fixed", "unverified", "waived")


def previous_finished_run(store: ReportStore, run: Run) -> Run | None:
    """The latest finished run of the same portfolio that started before `run`."""
    for other in store.list_runs(portfolio=run.portfolio):
        if other.id != run.id and other.status == "finished" and other.started < run.started:
            return other
    return None


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


def _violations(store: ReportStore, run_id: str, org: str | None) -> Iterable[ViolationRow]:
    return store.iter_violations(run_id) if org is None else store.find_violations(run_id,
                                                                                   org=org)


def iter_changes(store: ReportStore, run: Run, against: Run | None,
                 today: date | None = None,
                 not_compared: NotCompared | None = None,
                 org: str | None = None) -> Iterator[tuple[str, ViolationRow]]:
    """Yield (kind, violation) for every violation of `run` and every one of `against` that is
    gone, on the sites both runs audited (plus `unverified` ones). `not_compared`, if given,
    receives what was left out; `org` keeps one organisation's violations (read through the
    store's index of it). Streams both runs in batches; only the sets of audited sites are
    held."""
    waivers = active_waivers(store, today)
    skipped = not_compared if not_compared is not None else NotCompared()
    sites = audited_sites(store, run.id)
    baseline_sites = audited_sites(store, against.id) if against else None
    if baseline_sites is not None:
        skipped.sites = len(sites ^ baseline_sites)
    for batch in batches(_violations(store, run.id, org)):
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
    for batch in batches(_violations(store, against.id, org)):
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
def _expectations(data: dict[str, Any] | None) -> Expectations:
    """The Expectations the page was audited with (as stored), for today's date."""
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
        # Loaded here, not with the module: every `footer-audit` command imports this module,
        # and the HTML parser behind the rules is only needed by `report reaudit`.
        from rules.audit import audit_page as audit

    counts = counts if counts is not None else Counter()
    for record in store.iter_pages(run.id):
        counts["pages"] += 1
        snapshot = record.get("snapshot")
        if not snapshot or record.get("status") not in REAUDITABLE:
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
