"""Alerts after a run: the changes per owner (new, regressed, fixed, waiver lapsed, unreachable),
the message in Chinese, and delivery to receivers on 127.0.0.1 (robots, webhook, SMTP), with
retries that never fail the run."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import date

import pytest
from typer.testing import CliRunner

from crawler.alerts.changes import collect_changes
from crawler.alerts.deliver import deliver
from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page
from crawler.errors import PortfolioError
from crawler.portfolio.model import parse_portfolio
from crawler.reports.lifecycle import Waiver
from crawler.reports.store import Run, new_run_id
from crawler.reports.store.closing import close_run
from tests.alert_receivers import HttpReceiver, SmtpReceiver
from tests.crawl_runs import run_crawl
from tests.redis_server import BACKENDS, open_test_store, page_record

pytestmark = pytest.mark.slow  # crawls of a farm and an SMTP server

ICP = ("icp_link_missing", "京ICP备12345678号-1")
GONGAN = ("gongan_missing", "")
COPYRIGHT = ("copyright_missing", "")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_test_store(request.param, tmp_path) as s:
        yield s


def _run(store, day: int, pages: dict[str, tuple[str, list | str]]) -> Run:
    """A closed run: host -> (owner, violations or a fetch status)."""
    run = Run(id=new_run_id(), portfolio="group", started=f"2026-05-{day:02d}T00:00:00.000000Z")
    store.create_run(run)
    for host, (owner, spec) in pages.items():
        org = "北京某某科技有限公司" if owner == "web@a.cn" else "上海某某有限公司"
        if isinstance(spec, str):
            record = page_record(f"https://{host}/", [], status=spec, owner=owner, org=org)
        else:
            record = page_record(f"https://{host}/", spec, owner=owner, org=org)
        store.put_page(run.id, record)
    return close_run(store, run.id, "finished")


def _changes(store):
    _run(store, 1, {"a.cn": ("web@a.cn", [ICP]), "b.cn": ("ops@b.cn", []),
                    "c.cn": ("ops@b.cn", [COPYRIGHT]), "d.cn": ("ops@b.cn", [GONGAN])})
    store.put_waiver(Waiver("c.cn", "copyright_missing", "改版中", until=date(2026, 5, 2)))
    r2 = _run(store, 2, {"a.cn": ("web@a.cn", [ICP, GONGAN]), "b.cn": ("ops@b.cn", "unreachable"),
                         "c.cn": ("ops@b.cn", [COPYRIGHT]), "d.cn": ("ops@b.cn", [])})
    return collect_changes(store, r2, keep=5, today=date(2026, 5, 2))


def test_changes_per_owner(store):
    changes = _changes(store)
    a, b = changes.owners["web@a.cn"], changes.owners["ops@b.cn"]
    # a.cn: the ICP problem is still open (not news), the 公安 one is new.
    assert dict(a.counts) == {"new": 1}
    assert [(i.kind, i.site, i.code) for i in a.worst] == [("new", "a.cn", "gongan_missing")]
    # b.cn could not be fetched; c.cn's waiver ran out; d.cn was fixed.
    assert dict(b.counts) == {"unreachable": 1, "waiver_lapsed": 1, "fixed": 1}
    assert [(i.kind, i.site) for i in b.worst] == [
        ("unreachable", "b.cn"), ("waiver_lapsed", "c.cn"), ("fixed", "d.cn")]
    assert a.orgs == {"北京某某科技有限公司"} and b.orgs == {"上海某某有限公司"}


def _sign_dingtalk(secret: str, stamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _sign_feishu(secret: str, stamp: str) -> str:
    digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_every_channel_type_on_loopback(tmp_path):
    with open_test_store("sqlite", tmp_path) as store:
        changes = _changes(store)
    with HttpReceiver() as robots, SmtpReceiver() as smtp:
        portfolio = parse_portfolio(f"""
organisations:
  - name: 北京某某科技有限公司
    domains: [{{domain: a.cn}}]
alerts:
  report_url: https://audit.example.cn/runs/{{run}}
  channels:
    - type: dingtalk
      url: {robots.url("/robot/send?access_token=tok")}
      secret: SECabc+/=123
      owners: [web@a.cn]
    - type: feishu
      url: {robots.url("/open-apis/bot/v2/hook/fs")}
      secret: fs-secret
      orgs: [上海某某有限公司]
    - type: lark
      url: {robots.url("/open-apis/bot/v2/hook/lk")}
    - type: wecom
      url: {robots.url("/cgi-bin/webhook/send?key=wk")}
    - type: webhook
      url: {robots.url("/hook")}
    - type: email
      smtp_host: 127.0.0.1
      smtp_port: {smtp.port}
      smtp_security: none
      from: audit@a.cn
      to: [web@a.cn, ops@b.cn]
""", "group.yaml")
        results = deliver(portfolio.alerts, changes)
    assert [(r.channel.split()[0], r.ok, r.attempts) for r in results] == [
        ("dingtalk", True, 1), ("feishu", True, 1), ("lark", True, 1), ("wecom", True, 1),
        ("webhook", True, 1), ("email", True, 1)]
    posts = {p.path: p for p in robots.posts}
    link = f"https://audit.example.cn/runs/{changes.run_id}"

    ding = posts["/robot/send"]
    # Signed as DingTalk checks it: the query decoded once is the base64 HMAC of ts\nsecret.
    assert ding.query["access_token"] == "tok"
    assert ding.query["sign"] == _sign_dingtalk("SECabc+/=123", ding.query["timestamp"])
    text = ding.body["markdown"]["text"]
    assert ding.body["msgtype"] == "markdown" and "web@a.cn" in text and "新增 1" in text
    assert "ops@b.cn" not in text and "gongan_missing" in text and link in text

    feishu = posts["/open-apis/bot/v2/hook/fs"]
    assert feishu.body["sign"] == _sign_feishu("fs-secret", feishu.body["timestamp"])
    text = feishu.body["content"]["text"]
    assert "ops@b.cn" in text and "无法访问 1" in text and "豁免到期 1" in text
    assert "已修复 1" in text and "web@a.cn" not in text
    assert "sign" not in posts["/open-apis/bot/v2/hook/lk"].body

    wecom = posts["/cgi-bin/webhook/send"]
    assert wecom.query["key"] == "wk" and "备案标识巡检" in wecom.body["text"]["content"]

    hook = posts["/hook"].body
    assert hook["counts"] == {"regressed": 0, "new": 1, "unreachable": 1, "waiver_lapsed": 1,
                              "fixed": 1}
    assert {o["owner"] for o in hook["owners"]} == {"web@a.cn", "ops@b.cn"}
    assert hook["report_url"] == link and hook["run"] == changes.run_id

    # One e-mail per recipient (Apprise does not show recipients each other's address).
    assert sorted(smtp.envelopes) == [("audit@a.cn", ["ops@b.cn"]), ("audit@a.cn", ["web@a.cn"])]
    mail = smtp.messages[0]
    assert "备案标识巡检" in str(mail["Subject"]) and "4 项变化" in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "负责人 ops@b.cn" in body and link in body


def test_failed_delivery_is_retried_and_never_raises(tmp_path, caplog):
    with open_test_store("sqlite", tmp_path) as store:
        changes = _changes(store)
    with HttpReceiver(answers=[500, 500]) as flaky, HttpReceiver(always=503) as down, \
            HttpReceiver(reply={"errcode": 310000, "errmsg": "sign not match"}) as refusing:
        portfolio = parse_portfolio(f"""
organisations:
  - name: 某某公司
    domains: [{{domain: a.cn}}]
alerts:
  retry: {{attempts: 3, backoff: 0.05}}
  channels:
    - {{type: webhook, url: "{flaky.url()}", name: flaky}}
    - {{type: webhook, url: "{down.url()}", name: down}}
    - {{type: dingtalk, url: "{refusing.url("/robot/send?access_token=t")}", name: refusing}}
""", "group.yaml")
        with caplog.at_level(logging.WARNING, logger="crawler.alerts"):
            results = deliver(portfolio.alerts, changes)
    assert [(r.channel, r.ok, r.attempts) for r in results] == [
        ("flaky", True, 3), ("down", False, 3), ("refusing", False, 3)]
    assert len(flaky.posts) == 3 and len(down.posts) == 3 and len(refusing.posts) == 3
    assert flaky.posts[0].body == flaky.posts[2].body  # the same message, sent again
    assert "HTTP 503" in results[1].error and "310000" in results[2].error
    assert "alert to flaky failed (try 1 of 3): HTTP 500" in caplog.text
    assert "alert to down not delivered after 3 tries" in caplog.text


def test_alerts_test_command_sends_a_sample(tmp_path):
    from crawler.app.cli import app

    with HttpReceiver() as hook, HttpReceiver(always=500) as down:
        pf = tmp_path / "group.yaml"
        pf.write_text(f"""
organisations:
  - name: 北京某某科技有限公司
    owner: web@a.cn
    domains: [{{domain: a.cn}}]
alerts:
  retry: {{attempts: 2, backoff: 0.01}}
  channels:
    - {{type: webhook, url: "{hook.url()}"}}
""", encoding="utf-8")
        result = CliRunner().invoke(app, ["alerts", "test", str(pf)])
        assert result.exit_code == 0, result.output
        (post,) = hook.posts
        assert post.body["sample"] is True and post.body["title"].startswith("【测试】")
        assert post.body["owners"][0]["owner"] == "web@a.cn"

        pf.write_text(pf.read_text().replace(hook.url(), down.url()), encoding="utf-8")
        result = CliRunner().invoke(app, ["alerts", "test", str(pf)])
        assert result.exit_code == 1 and "HTTP 500" in result.output
        assert len(down.posts) == 2


@pytest.mark.parametrize(("channel", "problem"), [
    ("{type: dingtalk}", "needs url"),
    ("{type: email, smtp_host: h}", "needs to"),
    ("{type: wecom, url: 'https://x.cn/', secret: s}", "no signing secret"),
    ("{type: webhook, url: 'ftp://x.cn/'}", "needs url"),
    ("{type: teams, url: 'https://x.cn/'}", "alerts.channels.0.type"),
    ("{type: dingtalk, url: 'https://x.cn/', secret: '${FOOTER_AUDIT_TEST_UNSET}'}",
     "FOOTER_AUDIT_TEST_UNSET is not set"),
])
def test_bad_channels_are_refused_with_their_line(channel, problem):
    text = ("organisations:\n  - name: x\n    domains: [{domain: a.cn}]\n"
            f"alerts:\n  channels:\n    - {channel}\n")
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(text, "p.yaml")
    assert "p.yaml:6" in str(err.value) and problem in str(err.value)


def test_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("FOOTER_AUDIT_TEST_SECRET", "SECxyz")
    portfolio = parse_portfolio(
        "organisations:\n  - name: x\n    domains: [{domain: a.cn}]\nalerts:\n  channels:\n"
        "    - {type: dingtalk, url: 'https://oapi.dingtalk.com/robot/send?access_token=t', "
        "secret: '${FOOTER_AUDIT_TEST_SECRET}'}\n", "p.yaml")
    assert portfolio.alerts.channels[0].secret == "SECxyz"


SITE = "alerts.cn"


def _farm(icp_linked: bool) -> dict:
    foot = footer("京ICP备12345678号-1", link=icp_linked, copyright_holder="北京某某科技有限公司")
    return {"hosts": {SITE: {"pages": {"/": {"body": page(foot=foot)}}},
                      f"www.{SITE}": {"pages": {"/": {"body": page(foot=foot)}}}}}


def test_run_sends_its_changes_and_a_failing_channel_does_not_fail_it(tmp_path):
    store = tmp_path / "store.sqlite3"
    with HttpReceiver() as hook, HttpReceiver(always=500) as down:
        portfolio = f"""
crawl: {{inner_pages: 0}}
organisations:
  - name: 北京某某科技有限公司
    province: 北京
    owner: web@alerts.cn
    domains: [{{domain: {SITE}}}]
alerts:
  retry: {{attempts: 2, backoff: 0.01}}
  channels:
    - {{type: webhook, url: "{hook.url()}"}}
    - {{type: webhook, url: "{down.url()}", name: down}}
"""
        args = ("--render", "never", "--timeout", "5", "--store", str(store))
        with serve_farm(_farm(icp_linked=True), tmp_path / "farm1") as farm:
            first = run_crawl(portfolio, tmp_path / "r1", *args, resolve=(farm.resolve,))
        assert first.returncode in (0, 1), first.stderr[-2000:]
        first_posts = len(hook.posts)  # the first run: everything it found is new
        with serve_farm(_farm(icp_linked=False), tmp_path / "farm2") as farm:
            second = run_crawl(portfolio, tmp_path / "r2", *args, resolve=(farm.resolve,))
        # The crawl's own verdict: errors found (1), not changed by the channel that failed.
        assert second.returncode == 1, second.stderr[-2000:]
        assert "alert to down not delivered after 2 tries" in second.stderr
        body = hook.posts[first_posts].body
        assert body["counts"]["new"] >= 1
        codes = {i["code"] for o in body["owners"] for i in o["items"] if i["kind"] == "new"}
        assert "icp_link_missing" in codes
        assert body["owners"][0]["owner"] == "web@alerts.cn"
        # --no-alerts: nothing sent.
        before = len(hook.posts)
        with serve_farm(_farm(icp_linked=True), tmp_path / "farm3") as farm:
            third = run_crawl(portfolio, tmp_path / "r3", *args, "--no-alerts",
                              resolve=(farm.resolve,))
        assert third.returncode in (0, 1) and len(hook.posts) == before
