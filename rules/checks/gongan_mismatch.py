"""gongan_mismatch: the code differs from the one the portfolio expects.

## What it checks
No displayed 公安 mark carries the expected code.

## Why it matters
The mark must be the site's own filing (platform instructions: copy the site's code).

## Example
Expected 11010502030143, footer `京公网安备11010502030144号`.

## Use instead
The code on record.

## Needs
Expectation `expected_gongan`.

## Known problems
None known.

## References
docs/sources.md §5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    want = (ctx.expect.expected_gongan or "").strip()
    if not want:
        return inapplicable("expectation_absent")
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    if any(m.code == want for m in ctx.gongan):
        return passed()
    m = ctx.gongan[0]
    return violation(m, code=m.code or "?", expected=want)


EXPLAIN_ZH = """## 检查内容
页面显示的公安标识中没有预期的备案号。

## 为何重要
标识必须是本网站自己的备案（平台说明：复制本网站的备案号）。

## 改用
备案记录中的备案号。

## 所需条件
预期 `expected_gongan`。
"""

RULE = Rule(
    code='gongan_mismatch',
    severity='error',
    tags=('gongan', 'expectations'),
    since='0.1.0',
    message_en='the page shows 公安 code {code}, the portfolio expects {expected}',
    message_zh='页面显示的公安备案号 {code} 与预期的 {expected} 不符',
    explain=__doc__ or "",
    check=check,
    summary='the code differs from the one the portfolio expects',
    summary_zh='公安备案号与组合清单中的预期不符',
    explain_zh=EXPLAIN_ZH,
    fix_en='Replace code {code} with the code on record: {gongan_html}',
    fix_zh='将备案号 {code} 改为备案记录中的号码：{gongan_html}',
)
