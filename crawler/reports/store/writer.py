"""Writes one run's results as they arrive, and never loses one without saying so.

`RunWriter` opens the run, stores each page, keeps the run's heartbeat, and closes the run with
its status. While the store is unreachable (or could not even be opened), operations go to a
spool file (`crawler.reports.store.spool`); every later write first tries to drain the spool (at
most once per `retry_interval` seconds), and `close()` tries once more. What is still spooled at
the end stays on disk with a warning naming the file and the command that replays it. When no spool
directory takes the results either, `fatal` holds the one line that says so (the crawl stops).

The writer remembers which pages it was given. When the run closes, a store that holds fewer of
them (a Redis restarted without persistence drops what was written before) makes the run
`incomplete`, its counts say how many pages were lost and its note names their sites.

A writer with `part=True` writes one part of a run another process opened and closes (a job of a
distributed run, `crawler.jobs.distributed`): it adds its pages to that run and checks that the
store holds every one of them at its end, but never beats, updates or closes the run, and
spools no `close`: the run is settled once every part has ended.

`BackgroundWriter` runs a `RunWriter` on a thread of its own, so a slow or frozen store never
holds up the crawl (write-behind): the crawl only hands pages over.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crawler.reports.store.base import (
    ReportStore,
    Run,
    StoreUnavailable,
    normalise_url,
    utc_now,
)
from crawler.reports.store.closing import close_run, lost_pages_note
from crawler.reports.store.liveness import HEARTBEAT_INTERVAL, this_worker
from crawler.reports.store.spool import Journal, Spool, SpoolFailed

__all__ = ["BackgroundWriter", "RunWriter"]

logger = logging.getLogger(__name__)

class RunWriter:
    def __init__(self, store: ReportStore | None, run: Run, spool_path: Path,
                 retry_interval: float = 5.0, *,
                 opener: Callable[[], ReportStore] | None = None, store_ident: str = "",
                 fallback_dirs: Sequence[Path] = (),
                 heartbeat_interval: float = HEARTBEAT_INTERVAL,
                 journal: Journal | None = None, part: bool = False) -> None:
        """`store` may be None when it could not be opened: `opener` is then tried again at
        each retry. `store_ident` names the store in the spool when there is no store object.
        `journal`: the run's write-ahead journal (the crawl appends to it), from which pages
        the store lost are written again at close; removed when the run closes."""
        self.journal = journal
        self.part = part
        self.store = store
        self.opener = opener
        self.run = run
        self.spool = Spool(spool_path, store=store.ident if store else store_ident,
                           run_id=run.id, fallback_dirs=fallback_dirs)
        self.retry_interval = retry_interval
        self.heartbeat_interval = heartbeat_interval
        self.written = 0  # pages written to the store
        self.spooled = 0  # pages written to the spool (some may have been drained since)
        self.delivered: set[str] = set()  # URL keys of every page handed over
        self.fatal: str | None = None  # why results can be kept nowhere (the crawl must stop)
        self.store_lost_run = False
        self._next_try = 0.0
        self._next_beat = 0.0
        self._warned = False

    # -- the store, when it can be had ---------------------------------------------------------
    def _store(self) -> ReportStore:
        if self.store is None:
            if self.opener is None:
                raise StoreUnavailable("no report store")
            self.store = self.opener()
            self.spool.store = self.store.ident
        return self.store

    def _lost_store(self, exc: StoreUnavailable) -> None:
        self._next_try = time.monotonic() + self.retry_interval
        if not self._warned:
            logger.warning("report store unavailable (%s); keeping results in %s until it is "
                           "back", exc, self.spool.path)
            self._warned = True

    def _spool(self, op: str, **payload: Any) -> bool:
        if self.fatal:
            return False
        try:
            self.spool.append(op, **payload)
            return True
        except SpoolFailed as exc:
            self.fatal = f"results cannot be kept: the store is unavailable and {exc}"
            logger.error("%s", self.fatal)
            return False

    def _drain(self, *, force: bool = False) -> bool:
        """Replay the spool if it has anything; True when the store is usable now."""
        if self.store is not None and not self.spool:
            return True
        if not force and time.monotonic() < self._next_try:
            return False
        try:
            store = self._store()
            if self.spool:
                if self.written and store.get_run(self.run.id) is None:
                    self._notice_lost_run()
                pages = self.spool.replay(store)
                self.written += pages
                if self._warned:
                    logger.warning("report store is back: %d spooled page(s) written", pages)
        except StoreUnavailable as exc:
            self._lost_store(exc)
            return False
        self._warned = False
        return True

    def _notice_lost_run(self) -> None:
        if not self.store_lost_run:
            self.store_lost_run = True
            logger.warning("the report store lost run %s and the %d page(s) written to it "
                           "before it went away (restarted without persistence?): the run "
                           "will be incomplete", self.run.id, self.written)

    # -- the run -------------------------------------------------------------------------------
    def open(self) -> None:
        if not self.part:  # a part's run is kept alive by its jobs, not by this process
            self.run.worker = this_worker()
            self.run.heartbeat = utc_now()
        self._next_beat = time.monotonic() + self.heartbeat_interval
        try:
            self._store().create_run(self.run)
        except StoreUnavailable as exc:
            self._spool("run", run=self.run.to_json())
            self._lost_store(exc)

    def beat(self) -> None:
        """Refresh the run's heartbeat when it is due (and the store is in use)."""
        if self.part or self.store is None or self.spool or time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + self.heartbeat_interval
        self.run.heartbeat = utc_now()
        try:
            self.store.update_run(self.run)
        except StoreUnavailable as exc:
            self._lost_store(exc)

    def write(self, record: dict[str, Any]) -> None:
        self.delivered.add(normalise_url(record["url"]))
        if self._drain():
            try:
                self._store().put_page(self.run.id, record)
                self.written += 1
                return
            except StoreUnavailable as exc:
                # The spool must recreate the run too: the store may come back empty.
                self._spool("run", run=self.run.to_json())
                self._lost_store(exc)
        self.spool_page(record)

    def spool_page(self, record: dict[str, Any]) -> None:
        """Keep a page in the spool (the store is away, or failed on this page)."""
        self.delivered.add(normalise_url(record["url"]))
        if not self.spool:
            self._spool("run", run=self.run.to_json())
        if self._spool("page", run_id=self.run.id, record=record):
            self.spooled += 1

    def _missing(self, store: ReportStore) -> list[str]:
        return sorted(self.delivered - store.pages_present(self.run.id, self.delivered))

    def _restore(self, store: ReportStore, missing: list[str]) -> int:
        """Write the pages the store lost again from the journal (their latest delivery)."""
        if self.journal is None or not missing:
            return 0
        wanted = set(missing)
        latest: dict[str, dict[str, Any]] = {}
        for record in self.journal.records():
            key = normalise_url(record.get("url") or "")
            if key in wanted:
                latest[key] = record
        for record in latest.values():
            store.put_page(self.run.id, record)
        if latest:
            logger.warning("the report store lost %d page(s) of run %s during the run "
                           "(restarted without persistence?): written again from the run's "
                           "journal; earlier runs, lifecycles and waivers in that store may be "
                           "gone", len(latest), self.run.id)
        return len(latest)

    def close(self, status: str, note: str = "") -> Run | None:
        """Close the run as `status`; returns the stored run, or None if it stays spooled (or
        could be kept nowhere: `fatal`)."""
        finished = utc_now()
        if self.fatal:
            status, note = "incomplete", f"{note}; {self.fatal}" if note else self.fatal
        if self.part:
            return self._close_part(status, note)
        # Pages the writer could keep nowhere are in `fatal` already, not lost by the store.
        expected = None if self.fatal else len(self.delivered)
        try:
            if self._drain(force=True):
                assert self.store is not None
                # Carries what the run learnt (rules version); recreates a run the store lost.
                self.store.update_run(self.run)
                missing = self._missing(self.store)
                restored = self._restore(self.store, missing)
                if restored:
                    missing = self._missing(self.store)
                    again = (f"the store lost {restored} page(s) during the run (a Redis "
                             "restarted without persistence?); written again from the run's "
                             "journal")
                    note = f"{note}; {again}" if note else again
                self.run = close_run(self.store, self.run.id, status, finished, note=note,
                                     expected=expected, missing=missing)
                self.spool.close()
                if self.journal is not None:
                    self.journal.remove()
                if self.run.counts.get("pages_lost"):
                    logger.error("run %s is incomplete: %s", self.run.id, self.run.note)
                return self.run
        except StoreUnavailable as exc:
            self._lost_store(exc)
        if not self.spool:
            self._spool("run", run=self.run.to_json())
        kept = self._spool("close", run_id=self.run.id, status=status, finished=finished,
                           note=note, expected=expected)
        try:
            self.spool.close()
        except OSError:
            kept = False
        if self.journal is not None:
            self.journal.remove()
        if kept:
            logger.warning("report store still unavailable at the end of run %s: %d page(s) "
                           "kept in %s; write them with `footer-audit report replay %s`",
                           self.run.id, self.spool.pages, " and ".join(map(str, self.spool.files)),
                           " ".join(map(str, self.spool.files)))
        return None

    def _close_part(self, status: str, note: str) -> Run | None:
        """End this part: every page it delivered in the store (written again from the journal
        if the store lost some). Returns the part as a Run (not stored: the run stays open),
        its status `incomplete` when pages are missing; None while the store is away (the pages
        stay in the spool, which holds no `close`)."""
        expected = len(self.delivered)
        try:
            if self._drain(force=True):
                store = self._store()
                if store.get_run(self.run.id) is None:  # a store that lost it: open it again
                    store.create_run(self.run)
                missing = self._missing(store)
                if self._restore(store, missing):
                    missing = self._missing(store)
                self._learn_rules_version(store)
                self.spool.close()
                if self.journal is not None:
                    self.journal.remove()
                part = Run.from_json(self.run.to_json())
                part.status, part.note, part.finished = status, note, utc_now()
                part.counts = {"pages": expected - len(missing), "pages_expected": expected}
                if missing:
                    part.status = "incomplete"
                    part.counts["pages_lost"] = len(missing)
                    lost = lost_pages_note(len(missing), expected, missing)
                    part.note = f"{note}; {lost}" if note else lost
                    logger.error("run %s: this part is incomplete: %s", self.run.id, part.note)
                return part
        except StoreUnavailable as exc:
            self._lost_store(exc)
        with contextlib.suppress(OSError):
            self.spool.close()
        if self.journal is not None:
            self.journal.remove()
        if self.spool.files:
            logger.warning("report store still unavailable at the end of this part of run %s: "
                           "%d page(s) kept in %s", self.run.id, self.spool.pages,
                           " and ".join(map(str, self.spool.files)))
        return None

    def _learn_rules_version(self, store: ReportStore) -> None:
        """Give the shared run the rules version its pages were audited with, if it has none."""
        if not self.run.rules_version:
            return
        run = store.get_run(self.run.id)
        if run is not None and not run.rules_version:
            run.rules_version = self.run.rules_version
            store.update_run(run)


class BackgroundWriter:
    """A RunWriter on its own thread: `write` hands a page over and returns at once; `close`
    waits for the thread to write (or spool) everything and close the run."""

    def __init__(self, writer: RunWriter) -> None:
        self.writer = writer
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="footer-audit-store",
                                        daemon=True)
        self._result: Run | None = None
        self._failures = 0

    @property
    def run(self) -> Run:
        return self.writer.run

    @property
    def fatal(self) -> str | None:
        return self.writer.fatal

    def start(self) -> None:
        self._queue.put(("open", None))
        self._thread.start()

    def write(self, record: dict[str, Any]) -> None:
        self._queue.put(("page", record))

    def close(self, status: str, note: str = "") -> Run | None:
        self._queue.put(("close", (status, note)))
        self._thread.join()
        return self._result

    def _loop(self) -> None:
        while True:
            try:
                op, arg = self._queue.get(timeout=max(self.writer.heartbeat_interval, 0.05))
            except queue.Empty:
                self.writer.beat()
                continue
            if op == "close":  # the last op, whatever becomes of it: close() is waiting
                try:
                    self._result = self.writer.close(*arg)
                except Exception:
                    logger.exception("report store: closing the run failed")
                return
            try:
                if op == "open":
                    self.writer.open()
                else:
                    self._write(arg)
                self.writer.beat()
            except Exception:  # the thread must live on to close the run
                logger.exception("report store: %s failed", op)

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self.writer.write(record)
        except Exception as exc:  # one line, not a traceback per page
            self._failures += 1
            if self._failures == 1:
                logger.error("report store: a page could not be written (%s: %s); this and "
                             "any further such page go to the spool", type(exc).__name__, exc)
            self.writer.spool_page(record)
