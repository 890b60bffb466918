"""Rendering in a portfolio crawl, with a real Chromium: a JavaScript-only footer is rendered on
demand and remembered for the next run; a browser killed mid-page does not lose the page."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.farm import page, run_crawl, serve_farm

pytestmark = pytest.mark.browser

ICP = "京ICP备12345678号-1"
JS_FOOTER = (
    "document.getElementById('app').innerHTML = '<section>欢迎</section><footer>"
    f"<a href=\"https://beian.miit.gov.cn/\">{ICP}</a></footer>';"
)


def _spa(script: str = JS_FOOTER, head: str = "") -> str:
    return page(f'<div id="app"></div>{head}', foot="", script=script)


SITES = {"hosts": {
    "js.cn": {"pages": {"/": {"body": page()}}},
    "www.js.cn": {"pages": {"/": {"body": _spa()}}},
}}

PORTFOLIO = f"""
crawl:
  inner_pages: 0
organisations:
  - name: 某某公司
    domains:
      - domain: js.cn
        icp: {ICP}
"""


def _homepage_fetches(requests: list[tuple[str, str, str]]) -> int:
    return sum(1 for _, host, target in requests if host == "www.js.cn" and target == "/")


def test_js_footer_rendered_on_demand_then_remembered(tmp_path):
    with serve_farm(SITES, tmp_path / "farm") as farm:
        first = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                          resolve=(farm.resolve,))
        first_fetches = _homepage_fetches(farm.requests())
        assert first.returncode in (0, 1), first.stderr[-3000:]
        www = first.by_url()["https://www.js.cn/"]
        assert www["rendered"] is True
        assert any(m["number"] == ICP for m in www["findings"]["icp"])
        assert first_fetches == 2  # static first, then Chromium
        memory = Path(tmp_path / "data" / "footer-audit" / "render-hosts.json")
        assert "www.js.cn" in memory.read_text(encoding="utf-8")

        second = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                           resolve=(farm.resolve,))
        second_fetches = _homepage_fetches(farm.requests()) - first_fetches
    assert second.by_url()["https://www.js.cn/"]["rendered"] is True
    assert second_fetches == 1  # rendered at once: no static attempt


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _browser_pid(crawl_pid: int) -> int | None:
    """The main Chromium process the crawl launched (its helpers carry --type=)."""
    for pid in _descendants(crawl_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and b"chrom" in Path(cmdline[0].decode()).name.encode() and not any(
                a.startswith(b"--type=") for a in cmdline):
            return pid
    return None


CRASH_SITES = {"hosts": {
    "crash.cn": {"pages": {
        "/": {"body": _spa(head='<script src="/slow.js"></script>')},
        "/slow.js": {"type": "application/javascript", "body": "window.slow = 1;", "delay": 4},
    }},
    "www.crash.cn": {"pages": {"/": {"body": page()}}},
}}

CRASH_PORTFOLIO = """
crawl:
  inner_pages: 0
organisations:
  - name: 某某公司
    domains:
      - domain: crash.cn
        render: always
"""


def test_browser_killed_mid_page_the_page_is_retried_not_lost(tmp_path):
    killed: list[int] = []

    with serve_farm(CRASH_SITES, tmp_path / "farm") as farm:
        def kill_browser_while_rendering(proc) -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if any(t == "/slow.js" for _, _, t in farm.requests()):
                    pid = _browser_pid(proc.pid)
                    if pid:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return
                time.sleep(0.1)

        run = run_crawl(CRASH_PORTFOLIO, tmp_path, "--timeout", "20", "--quiet",
                        resolve=(farm.resolve,), popen_hook=kill_browser_while_rendering)
        slow_fetches = sum(1 for _, _, t in farm.requests() if t == "/slow.js")
    assert killed, "the browser never started rendering"
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    crashed = pages["https://crash.cn/"]  # reported, not lost
    assert crashed["status"] in ("ok", "needs_review", "needs_rendering"), crashed
    assert slow_fetches >= 2  # the page was loaded again in a fresh browser
    assert crashed["rendered"] is True
    assert pages["https://www.crash.cn/"]["status"] in ("ok", "needs_review")
