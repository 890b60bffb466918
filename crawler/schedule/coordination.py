"""What schedulers share through the report store: who runs a portfolio now, and the last fire
time handled.

- Redis store: the lock is redis-py's `Lock` (`SET key token NX PX ttl`; renewed by that token;
  released by a compare-and-delete Lua script), so every scheduler on every machine sharing the
  Redis sees it, and a holder that crashed stops renewing and loses it after `LOCK_TTL` seconds.
  The state is a hash beside it (`crawler/reports/store/keys.py`).
- SQLite store (one machine): the lock is `flock` on a file beside the database, which the kernel
  drops when its holder dies; the state is a table in the database.

The last fire time lets a night missed while every scheduler was down run once at the next start
(`crawler/schedule/runner.py`). A store that cannot be reached raises `StoreUnavailable`, which
the scheduler waits out.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.errors import StoreError
from crawler.reports.store.base import StoreUnavailable

if TYPE_CHECKING:
    from redis.lock import Lock

__all__ = ["LOCK_TTL", "Coordinator", "RunLock", "open_coordinator"]

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

LOCK_TTL = 60.0  # seconds a lock outlives its holder's last renewal


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class RunLock(ABC):
    """A held lock on one portfolio's runs; `release()` is safe to call twice."""

    @abstractmethod
    def release(self) -> None: ...

    @property
    def lost(self) -> bool:
        """True when the lock expired under its holder (a renewal failed for LOCK_TTL)."""
        return False


class Coordinator(ABC):
    @abstractmethod
    def try_lock(self, portfolio: str) -> RunLock | None:
        """The portfolio's run lock, or None when another scheduler holds it (never waits)."""

    @abstractmethod
    def last_fire(self, portfolio: str) -> datetime | None: ...

    @abstractmethod
    def set_last_fire(self, portfolio: str, fire: datetime) -> None: ...

    @abstractmethod
    def init_last_fire(self, portfolio: str, fire: datetime) -> datetime:
        """Set the last fire time only if none is kept yet; returns the one kept."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""


# -- Redis -----------------------------------------------------------------------------------
class _RedisLock(RunLock):
    def __init__(self, lock: Lock, ttl: float) -> None:
        self._lock = lock
        self._ttl = ttl
        self._stop = threading.Event()
        self._lost = False
        self._thread = threading.Thread(target=self._renew, name="schedule-lock", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        import redis
        from redis.exceptions import LockError

        while not self._stop.wait(self._ttl / 4):
            try:
                self._lock.reacquire()
            except LockError:
                self._take_back()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                logger.warning("could not renew the schedule lock: %s", exc)

    def _take_back(self) -> None:
        """The key is gone (expired while Redis was away, or a Redis restarted without it):
        take it again with the same token if nobody else has; else it is lost."""
        import redis

        try:
            if self._lock.acquire(blocking=False, token=self._lock.local.token):
                logger.warning("the schedule lock %s had vanished; taken again",
                               self._lock.name)
                return
        except (redis.ConnectionError, redis.TimeoutError):
            return  # try again at the next renewal
        if not self._lost:
            logger.error("the schedule lock %s expired under this scheduler and another one "
                         "holds it now", self._lock.name)
        self._lost = True

    @property
    def lost(self) -> bool:
        return self._lost

    def release(self) -> None:
        import redis
        from redis.exceptions import LockError

        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(5)
        with contextlib.suppress(LockError, redis.ConnectionError, redis.TimeoutError):
            self._lock.release()


def _redis_errors(method: F) -> F:
    """Report a lost connection as StoreUnavailable (the scheduler retries)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return method(self, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailable(f"Redis is unreachable: {exc}") from exc

    return wrapper  # type: ignore[return-value]


def _sqlite_errors(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (OSError, sqlite3.OperationalError) as exc:
            raise StoreUnavailable(f"report database {self.db_path}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


class RedisCoordinator(Coordinator):
    def __init__(self, url: str, prefix: str, *, ttl: float = LOCK_TTL) -> None:
        import redis

        from crawler.reports.store.keys import Keys

        self.keys = Keys(prefix)
        self.ttl = ttl
        try:
            self._r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10,
                                           socket_connect_timeout=5)
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {url!r}: {exc}") from exc

    @_redis_errors
    def try_lock(self, portfolio: str) -> RunLock | None:
        # thread_local=False: the renewing thread uses the token the main thread took.
        lock = self._r.lock(self.keys.schedule_lock(portfolio), timeout=self.ttl,
                            blocking=False, thread_local=False)
        if not lock.acquire():
            return None
        return _RedisLock(lock, self.ttl)

    @_redis_errors
    def last_fire(self, portfolio: str) -> datetime | None:
        return _parse(self._r.hget(self.keys.schedule_state(portfolio), "last_fire"))

    @_redis_errors
    def set_last_fire(self, portfolio: str, fire: datetime) -> None:
        self._r.hset(self.keys.schedule_state(portfolio), mapping={
            "last_fire": _iso(fire), "updated": _iso(datetime.now(UTC))})

    @_redis_errors
    def init_last_fire(self, portfolio: str, fire: datetime) -> datetime:
        key = self.keys.schedule_state(portfolio)
        self._r.hsetnx(key, "last_fire", _iso(fire))
        kept = _parse(self._r.hget(key, "last_fire"))
        return kept or fire

    def close(self) -> None:
        self._r.close()


# -- SQLite ----------------------------------------------------------------------------------
class _FileLock(RunLock):
    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


_STATE_TABLE = ("CREATE TABLE IF NOT EXISTS schedule (portfolio TEXT PRIMARY KEY, "
                "last_fire TEXT NOT NULL, updated TEXT)")


class FileCoordinator(Coordinator):
    """For the embedded SQLite store: one machine, so a file lock is enough."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(db_path, timeout=30, isolation_level=None)
            self._db.execute(_STATE_TABLE)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the report database {db_path}: {exc}") from exc

    def _lock_path(self, portfolio: str) -> Path:
        safe = re.sub(r"[^\w.-]", "_", portfolio)
        return self.db_path.with_name(f"{self.db_path.name}.schedule-{safe}.lock")

    @_sqlite_errors
    def try_lock(self, portfolio: str) -> RunLock | None:
        fd = os.open(self._lock_path(portfolio), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return _FileLock(fd)

    @_sqlite_errors
    def last_fire(self, portfolio: str) -> datetime | None:
        row = self._db.execute("SELECT last_fire FROM schedule WHERE portfolio = ?",
                               (portfolio,)).fetchone()
        return _parse(row[0]) if row else None

    @_sqlite_errors
    def set_last_fire(self, portfolio: str, fire: datetime) -> None:
        self._db.execute(
            "INSERT INTO schedule (portfolio, last_fire, updated) VALUES (?, ?, ?) "
            "ON CONFLICT (portfolio) DO UPDATE SET last_fire = excluded.last_fire, "
            "updated = excluded.updated", (portfolio, _iso(fire), _iso(datetime.now(UTC))))

    @_sqlite_errors
    def init_last_fire(self, portfolio: str, fire: datetime) -> datetime:
        self._db.execute("INSERT OR IGNORE INTO schedule (portfolio, last_fire, updated) "
                         "VALUES (?, ?, ?)", (portfolio, _iso(fire), _iso(datetime.now(UTC))))
        return self.last_fire(portfolio) or fire

    def close(self) -> None:
        self._db.close()


def open_coordinator(url: str | None) -> Coordinator:
    """The coordinator of the store `crawler.reports.store.open_store(url)` opens: the same URL,
    `$REDIS_URL` and `$FOOTER_AUDIT_REDIS_PREFIX` rules."""
    from crawler.reports.store import open_store
    from crawler.reports.store.redis_store import RedisStore
    from crawler.reports.store.sqlite import SQLiteStore

    store = open_store(url)
    try:
        if isinstance(store, RedisStore):
            return RedisCoordinator(store.url, store.keys.prefix)
        if isinstance(store, SQLiteStore):
            return FileCoordinator(store.path)
        raise StoreError(f"no schedule coordination for the store {store.url}")
    finally:
        store.close()
