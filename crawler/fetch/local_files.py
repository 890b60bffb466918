"""Local HTML files for `check`: checked as input, then served on 127.0.0.1 for the crawl.

A saved page goes through the same fetch path as a live one (size cap, charset, Chromium
rendering with layout facts): Scrapy's `file://` handler reads a whole file of any size and
scrapy-playwright renders http(s) only. The server answers only for the file's own folder, so the
page's relative stylesheets, scripts and images load as a browser opening the file would load them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crawler.errors import UsageError
from crawler.fetch.limits import MAX_PAGE_BYTES

__all__ = ["checked_local_file", "serve_local_files"]


def checked_local_file(path: Path) -> Path:
    """`path` resolved, after the checks a page fetched over HTTP gets from its answer."""
    size = path.stat().st_size
    if size == 0:
        raise UsageError(f"{path} is empty: there is no page to audit")
    if size > MAX_PAGE_BYTES:
        raise UsageError(f"{path} is {size / 2**20:.1f} MiB: a page to audit is at most "
                         f"{MAX_PAGE_BYTES / 2**20:.0f} MiB")
    return path.resolve()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # check's output is the report, not an access log


@contextmanager
def serve_local_files(paths: list[Path]) -> Iterator[dict[Path, str]]:
    """Serve each file's folder on 127.0.0.1 while the block runs; yields file -> URL."""
    servers: dict[Path, ThreadingHTTPServer] = {}
    urls: dict[Path, str] = {}
    try:
        for path in paths:
            folder = path.parent
            if folder not in servers:
                server = ThreadingHTTPServer(
                    ("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, daemon=True).start()
                servers[folder] = server
            port = servers[folder].server_address[1]
            urls[path] = f"http://127.0.0.1:{port}/{quote(path.name)}"
        yield urls
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
