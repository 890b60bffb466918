"""HTML export: loaded in headless Chromium with no console errors, no network, and working
sort and filter."""

from __future__ import annotations

import os

import pytest

from crawler.changes import Waiver
from crawler.exports import write_html
from crawler.store import Run, new_run_id
from crawler.store.writer import close_run
from tests.redis_server import open_test_store, page_record

sync_api = pytest.importorskip("playwright.sync_api")


def _launch_options() -> dict:
    try:
        from crawler.browser import launch_options
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
