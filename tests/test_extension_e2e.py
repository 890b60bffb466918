"""The browser extension end to end: the full Chromium loads extension/ unpacked, a real
`footer-audit serve` answers it, and the pages it audits are served on 127.0.0.1.

The headless shell cannot load extensions; the full browser in its new headless mode can, in a
persistent context with --disable-extensions-except and --load-extension. A toolbar button cannot
be clicked headless, so the tests open popup.html?tab=ID: the popup audits that tab exactly as it
audits the active tab when the toolbar opens it.

The site is www.example.cn, a site of the server's portfolio, which Chromium and the server's
crawls both reach on 127.0.0.1. The click on the toolbar button would grant the extension the tab
(activeTab); the test's copy of the extension holds a host permission for the site instead, its
only difference from extension/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.demo.server import wait_until_serving
from crawler.render.browser import find_full_chromium
from tests.conftest import ROOT
from tests.mockserver import GONGAN, HOLDER, ICP, QuietHandler, footer_html, page
from tests.tofu import artifacts_dir

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(find_full_chromium() is None,
                                 reason="no full Chromium (the headless shell cannot load "
                                        "extensions): install Debian's chromium")]

EXTENSION = ROOT / "extension"
HOST = "www.example.cn"
# A site last night's crawl audited (the test writes that run into the store).
NIGHTLY_HOST = "bbs.example.cn"
# A server as if on another machine: a name the extension holds no host permission for.
API_HOST = "api.example.cn"
PORTFOLIO = f"""organisations:
  - name: {HOLDER}
    province: 北京
    icp: 京ICP备12345678号
    domains:
      - domain: example.cn
        icp: {ICP}
        gongan: "{GONGAN}"
"""
BADGE_SLOT_PAGE = page(footer_html(gongan=False, extra=(
    f'<p><a id="gongan" href="https://beian.mps.gov.cn/#/query/webSearch?code={GONGAN}">'
    f"京公网安备{GONGAN}号</a></p>")))
# Over the extension's 4 MB cap: the scripts make it so (sent without them), or the text does (not
# sent at all).
BIG_SCRIPT = "<script>/*" + "x" * (4_500_000) + "*/</script>"
PAGES = {
    # The homepage a crawl starts from: the ICP number is not linked (icp_link_missing, an error).
    "/": page(footer_html(link=False)),
    "/ok": page(footer_html()),
    "/no-badge": BADGE_SLOT_PAGE,
    "/no-icp": page(footer_html(icp=None)),
    # The only ICP mark is an image without alt text: the audit cannot read it (needs_review).
    "/icp-image": page(footer_html(icp=None, extra=(
        '<p><a href="https://beian.miit.gov.cn/"><img src="/icp.png" width="80" height="16">'
        "</a></p>"))),
    "/big-scripts": page(footer_html(link=False), head=BIG_SCRIPT),
    "/too-big": page("<p>" + "很长的正文。" * 300_000 + "</p>" + footer_html()),
}


class _SiteHandler(QuietHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in PAGES:
            self._send(200, "text/html; charset=utf-8", PAGES[path].encode())
        else:
            self._send(404, "text/html; charset=utf-8", page("<p>not found</p>").encode())


@pytest.fixture(scope="module")
def site_port() -> Iterator[int]:
    """A small site served on 127.0.0.1: its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SiteHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(site_port: int) -> str:
    """The site's base URL under its name, without the final slash."""
    return f"http://{HOST}:{site_port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running `footer-audit serve` with its store and tokens."""

    def __init__(self, base: str, store: Path, tokens: dict[str, str]) -> None:
        self.base = base
        self.store = store
        self.tokens = tokens

    def get(self, path: str, token: str) -> Any:
        request = urllib.request.Request(self.base + path,
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@contextlib.contextmanager
def _serve(store: Path, log_path: Path, *args: str) -> Iterator[str]:
    """`footer-audit serve` on a free loopback port with the store and ARGS: its base URL."""
    port = _free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from crawler.app.cli import main; main()", "serve",
             "--port", str(port), "--store", str(store), "--log-level", "warning", *args],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log,
            stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            if not wait_until_serving(base, proc):
                pytest.fail("footer-audit serve did not start:\n" + log_path.read_text()[-3000:])
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, site_port: int,
           run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    store = tmp / "reports.sqlite3"
    portfolio = tmp / "portfolio.yaml"
    portfolio.write_text(PORTFOLIO, encoding="utf-8")

    def cli(*args: str) -> str:
        proc = run_cli(*args, "--store", str(store))
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    tokens = {name: cli("token", "create", "--name", name, "--scope", scope).split()[0]
              for name, scope in (("extension", "crawl"), ("revoked", "crawl"),
                                  ("auditor", "audit"))}
    cli("token", "revoke", "revoked")
    with _serve(store, tmp / "serve.log", "--portfolio", str(portfolio),
                # Crawls reach the site on 127.0.0.1 (every name does: nothing leaves this
                # machine), which the server refuses unless told.
                "--resolve", f"*:127.0.0.1:{site_port}",
                "--allow-network", "127.0.0.0/8") as base:
        yield Server(base, store, tokens)


class Browser:
    """The persistent context with the extension loaded, and its service worker."""

    def __init__(self, context: Any) -> None:
        self.context = context
        workers = context.service_workers
        self.worker = workers[0] if workers else context.wait_for_event("serviceworker",
                                                                         timeout=30_000)
        self.id = self.worker.url.split("/")[2]

    def url(self, path: str) -> str:
        return f"chrome-extension://{self.id}/{path}"

    def settings(self, **values: str) -> None:
        self.worker.evaluate("values => chrome.storage.local.set(values)", values)

    def open_tab(self, url: str) -> tuple[Any, int]:
        tab = self.context.new_page()
        tab.goto(url)
        tab_id = self.worker.evaluate(
            "async url => (await chrome.tabs.query({})).find(t => t.url === url).id", url)
        return tab, tab_id

    def popup(self, tab_id: int) -> Any:
        """popup.html for the tab, once its audit has answered (or failed)."""
        popup = self.context.new_page()
        popup.set_viewport_size({"width": 480, "height": 760})
        popup.goto(self.url(f"popup.html?tab={tab_id}"))
        popup.wait_for_selector("#verdict:not([data-verdict=checking])", timeout=30_000)
        return popup

    def badge(self, tab_id: int) -> str:
        return self.worker.evaluate("tabId => chrome.action.getBadgeText({tabId})", tab_id)

    def last_audit(self, tab_id: int) -> dict[str, Any]:
        """The server's answer for the tab, as the service worker kept it."""
        key = f"audit:{tab_id}"
        return self.worker.evaluate("key => chrome.storage.session.get(key)", key)[key]


@pytest.fixture(scope="module")
def extension(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """extension/, with a host permission for the site in place of the toolbar click's."""
    copy = tmp_path_factory.mktemp("ext") / "extension"
    shutil.copytree(EXTENSION, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["host_permissions"] += [f"http://{HOST}/*", f"http://{NIGHTLY_HOST}/*"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, extension: Path) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=find_full_chromium(), headless=False,
            # A compliance officer in China: "last night" is Beijing's night.
            env={**os.environ, "TZ": "Asia/Shanghai"},
            viewport={"width": 1366, "height": 768},
            args=["--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  # The site names go to 127.0.0.1, any other name nowhere.
                  "--host-resolver-rules=MAP *.example.cn 127.0.0.1, MAP * ~NOTFOUND, "
                  "EXCLUDE 127.0.0.1",
                  f"--disable-extensions-except={extension}", f"--load-extension={extension}"])
        try:
            yield Browser(context)
        finally:
            context.close()


@pytest.fixture
def configured(browser: Browser, server: Server) -> Browser:
    browser.settings(backend=server.base, token=server.tokens["extension"], lang="zh")
    return browser


def _wait(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_options_page_keeps_server_token_and_language(browser: Browser, server: Server) -> None:
    options = browser.context.new_page()
    options.goto(browser.url("options.html"))
    options.fill("#backend", server.base.removeprefix("http://") + "/")
    options.fill("#token", " " + server.tokens["extension"] + " ")
    options.select_option("#lang", "en")
    options.click("#save")
    options.wait_for_selector("#message[data-kind=ok]")
    assert options.text_content("#message") == "Saved"
    stored = browser.worker.evaluate("chrome.storage.local.get(null)")
    assert stored == {"backend": server.base, "token": server.tokens["extension"], "lang": "en"}
    options.click("#test")
    # Extension pages forbid eval: wait through selectors, not wait_for_function.
    options.wait_for_selector("#message:has-text('token')")
    assert options.get_attribute("#message", "data-kind") == "ok"
    options.screenshot(path=str(artifacts_dir() / "extension-options.png"), full_page=True)
    options.close()


def test_audit_of_a_tab_sets_the_badge_and_the_popup_verdict(configured: Browser,
                                                             site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    answer = configured.last_audit(tab_id)["result"]
    errors = [v for v in answer["violations"] if v["severity"] == "error"]
    assert "icp_link_missing" in [v["code"] for v in errors]
    # The layout probe ran in the tab: the server saw the number's visibility from the browser.
    assert [m["visible"] for m in answer["findings"]["icp"]] == [True]
    assert configured.badge(tab_id) == str(len(errors))
    # The probe's attributes went to the server and were taken off the page again.
    assert tab.evaluate("document.querySelectorAll('[data-fa-box], [data-fa-doc]').length") == 0
    assert configured.worker.evaluate(
        "async tabId => (await chrome.action.getBadgeBackgroundColor({tabId})).join()",
        tab_id) == "217,48,37,255"
    assert popup.get_attribute("#verdict", "data-verdict") == "error"
    assert popup.text_content("#verdict-text") == f"{len(errors)} 个错误"
    item = popup.locator("li[data-code=icp_link_missing]")
    text = item.text_content()
    # Chinese first, English beside, and the fix with the HTML to use.
    assert "京ICP备12345678号-1 未链接到工信部备案系统" in text
    assert "is not linked to the MIIT filing system" in text
    assert "修改" in text
    assert 'href="https://beian.miit.gov.cn/"' in item.locator("code").text_content()
    marks = popup.text_content("#marks")
    assert ICP in marks and f"京公网安备{GONGAN}号" in marks
    shot = artifacts_dir() / "extension-popup.png"
    popup.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    popup.close()
    tab.close()


def test_a_compliant_page_gets_a_green_check(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/ok")
    popup = configured.popup(tab_id)
    assert configured.badge(tab_id) == "\u2713"
    assert popup.get_attribute("#verdict", "data-verdict") == "pass"
    assert popup.text_content("#verdict-text") == "页脚合规，无错误"
    popup.close()
    tab.close()


def test_an_undecided_page_gets_a_question_mark(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/icp-image")
    popup = configured.popup(tab_id)
    assert configured.last_audit(tab_id)["result"]["status"] == "needs_review"
    assert configured.badge(tab_id) == "?"
    assert popup.get_attribute("#verdict", "data-verdict") == "review"
    assert popup.text_content("#verdict-text") == "需要人工复核"
    assert "icp_number_only_in_image" in popup.text_content("#review")
    popup.close()
    tab.close()


def _frames(tab: Any, kind: str) -> list[dict[str, float]]:
    return tab.evaluate(
        "kind => [...document.querySelectorAll('#footer-audit-highlights .footer-audit-' + kind)]"
        ".map(d => { const r = d.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, w: r.width, h: r.height}; })", kind)


def _box(tab: Any, selector: str) -> dict[str, float]:
    return tab.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, w: r.width, h: r.height}; }", selector)


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (outer["x"] <= inner["x"] and outer["y"] <= inner["y"]
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"]
            and inner["y"] + inner["h"] <= outer["y"] + outer["h"])


def test_highlight_outlines_the_marks_and_the_violation(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    popup.click("#highlight")
    popup.wait_for_selector("#highlight[data-drawn]")
    icp = _box(tab, "#icp")
    violations = _frames(tab, "violation")
    assert len(violations) == 1 and _inside(icp, violations[0])
    marks = _frames(tab, "mark")
    assert len(marks) == 3 and any(_inside(icp, m) for m in marks)
    # Small frames around the text, not the whole width of the footer.
    assert violations[0]["w"] < icp["w"] + 20
    tab.screenshot(path=str(artifacts_dir() / "extension-highlight.png"))
    popup.click("#highlight")  # the same button takes them off again
    _wait(lambda: not tab.query_selector("#footer-audit-highlights"))
    assert tab.query_selector("#footer-audit-highlights") is None
    popup.close()
    tab.close()


def test_highlight_shows_where_a_missing_badge_belongs(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/no-badge")
    popup = configured.popup(tab_id)
    assert popup.locator("li[data-code=gongan_missing_icon]").count() == 1
    popup.click("#highlight")
    popup.wait_for_selector("#highlight[data-drawn]")
    slots = _frames(tab, "slot")
    mark = _box(tab, "#gongan")
    assert len(slots) == 1
    # Just left of the 公安 mark, on its line.
    assert slots[0]["x"] + slots[0]["w"] <= mark["x"] + 4
    assert abs(slots[0]["y"] - mark["y"]) < 10
    popup.close()
    tab.close()


def test_highlight_shows_where_a_missing_number_belongs(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/no-icp")
    popup = configured.popup(tab_id)
    assert popup.locator("li[data-code=icp_missing]").count() == 1
    popup.click("#highlight")
    popup.wait_for_selector("#highlight[data-drawn]")
    slots = _frames(tab, "slot")
    footer = _box(tab, "#footer")
    assert len(slots) == 1
    # In the footer, under the marks it has.
    assert _inside(slots[0], {**footer, "h": footer["h"] + 40})
    assert slots[0]["y"] >= _box(tab, "#gongan")["y"]
    tab.screenshot(path=str(artifacts_dir() / "extension-highlight-missing.png"))
    popup.close()
    tab.close()


def test_copy_the_compliant_footer(configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    popup.click("#copy-snippet")
    popup.wait_for_selector("#snippet-text:not([hidden])")
    snippet = popup.input_value("#snippet-text")
    assert 'href="https://beian.miit.gov.cn/"' in snippet and ICP in snippet
    popup.close()
    tab.close()


def test_the_popup_says_what_last_nights_crawl_found(configured: Browser, server: Server,
                                                    site_port: int) -> None:
    from crawler.reports.store import Run, new_run_id, open_store
    from crawler.reports.store.closing import close_run
    from tests.redis_server import page_record

    beijing = timezone(timedelta(hours=8))
    night = datetime.now(beijing).replace(hour=23, minute=10, second=0, microsecond=0)
    night -= timedelta(days=1)

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")

    with open_store(str(server.store)) as store:
        run = Run(id=new_run_id(), portfolio="nightly", trigger="nightly", started=utc(night))
        store.create_run(run)
        store.put_page(run.id, page_record(f"https://{NIGHTLY_HOST}/", [
            ("icp_missing", ""), ("gongan_missing", ""), ("copyright_year_stale", "2019")]))
        close_run(store, run.id, "finished", utc(night + timedelta(minutes=20)))
    tab, tab_id = configured.open_tab(f"http://{NIGHTLY_HOST}:{site_port}/")
    popup = configured.popup(tab_id)
    popup.wait_for_selector("#site-last[data-run]")
    assert popup.text_content("#site-last") == "昨晚：3 个违规"
    assert popup.get_attribute("#site-last", "data-run") == run.id
    popup.close()
    tab.close()


def test_crawl_this_site_runs_to_its_report(configured: Browser, server: Server,
                                            site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    assert popup.text_content("#site-last") == "这个网站还没有抓取记录"
    popup.click("#crawl")
    popup.wait_for_selector("#crawl-progress[data-state]")
    popup.wait_for_selector("#crawl-progress[data-state=finished]", timeout=180_000)
    # Followed through the server-sent events, not by polling.
    assert popup.get_attribute("#crawl-progress", "data-via") == "events"
    run_id = popup.get_attribute("#crawl-report", "data-run")
    assert run_id and popup.is_visible("#crawl-report")
    stored = server.get(f"/api/v1/runs/{run_id}", server.tokens["extension"])
    assert run_id in json.dumps(stored)
    pages = server.get(f"/api/v1/sites/{HOST}", server.tokens["extension"])["latest"]["pages"]
    # The site's homepage, fetched from the test's server and audited.
    assert {(urlsplit(p["url"]).hostname, p["status"]) for p in pages} == {(HOST, "ok")}
    found = int(re.search(r"(\d+) 个违规", popup.text_content("#crawl-progress")).group(1))
    assert found >= 1  # the homepage's unlinked ICP number at least
    # The site's last crawl is the one just finished.
    popup.wait_for_selector("#site-last:has-text('个违规')")
    assert popup.get_attribute("#site-last", "data-run") == run_id
    popup.screenshot(path=str(artifacts_dir() / "extension-popup-crawl.png"), full_page=True)
    with configured.context.expect_page() as opened:
        popup.click("#crawl-report")
    report = opened.value
    report.wait_for_selector("#report:not([hidden])", timeout=30_000)
    shown = report.frame_locator("#report")
    # The report's own script ran (it counts the rows it shows), in the sandboxed frame.
    shown.locator("#filter-count").filter(has_text=re.compile(r"^\d+ / \d+$")).wait_for()
    assert HOST in shown.locator("body").text_content()
    report.screenshot(path=str(artifacts_dir() / "extension-report.png"))
    report.close()
    popup.close()
    tab.close()


def test_a_page_over_the_size_cap_goes_without_its_scripts_or_not_at_all(
        configured: Browser, site: str) -> None:
    tab, tab_id = configured.open_tab(site + "/big-scripts")
    popup = configured.popup(tab_id)
    assert popup.get_attribute("#verdict", "data-verdict") == "error"
    assert configured.last_audit(tab_id)["page"]["reduced"] is True
    popup.close()
    tab.close()
    tab, tab_id = configured.open_tab(site + "/too-big")
    popup = configured.popup(tab_id)
    assert popup.get_attribute("#verdict", "data-verdict") == "failed"
    assert "页面太大" in popup.text_content("#error")
    popup.close()
    tab.close()


def test_a_server_elsewhere_answers_once_it_allows_the_extension(
        configured: Browser, server: Server, site: str, tmp_path: Path) -> None:
    tab, tab_id = configured.open_tab(site + "/")
    # The running server does not name the extension's origin: the browser refuses its answer.
    configured.settings(backend=server.base.replace("127.0.0.1", API_HOST))
    popup = configured.popup(tab_id)
    assert popup.get_attribute("#verdict", "data-verdict") == "failed"
    message = popup.text_content("#error")
    assert "无法连接 footer-audit 服务器" in message
    assert f"--allow-origin chrome-extension://{configured.id}" in message
    popup.close()
    # The same store served with --allow-origin for the extension: CORS lets the answer through.
    with _serve(server.store, tmp_path / "serve.log",
                "--allow-origin", f"chrome-extension://{configured.id}") as base:
        configured.settings(backend=base.replace("127.0.0.1", API_HOST))
        popup = configured.popup(tab_id)
        assert popup.get_attribute("#verdict", "data-verdict") == "error"
        assert popup.locator("li[data-code=icp_link_missing]").count() == 1
        popup.close()
    tab.close()


def test_a_token_without_the_crawl_scope_cannot_start_a_crawl(configured: Browser,
                                                              server: Server, site: str) -> None:
    configured.settings(token=server.tokens["auditor"])
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    assert popup.get_attribute("#verdict", "data-verdict") == "error"  # auditing is allowed
    popup.click("#crawl")
    popup.wait_for_selector("#error:not([hidden])")
    assert "没有此操作的权限（403）" in popup.text_content("#error")
    assert popup.is_enabled("#crawl")
    popup.close()
    tab.close()


@pytest.mark.parametrize("case", ["unreachable", "no token", "unknown token", "revoked token"])
def test_clear_message_when_the_server_cannot_answer(configured: Browser, server: Server,
                                                     site: str, case: str) -> None:
    settings = {
        "unreachable": {"backend": f"http://127.0.0.1:{_free_port()}"},
        "no token": {"token": ""},
        "unknown token": {"token": "fa_" + "x" * 43},
        "revoked token": {"token": server.tokens["revoked"]},
    }[case]
    expected = {
        "unreachable": "无法连接 footer-audit 服务器",
        "no token": "还没有设置访问令牌",
        "unknown token": "服务器拒绝了访问令牌（401）",
        "revoked token": "令牌已被吊销或没有此操作的权限（403）",
    }[case]
    configured.settings(**settings)
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    assert popup.get_attribute("#verdict", "data-verdict") == "failed"
    assert popup.is_visible("#error")
    assert expected in popup.text_content("#error")
    assert configured.badge(tab_id) == "!"
    popup.close()
    tab.close()


def test_english_leads_when_chosen(configured: Browser, site: str) -> None:
    configured.settings(lang="en")
    tab, tab_id = configured.open_tab(site + "/")
    popup = configured.popup(tab_id)
    assert re.fullmatch(r"\d+ errors?", popup.text_content("#verdict-text"))
    main = popup.locator("li[data-code=icp_link_missing] .msg-main").text_content()
    assert main == f"{ICP} is not linked to the MIIT filing system"
    popup.close()
    tab.close()
