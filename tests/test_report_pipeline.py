"""The report pipeline in real Scrapy crawls (in a subprocess) of slow pages served on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.reports.store import open_store
from pipelines.report import item_record
from tests.redis_server import SHARED_REDIS, open_test_store, redis_prefix_cleanup, unique_prefix

ROOT = Path(__file__).resolve().parent.parent

# A minimal spider: each page's body is its audit JSON; the report pipeline stores it.
CRAWL_SCRIPT = textwrap.dedent("""
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base, pages, store_url, prefix, spool = sys.argv[1:6]

    class Slow(scrapy.Spider):
        name = "slow"
        portfolio_name = "acme"

        async def start(self):
            for i in range(int(pages)):
                yield scrapy.Request(f"{base}/page/{i}")

        def parse(self, response):
            record = json.loads(response.text)
            record["org"] = "某某公司"
            yield record

    process = CrawlerProcess({
        "ITEM_PIPELINES": {"pipelines.report.ReportPipeline": 800},
        "FOOTER_AUDIT_STORE_URL": store_url, "FOOTER_AUDIT_STORE_PREFIX": prefix,
        "FOOTER_AUDIT_STORE_SPOOL_DIR": spool, "FOOTER_AUDIT_STORE_TRIGGER": "nightly",
        "FOOTER_AUDIT_STORE_RUN_ID": "20260101T000000-test01",
        "CONCURRENT_REQUESTS": 2, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
        "ROBOTSTXT_OBEY": False,
    })
    process.crawl(Slow)
    process.start()
""")


class _SlowPages(BaseHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        n = self.path.rsplit("/", 1)[-1]
        host = f"s{n}.example.cn"
        body = json.dumps({
            "url": f"https://{host}/", "final_url": f"https://{host}/", "status": "ok",
            "http_status": 200, "rendered": False, "encoding": "utf-8",
            "findings": {"icp": [], "gongan": [], "copyright": [], "licences": []},
            "violations": [{"code": "icp_missing", "severity": "error", "message": "No ICP",
                            "message_zh": "未显示ICP备案号", "evidence": ""}],
            "review": [], "rules_version": "2026.1", "host": host,
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_site():
    def serve(delay: float):
        handler = type("Handler", (_SlowPages,), {"delay": delay})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    servers: list[ThreadingHTTPServer] = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _crawl(tmp_path, base, pages, store_url, prefix) -> subprocess.Popen:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), base, str(pages), store_url, prefix,
         str(tmp_path / "spool")], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(params=["sqlite", "redis"])
def store_target(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "reports.sqlite3"), ""
    else:
        prefix = unique_prefix()
        yield SHARED_REDIS, prefix
        redis_prefix_cleanup(SHARED_REDIS, prefix)


@pytest.mark.slow
def test_sigterm_mid_crawl_marks_run_incomplete_and_keeps_results(tmp_path, slow_site,
                                                                 store_target):
    url, prefix = store_target
    base = slow_site(0.4)
    proc = _crawl(tmp_path, base, 40, url, prefix)
    try:
        with open_store(url, prefix=prefix or None) as store:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                run = store.get_run("20260101T000000-test01")
                if run and sum(1 for _ in store.iter_page_meta(run.id)) >= 4:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the crawl stored nothing within 60 s")
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=60)
            run = store.get_run("20260101T000000-test01")
            pages = list(store.iter_pages(run.id))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert run.status == "incomplete", output[-2000:]
    assert run.finished and run.trigger == "nightly" and run.portfolio == "acme"
    assert 4 <= len(pages) < 40
    assert run.counts["pages"] == len(pages) and run.counts["violations"] == len(pages)
    assert run.rules_version == "2026.1"
    assert all(p["org"] == "某某公司" for p in pages)


@pytest.mark.slow
def test_crawl_that_ends_normally_is_finished(tmp_path, slow_site):
    db = str(tmp_path / "reports.sqlite3")
    proc = _crawl(tmp_path, slow_site(0), 6, db, "")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output[-2000:]
    assert "Report run 20260101T000000-test01 finished: 6 page(s), 6 violation(s)" in output
    with open_store(db) as store:
        run = store.get_run("20260101T000000-test01")
        assert run.status == "finished" and run.counts["error"] == 6


def test_item_record_from_an_audited_page_item(tmp_path):
    items = pytest.importorskip("crawler.items")
    from rules.model import Expectations

    page = items.AuditedPage(
        url="https://www.example.cn/", final_url="https://www.example.cn/", status="ok",
        html="<html>whole page</html>", org="某某公司", host="www.example.cn",
        domain="example.cn",
        expectations=Expectations(org="某某公司", disabled=frozenset({"b", "a"})),
        audit={"url": "https://www.example.cn/", "status": "ok", "violations": [],
               "rules_version": "1"},
        footer_snapshot="<footer>京ICP备12345678号-1</footer>")
    record = item_record(page)
    assert record["snapshot"] == "<footer>京ICP备12345678号-1</footer>"
    assert record["expectations"]["disabled"] == ["a", "b"]
    assert (record["org"], record["host"], record["domain"]) == ("某某公司", "www.example.cn",
                                                                 "example.cn")
    assert "html" not in record
    json.dumps(record)  # JSON-ready
    with open_test_store("sqlite", tmp_path) as store:
        from crawler.reports.store import Run
        store.create_run(Run(id="r", portfolio="p"))
        assert store.put_page("r", record) is True


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://nowhere/x", "unknown store URL"),
    ("redis://127.0.0.1:port/0", "bad Redis URL"),  # malformed: no retry can make it work
])
def test_run_with_a_store_url_that_can_never_work_stops_before_crawling(tmp_path, run_cli, url,
                                                                         words):
    pf = tmp_path / "p.yaml"
    pf.write_text("organisations:\n  - name: 某某公司\n    domains:\n"
                  "      - domain: a.example.cn\n", encoding="utf-8")
    done = run_cli("run", str(pf), "--store", url, "--render", "never",
                   env={"XDG_DATA_HOME": str(tmp_path / "data")}, timeout=60)
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1 and words in done.stderr
    assert "Traceback" not in done.stderr
