"""Closing a run: its counts, its final status and note, and the violations' lifecycle folded in.

`close_run` is how every path ends a run: the writer at the end of a crawl, a spool or journal
replayed later (`crawler.reports.store.spool`), a dead run found by a later command
(`crawler.reports.store.liveness`). Closing is idempotent, so a replay closes a run once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

from crawler.reports.lifecycle import Lifecycle
from crawler.reports.store.base import (
    ABANDONED_NOTE,
    ReportStore,
    Run,
    StoreUnavailable,
    audited_sites,
    batches,
    run_counts,
    summarise_run,
    utc_now,
)

__all__ = ["close_run", "lost_pages_note", "update_lifecycle"]

_SITES_NAMED = 10


def lost_pages_note(lost: int, expected: int, missing: Sequence[str] = ()) -> str:
    """The run's note when the store holds fewer pages than the run wrote."""
    note = (f"the store lost {lost} of {expected} page(s) written during the run (a Redis "
            "restarted without persistence?)")
    sites = sorted({(urlsplit(u).hostname or u) for u in missing})
    if sites:
        more = f" and {len(sites) - _SITES_NAMED} more" if len(sites) > _SITES_NAMED else ""
        note += f"; sites missing: {', '.join(sites[:_SITES_NAMED])}{more}"
    return note


def close_run(store: ReportStore, run_id: str, status: str, finished: str | None = None, *,
              note: str = "", expected: int | None = None,
              missing: Sequence[str] = ()) -> Run:
    """Finish a run: store its counts, status and note, and fold it into the violations'
    lifecycle. A run that is already closed keeps its first status (replays are idempotent),
    except one a later command found abandoned. `expected` is the number of distinct pages the
    run wrote: a store holding fewer makes the run incomplete (`missing`: their URLs, if known)."""
    run = store.get_run(run_id)
    if run is None:
        raise StoreUnavailable(f"run {run_id} is not in the store")
    if run.status == "running" or run.note.startswith(ABANDONED_NOTE):
        run.status = status
        run.finished = finished or utc_now()
        run.note = note
    summary = summarise_run(store, run_id)
    run.counts = run_counts(summary)
    if expected is not None and summary["pages"] < expected:
        lost = expected - summary["pages"]
        run.counts["pages_expected"], run.counts["pages_lost"] = expected, lost
        run.status = "incomplete"
        lost_note = lost_pages_note(lost, expected, missing)
        if lost_note not in run.note:
            run.note = f"{run.note}; {lost_note}" if run.note else lost_note
    store.update_run(run)
    update_lifecycle(store, run)
    return run


def update_lifecycle(store: ReportStore, run: Run) -> Counter[str]:
    """Fold one closed run into the fingerprints' lifecycle; returns counts of what happened
    (`first_seen`, `seen`, `reopened`, `fixed`). Safe to call twice for the same run."""
    tally: Counter[str] = Counter()
    seen_sites: set[str] = set()
    for batch in batches(store.iter_violations(run.id)):
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
