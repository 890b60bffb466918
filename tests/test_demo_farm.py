"""examples/demo_farm.py: `footer-audit run examples/portfolio.yaml` against the demo farm reaches
every site of the portfolio, reports the planted violations under their rule codes and nothing on
the compliant pages; the script prints a command that works and stops its server on SIGTERM."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crawler.portfolio.model import Portfolio, load_portfolio
from tests.farm import ROOT, CrawlRun, run_crawl, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess

PORTFOLIO = ROOT / "examples" / "portfolio.yaml"
DEMO = ROOT / "examples" / "demo_farm.py"
FAILED = {"unreachable", "tls_error", "http_error", "timeout", "blocked"}


def _demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_farm", DEMO)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _planted(portfolio: Portfolio) -> dict[str, set[str]]:
    """URL -> rule codes the demo plants, on the first domain of the first organisation."""
    first = portfolio.organisations[0].domains[0]
    bare = first.domain.removeprefix("www.")
    return {
        f"https://news.{bare}/": {"subdomain_icp_missing"},  # no marks at all
        f"https://bbs.{bare}/": {"copyright_year_stale", "gongan_missing_link",
                                 "gongan_missing_icon"},
        f"https://{first.add_subdomains[0]}/": {"icp_link_missing"},
        first.start_urls[0]: {"icp_mismatch"},
    }


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Portfolio, CrawlRun, set[str]]:
    portfolio = load_portfolio(PORTFOLIO)
    work = tmp_path_factory.mktemp("demo")
    with serve_farm(_demo().build_spec(portfolio), work / "farm") as farm:
        run = run_crawl(PORTFOLIO.read_text(encoding="utf-8"), work / "crawl",
                        "--render", "never", "--no-store", "--quiet",
                        resolve=(farm.resolve,), timeout=90)
        requested = farm.hosts_requested()
    return portfolio, run, requested


def test_every_site_of_the_portfolio_is_reached(demo_run: Any) -> None:
    portfolio, run, _ = demo_run
    assert run.returncode == 1, run.stderr  # the planted errors
    pages = run.pages()
    assert pages and not [p["url"] for p in pages if p["status"] in FAILED]
    by_url = run.by_url()
    for org in portfolio.organisations:
        for d in org.domains:
            homes = [p for p in pages if p["org"] == org.name and p["domain"] == d.domain
                     and p["discovered_from"] is None and p["url"].endswith("/")]
            assert {p["host"] for p in homes} >= {d.domain, f"www.{d.domain}"}, d.domain
            for host in d.add_subdomains:
                assert by_url[f"https://{host}/"]["status"] == "ok"
            for url in d.start_urls:
                assert by_url[url]["status"] == "ok"
            if d.render == "always":  # the JavaScript-only footer: static HTML has no verdict
                assert {p["status"] for p in homes} == {"needs_rendering"}
        for app in org.apps:
            assert by_url[app.url]["status"] == "ok"


def test_planted_violations_are_reported_and_compliant_pages_are_clean(demo_run: Any) -> None:
    portfolio, run, _ = demo_run
    planted = _planted(portfolio)
    by_url = run.by_url()
    for url, codes in planted.items():
        shown = {v["code"] for v in by_url[url]["violations"]}
        assert codes <= shown, (url, shown)
    all_planted = set().union(*planted.values())
    checked = 0
    for p in run.pages():
        if p["url"] in planted or p["status"] != "ok":
            continue
        checked += 1
        assert p["violations"] == [], (p["url"], [v["code"] for v in p["violations"]])
        assert not all_planted & {v["code"] for v in p["violations"]}
    assert checked >= 5  # www./apex homepages, an inner page, the app page, the second org


def test_subdomains_come_from_links_and_the_sitemap_and_skips_hold(demo_run: Any) -> None:
    portfolio, run, requested = demo_run
    first = portfolio.organisations[0].domains[0]
    bare = first.domain
    by_url = run.by_url()
    assert by_url[f"https://news.{bare}/"]["discovered_from"] == f"https://www.{bare}/"
    assert by_url[f"https://bbs.{bare}/"]["discovered_from"] == \
        f"https://www.{bare}/sitemap.xml"
    assert by_url[f"https://{bare}/"]["final_url"] == f"https://www.{bare}/"  # apex -> www.
    skipped = {h for h in first.skip_subdomains if not h.startswith("*.")}
    zones = {f"wiki.{h[2:]}" for h in first.skip_subdomains if h.startswith("*.")}
    assert skipped and zones  # the demo links to them, the crawl must leave them alone
    assert not (skipped | zones) & requested
    served = set(_demo().build_spec(portfolio)["hosts"])
    assert requested <= served  # nothing outside the farm's sites (beian.miit.gov.cn...)


def test_script_prints_the_command_serves_and_stops(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, str(DEMO)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        head = [proc.stdout.readline() for _ in range(3)]
        port = int(re.search(r"127\.0\.0\.1:(\d+)", head[0]).group(1))  # type: ignore[union-attr]
        assert head[2].strip() == \
            f"footer-audit run examples/portfolio.yaml --resolve '*:127.0.0.1:{port}'"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: www.example.com.cn\r\nConnection: close\r\n\r\n")
            answer = b"".join(iter(lambda: s.recv(65536), b"")).decode("utf-8")
        assert answer.startswith("HTTP/1.1 200") and "上海某某信息服务有限公司" in answer
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 143 and "Traceback" not in err
    with pytest.raises(OSError):  # the farm server went with it
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.browser
def test_readme_screenshot_sequence(tmp_path: Path) -> None:
    """README: `demo_farm.py --run --render always`, then `report screenshot latest URL`."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "REDIS_URL": ""}
    env.pop("FOOTER_AUDIT_DB", None)
    run = subprocess.run([sys.executable, str(DEMO), "--run", "--render", "always", "--quiet"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr[-2000:]  # the demo plants errors
    shot = tmp_path / "footer.jpg"
    out = subprocess.run(
        [sys.executable, "-c", "from crawler.app.cli import main; main()", "report", "screenshot",
         "latest", "https://shop.example.cn/", "-o", str(shot)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert shot.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
