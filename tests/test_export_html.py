"""HTML export: loaded in headless Chromium with no console errors, no network, and working
sort and filter."""

from __future__ import annotations

import io
import os
import re

import pytest

from crawler.reports.changes import Waiver
from crawler.reports.exports import write_html
from crawler.reports.store import Run, new_run_id
from crawler.reports.store.writer import close_run
from tests.redis_server import open_test_store, page_record
from tests.tofu import artifacts_dir, shows_tofu

sync_api = pytest.importorskip("playwright.sync_api")


def _launch_options() -> dict:
    try:
        from crawler.render.browser import launch_options
    except ImportError:  # the browser module is optional here: fall back to Debian's Chromium
        args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
        if os.geteuid() == 0:
            args.insert(0, "--no-sandbox")
        return {"headless": True, "args": args, "executable_path": "/usr/lib/chromium/chromium"}
    return launch_options()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    with open_test_store("sqlite", tmp) as store:
        first = Run(id=new_run_id(), portfolio="acme", started="2026-04-01T00:00:00.000000Z")
        store.create_run(first)
        store.put_page(first.id, page_record("https://c.example.cn/", [("icp_missing", "")]))
        close_run(store, first.id, "finished")
        run = Run(id=new_run_id(), portfolio="acme", started="2026-04-02T00:00:00.000000Z")
        store.create_run(run)
        codes = [("icp_missing", ""), ("gongan_missing_icon", "京公网安备11010502030143号"),
                 ("copyright_year_stale", "© 2019 <script>alert(1)</script>")]
        for i, host in enumerate(["b.example.cn", "a.example.cn", "d.example.cn"]):
            store.put_page(run.id, page_record(f"https://{host}/", codes[: i + 1],
                                               org="乙公司" if i else "甲公司"))
        store.put_page(run.id, page_record("https://e.example.cn/", [("icp_missing", "")]))
        store.put_waiver(Waiver("e.example.cn", "icp_missing", "site closing", owner="王"))
        run = close_run(store, run.id, "finished")
        path = tmp / "report.html"
        listed = write_html(store, run, path)
    return path, listed


def test_report_is_self_contained(report):
    path, listed = report
    text = path.read_text(encoding="utf-8")
    assert listed == 6
    assert "<script>alert(1)</script>" not in text  # page evidence is escaped
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "src=" not in text and "<link" not in text


@pytest.mark.slow
def test_report_in_chromium_sorts_and_filters(report):
    path, _ = report
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(**_launch_options())
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning")
                    else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            assert page.locator("#filter-count").inner_text() == "6 / 6"
            assert page.locator("#trend-chart rect").count() == 2
            assert page.locator("#by-org tbody tr").count() == 2
            assert page.locator("#waived-table tbody tr").count() == 1
            assert "site closing" in page.locator("#waived").inner_text()
            assert page.locator("#change-counts [data-kind=unverified] b").inner_text() == "1"
            assert page.locator("#pages details.page").count() == 4

            def column(n: int) -> list[str]:
                return page.eval_on_selector_all(
                    "#violations-table tbody tr:not([hidden])",
                    f"rows => rows.map(r => r.cells[{n}].textContent.trim())")

            site = page.locator("#violations-table thead th", has_text="Site")
            site.click()
            assert column(2) == sorted(column(2)) and column(2)[0] == "a.example.cn"
            site.click()
            assert column(2) == sorted(column(2), reverse=True)
            page.locator("#violations-table thead th", has_text="Severity").click()
            assert column(5) == ["error"] * 3 + ["warning"] * 3

            page.fill("#filter-text", "d.example")
            assert set(column(2)) == {"d.example.cn"}
            assert page.locator("#filter-count").inner_text() == "3 / 6"
            page.fill("#filter-text", "")
            page.select_option("#filter-severity", "warning")
            assert column(5) == ["warning"] * 3
            page.select_option("#filter-severity", "")
            page.select_option("#filter-status", "open")
            assert column(4) == []  # c.example.cn's old violation is not in this run
            page.select_option("#filter-status", "new")
            assert len(column(4)) == 6
        finally:
            browser.close()
    assert errors == []
    assert requests == [path.as_uri()]


def test_headings_and_labels_are_chinese_first(report):
    path, _ = report
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings and all(re.match(r"[\u4e00-\u9fff]", h) for h in headings), headings
    assert all(re.search(r"[A-Za-z]", h) for h in headings)  # the English beside
    assert headings[0] == "摘要 <span class=en>Summary</span>"
    head = re.search(r'<table id="violations-table"><thead>(.*?)</thead>', text).group(1)
    assert re.findall(r"<th>([^<]*) <span", head) == [
        "组织", "负责人", "网站", "网址", "规则", "级别", "说明", "证据", "首次发现", "状态"]


def test_trend_bars_show_the_time_when_runs_share_a_day(tmp_path):
    with open_test_store("sqlite", tmp_path) as store:
        for started in ("2026-04-01T08:00:00.000000Z", "2026-04-02T09:15:00.000000Z",
                        "2026-04-02T21:40:00.000000Z"):
            run = Run(id=new_run_id(), portfolio="acme", started=started)
            store.create_run(run)
            store.put_page(run.id, page_record("https://a.example.cn/", [("icp_missing", "")]))
            run = close_run(store, run.id, "finished")
        out = io.StringIO()
        write_html(store, run, out)
    svg = out.getvalue().split('<svg id="trend-chart"', 1)[1].split("</svg>", 1)[0]
    assert re.findall(r'class="day">([^<]*)<', svg) == ["04-01", "04-02", "04-02"]
    # Only the runs that share a date are told apart by their time.
    assert re.findall(r'class="time">([^<]*)<', svg) == ["09:15", "21:40"]
    assert "<title>2026-04-02 21:40 UTC: 1</title>" in svg


@pytest.mark.browser
def test_report_screenshot_with_readable_chinese(report):
    # Kept for people to look at (not committed): test-artifacts/, or $FOOTER_AUDIT_ARTIFACTS.
    path, _ = report
    shot = artifacts_dir() / "html-report.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(**_launch_options())
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(path.as_uri())
            page.screenshot(path=str(shot), full_page=True)
            assert not shows_tofu(page, "#by-org"), "Chinese text renders as boxes"
            assert not shows_tofu(page, "h1")
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000


def test_page_evidence_says_how_to_fix(tmp_path):
    from rules.audit import audit_page
    from rules.model import PageInput

    audited = audit_page(PageInput("https://a.example.cn/", "<html><body><footer>"
                                   "<p>京ICP备12345678号-1</p></footer></body></html>"))
    record = page_record("https://a.example.cn/")
    record["violations"] = [v.to_json() for v in audited.violations]
    with open_test_store("sqlite", tmp_path) as store:
        run = Run(id=new_run_id(), portfolio="acme", started="2026-04-01T08:00:00.000000Z")
        store.create_run(run)
        store.put_page(run.id, record)
        run = close_run(store, run.id, "finished")
        out = io.StringIO()
        write_html(store, run, out)
    evidence = out.getvalue().split('<section id="pages">', 1)[1]
    assert ("<div class=meta>修改： 把备案号放在指向工信部备案系统的链接中："
            "&lt;a href=&quot;https://beian.miit.gov.cn/&quot;") in evidence
    assert "<div class=meta>fix: Put the number inside a link to the MIIT system:" in evidence
