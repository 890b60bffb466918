"""subject_inconsistent (rules/portfolio_rules.py): one organisation, several subject numbers."""

from __future__ import annotations

from rules.audit import audit_page
from rules.model import Expectations, PageInput
from rules.portfolio_rules import subject_inconsistent, subject_of
from rules.registry import get_rule


def test_subject_of() -> None:
    assert subject_of("京ICP备12345678号-1") == "京ICP备12345678号"
    assert subject_of("京 ICP 备 12345678 号 -2A") == "京ICP备12345678号"
    assert subject_of("粤B2-20090059-5") == "粤B2-20090059"
    assert subject_of("皖ICP备案号05002829") is None


def test_same_subject_across_sites_passes() -> None:
    sites = {"www.example.cn": ["京ICP备12345678号-1"], "news.example.cn": ["京ICP备12345678号-2"],
             "app.example.cn": ["京ICP备12345678号-3A"], "old.example.cn": []}
    assert subject_inconsistent(sites) == []


def test_different_subjects_are_one_violation_listing_them() -> None:
    sites = {"www.example.cn": ["京ICP备12345678号-1"], "shop.example.cn": ["京ICP备87654321号-1"],
             "b.example.cn": ["京ICP备87654321号-2"]}
    (v,) = subject_inconsistent(sites)
    assert v.code == "subject_inconsistent" and v.severity == "warning"
    assert "2 different subject numbers" in v.message and "京ICP备87654321号" in v.message
    assert "shop.example.cn, b.example.cn" in v.evidence and "主体备案号" in v.message_zh


def test_audit_results_as_input_and_expectations() -> None:
    def page(number: str):
        html = f"<footer><a href='https://beian.miit.gov.cn/'>{number}</a></footer>"
        return audit_page(PageInput(url="u", html=html))

    sites = {"a.example.cn": page("京ICP备12345678号-1"),
             "b.example.cn": page("沪ICP备11111111号-1")}
    assert len(subject_inconsistent(sites)) == 1
    assert subject_inconsistent(sites, Expectations(disabled=frozenset({"subject_inconsistent"}))) \
        == []
    overrides = Expectations(severity_overrides={"subject_inconsistent": "info"})
    (v,) = subject_inconsistent(sites, overrides)
    assert v.severity == "info"


def test_registered_as_a_portfolio_rule_and_inapplicable_per_page() -> None:
    rule = get_rule("subject_inconsistent")
    assert "portfolio" in rule.tags
    result = audit_page(PageInput(url="u", html="<footer>京ICP备12345678号-1</footer>"))
    assert "subject_inconsistent" not in result.outcomes
