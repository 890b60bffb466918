"""`scrapy crawl portfolio -a file=...` runs the same crawl as `footer-audit run`, with the
writer, the --resolve map and the extensions wired by the spider itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.farm import ROOT, page, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess

SITES = {"hosts": {
    "a.cn": {"pages": {"/": {"body": page(links=("https://b.a.cn/", "https://c.cn/"))}}},
    "www.a.cn": {"pages": {"/": {"body": page()}}},
    "b.a.cn": {"pages": {"/": {"body": page()}}},
}}
PORTFOLIO = ("crawl:\n  inner_pages: 0\norganisations:\n"
             "  - name: 北京某某科技有限公司\n    domains:\n      - domain: a.cn\n")
JS_FOOTER = ("document.getElementById('app').innerHTML = '<footer>"
             "<a href=\\\"https://beian.miit.gov.cn/\\\">京ICP备12345678号-1</a></footer>';")


def scrapy_crawl(tmp_path: Path, sites: dict[str, Any], *settings: str
                 ) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]], set[str]]:
    """`scrapy crawl portfolio` of PORTFOLIO against a farm of `sites`, with `-s` settings:
    the process, the JSON lines written and the hosts the farm saw."""
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(PORTFOLIO, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with serve_farm(sites, tmp_path / "farm") as farm:
        args = [f"FOOTER_AUDIT_RESOLVE={farm.resolve}", f"FOOTER_AUDIT_JSONL_OUTPUT={out}",
                "LOG_LEVEL=WARNING", *settings]
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portfolio", "-a", f"file={portfolio}",
             *(x for arg in args for x in ("-s", arg))],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        requested = farm.hosts_requested()
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return proc, [json.loads(line) for line in lines], requested


def test_scrapy_crawl_portfolio(tmp_path):
    proc, records, requested = scrapy_crawl(tmp_path, SITES, "FOOTER_AUDIT_RENDER=never")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {r["host"] for r in records if "host" in r} == {"a.cn", "www.a.cn", "b.a.cn"}
    assert "c.cn" not in requested
    assert "crawl summary" in proc.stderr  # the extensions are wired too


@pytest.mark.browser
def test_scrapy_crawl_portfolio_renders_through_the_resolve_map(tmp_path):
    # A JavaScript footer on b.a.cn: Chromium must reach the farm through the same --resolve map.
    sites = {"hosts": {**SITES["hosts"], "b.a.cn": {"pages": {"/": {"body": page(
        '<div id="app"></div>', foot="", script=JS_FOOTER)}}}}}
    proc, records, _ = scrapy_crawl(tmp_path, sites, "FOOTER_AUDIT_STORE_ENABLED=False")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    rendered = {r["url"]: r for r in records if "url" in r}["https://b.a.cn/"]
    assert rendered["rendered"] is True and rendered["status"] in ("ok", "needs_review"), rendered
    assert [m["number"] for m in rendered["findings"]["icp"]] == ["京ICP备12345678号-1"]
