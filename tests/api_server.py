"""What the API tests share: an app over a real report store, tokens, and small web servers on
loopback addresses that count the requests they get.

    with api_client(store_kind, tmp_path, rate="5/minute") as api:   # SQLite file or Redis
        api.token("audit")                  # a fresh token of that scope (its header)
        api.client.post("/api/v1/audit", ..., headers=api.token())
        api.store                           # the same store the app uses

    with LoopbackSite("127.0.0.2", {"/": (200, "text/html", b"...")}) as site:
        site.url("/")  site.hits("/")
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.mockserver import QuietHandler
from tests.redis_server import SHARED_REDIS, redis_prefix_cleanup, unique_prefix

__all__ = ["ApiHarness", "LoopbackSite", "api_client"]


@dataclass
class ApiHarness:
    client: Any  # fastapi.testclient.TestClient
    store: Any  # the ReportStore the app opens too
    config: Any  # crawler.api.config.ApiConfig
    made: list[str] = field(default_factory=list)

    def token(self, scope: str = "audit", name: str | None = None) -> dict[str, str]:
        from crawler.api.tokens import create_token

        token, _record = create_token(self.store, name or f"t-{uuid.uuid4().hex[:8]}", scope)
        self.made.append(token)
        return {"Authorization": f"Bearer {token}"}


@contextmanager
def api_client(kind: str, tmp_path: Path, **config: Any) -> Iterator[ApiHarness]:
    """The app of `config` over a fresh store ("sqlite": a file in tmp_path; "redis": the shared
    server under a unique key prefix, removed afterwards), behind FastAPI's TestClient."""
    from fastapi.testclient import TestClient

    from crawler.api.app import create_app
    from crawler.api.config import ApiConfig
    from crawler.reports.store import open_store

    prefix = unique_prefix()
    url = str(tmp_path / f"api-{uuid.uuid4().hex[:6]}.sqlite3") if kind == "sqlite" \
        else SHARED_REDIS
    # No crawl runner unless a test asks for one: a crawl queued by a test that does not serve
    # its site must never start (tests talk to 127.0.0.1 only).
    config.setdefault("crawl_slots", 0)
    cfg = ApiConfig(store_url=url, store_prefix=prefix if kind == "redis" else None, **config)
    store = open_store(url, prefix=prefix if kind == "redis" else None)
    try:
        app = create_app(cfg)
        # Unexpected errors are answered (500 problem), not raised into the test.
        with TestClient(app, raise_server_exceptions=False) as client:
            yield ApiHarness(client, store, cfg)
    finally:
        store.close()
        if kind == "redis":
            redis_prefix_cleanup(SHARED_REDIS, prefix)


class LoopbackSite:
    """A web server on one loopback address (127.0.0.1, 127.0.0.2...), port chosen by the OS.
    `pages`: path -> (status, content type, body) or (status, headers dict) for a redirect."""

    def __init__(self, address: str, pages: dict[str, tuple]) -> None:
        self.address = address
        self.pages = pages
        self.counts: Counter[str] = Counter()
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                site.counts[path] += 1
                answer = site.pages.get(path)
                if answer is None:
                    self._send(404, "text/html", b"<p>not found</p>")
                elif isinstance(answer[1], dict):
                    self._send(answer[0], "text/html", b"", answer[1])
                else:
                    self._send(answer[0], answer[1], answer[2])

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://{self.address}:{self.port}{path}"

    def hits(self, path: str | None = None) -> int:
        return self.counts[path] if path else sum(self.counts.values())

    def __enter__(self) -> LoopbackSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
