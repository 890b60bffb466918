"""audit_page (rules/audit.py): the JSON contract, expectations, overrides, and robustness."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import RULES_VERSION
from rules.audit import audit_page, audit_record
from rules.model import Expectations, PageInput
from rules.registry import RULES

GOOD = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main>内容</main>
<footer><p>© 2010-2026 北京某某科技有限公司 版权所有</p>
<p><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>
<img src="/beian.png"><a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">
京公网安备11010502030143号</a></p></footer></body></html>"""
TODAY = date(2026, 6, 1)


def audit(html: str, **expect) -> object:
    expect.setdefault("today", TODAY)
    return audit_page(PageInput(url="https://www.example.cn/", html=html), Expectations(**expect))


def test_a_compliant_page_has_no_violations_and_the_section_4_json() -> None:
    result = audit(GOOD, org="北京某某科技有限公司", province="北京",
                   expected_icp="京ICP备12345678号-1", expected_gongan="11010502030143")
    assert result.violations == [] and result.reviews == []
    page = PageInput(url="https://www.example.cn/", html=GOOD, http_status=200, encoding="utf-8")
    record = audit_record(page, Expectations(
        org="北京某某科技有限公司", province="北京", expected_icp="京ICP备12345678号-1",
        expected_gongan="11010502030143", today=TODAY))
    out = json.loads(json.dumps(record.to_json()))
    assert out["status"] == "ok" and out["rules_version"] == RULES_VERSION
    assert set(out) >= {"url", "final_url", "status", "http_status", "rendered", "encoding",
                        "findings", "violations"}
    icp = out["findings"]["icp"][0]
    assert icp == {"number": "京ICP备12345678号-1", "kind": "site", "region": "京", "valid": True,
                   "link": "https://beian.miit.gov.cn/", "in_footer": True, "visible": None,
                   "evidence": '<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>'}
    gongan = out["findings"]["gongan"][0]
    assert (gongan["code"], gongan["valid"], gongan["icon"]) == ("11010502030143", True, True)
    assert out["findings"]["copyright"][0]["holder"] == "北京某某科技有限公司"
    assert all(v in ("pass", "inapplicable") for v in result.outcomes.values())
    assert set(result.outcomes) == {r.code for r in RULES if "portfolio" not in r.tags}


def test_violation_carries_messages_evidence_and_href() -> None:
    html = GOOD.replace("https://beian.miit.gov.cn/", "http://www.miitbeian.gov.cn/")
    v = next(v for v in audit(html).violations if v.code == "icp_link_wrong_target")
    assert v.severity == "error"
    assert v.message == ("京ICP备12345678号-1 links to www.miitbeian.gov.cn (stale since end of "
                         "2019), not beian.miit.gov.cn")
    assert "2019 年底" in v.message_zh
    assert v.href == "http://www.miitbeian.gov.cn/" and "<a " in v.html
    assert v.evidence == "京ICP备12345678号-1"
    assert v.selector == "footer > p:nth-of-type(2) > a:nth-of-type(1)"


def test_severity_overrides_and_disabled_rules() -> None:
    html = GOOD.replace("京ICP备12345678号-1", "京ICP备12345678号")
    base = {v.code: v.severity for v in audit(html).violations}
    assert base["icp_suffix_missing"] == "error"
    changed = audit(html, severity_overrides={"icp_suffix_missing": "info"})
    assert {v.code: v.severity for v in changed.violations}["icp_suffix_missing"] == "info"
    off = audit(html, disabled=frozenset({"icp_suffix_missing"}))
    assert "icp_suffix_missing" not in {v.code for v in off.violations}
    assert "icp_suffix_missing" not in off.outcomes


def test_jiangsu_makes_copyright_an_error() -> None:
    html = GOOD.replace("京ICP备12345678号-1", "苏ICP备12345678号-1").replace(
        "<p>© 2010-2026 北京某某科技有限公司 版权所有</p>", "")
    v = next(v for v in audit(html).violations if v.code == "copyright_missing")
    assert v.severity == "error"
    v = next(v for v in audit(html, copyright_required=False).violations
             if v.code == "copyright_missing")
    assert v.severity == "info"


def test_review_reasons_from_the_fetcher_make_the_page_needs_review() -> None:
    page = PageInput(url="https://www.example.cn/", html="<html><body>空</body></html>",
                     rendered=True, review_reasons=("render_timeout",))
    result = audit_page(page, Expectations(today=TODAY))
    assert result.status == "needs_review"
    assert {r.reason for r in result.reviews} == {"render_timeout"}
    assert "icp_missing" not in {v.code for v in result.violations}
    assert audit_record(page, Expectations(today=TODAY)).to_json()["review"][0]["message"]


@pytest.mark.parametrize(("reason", "en", "zh"), [
    ("render_crashed", "crashed", "崩溃"), ("render_timeout", "timed out", "超时")])
def test_a_page_not_seen_rendered_is_never_a_pass_even_with_every_mark(reason, en, zh) -> None:
    page = PageInput(url="https://www.example.cn/", html=GOOD, review_reasons=(reason,))
    result = audit_page(page, Expectations(today=TODAY))
    assert result.violations == [] and result.findings.icp
    assert result.status == "needs_review"
    [review] = audit_record(page, Expectations(today=TODAY)).to_json()["review"]
    assert (review["code"], review["reason"]) == ("page", reason)
    assert en in review["message"] and zh in review["message_zh"]


def test_today_defaults_to_the_real_date() -> None:
    html = GOOD.replace("2010-2026", "2010-2020")
    result = audit_page(PageInput(url="u", html=html))
    assert "copyright_year_stale" in {v.code for v in result.violations}


def test_empty_and_junk_pages_give_the_right_violations() -> None:
    for html in ("", "\x00\xff\ufffd", "<html", "PK\x03\x04" + "\x00" * 100):
        result = audit_page(PageInput(url="u", html=html))
        assert result.findings.icp == []
        assert "icp_missing" in {v.code for v in result.violations}


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_audit_never_raises(text: str) -> None:
    audit_page(PageInput(url="u", html=text))
    audit_page(PageInput(url="u", html=f"<footer>{text}京ICP备12345678号</footer>",
                         rendered=True))


def test_message_zh_of_a_line_naming_no_one_is_chinese() -> None:
    html = ('<html><body><div class="footer"><p>Copyright © 2026 All Rights Reserved</p>'
            '<a href="https://beian.miit.gov.cn/">京ICP备12341234号-1</a></div></body></html>')
    result = audit_page(PageInput(url="https://www.example.cn/", html=html),
                        Expectations(org="北京某某科技有限公司"))
    v = next(v for v in result.violations if v.code == "copyright_holder_mismatch")
    assert "no one" not in v.message_zh and "未写明权利人" in v.message_zh


@pytest.mark.parametrize(("url", "profile", "applies"), [
    ("https://www.example.gov.cn/", None, True),
    ("https://www.example.gov.cn/", "standard", False),
    ("https://www.example.cn/", None, False),
    ("https://www.example.cn/", "government", True),
])
def test_the_government_profile_is_on_for_gov_cn_hosts_unless_set(url, profile, applies) -> None:
    html = ('<html><body><div class="footer"><p>主办：某某市人民政府 网站标识码：1408000001</p>'
            '<a href="https://beian.miit.gov.cn/">晋ICP备12001234号</a></div></body></html>')
    result = audit_page(PageInput(url=url, html=html), Expectations(profile=profile))
    assert (result.outcomes["gov_badge_missing"] == "violation") is applies
    if applies:
        v = next(v for v in result.violations if v.code == "gov_badge_missing")
        assert "1408000001" in v.message and "1408000001" in v.message_zh
    else:
        assert result.outcomes["gov_site_identifier_missing"] == "inapplicable"
