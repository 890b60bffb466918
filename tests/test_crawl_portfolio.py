"""Portfolio-level results of a crawl: subject numbers compared across an organisation's sites,
app landing pages checked for their APP number, per-domain expectations, the summary table."""

from __future__ import annotations

import pytest

from tests.farm import footer, page, run_crawl, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess

SITES = {"hosts": {
    "one.cn": {"pages": {"/": {"body": page(foot=footer("京ICP备11111111号-1"))},
                         "/app/": {"body": page("下载", foot=footer("京ICP备11111111号-1"))}}},
    "www.one.cn": {"pages": {"/": {"body": page(foot=footer("京ICP备11111111号-1"))}}},
    "two.cn": {"pages": {"/": {"body": page(foot=footer("京ICP备22222222号-1"))}}},
    "www.two.cn": {"pages": {"/": {"body": page(foot=footer("京ICP备22222222号-1"))}}},
    "solo.cn": {"pages": {"/": {"body": page(foot=footer("沪ICP备33333333号-1"))}}},
    "www.solo.cn": {"pages": {"/": {"body": page(foot=footer("沪ICP备33333333号-1"))}}},
}}

PORTFOLIO = """
crawl:
  inner_pages: 0
organisations:
  - name: 北京某某科技有限公司
    province: 北京
    icp: 京ICP备11111111号
    domains:
      - domain: one.cn
        icp: 京ICP备11111111号-1
      - domain: two.cn
    apps:
      - name: 某某App
        url: https://one.cn/app/
        icp: 京ICP备11111111号-3A
  - name: 上海某某有限公司
    province: 上海
    domains:
      - domain: solo.cn
"""


def test_portfolio_wide_and_app_findings(tmp_path):
    with serve_farm(SITES, tmp_path / "farm") as farm:
        run = run_crawl(PORTFOLIO, tmp_path, "--render", "never", "--timeout", "5",
                        resolve=(farm.resolve,))
    assert run.returncode == 1, run.stderr[-3000:]  # errors found: exit status 1
    portfolio = [r for r in run.records if r.get("kind") == "portfolio"]
    assert [r["org"] for r in portfolio] == ["北京某某科技有限公司"]  # 上海: one subject only
    (violation,) = portfolio[0]["violations"]
    assert violation["code"] == "subject_inconsistent"
    assert set(portfolio[0]["sites"]) == {"one.cn", "www.one.cn", "two.cn", "www.two.cn"}

    pages = run.by_url()
    app = pages["https://one.cn/app/"]
    assert "app_filing_missing" in {v["code"] for v in app["violations"]}
    assert "app_filing_missing" not in {v["code"] for v in pages["https://one.cn/"]["violations"]}
    # two.cn shows another subject's number than the organisation's: a mismatch on the page.
    assert "icp_mismatch" in {v["code"] for v in pages["https://two.cn/"]["violations"]}
    assert "icp_mismatch" not in {v["code"] for v in pages["https://one.cn/"]["violations"]}
    # The summary table goes to stderr, one row per organisation.
    assert "crawl summary" in run.stderr and "上海某某有限公司" in run.stderr


def test_results_stored_with_owner_and_run_id(tmp_path):
    from crawler.reports.store.sqlite import SQLiteStore

    store_path = tmp_path / "store.sqlite3"
    portfolio = ("crawl:\n  inner_pages: 0\norganisations:\n  - name: 上海某某有限公司\n"
                 "    owner: web@solo.cn\n    domains:\n      - domain: solo.cn\n"
                 "        owner: ops@solo.cn\n")
    with serve_farm(SITES, tmp_path / "farm") as farm:
        run = run_crawl(portfolio, tmp_path, "--render", "never", "--timeout", "5",
                        "--store", str(store_path), "--trigger", "nightly",
                        resolve=(farm.resolve,))
    assert run.returncode in (0, 1), run.stderr[-3000:]
    assert {r["owner"] for r in run.pages()} == {"ops@solo.cn"}  # the domain's owner wins
    store = SQLiteStore(store_path)
    try:
        (stored,) = store.list_runs()
        assert stored.status == "finished" and stored.portfolio == "portfolio"
        assert stored.trigger == "nightly"
        assert f"run {stored.id} stored" in run.stderr
        pages = list(store.iter_pages(stored.id))
        assert sorted(p["url"] for p in pages) == sorted(r["url"] for r in run.pages())
        assert {p["owner"] for p in pages} == {"ops@solo.cn"}
    finally:
        store.close()


def test_inner_pages_confirm_the_homepage_footer(tmp_path):
    links = ("/about/", "/news/1.html", "/news/2.html")
    own, other = "沪ICP备33333333号-1", "沪ICP备44444444号-1"
    sites = {"hosts": {
        "tpl.cn": {"pages": {
            "/": {"body": page(links=links, foot=footer(own))},
            "/about/": {"body": page("关于", foot=footer(own))},
            "/news/1.html": {"body": page("新闻", foot=footer(other))},
            "/news/2.html": {"body": page("新闻", foot=footer(other))},
        }},
        "www.tpl.cn": {"pages": {"/": {"body": page(foot=footer(own))}}},
    }}
    portfolio = ("organisations:\n  - name: 上海某某有限公司\n    province: 上海\n"
                 "    domains:\n      - domain: tpl.cn\n")
    with serve_farm(sites, tmp_path / "farm") as farm:
        run = run_crawl(portfolio, tmp_path, "--render", "never", "--timeout", "5", "--no-store",
                        resolve=(farm.resolve,))
    assert run.returncode in (0, 1), run.stderr[-3000:]
    (record,) = [r for r in run.records if r.get("kind") == "portfolio"]
    (differ,) = record["footers_differ"]
    assert differ["host"] == "tpl.cn" and differ["homepage"] == [own]
    assert differ["inner_pages"] == {"https://tpl.cn/news/1.html": [other]}
    assert "subject_inconsistent" in {v["code"] for v in record["violations"]}
