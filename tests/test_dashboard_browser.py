"""The dashboard in real Chromium (Playwright), served by the real `footer-audit serve --open`
over a store filled by two real crawls of the demo farm (examples/demo_farm.py) on loopback.

Screenshots of each page, on a laptop and on a phone, are kept in test-artifacts/ for people to
look at. Checked: the pages load with their styles (no request leaves the server), the Chinese
text is drawn with real glyphs (tests/tofu.py), the trend chart has one bar per run, the page
fits a phone's width, the footer screenshot of a site loads.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.redis_server import free_port
from crawler.demo.farm import serve_farm
from tests.crawl_runs import ROOT, run_crawl
from tests.tofu import artifacts_dir, shows_tofu

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PORTFOLIO = ROOT / "examples" / "portfolio.yaml"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _demo_spec() -> dict[str, Any]:
    from crawler.portfolio.model import load_portfolio

    spec = importlib.util.spec_from_file_location("demo_farm", ROOT / "examples" / "demo_farm.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_spec(load_portfolio(PORTFOLIO))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Two nightly crawls of the demo farm into one SQLite store (the second renders every page
    in Chromium, so pages with violations keep their footer screenshots), then the dashboard
    served read-only on a free loopback port."""
    work = tmp_path_factory.mktemp("dashboard")
    db = work / "reports.sqlite3"
    portfolio = PORTFOLIO.read_text(encoding="utf-8")
    with serve_farm(_demo_spec(), work / "farm") as farm:
        for n, render in enumerate(("never", "always")):
            crawl = run_crawl(portfolio, work / f"crawl{n}", "--render", render, "--store",
                              str(db), "--trigger", "nightly", "--quiet",
                              resolve=(farm.resolve,), timeout=300)
            assert crawl.returncode == 1, crawl.stderr[-3000:]  # the planted errors
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from crawler.app.cli import main; main()", "serve", "--open",
         "--port", str(port), "--store", str(db), "--audit-workers", "0", "--crawl-slots", "0",
         "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/dashboard/static/dashboard.css", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, db
    finally:
        proc.send_signal(signal.SIGTERM)  # the server this fixture started, by its pid
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from crawler.render.browser import launch_options

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options())
        try:
            yield browser
        finally:
            browser.close()


def _open(chromium: Any, url: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    """A fresh tab on `url`; the list of URLs it requested outside the server."""
    context = chromium.new_context(viewport=viewport)
    tab = context.new_page()
    outside: list[str] = []
    origin = url.split("/dashboard", 1)[0]
    tab.on("request", lambda r: None if r.url.startswith((origin, "data:"))
           else outside.append(r.url))
    answer = tab.goto(url, wait_until="load")
    assert answer is not None and answer.status == 200, url
    return tab, outside


def _keep(tab: Any, name: str) -> None:
    tab.screenshot(path=str(artifacts_dir() / f"dashboard-{name}.png"), full_page=True)


def _styled(tab: Any) -> bool:
    """The stylesheet applied (the page's CSP allows only our own)."""
    return tab.evaluate("getComputedStyle(document.querySelector('header.top')).display") \
        == "flex"


_WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !(e.parentElement && e.parentElement.closest('.scroll')))
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def _overflow(tab: Any) -> list[str]:
    """Elements wider than the window (tables scroll inside their own box, and may)."""
    if tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
        return []
    return tab.evaluate(_WIDER)[:10] or ["the page"]


def test_overview_in_chromium_on_a_laptop_and_a_phone(served, chromium) -> None:
    from crawler.reports.store import open_store

    base, db = served
    with open_store(str(db)) as store:
        runs = store.list_runs()
    assert len(runs) == 2
    for name, viewport in (("overview-laptop", LAPTOP), ("overview-phone", PHONE)):
        tab, outside = _open(chromium, f"{base}/dashboard/", viewport)
        assert _styled(tab) and _overflow(tab) == [], name
        assert tab.locator("rect.bar").count() == len(runs)
        drawn = {tab.locator("rect.bar").nth(i).get_attribute("data-run")
                 for i in range(len(runs))}
        assert drawn == {r.id for r in runs}
        assert tab.locator("a.chip.errors").count() >= 1
        assert tab.locator("a.chip.clean").count() >= 1
        _keep(tab, name)
        assert not shows_tofu(tab, "h1")  # 总览, drawn with real glyphs
        assert outside == []
        tab.context.close()


def test_site_page_with_its_footer_screenshot_in_chromium(served, chromium) -> None:
    from crawler.reports.store import open_store

    base, db = served
    with open_store(str(db)) as store:
        latest = store.list_runs()[0]
        shot_of = next(p for p in store.iter_pages(latest.id)
                       if p.get("screenshot") and p.get("violations"))
    site = shot_of["host"]
    for name, viewport in (("site-laptop", LAPTOP), ("site-phone", PHONE)):
        tab, outside = _open(chromium, f"{base}/dashboard/site/{site}", viewport)
        assert _styled(tab) and _overflow(tab) == [], name
        image = tab.locator("figure.shot img").first
        image.scroll_into_view_if_needed()
        tab.wait_for_function("img => img.complete && img.naturalWidth > 0",
                              arg=image.element_handle())
        assert tab.locator("li.violation").count() >= len(shot_of["violations"])
        assert tab.locator("p.fix").count() >= 1
        _keep(tab, name)
        assert not shows_tofu(tab, "section h2")  # 最新结果
        assert outside == []
        tab.context.close()


def test_run_page_in_chromium(served, chromium) -> None:
    base, _db = served
    tab, outside = _open(chromium, f"{base}/dashboard/", LAPTOP)
    tab.locator("rect.bar").last.click()  # each bar links to its run
    tab.wait_for_url("**/dashboard/run/**")
    assert _styled(tab)
    assert tab.locator("a.button").count() == 3  # CSV, JSON, HTML
    href = tab.locator("a.button").first.get_attribute("href")
    assert href is not None and href.endswith("format=csv")
    csv = httpx.get(base + href, timeout=30)  # --open: no sign-in needed to read
    assert csv.status_code == 200 and "icp_mismatch" in csv.text  # a planted violation
    _keep(tab, "run-laptop")
    english_url = tab.url + "?lang=en"
    tab.goto(english_url)
    assert "Diff against the previous run" in tab.content()
    _keep(tab, "run-laptop-en")
    assert outside == []
    tab.context.close()


def test_sign_in_and_out_through_the_form_in_chromium(served, chromium) -> None:
    from crawler.api.tokens import create_token
    from crawler.reports.store import open_store

    base, db = served
    with open_store(str(db)) as store:
        token, _ = create_token(store, "browser-admin", "admin")
    tab, outside = _open(chromium, f"{base}/dashboard/signin", LAPTOP)
    tab.fill("input[name=token]", token)
    tab.click("form button[type=submit]")
    tab.wait_for_url(f"{base}/dashboard/")
    assert "browser-admin" in tab.locator("header .who").inner_text()
    [cookie] = [c for c in tab.context.cookies() if c["name"] == "footer_audit_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    assert token not in cookie["value"]  # the session names the token by its hash only
    tab.goto(f"{base}/dashboard/waivers")
    assert tab.locator("form.form select[name=rule]").count() == 1  # admin: the waiver form
    _keep(tab, "waivers-admin")
    tab.click("header form button[type=submit]")  # sign out
    tab.wait_for_url(f"{base}/dashboard/signin")
    assert "browser-admin" not in tab.content()
    assert outside == []
    tab.context.close()
