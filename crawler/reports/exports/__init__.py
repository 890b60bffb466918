"""Exports of one stored run: CSV (one row per violation), JSON and a self-contained HTML report.

Every export streams from the store in batches and writes as it goes, so memory stays flat
however many violations the run has.
"""

from __future__ import annotations

from crawler.reports.exports.csv_report import CSV_COLUMNS, write_csv
from crawler.reports.exports.html_report import write_html
from crawler.reports.exports.json_report import write_json
from crawler.reports.exports.rows import ExportRow, iter_export_rows

__all__ = [
    "CSV_COLUMNS",
    "EXPORTERS",
    "ExportRow",
    "iter_export_rows",
    "write_csv",
    "write_html",
    "write_json",
]

EXPORTERS = {"csv": write_csv, "json": write_json, "html": write_html}
