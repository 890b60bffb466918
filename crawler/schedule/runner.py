"""The scheduler loop: wait for the portfolio's next fire time, take the run lock, run it in a
child process, repeat until SIGTERM or SIGINT.

- One run at a time across every scheduler sharing the store: a fire time is run only by the
  scheduler that takes the lock (`crawler/schedule/coordination.py`) and finds it not yet handled
  in the shared state; the others log that and wait for the next one.
- Missed nights: at start, if fire times passed since the last one handled (every scheduler was
  down), the latest of them runs once, now. The very first start only records where it begins.
  Fire times that pass while a run is still going are not run afterwards.
- Stopping: SIGTERM or SIGINT ends the wait at once. A run in progress gets the signal once
  (it stops its crawl cleanly, stores what it has and marks the run `incomplete`, as
  `footer-audit run` does), the scheduler waits for it, releases the lock and exits 0.
- The portfolio file is read again at every fire time: a changed schedule applies from the
  next one; a file that no longer validates keeps the previous schedule (logged).
"""

from __future__ import annotations

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

from crawler.errors import PortfolioError
from crawler.portfolio.model import Portfolio, load_portfolio
from crawler.schedule.coordination import Coordinator
from crawler.schedule.cron import Cron

__all__ = ["Scheduler", "run_command"]

logger = logging.getLogger(__name__)

_MAX_SLEEP = 30.0  # seconds: wake now and then so a changed clock is noticed


def run_command(portfolio_path: str, *, store: str | None, extra: Sequence[str] = ()) -> list[str]:
    """The child's command line: `footer-audit run` with the scheduler's options (a distributed
    run later swaps in here)."""
    argv = [sys.executable, "-m", "crawler.schedule.child", str(os.getpid()), "run",
            portfolio_path, "--trigger", "nightly", "--quiet"]
    if store:
        argv += ["--store", store]
    return [*argv, *extra]


class Scheduler:
    def __init__(self, portfolio_path: str, coordinator: Coordinator, *,
                 store: str | None = None, run_args: Sequence[str] = (),
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.portfolio_path = portfolio_path
        self.coordinator = coordinator
        self.store = store
        self.run_args = list(run_args)
        self.now = now
        self.portfolio: Portfolio = load_portfolio(portfolio_path)
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
    def serve(self) -> int:
        """Run until stopped; 0 on a clean stop."""
        now = self.now()
        due = self.cron.last_at_or_before(now)
        last = self.coordinator.init_last_fire(self.name, due)
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
        logger.warning("scheduler of %s stopped", self.name)
        return 0

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
        lock = self.coordinator.try_lock(self.name)
        if lock is None:
            logger.warning("run of %s for %s: another scheduler is running %s now; skipped",
                           self.name, when, self.name)
            return
        try:
            last = self.coordinator.last_fire(self.name)
            if last is not None and last >= fire:
                logger.warning("run of %s for %s: already started by another scheduler",
                               self.name, when)
                return
            self.coordinator.set_last_fire(self.name, fire)
            code = self._run_child()
            if lock.lost:
                logger.error("run of %s for %s ended after its lock expired: another "
                             "scheduler may have started one meanwhile", self.name, when)
            passed = self.cron.last_at_or_before(self.now())
            if passed > fire:
                logger.warning("fire times of %s up to %s passed during the run: not run "
                               "again", self.name, passed.isoformat(timespec="seconds"))
                self.coordinator.set_last_fire(self.name, passed)
            logger.warning("run of %s for %s ended with exit status %s", self.name, when, code)
        finally:
            lock.release()

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
