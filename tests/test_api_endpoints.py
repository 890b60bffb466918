"""Every endpoint of the API but /check (tests/test_api_check.py), against the real app over a
real report store (SQLite file and Redis)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from crawler.reports.exports import write_csv
from crawler.reports.store import Run, new_run_id
from tests.api_server import LoopbackSite, api_client
from tests.mockserver import page
from tests.redis_server import BACKENDS, page_record

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIO = str(ROOT / "examples" / "portfolio.yaml")
COVERED = (ROOT / "tests" / "rule_cases" / "icp_link_covered" / "violation-covered.html"
           ).read_text(encoding="utf-8")
# The fields of the check JSON that describe the transport (a browser's page has none).
_TRANSPORT = {"url", "final_url", "http_status", "encoding", "rendered", "redirect_chain",
              "error"}


@pytest.fixture(params=BACKENDS)
def api(request, tmp_path):
    with api_client(request.param, tmp_path, portfolio=PORTFOLIO) as harness:
        yield harness


def test_audit_answers_what_check_answers_for_the_same_page(tmp_path, mockserver, run_cli):
    url = mockserver.url("/unlinked")
    checked = run_cli("check", url, "--render", "never", "--json")
    assert checked.returncode == 1, checked.stderr  # icp_link_missing is an error
    expected = json.loads(checked.stdout)
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        html = answer.read().decode("utf-8")
    with api_client("sqlite", tmp_path) as api:
        got = api.client.post("/api/v1/audit", json={"url": url, "html": html},
                              headers=api.token())
    assert got.status_code == 200, got.text
    audit = got.json()
    assert set(audit) == set(expected)
    assert {k: v for k, v in audit.items() if k not in _TRANSPORT} == \
        {k: v for k, v in expected.items() if k not in _TRANSPORT}
    assert "icp_link_missing" in {v["code"] for v in audit["violations"]}
    assert audit["url"] == audit["final_url"] == url and audit["rendered"] is False
    assert audit["redirect_chain"] == [] and audit["error"] is None


def test_audit_judges_layout_from_the_probe_facts_in_the_dom(api) -> None:
    headers = api.token()
    probe = {"annotated": 12, "visible": 10, "links": 2, "hits": 1, "ms": 3.5}
    covered = api.client.post("/api/v1/audit", headers=headers, json={
        "url": "https://www.example.cn/", "html": COVERED, "layout": probe}).json()
    assert covered["rendered"] is True
    assert "icp_link_covered" in {v["code"] for v in covered["violations"]}
    # Without the probe's facts the page is read as HTML: no layout verdict either way.
    bare = COVERED.replace('data-fa-doc="1280,2000,1280,800"', "").replace(
        'data-fa-hit="0"', "")
    static = api.client.post("/api/v1/audit", headers=headers, json={
        "url": "https://www.example.cn/", "html": bare}).json()
    assert static["rendered"] is False
    assert "icp_link_covered" not in {v["code"] for v in static["violations"]}


def test_audit_never_fetches_or_runs_what_the_html_names(api) -> None:
    with LoopbackSite("127.0.0.1", {}) as site:
        html = page(
            f'<img src="{site.url("/img.png")}"><iframe src="{site.url("/frame")}"></iframe>'
            f'<script src="{site.url("/app.js")}"></script>'
            f'<script>fetch("{site.url("/xhr")}")</script>'
            f'<p>京ICP备12345678号-1</p>',
            head=f'<link rel="stylesheet" href="{site.url("/s.css")}">'
                 f'<meta http-equiv="refresh" content="0;url={site.url("/refresh")}">')
        answer = api.client.post("/api/v1/audit", headers=api.token(), json={
            "url": site.url("/page"), "html": html})
        assert answer.status_code == 200
        assert answer.json()["findings"]["icp"][0]["number"] == "京ICP备12345678号-1"
        assert site.hits() == 0


def test_audit_takes_expectations_from_the_portfolio_and_the_request(api) -> None:
    headers = api.token()
    html = page('<footer><p>© 2026 北京某某科技有限公司</p><p><a href="https://beian.miit.gov.cn/">'
                "京ICP备99999999号-1</a></p></footer>")
    # www.example.cn is a domain of the example portfolio: its expected ICP number is another.
    known = api.client.post("/api/v1/audit", headers=headers,
                            json={"url": "https://www.example.cn/", "html": html}).json()
    assert "icp_mismatch" in {v["code"] for v in known["violations"]}
    unknown = api.client.post("/api/v1/audit", headers=headers,
                              json={"url": "https://unlisted.example.org/", "html": html}).json()
    assert "icp_mismatch" not in {v["code"] for v in unknown["violations"]}
    # What the request says wins over the portfolio.
    told = api.client.post("/api/v1/audit", headers=headers, json={
        "url": "https://www.example.cn/", "html": html,
        "expect_icp": "京ICP备99999999号-1"}).json()
    assert "icp_mismatch" not in {v["code"] for v in told["violations"]}


def _fill(store) -> tuple[Run, Run]:
    """Two finished nightly runs of www.example.cn: the second fixed the 公安 mark."""
    older = Run(id=new_run_id(), portfolio="examples/portfolio.yaml", trigger="nightly",
                started="2026-11-01T02:00:00.000000Z")
    newer = Run(id=new_run_id(), portfolio="examples/portfolio.yaml", trigger="nightly",
                started="2026-11-02T02:00:00.000000Z")
    for run, violations in ((older, [("icp_missing", ""), ("gongan_missing", "")]),
                            (newer, [("icp_missing", "")])):
        store.create_run(run)
        store.put_page(run.id, page_record("https://www.example.cn/", violations))
        store.put_page(run.id, page_record("https://news.example.cn/", []))
        run.status, run.finished = "finished", run.started.replace("02:00", "03:00")
        store.update_run(run)
    return older, newer


def test_runs_list_show_and_diff(api) -> None:
    older, newer = _fill(api.store)
    headers = api.token()
    listed = api.client.get("/api/v1/runs", headers=headers).json()["runs"]
    assert [r["id"] for r in listed] == [newer.id, older.id]
    assert [r["id"] for r in api.client.get("/api/v1/runs?limit=1",
                                            headers=headers).json()["runs"]] == [newer.id]
    shown = api.client.get("/api/v1/runs/latest", headers=headers).json()
    assert shown["run"]["id"] == newer.id and shown["summary"]["violations"] == 1
    assert shown["changes"]["against"] == older.id and shown["changes"]["counts"]["fixed"] == 1
    assert api.client.get(f"/api/v1/runs/{older.id[:-2]}",
                          headers=headers).json()["run"]["id"] == older.id
    diff = api.client.get(f"/api/v1/runs/{newer.id}/diff", headers=headers).json()
    assert diff["against"] == older.id
    assert diff["counts"]["fixed"] == 1 and diff["counts"]["still_open"] == 1
    assert [v["rule"] for v in diff["violations"]["fixed"]] == ["gongan_missing"]
    assert api.client.get(f"/api/v1/runs/{newer.id}/diff?against=nope",
                          headers=headers).status_code == 404


def test_exports_stream_what_the_cli_writes(api) -> None:
    _older, newer = _fill(api.store)
    headers = api.token()
    got = api.client.get(f"/api/v1/runs/{newer.id}/export?format=csv", headers=headers)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert f"footer-audit-{newer.id}.csv" in got.headers["content-disposition"]
    expected = io.StringIO(newline="")
    write_csv(api.store, newer, expected)
    assert got.content.decode("utf-8") == expected.getvalue()
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][5] == "icp_missing"
    as_json = api.client.get(f"/api/v1/runs/{newer.id}/export?format=json", headers=headers)
    document = as_json.json()
    assert document["run"]["id"] == newer.id and len(document["violations"]) == 1
    assert len(document["pages"]) == 2
    html = api.client.get(f"/api/v1/runs/{newer.id}/export?format=html", headers=headers)
    assert html.headers["content-type"].startswith("text/html")
    assert newer.id in html.text and html.text.rstrip().endswith("</html>")
    assert api.client.get(f"/api/v1/runs/{newer.id}/export?format=xlsx",
                          headers=headers).status_code == 422


def test_a_large_export_streams_in_chunks(api) -> None:
    run = Run(id=new_run_id(), portfolio="big")
    api.store.create_run(run)
    for i in range(300):
        api.store.put_page(run.id, page_record(f"https://s{i}.example.cn/",
                                               [("icp_missing", ""), ("gongan_missing", "x")]))
    with api.client.stream("GET", f"/api/v1/runs/{run.id}/export?format=csv",
                           headers=api.token()) as response:
        chunks = [len(c) for c in response.iter_raw()]
    assert len(chunks) > 1 and sum(chunks) > 64 * 1024
    assert max(chunks) < 256 * 1024


def test_site_latest_state_and_history(api) -> None:
    older, newer = _fill(api.store)
    headers = api.token()
    site = api.client.get("/api/v1/sites/WWW.Example.cn", headers=headers).json()
    assert site["site"] == "www.example.cn"
    latest = site["latest"]
    assert latest["run"]["id"] == newer.id and latest["counts"]["error"] == 1
    assert [v["code"] for v in latest["violations"]] == ["icp_missing"]
    assert latest["pages"] == [{"url": "https://www.example.cn/", "status": "ok",
                                "violations": 1}]
    assert [(h["run_id"], h["violations"]) for h in site["history"]] == [(newer.id, 1),
                                                                        (older.id, 2)]
    assert api.client.get("/api/v1/sites/www.example.cn?runs=1",
                          headers=headers).json()["history"][0]["run_id"] == newer.id
    never = api.client.get("/api/v1/sites/nowhere.example.cn", headers=headers).json()
    assert never == {"site": "nowhere.example.cn", "latest": None, "history": []}


def test_snippet_of_a_portfolio_site(api) -> None:
    headers = api.token()
    got = api.client.get("/api/v1/snippet?host=www.example.cn", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert body["org"] == "北京某某科技有限公司" and body["domain"] == "example.cn"
    assert 'href="https://beian.miit.gov.cn/"' in body["html"] and body["icp"] in body["html"]
    assert api.client.get("/api/v1/snippet?host=nowhere.example.org",
                          headers=headers).status_code == 404


def test_snippet_without_a_portfolio_is_404(tmp_path) -> None:
    with api_client("sqlite", tmp_path) as api:
        got = api.client.get("/api/v1/snippet?host=www.example.cn", headers=api.token())
        assert got.status_code == 404 and "--portfolio" in got.json()["detail"]


def test_openapi_documents_every_endpoint(api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/api/v1/audit", "/api/v1/check", "/api/v1/sites/{host}", "/api/v1/runs",
        "/api/v1/runs/{run_id}", "/api/v1/runs/{run_id}/diff", "/api/v1/runs/{run_id}/export",
        "/api/v1/snippet"}
    assert api.client.get("/docs").status_code == 200
