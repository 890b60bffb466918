"""Violation rows as exports show them: with their status against the previous finished run
(`new`, `open`, or `waived`) and the date they were first seen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from crawler.reports.changes import previous_finished_run
from crawler.reports.store.base import (
    ReportStore,
    Run,
    ViolationRow,
    active_waivers,
    batches,
    is_waived,
)

__all__ = ["ExportRow", "iter_export_rows"]


@dataclass(frozen=True)
class ExportRow:
    row: ViolationRow
    status: str  # "new" (not in the previous finished run), "open" (was there too), "waived"
    first_seen: str  # ISO time of the first run that showed it


def iter_export_rows(store: ReportStore, run: Run, *, against: Run | None = None,
                     today: date | None = None) -> Iterator[ExportRow]:
    """Every violation of `run` in export order, looked up against `against` (default: the
    previous finished run of the same portfolio) a batch at a time."""
    if against is None:
        against = previous_finished_run(store, run)
    waivers = active_waivers(store, today)
    for batch in batches(store.iter_violations(run.id)):
        fps = [r.fingerprint for r in batch]
        prev = store.fingerprints_present(against.id, fps) if against else set()
        lifecycle = store.get_lifecycle(fps)
        for r in batch:
            lc = lifecycle.get(r.fingerprint)
            first = lc.first_seen if lc and lc.first_seen else run.started
            if is_waived(r, waivers):
                status = "waived"
            else:
                status = "open" if r.fingerprint in prev else "new"
            yield ExportRow(r, status, first)
