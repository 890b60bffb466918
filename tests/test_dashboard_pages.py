"""The dashboard's pages over a real report store (SQLite file; one pass on real Redis): what
they show, who may see and do what, CSRF, sessions, `serve --open`."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest

from crawler.api.config import ApiConfig
from crawler.errors import UsageError
from crawler.reports.store import Run, new_run_id
from crawler.reports.store.closing import close_run
from tests.api_server import ApiHarness, api_client
from tests.redis_server import BACKENDS, page_record

ACME, OTHER = "某某科技有限公司", "另一家公司"


def png(width: int, height: int) -> bytes:
    """A grey PNG of that size (zlib and struct, no imaging library)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


SHOT = png(40, 20)


def _page(url: str, violations, *, org: str = ACME, status: str = "ok", shot: bool = False,
          redirects: tuple[str, ...] = ()) -> dict:
    record = page_record(url, violations, org=org, owner="网站组", status=status)
    for v in record["violations"]:
        v["html"] = f"<p class=\"copy\">{v['evidence']}</p>"
        v["fix"], v["fix_zh"] = f"Fix {v['code']}", f"修改 {v['code']}"
    record["redirect_chain"] = list(redirects)
    if shot:
        record["screenshot"] = {"type": "image/png", "clip": [0, 0, 40, 20], "size": len(SHOT),
                                "data": base64.b64encode(SHOT).decode()}
    return record


def fill(store) -> list[Run]:
    """Three closed nightly runs: a.example.cn loses its 公安 violation in the last one and gains
    a copyright one; b is clean, c unreachable, d (another organisation) has an error."""
    runs = []
    for day in (1, 2, 3):
        run = Run(id=new_run_id(), portfolio="portfolio.yaml", trigger="nightly",
                  started=f"2026-11-0{day}T02:00:00.000000Z")
        store.create_run(run)
        a = [("icp_missing", "")]
        a += [("gongan_missing", "")] if day < 3 else [("copyright_stale", "© 2019 某某")]
        store.put_page(run.id, _page("https://a.example.cn/", a, shot=True,
                                     redirects=("http://a.example.cn/",)))
        store.put_page(run.id, _page("https://b.example.cn/", []))
        store.put_page(run.id, _page("https://c.example.cn/", [], status="unreachable"))
        store.put_page(run.id, _page("https://d.other.cn/", [("icp_missing", "")], org=OTHER))
        runs.append(close_run(store, run.id, "finished",
                              f"2026-11-0{day}T03:00:00.000000Z"))
    return runs


@pytest.fixture(params=["sqlite"])
def dash(request, tmp_path) -> Iterator[ApiHarness]:
    with api_client(request.param, tmp_path) as api:
        fill(api.store)
        yield api


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(api: ApiHarness, scope: str = "audit", org: str | None = None,
            client=None) -> str:
    """Sign the client in with a new token of `scope` (restricted to `org`); the token's name."""
    from crawler.api.tokens import create_token

    client = client or api.client
    name = f"viewer-{scope}-{len(api.made)}"
    token, _record = create_token(api.store, name, scope, org)
    api.made.append(token)
    form = client.get("/dashboard/signin")
    answer = client.post("/dashboard/signin", data={"csrf": _csrf(form.text), "token": token,
                                                    "next": "/dashboard/"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return name


def _bars(html: str) -> list[str]:
    return re.findall(r'<rect class="bar"[^>]*data-run="([^"]+)"', html)


# -- what the pages show -------------------------------------------------------------------------
@pytest.mark.parametrize("dash", BACKENDS, indirect=True)
def test_overview_colours_every_site_and_charts_each_run(dash) -> None:
    runs = dash.store.list_runs()
    sign_in(dash)
    page = dash.client.get("/dashboard/")
    assert page.status_code == 200
    html = page.text
    assert "页脚合规看板" in html and ACME in html and OTHER in html
    for site, colour in (("a.example.cn", "errors"), ("b.example.cn", "clean"),
                         ("c.example.cn", "unreachable"), ("d.other.cn", "errors")):
        assert re.search(rf'class="chip {colour}" href="/dashboard/site/{site}"', html), site
    assert "copyright_stale" in html and "gongan_missing" not in html  # the latest state only
    assert sorted(_bars(html)) == sorted(r.id for r in runs)
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    english = dash.client.get("/dashboard/?lang=en")
    assert "Footer compliance dashboard" in english.text
    # The choice stays with the visitor (a cookie) until switched back.
    assert "Footer compliance dashboard" in dash.client.get("/dashboard/").text
    assert "页脚合规看板" in dash.client.get("/dashboard/?lang=zh").text


def test_a_warning_site_and_a_site_to_review_have_their_colours(tmp_path) -> None:
    with api_client("sqlite", tmp_path) as api:
        run = Run(id=new_run_id(), portfolio="p", trigger="nightly")
        api.store.create_run(run)
        api.store.put_page(run.id, _page("https://w.example.cn/",
                                         [("copyright_stale", "© 2019")]))
        api.store.put_page(run.id, _page("https://r.example.cn/", [], status="needs_review"))
        close_run(api.store, run.id, "finished")
        sign_in(api)
        html = api.client.get("/dashboard/").text
        assert 'class="chip warnings" href="/dashboard/site/w.example.cn"' in html
        assert 'class="chip review" href="/dashboard/site/r.example.cn"' in html


@pytest.mark.parametrize("dash", BACKENDS, indirect=True)
def test_organisation_page_shows_changes_since_the_night_before(dash) -> None:
    from datetime import date, timedelta

    from crawler.reports.lifecycle import Waiver

    soon = date.today() + timedelta(days=5)
    dash.store.put_waiver(Waiver("b.example.cn", "icp_missing", "迁移中", "张三", soon))
    sign_in(dash)
    page = dash.client.get(f"/dashboard/org/{ACME}")
    assert page.status_code == 200
    html = page.text
    assert "a.example.cn" in html and "d.other.cn" not in html and "网站组" in html
    # gongan_missing fixed and copyright_stale new on a.example.cn, last night against before.
    assert re.search(r'class="kind new">新增 <b>1</b>', html)
    assert re.search(r'class="kind fixed">已修复 <b>1</b>', html)
    assert "迁移中" in html and str(soon) in html  # the waiver about to expire
    assert dash.client.get("/dashboard/org/nobody").status_code == 404


@pytest.mark.parametrize("dash", BACKENDS, indirect=True)
def test_site_page_shows_evidence_fix_history_and_screenshot(dash) -> None:
    sign_in(dash)
    html = dash.client.get("/dashboard/site/a.example.cn").text
    assert "修改 icp_missing" in html  # the fix, in Chinese
    assert "&lt;p class=&#34;copy&#34;&gt;" in html or "&lt;p class=&quot;copy&quot;&gt;" in html
    assert "http://a.example.cn/" in html  # the redirect chain
    assert html.count('href="/dashboard/run/') >= 3  # history: three runs
    src = re.search(r'<img src="([^"]+)"', html).group(1).replace("&amp;", "&")
    image = dash.client.get(src)
    assert image.status_code == 200 and image.content == SHOT
    assert image.headers["content-type"] == "image/png"
    assert "Fix icp_missing" in dash.client.get("/dashboard/site/a.example.cn?lang=en").text
    assert dash.client.get("/dashboard/site/unknown.example.cn").status_code == 404


@pytest.mark.parametrize("dash", BACKENDS, indirect=True)
def test_run_page_summary_diff_and_exports(dash) -> None:
    runs = dash.store.list_runs()
    sign_in(dash)
    html = dash.client.get(f"/dashboard/run/{runs[0].id}").text
    assert runs[1].id in html  # diffed against the night before
    assert "copyright_stale" in html and OTHER in html
    for fmt in ("csv", "json", "html"):
        assert f"/dashboard/run/{runs[0].id}/export?format={fmt}" in html
    csv = dash.client.get(f"/dashboard/run/{runs[0].id}/export?format=csv")
    assert csv.status_code == 200 and "copyright_stale" in csv.text
    assert dash.client.get("/dashboard/run/nope").status_code == 404


# -- access --------------------------------------------------------------------------------------
def test_pages_need_a_signed_in_token(dash) -> None:
    answer = dash.client.get("/dashboard/org/x", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/signin?next=/dashboard/org/x"
    form = dash.client.get("/dashboard/signin")
    bad = dash.client.post("/dashboard/signin", data={"csrf": _csrf(form.text),
                                                      "token": "fa_nope"})
    assert bad.status_code == 401 and "令牌无效" in bad.text
    assert dash.client.get("/", follow_redirects=False).headers["location"] == "/dashboard/"


def test_session_cookie_is_httponly_lax_and_secure_over_tls(tmp_path) -> None:
    from fastapi.testclient import TestClient

    with api_client("sqlite", tmp_path) as api:
        plain = api.client.get("/dashboard/signin").headers["set-cookie"].lower()
        assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
        with TestClient(api.client.app, base_url="https://testserver") as tls:
            cookie = tls.get("/dashboard/signin").headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_every_form_is_refused_without_its_csrf_token(dash) -> None:
    sign_in(dash, "admin")
    forms = {"/dashboard/waivers": {"rule": "icp_missing", "site": "a.example.cn",
                                    "reason": "测试"},
             "/dashboard/waivers/withdraw": {"site": "a.example.cn", "rule": "icp_missing"},
             "/dashboard/site/a.example.cn/crawl": {},
             "/dashboard/signout": {},
             "/dashboard/signin": {"token": "x"}}
    for path, data in forms.items():
        for csrf in (None, "forged"):
            sent = data | ({"csrf": csrf} if csrf else {})
            answer = dash.client.post(path, data=sent, follow_redirects=False)
            assert answer.status_code == 403, (path, csrf)
    assert dash.store.list_waivers() == []
    assert dash.client.get("/dashboard/").status_code == 200  # still signed in


def test_admin_creates_and_withdraws_a_waiver(dash) -> None:
    sign_in(dash, "admin")
    page = dash.client.get("/dashboard/waivers")
    saved = dash.client.post("/dashboard/waivers", data={
        "csrf": _csrf(page.text), "rule": "icp_missing", "site": "https://A.example.cn/about",
        "reason": "备案变更中", "owner": "李四", "until": "2099-01-01"}, follow_redirects=False)
    assert saved.status_code == 303
    [waiver] = dash.store.list_waivers()
    assert (waiver.site, waiver.rule, waiver.owner, str(waiver.until)) == (
        "a.example.cn", "icp_missing", "李四", "2099-01-01")
    listing = dash.client.get("/dashboard/waivers").text
    assert "备案变更中" in listing and "李四" in listing
    # Waived: a.example.cn's icp_missing no longer counts in the overview.
    assert 'class="chip warnings" href="/dashboard/site/a.example.cn"' in \
        dash.client.get("/dashboard/").text
    bad = dash.client.post("/dashboard/waivers", data={"csrf": _csrf(listing),
                                                       "rule": "no_such_rule", "site": "x.cn",
                                                       "reason": ""})
    assert bad.status_code == 422 and "rule" in bad.text
    dash.client.post("/dashboard/waivers/withdraw", data={
        "csrf": _csrf(listing), "site": "a.example.cn", "rule": "icp_missing"})
    assert dash.store.list_waivers() == []
    # A domain pattern: every host of example.cn, not d.other.cn.
    dash.client.post("/dashboard/waivers", data={
        "csrf": _csrf(listing), "rule": "icp_missing", "site": "*.Example.cn",
        "reason": "整体迁移"})
    assert [w.site for w in dash.store.list_waivers()] == ["*.example.cn"]
    html = dash.client.get("/dashboard/").text
    assert 'class="chip warnings" href="/dashboard/site/a.example.cn"' in html
    assert 'class="chip errors" href="/dashboard/site/d.other.cn"' in html
    site = dash.client.get("/dashboard/site/a.example.cn").text
    assert re.search(r'<code>icp_missing</code> · <b>已豁免</b>', site)


def test_read_only_tokens_cannot_waive_and_only_crawl_tokens_crawl(dash) -> None:
    sign_in(dash, "audit")
    page = dash.client.get("/dashboard/site/a.example.cn")
    assert "重新巡检" not in page.text
    csrf = _csrf(page.text)
    assert dash.client.post("/dashboard/waivers", data={
        "csrf": csrf, "rule": "icp_missing", "site": "a.example.cn",
        "reason": "x"}).status_code == 403
    assert dash.client.post("/dashboard/site/a.example.cn/crawl",
                            data={"csrf": csrf}).status_code == 403
    assert "新建豁免" not in dash.client.get("/dashboard/waivers").text
    sign_in(dash, "crawl")
    page = dash.client.get("/dashboard/site/a.example.cn")
    assert "重新巡检" in page.text
    queued = dash.client.post("/dashboard/site/a.example.cn/crawl",
                              data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert queued.status_code == 303
    job_id = queued.headers["location"].rsplit("crawl=", 1)[1]
    from crawler.jobs import open_queue

    with open_queue(dash.config.store_url, prefix=dash.config.store_prefix) as jobs:
        job = jobs.get(job_id)
    assert job is not None and job.target == "a.example.cn" and job.state == "queued"
    page = dash.client.get(queued.headers["location"]).text
    assert "已加入巡检队列" in page and page.count(job_id) == 2  # the notice, the recent crawls


@pytest.mark.parametrize("dash", BACKENDS, indirect=True)
def test_a_token_of_one_organisation_sees_nothing_of_another(dash) -> None:
    runs = dash.store.list_runs()
    sign_in(dash, "audit", org=OTHER)
    overview = dash.client.get("/dashboard/").text
    assert "d.other.cn" in overview and "a.example.cn" not in overview and ACME not in overview
    assert dash.client.get(f"/dashboard/org/{ACME}").status_code == 404
    assert dash.client.get("/dashboard/site/a.example.cn").status_code == 404
    run = dash.client.get(f"/dashboard/run/{runs[0].id}").text
    assert "d.other.cn" in run or OTHER in run
    assert ACME not in run and "a.example.cn" not in run and "copyright_stale" not in run
    assert "/export?format=" not in run
    assert dash.client.get(f"/dashboard/run/{runs[0].id}/export?format=csv").status_code == 403
    shot = dash.client.get("/dashboard/screenshot",
                           params={"run": runs[0].id, "url": "https://a.example.cn/"})
    assert shot.status_code == 404
    from crawler.reports.lifecycle import Waiver

    dash.store.put_waiver(Waiver("a.example.cn", "icp_missing", "秘密原因", "张三"))
    assert "秘密原因" not in dash.client.get("/dashboard/waivers").text


def test_an_organisation_token_reads_only_its_sites_through_the_api(dash) -> None:
    from crawler.api.tokens import create_token

    token, _ = create_token(dash.store, "other-api", "audit", OTHER)
    headers = {"Authorization": f"Bearer {token}"}
    own = dash.client.get("/api/v1/sites/d.other.cn", headers=headers).json()
    assert own["latest"]["violations"][0]["code"] == "icp_missing"
    # Another organisation's site reads as one no run audited.
    assert dash.client.get("/api/v1/sites/a.example.cn", headers=headers).json() == {
        "site": "a.example.cn", "latest": None, "history": []}
    # Runs hold every organisation: refused whole.
    for path in ("/api/v1/runs", "/api/v1/runs/latest", "/api/v1/runs/latest/diff",
                 "/api/v1/runs/latest/export?format=csv"):
        assert dash.client.get(path, headers=headers).status_code == 403, path


def test_an_organisation_token_crawls_only_its_sites_through_the_api(dash) -> None:
    from crawler.api.tokens import create_token

    token, _ = create_token(dash.store, "other-crawl", "crawl", OTHER)
    headers = {"Authorization": f"Bearer {token}"}
    own = dash.client.post("/api/v1/crawls", json={"site": "d.other.cn"}, headers=headers)
    assert own.status_code == 202, own.text
    for site in ("a.example.cn", "never-crawled.example.cn"):
        refused = dash.client.post("/api/v1/crawls", json={"site": site}, headers=headers)
        assert refused.status_code == 403, site


def test_admin_tokens_are_never_restricted_to_an_organisation(dash) -> None:
    from crawler.api.tokens import create_token

    with pytest.raises(UsageError):
        create_token(dash.store, "org-admin", "admin", OTHER)


def test_a_revoked_token_ends_its_sessions(dash) -> None:
    name = sign_in(dash)
    assert dash.client.get("/dashboard/").status_code == 200
    dash.store.revoke_token(name)
    assert dash.client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_open_dashboard_reads_without_sign_in_on_loopback_only(tmp_path) -> None:
    from fastapi.testclient import TestClient

    with pytest.raises(UsageError, match=r"127\.0\.0\.1"):
        ApiConfig(host="0.0.0.0", open_dashboard=True)
    with api_client("sqlite", tmp_path, open_dashboard=True) as api:
        fill(api.store)
        with TestClient(api.client.app, base_url="http://127.0.0.1:8787") as local:
            page = local.get("/dashboard/")
            assert page.status_code == 200 and "a.example.cn" in page.text
            assert "只读" in page.text and "新建豁免" not in local.get("/dashboard/waivers").text
            csrf = _csrf(local.get("/dashboard/signin").text)  # a valid one: still refused
            refused = local.post("/dashboard/waivers", data={
                "csrf": csrf, "rule": "icp_missing", "site": "a.example.cn", "reason": "x"})
            assert refused.status_code == 403 and api.store.list_waivers() == []
        # A page elsewhere that rebinds its name to the loopback gets no open dashboard.
        with TestClient(api.client.app, base_url="http://attacker.example:8787") as other:
            assert other.get("/dashboard/", follow_redirects=False).status_code == 303


def test_command_line_open_refused_off_loopback_and_tokens_of_one_organisation(
        tmp_path, run_cli) -> None:
    db = str(tmp_path / "cli.sqlite3")
    refused = run_cli("serve", "--open", "--host", "0.0.0.0", "--store", db)
    assert refused.returncode == 2 and "--open" in refused.stderr and "0.0.0.0" in refused.stderr
    made = run_cli("token", "create", "--name", "acme-view", "--scope", "audit", "--org", ACME,
                   "--store", db)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("fa_") and ACME in made.stderr
    listed = run_cli("token", "list", "--store", db)
    assert f"acme-view\taudit\t{ACME}\t" in listed.stdout
    admin = run_cli("token", "create", "--name", "a2", "--scope", "admin", "--org", ACME,
                    "--store", db)
    assert admin.returncode == 2 and "admin" in admin.stderr


def test_an_empty_store_and_hostile_names_render_as_text(tmp_path) -> None:
    with api_client("sqlite", tmp_path) as api:
        sign_in(api)
        empty = api.client.get("/dashboard/")
        assert empty.status_code == 200 and "尚无巡检记录" in empty.text
        assert api.client.get("/dashboard/waivers").status_code == 200
        assert api.client.get("/dashboard/run/latest").status_code == 404
        evil = '<script>alert(1)</script>'
        run = Run(id=new_run_id(), portfolio="p", trigger="nightly")
        api.store.create_run(run)
        record = _page("https://x.example.cn/", [("copyright_stale", evil)], org=evil)
        record["violations"][0]["message_zh"] = evil
        api.store.put_page(run.id, record)
        close_run(api.store, run.id, "finished")
        for path in ("/dashboard/", "/dashboard/site/x.example.cn", f"/dashboard/run/{run.id}",
                     "/dashboard/org/" + evil):
            page = api.client.get(path)
            assert page.status_code == 200, path
            assert evil not in page.text and "&lt;script&gt;" in page.text, path
        for path in ("/dashboard/site/a%20b", "/dashboard/site/" + "x" * 300,
                     "/dashboard/screenshot?run=nope&url=https://x.example.cn/",
                     "/dashboard/run/" + "9" * 90):
            assert api.client.get(path).status_code == 404, path
        huge = api.client.post("/dashboard/waivers", content=b"a=" + b"x" * 20000,
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert huge.status_code == 413
