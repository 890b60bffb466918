"""Crawl stats the spider, the pipelines and the extensions set, and the command line reads when
the crawl has ended (its figures and exit status come from them, never from an extension).

The pipelines and spiders (floor 3) and the commands (floor 2) share the names here, so
`crawler/` never imports `pipelines/` or `spiders/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "PAGES_STAT",
    "PORTFOLIO_VIOLATIONS_STAT",
    "RUN_ID_STAT",
    "RUN_NOTE_STAT",
    "RUN_STATUS_STAT",
    "SITES_DONE_STAT",
    "SITES_TOTAL_STAT",
    "SPOOL_FILES_STAT",
    "STORE_OUTCOME_STAT",
    "VIOLATIONS_STAT",
    "audited_pages",
    "error_violations",
]

# Sites (portfolio domains and apps) to do, and those whose homepage got an answer.
SITES_TOTAL_STAT = "footer_audit/sites_total"
SITES_DONE_STAT = "footer_audit/sites_done"
# Audited pages by status: PAGES_STAT + "/ok"... (pipelines/audit.py).
PAGES_STAT = "footer_audit/pages"
# Page violations by severity: VIOLATIONS_STAT + "/error"... (pipelines/audit.py).
VIOLATIONS_STAT = "footer_audit/violations"
# Portfolio-wide violations by severity, + "/error"... (crawler/portfolio/findings.py).
PORTFOLIO_VIOLATIONS_STAT = "footer_audit/portfolio_violations"

RUN_ID_STAT = "footer_audit/run_id"  # the run's id in the store
RUN_STATUS_STAT = "footer_audit/run_status"  # the run's final status in the store
# Where the results went: `stored`, `spooled` (a spool file for `report replay`), `failed`.
STORE_OUTCOME_STAT = "footer_audit/store/outcome"
RUN_NOTE_STAT = "footer_audit/run_note"  # why the run is incomplete (or what was repaired)
SPOOL_FILES_STAT = "footer_audit/store/spool_files"


def audited_pages(stats: Mapping[str, Any]) -> int:
    """Pages audited, whatever their status."""
    prefix = PAGES_STAT + "/"
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix))


def error_violations(stats: Mapping[str, Any]) -> int:
    """Violations of severity error, on pages and across the portfolio."""
    return int(stats.get(f"{VIOLATIONS_STAT}/error", 0)) + int(
        stats.get(f"{PORTFOLIO_VIOLATIONS_STAT}/error", 0))
