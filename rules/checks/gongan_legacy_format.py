"""gongan_legacy_format: an old or local 公安 format.

## What it checks
A 10/12/13/15-digit code starting with a province code, `南宁网警备…`, `浙备…`.

## Why it matters
Pre-2016 local systems; the national platform issues 14-digit codes.

## Example
`京公网安备110402430044号`, `南宁网警备4501200373号`

## Use instead
The 14-digit code from the national platform.

## Needs
Nothing.

## Known problems
None known.

## References
docs/marks.md §1; docs/sources.md §5.2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    return [violation(m) for m in ctx.gongan if m.legacy]


EXPLAIN_ZH = """## 检查内容
以省份代码开头的 10/12/13/15 位代码，`南宁网警备…`、`浙备…` 等。

## 为何重要
这是 2016 年以前的地方系统；全国平台发放 14 位代码。

## 改用
全国平台发放的 14 位代码。

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_legacy_format',
    severity='info',
    tags=('gongan', 'format'),
    since='0.1.0',
    message_en='{number} is an old or local 公安 format',
    message_zh='{number} 为旧版或地方公安备案格式',
    explain=__doc__ or "",
    check=check,
    summary='an old or local 公安 format',
    summary_zh='旧版或地方公安备案格式',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Replace {number} with the 14-digit code the national platform issues: '
        '{gongan_html}'),
    fix_zh='将 {number} 改为全国平台发放的 14 位备案号：{gongan_html}',
)
