"""Which running runs are dead: a crawl killed outright (SIGKILL, a power cut) never closes its run.

A running run records its writer (`host:pid:start`, the process's start time in clock ticks from
/proc, so a reused pid is not taken for the crawl) and a heartbeat the writer refreshes every
`HEARTBEAT_INTERVAL` seconds. Any later command that opens the store (`footer-audit run`, every
`footer-audit report` command) calls `mark_dead_runs`: a run whose writer process is gone from
this host, or whose heartbeat is older than `STALE_AFTER` (a writer on another host), is closed
as `incomplete` with a note saying so. A writer that comes back after all (its spool replayed
later) may still close the run with the status it reached
(`crawler.reports.store.writer.close_run`).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from crawler.reports.store.base import ABANDONED_NOTE, ReportStore, Run, parse_time

__all__ = ["ABANDONED_NOTE", "HEARTBEAT_INTERVAL", "STALE_AFTER", "is_dead", "mark_dead_runs",
           "this_worker", "worker_gone"]

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30.0  # seconds between heartbeats of a running run
STALE_AFTER = 300.0  # a run of another host with no heartbeat for this long is dead


def _start_ticks(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat), None when there is no such process
    or no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return stat.rsplit(")", 1)[-1].split()[19]


def this_worker() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or ''}"


def worker_gone(worker: str) -> bool | None:
    """True when the worker ran on this host and its process is gone; None when it cannot tell
    (another host, no /proc)."""
    host, _, rest = worker.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if ticks and Path("/proc/self/stat").exists():
        return _start_ticks(pid) != ticks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def is_dead(run: Run, now: datetime | None = None) -> bool:
    """A running run whose writer is gone (this host) or silent for STALE_AFTER (elsewhere)."""
    if run.status != "running":
        return False
    gone = worker_gone(run.worker) if run.worker else None
    if gone is not None:
        return gone
    now = now or datetime.now(UTC)
    last = parse_time(run.heartbeat or run.started)
    return (now - last).total_seconds() > STALE_AFTER


def mark_dead_runs(store: ReportStore) -> list[Run]:
    """Close every dead running run as `incomplete` (counts and lifecycle of what it stored);
    returns them. A store that fails midway leaves the rest for the next command."""
    from crawler.reports.store.writer import close_run

    closed = []
    for run in store.list_runs():
        if not is_dead(run):
            continue
        since = run.heartbeat or run.started
        note = f"{ABANDONED_NOTE} (killed or lost; last sign of life {since[:19]}Z)"
        closed.append(close_run(store, run.id, "incomplete", finished=since, note=note))
        logger.warning("run %s: %s; marked incomplete", run.id, note)
    return closed
