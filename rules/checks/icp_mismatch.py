"""icp_mismatch: the number differs from the one the portfolio expects.

## What it checks
No ICP number on the page equals the expected one. An expected subject number is satisfied by
any `-n` of that subject; in Guangdong, where the footer shows the subject number, an expected
website number is satisfied by its subject number.

## Why it matters
The displayed number must be the site's own MIIT record (Order No. 33 §13; vendor checklists).

## Example
Expected `京ICP备12345678号-1`, footer `京ICP备12345678号-2`.

## Use instead
The number on record for this site.

## Needs
Expectation `expected_icp`.

## Known problems
Sites that moved to a new subject keep showing the old number until the portfolio changes.

## References
docs/sources.md §2.5, §12.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import SUBJECT_NUMBER_PROVINCES
from rules.normalize import compact
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    expected = ctx.expect.expected_icp
    if not expected:
        return inapplicable("expectation_absent")
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    want = compact(expected)
    # Guangdong shows the subject number: it stands for any website number of that subject.
    subject_ok = ctx.province is not None and ctx.province.icp in SUBJECT_NUMBER_PROVINCES
    for m in marks:
        if m.number == want or ("-" not in want and m.number.split("-")[0] == want):
            return passed()
        if subject_ok and m.kind == "subject" and want.split("-")[0] == m.number:
            return passed()
    return violation(marks[0], expected=want)


EXPLAIN_ZH = """## 检查内容
页面上没有与预期一致的 ICP 备案号。预期为主体备案号时，该主体的任一 `-n` 都算一致；在广东，
页脚显示主体备案号，预期的网站备案号由其主体备案号满足。

## 为何重要
显示的号码必须是本网站在工信部的备案记录（第 33 号令第十三条；接入商检查清单）。

## 改用
本网站备案记录中的号码。

## 所需条件
预期 `expected_icp`。
"""

RULE = Rule(
    code='icp_mismatch',
    severity='error',
    tags=('icp', 'expectations'),
    since='0.1.0',
    message_en='the page shows {number}, the portfolio expects {expected}',
    message_zh='页面显示 {number}，与预期的 {expected} 不符',
    explain=__doc__ or "",
    check=check,
    summary='the number differs from the one the portfolio expects',
    summary_zh='备案号与组合清单中的预期不符',
    explain_zh=EXPLAIN_ZH,
    fix_en='Replace {number} with the number on record: {icp_html}',
    fix_zh='将 {number} 改为备案记录中的号码：{icp_html}',
)
