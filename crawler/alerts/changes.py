"""What an alert tells: the changes of one run against the previous finished run, per owner.

Reuses `crawler.reports.changes.iter_changes` (new, regressed, fixed; still-open and unverified
violations are not news) and adds two kinds it does not know:
- `waiver_lapsed`: a violation of this run whose waiver ran out since the previous run (it was
  hidden yesterday, it counts again today);
- `unreachable`: a site the previous run audited and this run could not fetch at all.

Items are grouped by owner (the domain's owner, else the organisation's, else the
organisation's name), counted in full and kept only as the `keep` worst per owner, so a run with
100,000 new violations still makes a short message and a flat memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.fetch.statuses import FETCH_FAILURES
from crawler.reports.changes import AUDITED_STATUSES, iter_changes, previous_finished_run

if TYPE_CHECKING:
    from crawler.reports.store.base import ReportStore, Run, ViolationRow

__all__ = ["ALERT_KINDS", "AlertItem", "OwnerChanges", "RunChanges", "collect_changes",
           "owner_of"]

# Most urgent first: the order of counts and of the worst items.
ALERT_KINDS = ("regressed", "new", "unreachable", "waiver_lapsed", "fixed")
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
NO_OWNER = "(未指定负责人)"


def owner_of(owner: str, org: str) -> str:
    return owner or org or NO_OWNER


@dataclass(frozen=True)
class AlertItem:
    kind: str
    site: str
    url: str
    code: str = ""  # empty for an unreachable site
    severity: str = ""
    message_zh: str = ""
    evidence: str = ""
    org: str = ""

    @property
    def rank(self) -> tuple[int, int, str, str]:
        return (ALERT_KINDS.index(self.kind), _SEVERITY_RANK.get(self.severity, 3), self.site,
                self.code)

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class OwnerChanges:
    owner: str
    orgs: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    worst: list[AlertItem] = field(default_factory=list)

    def add(self, item: AlertItem, keep: int) -> None:
        self.counts[item.kind] += 1
        if item.org:
            self.orgs.add(item.org)
        self.worst.append(item)
        if len(self.worst) > 4 * keep:  # prune now and then: memory stays flat
            self.worst = sorted(self.worst, key=lambda i: i.rank)[:keep]

    def finish(self, keep: int) -> None:
        self.worst = sorted(self.worst, key=lambda i: i.rank)[:keep]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {"owner": self.owner, "orgs": sorted(self.orgs),
                "counts": {k: self.counts.get(k, 0) for k in ALERT_KINDS},
                "items": [i.to_json() for i in self.worst]}


@dataclass
class RunChanges:
    portfolio: str
    run_id: str
    against: str | None
    status: str
    note: str = ""
    owners: dict[str, OwnerChanges] = field(default_factory=dict)

    def counts(self, owners: list[OwnerChanges] | None = None) -> Counter[str]:
        total: Counter[str] = Counter()
        for group in owners if owners is not None else self.owners.values():
            total.update(group.counts)
        return total

    @property
    def empty(self) -> bool:
        return not any(g.total for g in self.owners.values())


def _item(kind: str, row: ViolationRow) -> AlertItem:
    return AlertItem(kind, row.site, row.url, row.code, row.severity, row.message_zh,
                     row.evidence, row.org)


@dataclass
class _Site:
    audited: bool  # the rules read a footer on some page
    failed: bool  # every page failed to be fetched
    url: str
    owner: str
    org: str


def _sites(store: ReportStore, run_id: str) -> dict[str, _Site]:
    sites: dict[str, _Site] = {}
    for meta in store.iter_page_meta(run_id):
        site = sites.setdefault(meta.site, _Site(False, True, meta.url, meta.owner, meta.org))
        site.audited = site.audited or meta.status in AUDITED_STATUSES
        site.failed = site.failed and meta.status in FETCH_FAILURES
    return sites


def collect_changes(store: ReportStore, run: Run, *, keep: int = 5,
                    today: date | None = None) -> RunChanges:
    """The changes of `run` against the previous finished run of its portfolio."""
    against = previous_finished_run(store, run)
    changes = RunChanges(run.portfolio, run.id, against.id if against else None, run.status,
                         run.note)

    def group(owner: str, org: str) -> OwnerChanges:
        key = owner_of(owner, org)
        return changes.owners.setdefault(key, OwnerChanges(key))

    reported: set[str] = set()
    for kind, row in iter_changes(store, run, against, today):
        if kind in ("new", "regressed", "fixed"):
            group(row.owner, row.org).add(_item(kind, row), keep)
            reported.add(row.fingerprint)
    if against is not None:
        today = today or date.today()
        since = date.fromisoformat(against.started[:10])
        for waiver in store.list_waivers():
            if waiver.until is None or not since < waiver.until <= today:
                continue
            for row in store.find_violations(run.id, site=waiver.site, rule=waiver.rule):
                if row.fingerprint not in reported:
                    reported.add(row.fingerprint)
                    group(row.owner, row.org).add(_item("waiver_lapsed", row), keep)
        before = _sites(store, against.id)
        for name, site in sorted(_sites(store, run.id).items()):
            if site.failed and name in before and before[name].audited:
                group(site.owner, site.org).add(
                    AlertItem("unreachable", name, site.url, org=site.org), keep)
    for owner_changes in changes.owners.values():
        owner_changes.finish(keep)
    return changes
