"""The report store: runs, every page's result, violations and their history.

`open_store()` picks the backend: a Redis URL (argument, else `$REDIS_URL`) selects Redis; without
one, the embedded SQLite file in the user's data directory (`$FOOTER_AUDIT_DB` overrides it).
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler.data_dir import data_dir
from crawler.errors import StoreError
from crawler.reports.store.base import (
    PageMeta,
    ReportStore,
    Run,
    StoreUnavailable,
    ViolationRow,
    new_run_id,
    summarise_run,
)
from crawler.reports.store.keys import DEFAULT_PREFIX

__all__ = [
    "PageMeta",
    "ReportStore",
    "Run",
    "StoreUnavailable",
    "ViolationRow",
    "data_dir",
    "new_run_id",
    "open_store",
    "store_ident",
    "summarise_run",
]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def store_ident(url: str | None = None, *, prefix: str | None = None) -> str:
    """`ReportStore.ident` of the store `open_store` would open, without opening it (a spool
    names its store even when the store could not be opened at all)."""
    from crawler.reports.store.base import redis_ident, sqlite_ident
    from crawler.reports.store.sqlite import default_db_path

    url = url or os.environ.get("REDIS_URL") or None
    if url and url.startswith(_REDIS_SCHEMES):
        return redis_ident(url, prefix or os.environ.get("FOOTER_AUDIT_REDIS_PREFIX")
                           or DEFAULT_PREFIX)
    if url is None:
        return sqlite_ident(default_db_path())
    return sqlite_ident(Path(url.removeprefix("sqlite:///")))


def open_store(url: str | None = None, *, prefix: str | None = None,
               timeout: float | None = None) -> ReportStore:
    """Open the report store named by `url`, else `$REDIS_URL`, else the embedded SQLite file.

    `url` may be `redis://…`, `rediss://…`, `unix://…`, `sqlite:///path/file.sqlite3` or a plain
    file path. `prefix` (default `$FOOTER_AUDIT_REDIS_PREFIX`, else `footer-audit:`) namespaces
    Redis keys. `timeout` (seconds) bounds each Redis call, with no retry: what a crawl uses so
    that a frozen server never stalls it. Raises StoreError when the URL cannot be used.
    """
    url = url or os.environ.get("REDIS_URL") or None
    if url and url.startswith(_REDIS_SCHEMES):
        from crawler.reports.store.redis_store import RedisStore

        prefix = prefix or os.environ.get("FOOTER_AUDIT_REDIS_PREFIX") or DEFAULT_PREFIX
        if timeout is None:
            return RedisStore(url, prefix)
        return RedisStore(url, prefix, connect_timeout=timeout, timeout=timeout, retries=0)
    from crawler.reports.store.sqlite import SQLiteStore

    if url is None:
        return SQLiteStore()
    if url.startswith("sqlite:///"):
        # SQLAlchemy's convention: sqlite:///relative/path, sqlite:////absolute/path
        return SQLiteStore(Path(url.removeprefix("sqlite:///")).expanduser())
    if "://" in url:
        raise StoreError(f"unknown store URL {url!r}: use redis://HOST:PORT/DB or a file path")
    return SQLiteStore(Path(url).expanduser())
