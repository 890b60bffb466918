"""JSON export: the run, its summary and changes, every violation and every page, streamed.

    {"run": {...}, "against": "RUN"|null, "summary": {...}, "changes": {...},
     "violations": [{...ViolationRow, "status", "first_seen"}, ...],
     "pages": [{page record without the snapshot}, ...]}
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import IO, Any

from crawler.reports.changes import diff_runs, previous_finished_run
from crawler.reports.exports.rows import iter_export_rows
from crawler.reports.store.base import ReportStore, Run, active_waivers, summarise_run

__all__ = ["write_json"]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def write_json(store: ReportStore, run: Run, out: str | Path | IO[str], *,
               today: date | None = None) -> int:
    """Write the run as one JSON document; returns the number of violations written."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8") as fh:
            return write_json(store, run, fh, today=today)
    against = previous_finished_run(store, run)
    summary = summarise_run(store, run.id, active_waivers(store, today))
    changes = diff_runs(store, run, against, today)
    out.write("{\n" + f'"run": {_dump(run.to_json())},\n')
    out.write(f'"against": {_dump(against.id if against else None)},\n')
    out.write(f'"summary": {_dump(summary)},\n"changes": {_dump(changes.counts)},\n')
    out.write('"violations": [')
    n = 0
    for item in iter_export_rows(store, run, against=against, today=today):
        row = item.row.to_json()
        row.update(status=item.status, first_seen=item.first_seen)
        out.write(("\n" if n == 0 else ",\n") + _dump(row))
        n += 1
    out.write('\n],\n"pages": [')
    for i, page in enumerate(store.iter_pages(run.id)):
        page.pop("snapshot", None)
        out.write(("\n" if i == 0 else ",\n") + _dump(page))
    out.write("\n]\n}\n")
    return n
