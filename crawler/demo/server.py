"""One stand-in web server on 127.0.0.1, run in a subprocess of its own.

A server module answers with a `QuietHandler` subclass, prints its base URL on the first line of
its output and serves until stopped; `ServerProcess` (with the module's name) starts it with
`python -m MODULE` for the length of a `with` block.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["QuietHandler", "ServerProcess", "wait_until_serving"]

# The directory the project's packages are imported from (a checkout, or site-packages).
_IMPORT_ROOT = Path(__file__).resolve().parents[2]


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, no access log, `_send` for a whole answer."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: whoever runs the server reads results, not access logs."""

    def _send(self, status: int, content_type: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class ServerProcess:
    """A server module (`module`) run in a subprocess; it prints its base URL first."""

    module = ""
    root = _IMPORT_ROOT  # the directory `module` is imported from

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen([sys.executable, "-m", self.module], cwd=self.root,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().strip()
        if not self.base.startswith("http://"):
            self.proc.kill()
            raise RuntimeError(f"the server {self.module} did not start")
        return self

    def url(self, path: str) -> str:
        return self.base + path

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_until_serving(base: str, proc: subprocess.Popen[str] | subprocess.Popen[bytes],
                       timeout: float = 60.0) -> bool:
    """Wait until the `footer-audit serve` process `proc` answers at `base` (its OpenAPI
    document). False when the process ended first or `timeout` passed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/openapi.json", timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.2)
