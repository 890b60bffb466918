"""What the routes share, built once per app by `create_app` and found on `app.state.api`.

The report store: SQLite connections are not shared between threads (the routes run in
FastAPI's thread pool), so each thread opens its own connection to the file, kept for the
thread's life; Redis is one client (redis-py's pool is thread-safe). A route takes its store with
`api_state(request).stores.get()` inside its own body, never through a dependency: FastAPI may
run a sync dependency on another thread than the route.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from crawler.api.config import ApiConfig
from crawler.api.rate_limit import RateLimiter
from crawler.reports.store import ReportStore, open_store

if TYPE_CHECKING:
    from crawler.api.check_runner import CheckRunner
    from crawler.portfolio.model import Portfolio

__all__ = ["ApiState", "StoreProvider", "api_state"]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StoreProvider:
    """`get()`: the report store for the calling thread."""

    def __init__(self, url: str | None, prefix: str | None) -> None:
        self.url = url or os.environ.get("REDIS_URL") or None
        self.prefix = prefix
        self.is_redis = bool(self.url and self.url.startswith(_REDIS_SCHEMES))
        self._shared: ReportStore | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[ReportStore] = []

    def get(self) -> ReportStore:
        if self.is_redis:
            if self._shared is None:
                with self._lock:
                    if self._shared is None:
                        self._shared = open_store(self.url, prefix=self.prefix)
            return self._shared
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.url, prefix=self.prefix)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    def open_private(self) -> ReportStore:
        """A store of its own for a long task on another thread (a streamed export); the
        caller closes it."""
        if self.is_redis:
            return self.get()
        return open_store(self.url, prefix=self.prefix)

    def rate_limit_prefix(self) -> str:
        """Where a Redis store keeps the rate-limit windows (`Keys.rate_limit()`)."""
        keys = getattr(self.get(), "keys", None)
        return keys.rate_limit() if keys is not None else ""

    def close(self) -> None:
        with self._lock:
            stores, self._opened = self._opened, []
            shared, self._shared = self._shared, None
        for store in [*stores, *([shared] if shared else [])]:
            with contextlib.suppress(Exception):
                store.close()


@dataclass
class ApiState:
    config: ApiConfig
    stores: StoreProvider
    limiter: RateLimiter
    portfolio: Portfolio | None = None
    audit_pool: Executor | None = None  # processes for /audit; None: FastAPI's threads
    checks: CheckRunner | None = None
    extra: dict[str, object] = field(default_factory=dict)  # room for other areas' state


def api_state(request: Request) -> ApiState:
    return request.app.state.api

