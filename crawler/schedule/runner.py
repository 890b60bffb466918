"""The scheduler loop: wait for the portfolio's next fire time, take the run lock, run it in a
child process, repeat until SIGTERM or SIGINT.

- One run at a time across every scheduler sharing the store: a fire time is run only by the
  scheduler that takes the lock (`crawler/schedule/coordination.py`) and finds it not yet handled
  in the shared state. The others wait for the lock, then find the fire time handled; if its
  holder crashed, the lock expires and a waiting scheduler runs the night itself.
- Missed nights: at start, if fire times passed since the last one handled (every scheduler was
  down), the latest of them runs once, now. The very first start only records where it begins.
  Fire times that pass while a run is still going are not run afterwards.
- Stopping: SIGTERM or SIGINT ends the wait at once. A run in progress gets the signal once
  (it stops its crawl cleanly, stores what it has and marks the run `incomplete`, as
  `footer-audit run` does), the scheduler waits for it, releases the lock and exits 0.
- A store that cannot be reached (Redis restarting) is waited out, retried every STORE_RETRY
  seconds: a run starts late rather than not at all.
- The portfolio file is read again at every fire time: a changed schedule applies from the
  next one; a file that no longer validates keeps the previous schedule (logged).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TypeVar

from crawler.errors import PortfolioError
from crawler.portfolio.model import Portfolio, load_portfolio
from crawler.reports.store.base import StoreUnavailable
from crawler.schedule.coordination import Coordinator
from crawler.schedule.cron import Cron

__all__ = ["Scheduler", "run_command"]

logger = logging.getLogger(__name__)

_MAX_SLEEP = 30.0  # seconds: wake now and then so a changed clock is noticed
STORE_RETRY = 15.0  # seconds between attempts while the store cannot be reached
LOCK_POLL = 5.0  # seconds between attempts at a lock another scheduler holds
T = TypeVar("T")


def run_command(portfolio_path: str, *, store: str | None, extra: Sequence[str] = ()) -> list[str]:
    """The child's command line: `footer-audit run` with the scheduler's options (a distributed
    run later swaps in here)."""
    argv = [sys.executable, "-m", "crawler.schedule.child", str(os.getpid()), "run",
            portfolio_path, "--trigger", "nightly", "--quiet"]
    if store:
        argv += ["--store", store]
    return [*argv, *extra]


class _Stopped(Exception):
    """Stopped while waiting for the store."""


class Scheduler:
    def __init__(self, portfolio_path: str, portfolio: Portfolio, coordinator: Coordinator, *,
                 store: str | None = None, run_args: Sequence[str] = (),
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.portfolio_path = portfolio_path
        self.coordinator = coordinator
        self.store = store
        self.run_args = list(run_args)
        self.now = now
        self.portfolio = portfolio
        self.cron = self._cron(self.portfolio)
        self.name = self.portfolio.name
        self._stop = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None
        self._signalled = False
        self.runs_started = 0

    @staticmethod
    def _cron(portfolio: Portfolio) -> Cron:
        return Cron(portfolio.schedule.cron, portfolio.schedule.timezone)

    # -- signals -------------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        first = not self._stop.is_set()
        self._stop.set()
        child = self._child
        if child is not None and child.poll() is None and not self._signalled:
            # Once: a second signal would make the crawl stop without closing its run.
            self._signalled = True
            child.send_signal(signum)
        if first:
            logger.warning("%s: stopping%s", signal.Signals(signum).name,
                           " after the run in progress ends (marked incomplete)"
                           if child is not None and child.poll() is None else "")

    def stop(self) -> None:
        self._stop.set()

    # -- the loop ------------------------------------------------------------------------------
    def _store(self, what: str, call: Callable[[], T]) -> T:
        """`call()`, retried while the store cannot be reached; _Stopped when stopped first."""
        while True:
            try:
                return call()
            except StoreUnavailable as exc:
                logger.error("%s: %s; trying again in %.0f s", what, exc, STORE_RETRY)
            if self._stop.wait(STORE_RETRY):
                raise _Stopped

    def serve(self) -> int:
        """Run until stopped; 0 on a clean stop."""
        with contextlib.suppress(_Stopped):
            self._serve()
        logger.warning("scheduler of %s stopped", self.name)
        return 0

    def _serve(self) -> None:
        now = self.now()
        due = self.cron.last_at_or_before(now)
        last = self._store("reading the schedule's state",
                           lambda: self.coordinator.init_last_fire(self.name, due))
        logger.warning("schedule of %s: %s; next run %s", self.name, self.cron,
                       self.cron.next_after(now).isoformat(timespec="seconds"))
        handled = last
        if last < due:
            logger.warning("the run of %s (%s) was missed while no scheduler ran: running it "
                           "once now", self.name, due.isoformat(timespec="seconds"))
            self._fire(due)
            handled = due
        while not self._stop.is_set():
            fire = self.cron.next_after(max(self.now(), handled))
            if not self._sleep_until(fire):
                break
            self._reload()
            self._fire(fire)
            handled = fire

    def _sleep_until(self, fire: datetime) -> bool:
        """Wait until `fire`; False when stopped first."""
        while True:
            left = (fire - self.now()).total_seconds()
            if left <= 0:
                return not self._stop.is_set()
            if self._stop.wait(min(left, _MAX_SLEEP)):
                return False

    def _reload(self) -> None:
        try:
            portfolio = load_portfolio(self.portfolio_path)
            cron = self._cron(portfolio)
        except PortfolioError as exc:
            logger.error("%s no longer validates; keeping the schedule it had: %s",
                         self.portfolio_path, exc)
            return
        if str(cron) != str(self.cron):
            logger.warning("schedule of %s is now %s (from the next run)", self.name, cron)
        self.portfolio, self.cron = portfolio, cron

    def _fire(self, fire: datetime) -> None:
        when = fire.isoformat(timespec="seconds")
        what = f"run of {self.name} for {when}"
        lock = self._store(what, lambda: self.coordinator.try_lock(self.name))
        if lock is None:
            # Its run may be this one (then it is handled once we get the lock) or an earlier
            # one, or the lock of a scheduler that crashed (it expires): wait, then decide.
            logger.warning("%s: another scheduler is running %s now; waiting for it", what,
                           self.name)
        while lock is None:
            if self._stop.wait(LOCK_POLL):
                raise _Stopped
            lock = self._store(what, lambda: self.coordinator.try_lock(self.name))
        try:
            if not self._store(what, lambda: self._claim(fire)):
                logger.warning("%s: already started by another scheduler", what)
                return
            code = self._run_child()
            if lock.lost:
                logger.error("run of %s for %s ended after its lock expired: another "
                             "scheduler may have started one meanwhile", self.name, when)
            passed = self.cron.last_at_or_before(self.now())
            if passed > fire:
                logger.warning("fire times of %s up to %s passed during the run: not run "
                               "again", self.name, passed.isoformat(timespec="seconds"))
                self._store(what, lambda: self.coordinator.set_last_fire(self.name, passed))
            logger.warning("%s ended with exit status %s", what, code)
        finally:
            lock.release()

    def _claim(self, fire: datetime) -> bool:
        """Mark `fire` handled unless another scheduler did (the lock is held)."""
        last = self.coordinator.last_fire(self.name)
        if last is not None and last >= fire:
            return False
        self.coordinator.set_last_fire(self.name, fire)
        return True

    def _run_child(self) -> int:
        if self._stop.is_set():
            return -1
        argv = run_command(self.portfolio_path, store=self.store, extra=self.run_args)
        self.runs_started += 1
        self._signalled = False
        # A session of its own: a terminal's Ctrl-C reaches the crawl once, through us.
        self._child = subprocess.Popen(argv, start_new_session=True, cwd=Path.cwd())
        logger.warning("starting the run of %s (process %d)", self.name, self._child.pid)
        if self._stop.is_set() and not self._signalled:  # a signal came during the start
            self._signalled = True
            self._child.send_signal(signal.SIGTERM)
        try:
            return self._child.wait()
        finally:
            self._child = None
