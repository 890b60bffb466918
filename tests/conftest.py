"""Shared fixtures: the mock web server, Chromium, and runners for crawls in a subprocess.

Crawls run in subprocesses: Twisted's reactor cannot restart within one pytest process.
Browser tests carry the `browser` marker and are skipped, with the reason, only when no Chromium
exists on the machine at all. Markers are declared in pyproject.toml.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.render.browser import find_chromium
from tests.mockserver import MockServer

ROOT = Path(__file__).resolve().parent.parent
# Every process this test session starts inherits this mark, so tests/test_zz_resources.py can
# find what the session left running (Chromium reparented to init is nobody's child any more).
SESSION_MARK = "FOOTER_AUDIT_TEST_SESSION"
os.environ.setdefault(SESSION_MARK, uuid.uuid4().hex)

NO_BROWSER_REASON = ("no Chromium on this machine (set FOOTER_AUDIT_CHROMIUM, install Debian's "
                     "chromium or run `playwright install chromium`)")


# The `slow` marker (pyproject.toml) goes on every test that starts Chromium, a Scrapy crawl, a
# command-line subprocess or a redis-server: here by the markers and fixtures such tests use, so a
# new test using them is slow without saying so; modules that crawl a farm mark themselves
# (`pytestmark`). `pytest -m "not slow"` is the fast tier.
_SLOW_MARKERS = frozenset({"browser", "faults"})
_SLOW_FIXTURES = frozenset({"run_cli", "fetch_pages"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(m in item.keywords for m in _SLOW_MARKERS) or \
                _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if find_chromium() is not None:
        return
    skip = pytest.mark.skip(reason=NO_BROWSER_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockServer]:
    """The tests' web server on 127.0.0.1 (see tests/mockserver.py for its resources)."""
    with MockServer() as server:
        yield server


@pytest.fixture(scope="session")
def closed_port() -> int:
    """A loopback port where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `footer-audit ARGS...` in a subprocess (`env` adds variables); returns the completed
    process (text)."""
    def run(*args: str, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from crawler.app.cli import main; main()", *args],
            cwd=ROOT, env=_env(env), capture_output=True, text=True, timeout=timeout,
        )
    return run


@pytest.fixture(scope="session")
def fetch_pages() -> Callable[..., dict[str, Any]]:
    """Fetch URLs through the fetch path without the audit (tests/fetch_pages.py).

    Returns ``{"pages": {requested_url: FetchedPage dict}, "stats": {...}}``.
    """
    def run(urls: list[str], *, render: str = "never", timeout: float = 10,
            settings: dict[str, Any] | None = None) -> dict[str, Any]:
        cmd = [sys.executable, "-m", "tests.fetch_pages", "--render", render,
               "--timeout", str(timeout), "--settings", json.dumps(settings or {}), *urls]
        proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = json.loads(proc.stdout)
        out["stderr"] = proc.stderr
        return out
    return run
