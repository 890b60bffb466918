"""Rule cases: `tests/rule_cases/<code>/<outcome>-<name>.html`, one small whole page each.

The file name gives the expected outcome of rule `<code>` on that page: `pass-`, `violation-`,
`needs-review-`, `inapplicable-`, or `gap-` (a known gap: strict xfail; the page's
`<meta name="fa-gap">` gives the reason). Expectations come from
`<meta name="fa-expect" content='{...}'>` (the fields of `rules.model.Expectations`; `today`
defaults to 2026-06-01 so year rules do not age), page facts from
`<meta name="fa-page" content='{"rendered": true, "review_reasons": [...]}'>`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from rules.audit import audit_page
from rules.model import Expectations, PageInput
from rules.registry import RULES

CASES = Path(__file__).parent / "rule_cases"
OUTCOMES = {"pass": "pass", "violation": "violation", "needs-review": "needs_review",
            "inapplicable": "inapplicable", "gap": "gap"}
TODAY = date(2026, 6, 1)
_META = re.compile(r"""<meta name="(fa-[a-z]+)" content='([^']*)'>""")


def load_case(path: Path) -> tuple[PageInput, Expectations]:
    html = path.read_text(encoding="utf-8")
    metas = dict(_META.findall(html))
    expect = json.loads(metas.get("fa-expect", "{}"))
    if "today" in expect:
        expect["today"] = date.fromisoformat(expect["today"])
    expect.setdefault("today", TODAY)
    if "disabled" in expect:
        expect["disabled"] = frozenset(expect["disabled"])
    facts = json.loads(metas.get("fa-page", "{}"))
    page = PageInput(url="https://www.example.cn/", html=html,
                     rendered=bool(facts.get("rendered", False)),
                     review_reasons=tuple(facts.get("review_reasons", ())))
    return page, Expectations(**expect)


def expected_outcome(path: Path) -> str:
    for prefix, outcome in sorted(OUTCOMES.items(), key=lambda kv: -len(kv[0])):
        if path.stem.startswith(prefix + "-"):
            return outcome
    raise AssertionError(f"{path.name}: the name must start with one of {sorted(OUTCOMES)}")


ALL_CASES = sorted(CASES.glob("*/*.html"))


@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_case(path: Path) -> None:
    code = path.parent.name
    want = expected_outcome(path)
    page, expect = load_case(path)
    result = audit_page(page, expect)
    got = result.outcomes.get(code)
    if want == "gap":  # a page the rule should flag and does not yet (strict: fixed gaps fail)
        if got == "violation":
            pytest.fail(f"{path.name} is flagged now: rename it violation-*")
        pytest.xfail(dict(_META.findall(page.html)).get("fa-gap", "known gap"))
    assert got == want, (code, want, got, [v.code for v in result.violations], result.reviews)
    codes = [v.code for v in result.violations]
    if want == "violation":
        assert code in codes
        v = next(v for v in result.violations if v.code == code)
        assert v.message and v.message_zh and "{" not in v.message and "{" not in v.message_zh
    else:
        assert code not in codes
    if want == "needs_review":
        assert any(r.code == code and r.reason for r in result.reviews)
        assert result.status == "needs_review"


def test_every_page_rule_has_pass_and_violation_cases() -> None:
    missing = []
    for rule in RULES:
        if "portfolio" in rule.tags:  # judged over a run: tests/test_rules_portfolio.py
            continue
        names = [p.stem for p in (CASES / rule.code).glob("*.html")]
        for outcome in ("pass", "violation"):
            if not any(n.startswith(outcome + "-") for n in names):
                missing.append(f"{rule.code}: no {outcome}-*.html")
    assert not missing, missing


def test_case_folders_name_real_rules() -> None:
    codes = {r.code for r in RULES}
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= codes
