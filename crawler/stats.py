"""Crawl stats the report pipeline sets and the command line reads when the crawl has ended.

The pipeline (floor 3) and the commands (floor 2) share the names here, so `crawler/` never
imports `pipelines/`.
"""

from __future__ import annotations

__all__ = ["RUN_NOTE_STAT", "RUN_STATUS_STAT", "SPOOL_FILES_STAT", "STORE_OUTCOME_STAT"]

RUN_STATUS_STAT = "footer_audit/run_status"  # the run's final status in the store
# Where the results went: `stored`, `spooled` (a spool file for `report replay`), `failed`.
STORE_OUTCOME_STAT = "footer_audit/store/outcome"
RUN_NOTE_STAT = "footer_audit/run_note"  # why the run is incomplete (or what was repaired)
SPOOL_FILES_STAT = "footer_audit/store/spool_files"
