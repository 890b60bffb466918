"""What the dashboard's pages show, gathered from the report store (no HTTP here).

The latest state of a site is its pages in the newest closed run that audited it: per portfolio,
the newest nightly run (else the newest closed run), then every closed run since (a site crawled
again from the dashboard, an on-demand run) over it. Each run is read once, summed per site by the
store (`ReportStore.run_sites`) and kept while the run stays as it is, so the overview of
thousands of sites costs a few queries, never a read per violation. Waivers in force today are
applied to those sums on every request: a waived (site, rule) is not open.

Colours, the worst first: `errors` (an open error), `warnings` (open warnings or notes),
`review` (a page needs a human: needs_review, needs_rendering), `clean`, and `unreachable` (no
page of the site could be audited: DNS, TLS, timeouts, HTTP errors, blocked).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from crawler.api.dashboard.chart import Chart, bar_chart
from crawler.reports.changes import CHANGE_KINDS, NotCompared, iter_changes, previous_finished_run
from crawler.reports.lifecycle import Waiver, waiver_covers, waiver_for
from crawler.reports.store.base import ReportStore, Run, SiteState, active_waivers
from rules.model import AUDITED_STATUSES

__all__ = [
    "COLOURS",
    "OrgView",
    "SiteView",
    "changes_of",
    "latest_states",
    "overview",
    "run_summary",
    "site_history",
    "trend",
]

COLOURS = ("errors", "warnings", "review", "clean", "unreachable")
TREND_RUNS = 30
RECENT_RUNS = 400  # runs looked at for the latest states (30 nightly runs and their re-crawls)
EXPIRING_DAYS = 14
_REVIEW_STATUSES = frozenset({"needs_review", "needs_rendering"})


@dataclass
class SiteView:
    state: SiteState
    run_id: str
    colour: str
    open: dict[tuple[str, str], int]  # (rule, severity) -> open violations
    waived: int
    open_count: int = 0
    href: str = ""  # the site's page, relative to the dashboard

    def __post_init__(self) -> None:
        # Computed once: the overview prints thousands of these.
        self.open_count = sum(self.open.values())
        self.href = "site/" + quote(self.state.site, safe="")

    @property
    def site(self) -> str:
        return self.state.site

    @property
    def org(self) -> str:
        return self.state.org

    def severity(self, severity: str) -> int:
        return sum(n for (_code, sev), n in self.open.items() if sev == severity)


@dataclass
class OrgView:
    name: str
    sites: list[SiteView] = field(default_factory=list)

    @property
    def colours(self) -> Counter[str]:
        return Counter(s.colour for s in self.sites)

    @property
    def owners(self) -> dict[str, list[str]]:
        owners: dict[str, list[str]] = {}
        for s in self.sites:
            owners.setdefault(s.state.owner or "—", []).append(s.site)
        return owners

    @property
    def open_count(self) -> int:
        return sum(s.open_count for s in self.sites)


def closed_runs(store: ReportStore, limit: int = RECENT_RUNS) -> list[Run]:
    """Runs that ended (finished or incomplete), newest first."""
    return [r for r in store.list_runs(limit=limit) if r.status != "running"]


def _base_runs(runs: list[Run]) -> list[Run]:
    """Per portfolio, its newest nightly run (else its newest run) and every run since, oldest
    first: applied in that order, a later run's view of a site replaces an earlier one."""
    by_portfolio: dict[str, list[Run]] = {}
    for run in runs:
        by_portfolio.setdefault(run.portfolio, []).append(run)
    chosen: list[Run] = []
    for items in by_portfolio.values():
        nightly = [r for r in items if r.trigger == "nightly"]
        base = nightly[0] if nightly else items[-1]
        chosen.extend(r for r in items if r.started >= base.started)
    return sorted(chosen, key=lambda r: (r.started, r.id))


def _colour(state: SiteState, open_: dict[tuple[str, str], int]) -> str:
    audited = any(s in AUDITED_STATUSES or s in _REVIEW_STATUSES for s in state.statuses)
    if not audited:
        return "unreachable"
    if any(sev == "error" and n for (_c, sev), n in open_.items()):
        return "errors"
    if any(n for n in open_.values()):
        return "warnings"
    if any(s in _REVIEW_STATUSES for s in state.statuses):
        return "review"
    return "clean"


def site_view(state: SiteState, run_id: str,
              waivers: dict[tuple[str, str], Waiver]) -> SiteView:
    open_: dict[tuple[str, str], int] = {}
    waived = 0
    for (code, severity), n in state.violations.items():
        if waiver_for(state.site, code, waivers) is not None:
            waived += n
        else:
            open_[(code, severity)] = n
    return SiteView(state, run_id, _colour(state, open_), open_, waived)


class _ClosedRunSites:
    """`run_sites` of closed runs, kept for the next request: a closed run's pages no longer
    change, and when they do (a spool replayed late, a run closed again) its counts, status or
    end time change too, which is part of the key. A few runs at most (each a few MB for
    thousands of sites)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], list[SiteState]] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, store: ReportStore, run: Run) -> list[SiteState]:
        if run.status == "running":
            return store.run_sites(run.id)
        key = (store.ident, run.id, run.status, run.finished, run.note,
               tuple(sorted(run.counts.items())))
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        states = store.run_sites(run.id)
        with self._lock:
            self._items[key] = states
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return states


run_sites = _ClosedRunSites()


def latest_states(store: ReportStore, org: str | None = None,
                  runs: list[Run] | None = None) -> list[SiteView]:
    """Every site's latest state (of one organisation), by organisation then site."""
    runs = closed_runs(store) if runs is None else runs
    latest: dict[str, tuple[SiteState, str]] = {}
    for run in _base_runs(runs):
        for state in run_sites.get(store, run):
            if org is None or state.org == org:
                latest[state.site] = (state, run.id)
    waivers = active_waivers(store)
    views = [site_view(state, run_id, waivers) for state, run_id in latest.values()]
    return sorted(views, key=lambda v: (v.org, v.site))


def by_org(views: list[SiteView]) -> list[OrgView]:
    orgs: dict[str, OrgView] = {}
    for view in views:
        orgs.setdefault(view.org, OrgView(view.org)).sites.append(view)
    return list(orgs.values())


def rule_counts(views: list[SiteView]) -> list[dict[str, Any]]:
    """Open violations per rule: its severity, the violations and the sites, most first."""
    rules: dict[str, dict[str, Any]] = {}
    for view in views:
        for (code, severity), n in view.open.items():
            item = rules.setdefault(code, {"code": code, "severity": severity,
                                           "violations": 0, "sites": 0})
            item["violations"] += n
            item["sites"] += 1
    return sorted(rules.values(), key=lambda r: (-r["violations"], r["code"]))


def trend_runs(runs: list[Run], limit: int = TREND_RUNS) -> list[Run]:
    """The last nightly runs, oldest first (every closed run if there is no nightly one)."""
    nightly = [r for r in runs if r.trigger == "nightly"] or runs
    return list(reversed(nightly[:limit]))


def trend(store: ReportStore, runs: list[Run], org: str | None = None) -> Chart | None:
    """Open violations per run: the count the run kept when it closed (waivers of that day
    applied); for one organisation, its rows in the run."""
    points = []
    for run in trend_runs(runs):
        if org is None:
            value = int(run.counts.get("violations", 0))
        else:
            value = store.count_violations(run.id, org)
        points.append((run.id, run.started, value))
    return bar_chart(points)


def overview(store: ReportStore, org: str | None = None) -> dict[str, Any]:
    runs = closed_runs(store)
    views = latest_states(store, org, runs)
    return {"orgs": by_org(views), "colour_counts": Counter(v.colour for v in views),
            "rules": rule_counts(views), "chart": trend(store, runs, org),
            "latest_run": runs[0] if runs else None, "sites": len(views)}


def changes_of(store: ReportStore, run: Run, against: Run | None, org: str | None = None,
               limit: int = 50) -> dict[str, Any]:
    """What changed in `run` against `against` (of one organisation): counts per kind and up to
    `limit` violations of each."""
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    listed: dict[str, list[Any]] = {k: [] for k in CHANGE_KINDS}
    skipped = NotCompared()
    for kind, row in iter_changes(store, run, against, not_compared=skipped, org=org):
        counts[kind] += 1
        if len(listed[kind]) < limit:
            listed[kind].append(row)
    return {"run": run, "against": against, "counts": counts, "listed": listed,
            "not_compared": skipped}


def night_before(store: ReportStore, runs: list[Run]) -> tuple[Run | None, Run | None]:
    """The newest nightly run (else the newest closed run) and the finished run before it."""
    nightly = [r for r in runs if r.trigger == "nightly"] or runs
    if not nightly:
        return None, None
    run = nightly[0]
    return run, previous_finished_run(store, run)


def expiring(waivers: list[Waiver], sites: set[str] | None, today: date | None = None,
             days: int = EXPIRING_DAYS) -> list[Waiver]:
    """Active waivers (on these sites) that lapse within `days`."""
    today = today or date.today()
    return [w for w in waivers if w.active(today) and w.until is not None
            and w.until <= today + timedelta(days=days)
            and (sites is None or any(waiver_covers(w.site, site) for site in sites))]


def run_summary(store: ReportStore, run: Run, org: str | None = None) -> dict[str, Any]:
    """A run's pages by status, open violations by severity, organisation and rule (of one
    organisation), from its per-site sums."""
    waivers = active_waivers(store)
    views = [site_view(state, run.id, waivers) for state in store.run_sites(run.id)
             if org is None or state.org == org]
    statuses: Counter[str] = Counter()
    severity: Counter[str] = Counter()
    orgs: dict[str, Counter[str]] = {}
    for view in views:
        statuses.update(view.state.statuses)
        per_org = orgs.setdefault(view.org, Counter())
        per_org["sites"] += 1
        for (_code, sev), n in view.open.items():
            severity[sev] += n
            per_org[sev] += n
            per_org["violations"] += n
        per_org["waived"] += view.waived
    return {"pages": sum(statuses.values()), "statuses": dict(sorted(statuses.items())),
            "severity": severity, "orgs": orgs, "rules": rule_counts(views),
            "violations": sum(severity.values()), "waived": sum(v.waived for v in views),
            "sites": len(views)}


def site_history(store: ReportStore, site: str, runs: int = 30) -> list[dict[str, Any]]:
    """One entry per run that audited the site, newest first: pages, violations, statuses."""
    by_run: dict[str, dict[str, Any]] = {}
    for e in store.site_history(site):
        item = by_run.get(e["run_id"])
        if item is None:
            if len(by_run) >= runs:
                break
            item = by_run[e["run_id"]] = {"run_id": e["run_id"], "started": e["started"],
                                          "pages": [], "violations": 0, "statuses": Counter()}
        item["pages"].append(e)
        item["violations"] += int(e.get("violations") or 0)
        item["statuses"][e["status"]] += 1
    return list(by_run.values())
