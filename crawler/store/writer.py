"""Writes one run's results as they arrive, and never loses one.

`RunWriter` opens the run, stores each page, and closes the run with its status. While the store
is unreachable, operations go to a spool file (`crawler.store.spool`); every later write first
tries to drain the spool (at most once per `retry_interval` seconds), and `close()` tries once
more. What is still spooled at the end stays on disk with a warning naming the file and the
command that replays it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from crawler.changes import update_lifecycle
from crawler.store.base import (
    ReportStore,
    Run,
    StoreUnavailable,
    run_counts,
    summarise_run,
    utc_now,
)
from crawler.store.spool import Spool

__all__ = ["RunWriter", "close_run"]

logger = logging.getLogger(__name__)


def close_run(store: ReportStore, run_id: str, status: str, finished: str | None = None) -> Run:
    """Finish a run: store its counts and status, and fold it into the violations' lifecycle.
    A run that is already closed keeps its first status (replays are idempotent)."""
    run = store.get_run(run_id)
    if run is None:
        raise StoreUnavailable(f"run {run_id} is not in the store")
    if run.status == "running":
        run.status = status
        run.finished = finished or utc_now()
    run.counts = run_counts(summarise_run(store, run_id))
    store.update_run(run)
    update_lifecycle(store, run)
    return run


class RunWriter:
    def __init__(self, store: ReportStore, run: Run, spool_path: Path,
                 retry_interval: float = 5.0) -> None:
        self.store = store
        self.run = run
        self.spool = Spool(spool_path)
        self.retry_interval = retry_interval
        self.written = 0  # pages written to the store
        self.spooled = 0  # pages written to the spool (some may have been drained since)
        self._next_try = 0.0
        self._warned = False

    def _lost_store(self, exc: StoreUnavailable) -> None:
        self._next_try = time.monotonic() + self.retry_interval
        if not self._warned:
            logger.warning("report store unavailable (%s); keeping results in %s until it is "
                           "back", exc, self.spool.path)
            self._warned = True

    def _drain(self, *, force: bool = False) -> bool:
        """Replay the spool if it has anything; True when the store is usable now."""
        if not self.spool:
            return True
        if not force and time.monotonic() < self._next_try:
            return False
        try:
            pages = self.spool.replay(self.store, close_run)
        except StoreUnavailable as exc:
            self._lost_store(exc)
            return False
        self.written += pages
        if self._warned:
            logger.warning("report store is back: %d spooled page(s) written", pages)
            self._warned = False
        return True

    def open(self) -> None:
        try:
            self.store.create_run(self.run)
        except StoreUnavailable as exc:
            self.spool.append("run", run=self.run.to_json())
            self._lost_store(exc)

    def write(self, record: dict[str, Any]) -> None:
        if self._drain():
            try:
                self.store.put_page(self.run.id, record)
                self.written += 1
                return
            except StoreUnavailable as exc:
                # The spool must recreate the run too: the store may come back empty.
                self.spool.append("run", run=self.run.to_json())
                self._lost_store(exc)
        if not self.spool:
            self.spool.append("run", run=self.run.to_json())
        self.spool.append("page", run_id=self.run.id, record=record)
        self.spooled += 1

    def close(self, status: str) -> Run | None:
        """Close the run as `status`; returns the stored run, or None if it stays spooled."""
        finished = utc_now()
        try:
            if self._drain(force=True):
                self.run = close_run(self.store, self.run.id, status, finished)
                self.spool.close()
                return self.run
        except StoreUnavailable as exc:
            self._lost_store(exc)
        if not self.spool:
            self.spool.append("run", run=self.run.to_json())
        self.spool.append("close", run_id=self.run.id, status=status, finished=finished)
        self.spool.close()
        logger.warning("report store still unavailable at the end of run %s: %d result(s) kept "
                       "in %s; write them with `footer-audit report replay %s`", self.run.id,
                       self.spool.count, self.spool.path, self.spool.path)
        return None
