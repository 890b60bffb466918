"""Report stores for tests: both backends behind one helper (SQLite in the test's directory, or
Redis under a key prefix of its own on the shared server), and page records to fill them.

A Redis server of a test's own, to stop and restart, is `bench.redis_server.RedisServer`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import redis

__all__ = ["BACKENDS", "SHARED_REDIS", "open_test_store", "page_record", "redis_prefix_cleanup",
           "unique_prefix"]


def unique_prefix() -> str:
    return f"footer-audit-test:{uuid.uuid4().hex[:10]}:"


def redis_prefix_cleanup(url: str, prefix: str) -> None:
    """Delete every key under `prefix` (a test's own namespace on a shared server)."""
    client = redis.Redis.from_url(url)
    escaped = "".join(f"\\{c}" if c in "*?[]\\" else c for c in prefix)
    batch = []
    for key in client.scan_iter(match=escaped + "*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            client.unlink(*batch)
            batch = []
    if batch:
        client.unlink(*batch)
    client.close()


# -- report stores for tests: both backends behind one helper ------------------------------------
SHARED_REDIS = os.environ.get("FOOTER_AUDIT_TEST_REDIS", "redis://127.0.0.1:6379/0")
BACKENDS = ("sqlite", "redis")


class open_test_store:
    """A fresh, empty report store: SQLite in `tmp_path`, or Redis under a unique key prefix on
    the shared server (every key removed on exit)."""

    def __init__(self, kind: str, tmp_path: Path, url: str = SHARED_REDIS) -> None:
        self.kind, self.tmp_path, self.url = kind, tmp_path, url
        self.prefix = unique_prefix()

    def __enter__(self):
        from crawler.reports.store import open_store

        if self.kind == "sqlite":
            self.store = open_store(str(self.tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite3"))
        else:
            self.store = open_store(self.url, prefix=self.prefix)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()
        if self.kind == "redis":
            redis_prefix_cleanup(self.url, self.prefix)


def page_record(url: str, violations: list[tuple[str, str]] | None = None, *, org: str = "某某公司",
                owner: str = "web team", status: str = "ok", snapshot: str | None = None) -> dict:
    """An audited page record as the audit pipeline emits it (docs/check.md plus the
    portfolio fields). `violations` are (code, evidence) pairs."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return {
        "url": url, "final_url": url, "status": status, "http_status": 200, "rendered": False,
        "encoding": "utf-8",
        "findings": {"icp": [], "gongan": [], "copyright": [], "licences": []},
        "violations": [{"code": code,
                        "severity": "error" if code.endswith("missing") else "warning",
                        "message": f"{code} on {host}", "message_zh": f"{code}：{host}",
                        "evidence": evidence} for code, evidence in violations or []],
        "review": [], "rules_version": "test",
        "org": org, "owner": owner, "domain": host.removeprefix("www."), "host": host,
        "discovered_from": None,
        "snapshot": snapshot if snapshot is not None else f"<footer>{host}</footer>",
    }
