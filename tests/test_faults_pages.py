"""Hostile pages (tests/hostile.py) against `check` and a portfolio run: every page ends in bounded
time with a status of its own, and the other pages of the same crawl are still audited.

The bound on time is the subprocess timeout: a run that hangs fails the test with TimeoutExpired.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.render.processes import renderer_processes
from tests.farm import CrawlRun, run_crawl
from tests.hostile import HostileServer
from tests.mockserver import ICP
from tests.test_crawl_render import _stat

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def _check(run_cli: Callable[..., Any], url: str, *args: str,
           bound: float = 90) -> tuple[int, dict[str, Any], str]:
    proc = run_cli("check", url, "--json", *args, timeout=bound)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def _portfolio(*domains: str) -> str:
    lines = "\n".join(f"      - domain: {d}" for d in domains)
    return f"""
crawl:
  inner_pages: 0
  subdomain_cap: 0
organisations:
  - name: 北京某某科技有限公司
    layout_checks: true
    domains:
{lines}
"""


def _run(hostile: HostileServer, tmp_path: Path, *domains: str, timeout: str = "5",
         hook: Any = None, args: tuple[str, ...] = ()) -> CrawlRun:
    """A portfolio run over hostile hosts: each host's homepage is the resource it is named
    after (`http://late-loop.cn/` is /late-loop); https fails (a plain-HTTP server), so each
    homepage falls back to http://."""
    port = hostile.base.rsplit(":", 1)[1]
    return run_crawl(_portfolio(*domains), tmp_path, "--timeout", timeout, "--verbose", *args,
                     resolve=(f"*:127.0.0.1:{port}",), timeout=150, popen_hook=hook)


# ---- every page ends in bounded time ----

@pytest.mark.browser
@pytest.mark.parametrize("path", ["/late-loop", "/load-loop"])
def test_check_ends_when_the_page_never_yields_after_load(run_cli: Any, hostile: HostileServer,
                                                          path: str) -> None:
    _code, result, stderr = _check(run_cli, hostile.url(path), "--timeout", "4", bound=60)
    assert result["status"] == "needs_review", stderr[-2000:]
    assert result["rendered"] is False
    assert "render_timeout" in {r["reason"] for r in result["review"]}
    assert "rendering took longer than" in result["error"]
    # Audited from its static HTML meanwhile: the marks are found, no log line leaks.
    assert any(m["number"] == ICP for m in result["findings"]["icp"])
    assert stderr.strip() == ""


@pytest.mark.browser
def test_a_hung_page_popups_and_dialogs_do_not_stop_the_crawl(hostile: HostileServer,
                                                              tmp_path: Path) -> None:
    run = _run(hostile, tmp_path, "late-loop.cn", "ok.cn", "popup.cn", "dialogs.cn")
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    hung = pages["https://late-loop.cn/"]
    assert (hung["status"], hung["rendered"]) == ("needs_review", False)
    assert "rendering took longer than" in hung["error"]
    for host in ("ok.cn", "popup.cn", "dialogs.cn"):
        page = pages[f"https://{host}/"]
        assert (page["status"], page["rendered"]) == ("ok", True), page
        assert any(m["number"] == ICP for m in page["findings"]["icp"])
    assert (_stat(run.stderr, "footer_audit/render_stopped/budget") or 0) >= 1
    assert (_stat(run.stderr, "footer_audit/popups_closed") or 0) >= 1
    assert (_stat(run.stderr, "footer_audit/dialogs_dismissed") or 0) >= 1
    # The popup's context was not held open for the grace period of pages nobody closed.
    assert "pages nobody closed" not in run.stderr


def _terminate_while_rendering(sent: list[float]) -> Callable[[Any], None]:
    """A popen_hook: SIGTERM once a renderer has run the looping page for a while."""
    def hook(proc: Any) -> None:
        deadline = time.monotonic() + 90
        seen: float | None = None
        while time.monotonic() < deadline and proc.poll() is None:
            if seen is None and renderer_processes(proc.pid):
                seen = time.monotonic()
            if seen is not None and time.monotonic() - seen > 3:
                os.kill(proc.pid, signal.SIGTERM)
                sent.append(time.monotonic())
                return
            time.sleep(0.1)
    return hook


@pytest.mark.browser
def test_sigterm_during_a_hung_render_ends_the_run_as_incomplete(
        run_cli: Any, hostile: HostileServer, tmp_path: Path) -> None:
    sent: list[float] = []
    store = tmp_path / "runs.db"
    # A render budget far beyond the test's bound: only the shutdown can end it in time.
    run = _run(hostile, tmp_path, "late-loop.cn", timeout="600", hook=_terminate_while_rendering(
        sent), args=("--store", str(store)))
    assert sent, "no renderer ever started"
    assert "rendering stopped: the crawl is shutting down" in run.stderr
    listed = run_cli("report", "--db", str(store), "list", "--json", timeout=60)
    runs = json.loads(listed.stdout)
    runs = runs.get("runs", runs) if isinstance(runs, dict) else runs
    assert [r["status"] for r in runs] == ["incomplete"], listed.stdout


# ---- the size cap holds before rendering ----

@pytest.mark.parametrize(("path", "words"), [
    ("/big", "Content-Length announces 30.0 MB"),
    ("/big-stream", "went past the 10 MB limit"),
    ("/endless", "went past the 10 MB limit"),
    ("/gzip-bomb", "compression bomb"),
])
def test_check_a_page_over_the_size_cap_is_too_large(run_cli: Any, hostile: HostileServer,
                                                     path: str, words: str) -> None:
    # The default render mode (always, when Chromium exists): the cap applies before rendering.
    code, result, stderr = _check(run_cli, hostile.url(path), "--timeout", "15", bound=60)
    assert (code, result["status"], result["rendered"]) == (3, "too_large", False), stderr
    assert words in result["error"]
    assert result["violations"] == [] and result["findings"]["icp"] == []
    # One line on stderr, ours: no Scrapy or middleware WARNING lines.
    assert stderr.strip().splitlines() == [
        f"error: could not fetch {hostile.url(path)}: {result['error']} (too_large)"]


@pytest.mark.browser
def test_check_a_page_that_makes_the_browser_download_past_the_cap(
        run_cli: Any, hostile: HostileServer) -> None:
    # The document is small; its endless frame is what the browser would load for ever.
    code, result, stderr = _check(run_cli, hostile.url("/endless-frame"), "--timeout", "30",
                                  bound=60)
    assert (code, result["status"], result["rendered"]) == (3, "too_large", False), stderr
    assert "the browser received more than 10 MB" in result["error"]
    assert len(stderr.strip().splitlines()) == 1


# ---- hostile content gets the right verdict ----

@pytest.mark.parametrize(("path", "status", "words"), [
    ("/png-as-html", "http_error", "a PNG image served as text/html"),
    ("/html-as-png", "ok", "served as image/png"),
    ("/redirect-loop", "redirect_loop", "redirect loop"),
    ("/refresh-loop", "redirect_loop", "meta refresh loop"),
])
def test_check_hostile_content(run_cli: Any, hostile: HostileServer, path: str, status: str,
                               words: str) -> None:
    code, result, stderr = _check(run_cli, hostile.url(path), "--timeout", "10")
    assert result["status"] == status, stderr
    assert words in result["error"]
    evidence = [v.get("evidence") or "" for v in result["violations"]]
    assert not any("\ufffd" in e or "\x00" in e or "PNG" in e for e in evidence)
    if status == "ok":
        # HTML is read as HTML whatever its type, statically: a browser would show an image.
        assert result["rendered"] is False
        assert any(m["number"] == ICP for m in result["findings"]["icp"])
    else:
        assert code == 3 and result["findings"]["icp"] == []


@pytest.mark.browser
def test_a_crawl_gives_hostile_pages_the_same_verdicts_as_check(hostile: HostileServer,
                                                                tmp_path: Path) -> None:
    hosts = ("png-as-html.cn", "html-as-png.cn", "redirect-loop.cn", "refresh-loop.cn",
             "gzip-bomb.cn", "big.cn", "endless.cn", "ok.cn")
    run = _run(hostile, tmp_path, *hosts, timeout="15")
    assert run.returncode in (0, 1), run.stderr[-3000:]
    got = {url: (p["status"], p["rendered"]) for url, p in run.by_url().items()
           if not url.startswith("https://www.")}
    assert got == {
        "https://png-as-html.cn/": ("http_error", False),
        "https://html-as-png.cn/": ("ok", False),
        "https://redirect-loop.cn/": ("redirect_loop", False),
        "https://refresh-loop.cn/": ("redirect_loop", False),
        "https://gzip-bomb.cn/": ("too_large", False),
        "https://big.cn/": ("too_large", False),
        "https://endless.cn/": ("too_large", False),
        "https://ok.cn/": ("ok", True),
    }
