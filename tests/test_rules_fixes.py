"""rules/fixes.py and the Chinese side of every rule: fixes filled from the page's facts, the
generic "Use instead" when a fact is unknown, and a Chinese summary and explanation per rule."""

from __future__ import annotations

import re
from string import Formatter

import pytest

from rules.audit import audit_page
from rules.fixes import FIX_VALUES, use_instead
from rules.model import Expectations, PageInput
from rules.registry import RULES
from rules.snippet import icp_html

ZH_SECTIONS = ("检查内容", "为何重要", "改用", "所需条件")


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _page(footer: str) -> PageInput:
    return PageInput("https://www.example.cn/", f"<html><body><main>欢迎</main><footer>{footer}"
                                                "</footer></body></html>")


def _fixes(footer: str, expect: Expectations | None = None) -> dict[str, tuple[str, str]]:
    result = audit_page(_page(footer), expect)
    return {v.code: (v.fix, v.fix_zh) for v in result.violations}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_speaks_chinese(rule) -> None:
    assert rule.summary_zh and re.search(r"[\u4e00-\u9fff]", rule.summary_zh)
    headings = re.findall(r"^## (.+)$", rule.explain_zh, re.M)
    assert tuple(headings) == ZH_SECTIONS, rule.code
    for section in ZH_SECTIONS:
        assert use_instead(rule.explain_zh, section), (rule.code, section)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_fix_templates_name_only_known_facts(rule) -> None:
    # A fix may use the facts of FIX_VALUES and the parameters the rule's messages use.
    allowed = set(FIX_VALUES) | _names(rule.message_en) | _names(rule.message_zh) | {"number"}
    assert _names(rule.fix_en) <= allowed, rule.code
    assert _names(rule.fix_zh) <= allowed, rule.code
    assert _names(rule.fix_en) == _names(rule.fix_zh), rule.code  # same facts in both languages


def test_fix_names_this_pages_number() -> None:
    fix, fix_zh = _fixes("<p>京ICP备12345678号-1</p>")["icp_link_missing"]
    link = icp_html("京ICP备12345678号-1")
    assert fix.endswith(link) and fix_zh.endswith(link)
    assert fix.startswith("Put the number inside a link") and fix_zh.startswith("把备案号放在")


def test_missing_mark_fix_uses_the_expectations_or_falls_back() -> None:
    # Unknown number: the generic "Use instead" of the explanation, in both languages.
    fix, fix_zh = _fixes("<p>© 2026 北京某某科技有限公司</p>")["icp_missing"]
    assert fix.startswith("Use instead: ") and "beian.miit.gov.cn" in fix
    assert fix_zh.startswith("改用：") and "beian.miit.gov.cn" in fix_zh
    # Known from the expectations: this site's own number, linked.
    expect = Expectations(expected_icp="京ICP备87654321号-2", expected_gongan="11010502030143",
                          org="北京某某科技有限公司")
    fixes = _fixes("<p>© 2026 北京某某科技有限公司</p>", expect)
    assert fixes["icp_missing"][0].endswith(icp_html("京ICP备87654321号-2"))
    gongan = fixes["gongan_missing"]
    assert "code=11010502030143" in gongan[0] and "京公网安备11010502030143号" in gongan[1]


def test_guangdong_fixes_show_the_subject_number() -> None:
    fixes = _fixes('<p><a href="https://beian.miit.gov.cn/">粤ICP备10085786号-2</a></p>',
                   Expectations(province="广东"))
    fix, fix_zh = fixes["icp_subject_number_guangdong_with_suffix"]
    assert fix.endswith(icp_html("粤ICP备10085786号")) and "不带 -n" in fix_zh


def test_copyright_fix_names_the_subject_and_this_year() -> None:
    from datetime import date

    fixes = _fixes('<p>© 2019 某某品牌</p><p><a href="https://beian.miit.gov.cn/">'
                   "苏ICP备2021012345号-3</a></p>",
                   Expectations(org="江苏某某信息技术有限公司", today=date(2026, 3, 1)))
    fix, fix_zh = fixes["copyright_holder_mismatch"]
    assert fix.endswith("Copyright © 2026 江苏某某信息技术有限公司 版权所有")
    assert fix_zh.startswith("版权信息应署名备案主体")
    assert "2026" in fixes["copyright_year_stale"][0]


def test_a_page_number_from_another_province_is_never_proposed() -> None:
    # The subject is in 上海; the page's 京 number is wrong, so the fix cannot quote it.
    fixes = _fixes('<p><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></p>',
                   Expectations(province="上海"))
    fix, fix_zh = fixes["icp_province_mismatch"]
    assert "京ICP备12345678号-1" not in fix and fix.startswith("Use instead: ")
    assert fix_zh.startswith("改用：")


def test_violation_json_carries_the_fix() -> None:
    result = audit_page(_page("<p>京ICP备12345678号-1</p>"))
    (v,) = [v.to_json() for v in result.violations if v.code == "icp_link_missing"]
    assert v["fix"].startswith("Put the number") and v["fix_zh"].startswith("把备案号")
