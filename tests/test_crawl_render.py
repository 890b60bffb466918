"""Rendering in a portfolio crawl, with a real Chromium: a JavaScript-only footer is rendered on
demand and remembered for the next run; a browser or a page's renderer killed mid-page does not
lose the page; browser contexts are recycled."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from crawler.render.processes import browser_process, renderer_processes
from tests.farm import ROOT, page, run_crawl, serve_farm

pytestmark = pytest.mark.browser

ICP = "京ICP备12345678号-1"
JS_FOOTER = (
    "document.getElementById('app').innerHTML = '<section>欢迎</section><footer>"
    f"<a href=\"https://beian.miit.gov.cn/\">{ICP}</a></footer>';"
)


def _spa(script: str = JS_FOOTER, head: str = "") -> str:
    return page(f'<div id="app"></div>{head}', foot="", script=script)


SITES = {"hosts": {
    "jsfoot.cn": {"pages": {"/": {"body": page()}}},
    "www.jsfoot.cn": {"pages": {"/": {"body": _spa()}}},
}}

PORTFOLIO = f"""
crawl:
  inner_pages: 0
organisations:
  - name: 某某公司
    domains:
      - domain: jsfoot.cn
        icp: {ICP}
"""


def _homepage_fetches(requests: list[tuple[str, str, str]]) -> int:
    return sum(1 for _, host, target in requests if host == "www.jsfoot.cn" and target == "/")


def test_js_footer_rendered_on_demand_then_remembered(tmp_path):
    with serve_farm(SITES, tmp_path / "farm") as farm:
        first = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                          resolve=(farm.resolve,))
        first_fetches = _homepage_fetches(farm.requests())
        assert first.returncode in (0, 1), first.stderr[-3000:]
        www = first.by_url()["https://www.jsfoot.cn/"]
        assert www["rendered"] is True
        assert any(m["number"] == ICP for m in www["findings"]["icp"])
        # Static first, then Chromium: a document on a loopback or private address is fetched by
        # the browser itself (one it is handed would count as public and lose its local
        # requests); a public one is served the static answer (tests stay on loopback).
        assert first_fetches == 2
        memory = Path(tmp_path / "data" / "footer-audit" / "render-hosts.json")
        assert "www.jsfoot.cn" in memory.read_text(encoding="utf-8")

        second = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                           resolve=(farm.resolve,))
        second_fetches = _homepage_fetches(farm.requests()) - first_fetches
    assert second.by_url()["https://www.jsfoot.cn/"]["rendered"] is True
    assert second_fetches == 2  # the render memory skips the render decision, not the fetch


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
                    browser = browser_process(proc.pid)
                    if browser:
                        browser.kill()
                        killed.append(browser.pid)
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


def _stat(stderr: str, name: str) -> int | None:
    """A counter from the crawl's closing stats dump (the log at INFO level)."""
    match = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    return int(match.group(1)) if match else None


def _crash_renderer(farm, kills: int, killed: list[int]):
    """A popen_hook that kills Chromium's renderers while the page waits for /slow.js, on its
    first `kills` attempts. It waits a while first, so that the other pages (rendered in about a
    second) are done and only the slow page crashes; a page rendering meanwhile on a loaded
    machine would crash too, and be retried."""
    def hook(proc) -> None:
        deadline = time.monotonic() + 120
        asked_at: float | None = None
        while time.monotonic() < deadline and proc.poll() is None and len(killed) < kills:
            asked = sum(1 for _, _, t in farm.requests() if t == "/slow.js")
            if asked > len(killed) and asked_at is None:
                asked_at = time.monotonic()
            if asked_at is not None and time.monotonic() - asked_at > SLOW_SCRIPT_S / 2:
                renderers = renderer_processes(proc.pid)
                for renderer in renderers:
                    with contextlib.suppress(psutil.NoSuchProcess):  # gone with another
                        renderer.kill()
                killed.append(len(renderers))
                asked_at = None
            time.sleep(0.05)
    return hook


SLOW_SCRIPT_S = 6  # the crash page waits this long for its script: the renderer is killed then
CRASH_OTHER = "other.cn"
CRASH_RENDER_SITES = {"hosts": {
    # Answered late, so that the other pages have rendered before it crashes; its link leads to a
    # subdomain rendered after it, when its own context has closed.
    "crash.cn": {"pages": {
        "/": {"body": _spa(head='<a href="https://sub.crash.cn/">sub</a>'
                                '<script src="/slow.js"></script>'), "delay": 2},
        "/slow.js": {"type": "application/javascript", "body": "window.slow = 1;",
                     "delay": SLOW_SCRIPT_S},
    }},
    "www.crash.cn": {"pages": {"/": {"body": page()}}},
    "sub.crash.cn": {"pages": {"/": {"body": page()}}},
    CRASH_OTHER: {"pages": {"/": {"body": page()}}},
    f"www.{CRASH_OTHER}": {"pages": {"/": {"body": page()}}},
}}
OTHER_PAGES = ("https://www.crash.cn/", "https://sub.crash.cn/", f"https://{CRASH_OTHER}/",
               f"https://www.{CRASH_OTHER}/")


def _crash_portfolio(render: str) -> str:
    return f"""
crawl:
  inner_pages: 0
organisations:
  - name: 某某公司
    domains:
      - domain: crash.cn
        render: {render}
      - domain: {CRASH_OTHER}
        render: always
"""


def test_renderer_killed_mid_page_the_page_is_rendered_again_in_a_fresh_context(tmp_path):
    killed: list[int] = []
    with serve_farm(CRASH_RENDER_SITES, tmp_path / "farm") as farm:
        run = run_crawl(_crash_portfolio("always"), tmp_path, "--timeout", "20", "--verbose",
                        resolve=(farm.resolve,), popen_hook=_crash_renderer(farm, 1, killed))
        slow_fetches = sum(1 for _, _, t in farm.requests() if t == "/slow.js")
    assert killed and killed[0] >= 1, "no renderer was running while the page rendered"
    assert run.returncode in (0, 1), run.stderr[-3000:]
    crashed = run.by_url()["https://crash.cn/"]
    assert (crashed["status"], crashed["rendered"], crashed["error"]) == ("ok", True, None)
    assert any(m["number"] == ICP for m in crashed["findings"]["icp"])
    assert slow_fetches == 2  # rendered again once
    assert (_stat(run.stderr, "footer_audit/render_crash_retried") or 0) >= 1
    assert _stat(run.stderr, "footer_audit/render_crashed") is None
    # The retry's single-use context was closed after its page, not kept for the crawl.
    assert (_stat(run.stderr, "footer_audit/render_contexts_closed") or 0) >= 1
    for url in OTHER_PAGES:
        assert run.by_url()[url]["status"] == "ok", run.by_url()[url]


@pytest.mark.parametrize("render", ["always", "auto"])
def test_a_page_that_crashes_the_browser_twice_is_reported_not_lost(tmp_path, render):
    killed: list[int] = []
    with serve_farm(CRASH_RENDER_SITES, tmp_path / "farm") as farm:
        run = run_crawl(_crash_portfolio(render), tmp_path, "--timeout", "20", "--verbose",
                        resolve=(farm.resolve,), popen_hook=_crash_renderer(farm, 2, killed))
        requests = farm.requests()
    assert len(killed) == 2 and all(killed), killed
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    crashed = pages["https://crash.cn/"]
    assert crashed["status"] == "needs_review"  # never a pass
    assert crashed["rendered"] is False  # audited from its static HTML
    assert "crashed the browser twice" in crashed["error"]
    assert "render_crashed" in {r["reason"] for r in crashed["review"]}
    assert sum(1 for _, _, t in requests if t == "/slow.js") == 2  # not a third time
    # In both modes the page is fetched statically once, then by each of the two renders (a
    # loopback document is fetched by the browser itself); the fallback audits the static answer.
    homepage = sum(1 for _, h, t in requests if (h, t) == ("crash.cn", "/"))
    assert homepage == 3
    assert (_stat(run.stderr, "footer_audit/render_crash_retried") or 0) >= 1
    assert _stat(run.stderr, "footer_audit/render_crashed") == 1
    # The rest of the crawl went on.
    for url in OTHER_PAGES:
        assert pages[url]["status"] == "ok", pages[url]
    assert pages[f"https://{CRASH_OTHER}/"]["rendered"] is True


_CRAWL_WITH_SETTINGS = """
import json, sys
from crawler.portfolio.model import load_portfolio
from crawler.app.run import crawl_portfolio
outcome = crawl_portfolio(load_portfolio(sys.argv[1]), output=sys.argv[2], resolve=[sys.argv[3]],
                          quiet=True, store=False, extra=json.loads(sys.argv[4]))
print(json.dumps(outcome.stats, default=str))
"""


def test_contexts_are_recycled_every_n_pages_and_at_most_two_are_open(tmp_path):
    domains = [f"r{i:02d}.cn" for i in range(20)]  # 40 homepages, every one rendered
    sites = {"hosts": {h: {"pages": {"/": {"body": page()}}}
                       for d in domains for h in (d, f"www.{d}")}}
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "crawl:\n  inner_pages: 0\norganisations:\n  - name: 北京某某科技有限公司\n"
        "    domains:\n" + "".join(f"      - domain: {d}\n        render: always\n"
                                   for d in domains), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with serve_farm(sites, tmp_path / "farm") as farm:
        proc = subprocess.run(
            [sys.executable, "-c", _CRAWL_WITH_SETTINGS, str(portfolio), str(out), farm.resolve,
             json.dumps({"FOOTER_AUDIT_RENDER_CONTEXT_PAGES": 10})],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads(proc.stdout.splitlines()[-1])
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    pages = [r for r in records if r.get("kind") != "portfolio"]
    assert len(pages) == 40
    assert all(p["status"] == "ok" and p["rendered"] for p in pages), [
        (p["url"], p["status"], p["error"]) for p in pages if p["status"] != "ok"]
    opened = stats["footer_audit/render_contexts"]
    assert opened >= 3
    assert stats["playwright/context_count"] == opened  # each one really opened in Chromium
    assert stats["footer_audit/render_contexts_max_live"] <= 2
    assert stats["playwright/context_count/max_concurrent"] <= 2
    # The old ones were closed during the crawl (the last one or two close with the browser).
    assert stats["footer_audit/render_contexts_closed"] >= opened - 2
    assert stats["playwright/page_count/max_concurrent"] <= 4
