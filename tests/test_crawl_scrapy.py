"""`scrapy crawl portfolio -a file=...` runs the same crawl as `footer-audit run`, with the
writer, the --resolve map and the extensions wired by the spider itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.farm import ROOT, page, serve_farm

SITES = {"hosts": {
    "a.cn": {"pages": {"/": {"body": page(links=("https://b.a.cn/", "https://c.cn/"))}}},
    "www.a.cn": {"pages": {"/": {"body": page()}}},
    "b.a.cn": {"pages": {"/": {"body": page()}}},
}}


def test_scrapy_crawl_portfolio(tmp_path):
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text("organisations:\n  - name: 北京某某科技有限公司\n    domains:\n"
                         "      - domain: a.cn\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with serve_farm(SITES, tmp_path / "farm") as farm:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portfolio", "-a", f"file={portfolio}",
             "-s", f"FOOTER_AUDIT_RESOLVE={farm.resolve}", "-s", f"FOOTER_AUDIT_JSONL_OUTPUT={out}",
             "-s", "FOOTER_AUDIT_RENDER=never", "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        requested = farm.hosts_requested()
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["host"] for r in records} == {"a.cn", "www.a.cn", "b.a.cn"}
    assert "c.cn" not in requested
    assert "crawl summary" in proc.stderr  # the extensions are wired too


JS_FOOTER = ("document.getElementById('app').innerHTML = '<footer>"
             "<a href=\\\"https://beian.miit.gov.cn/\\\">京ICP备12345678号-1</a></footer>';")


@pytest.mark.browser
def test_scrapy_crawl_portfolio_renders_through_the_resolve_map(tmp_path):
    # A JavaScript footer on b.a.cn: Chromium must reach the farm through the same --resolve map.
    sites = {"hosts": {**SITES["hosts"], "b.a.cn": {"pages": {"/": {"body": page(
        '<div id="app"></div>', foot="", script=JS_FOOTER)}}}}}
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text("crawl:\n  inner_pages: 0\norganisations:\n"
                         "  - name: 北京某某科技有限公司\n    domains:\n      - domain: a.cn\n",
                         encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with serve_farm(sites, tmp_path / "farm") as farm:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portfolio", "-a", f"file={portfolio}",
             "-s", f"FOOTER_AUDIT_RESOLVE={farm.resolve}", "-s", f"FOOTER_AUDIT_JSONL_OUTPUT={out}",
             "-s", "FOOTER_AUDIT_STORE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    records = {r["url"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())
               if "url" in r}
    rendered = records["https://b.a.cn/"]
    assert rendered["rendered"] is True and rendered["status"] in ("ok", "needs_review"), rendered
    assert [m["number"] for m in rendered["findings"]["icp"]] == ["京ICP备12345678号-1"]
