"""CSV export: one row per violation, UTF-8 with a BOM (so Excel shows Chinese), RFC 4180
quoting (fields with commas, quotes or line breaks are quoted; quotes doubled; CRLF rows).

Cells taken from web pages that begin with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so a
spreadsheet shows them as text instead of running them as formulas (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import IO

from crawler.reports.exports.rows import iter_export_rows
from crawler.reports.store.base import ReportStore, Run

__all__ = ["CSV_COLUMNS", "write_csv"]

CSV_COLUMNS = ("run", "organisation", "owner", "site", "url", "rule", "severity", "message_zh",
               "message", "evidence", "first_seen", "status")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(store: ReportStore, run: Run, out: str | Path | IO[str], *,
              today: date | None = None) -> int:
    """Write the run's violations as CSV to a path or a text stream; returns rows written.
    A stream should be opened with newline="" (the BOM is written here either way)."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return write_csv(store, run, fh, today=today)
    out.write("\ufeff")
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for item in iter_export_rows(store, run, today=today):
        r = item.row
        writer.writerow((run.id, _text(r.org), _text(r.owner), r.site, r.url, r.code, r.severity,
                         _text(r.message_zh), _text(r.message), _text(r.evidence),
                         item.first_seen, item.status))
        n += 1
    return n
