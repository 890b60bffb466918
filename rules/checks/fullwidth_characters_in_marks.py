"""fullwidth_characters_in_marks: the marks use full-width characters.

## What it checks
The ICP number is displayed with full-width letters or digits (`ＩＣＰ１２３`).

## Why it matters
Copying the number into the MIIT query then fails; the record uses half-width characters.

## Example
`京ＩＣＰ备１２３４５６７８号－１`

## Use instead
`京ICP备12345678号-1`

## Needs
Nothing.

## Known problems
None known.

## References
docs/marks.md §1 (normalise before matching); docs/sources.md §2.7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.normalize import has_fullwidth
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m, raw=m.raw) for m in marks if has_fullwidth(m.raw)]


EXPLAIN_ZH = """## 检查内容
ICP 备案号用全角字母或数字显示（`ＩＣＰ１２３`）。

## 为何重要
把号码复制到工信部查询时会失败；备案记录使用半角字符。

## 改用
`京ICP备12345678号-1`

## 所需条件
无。
"""

RULE = Rule(
    code='fullwidth_characters_in_marks',
    severity='info',
    tags=('icp', 'gongan', 'format'),
    since='0.1.0',
    message_en='{number} is written with full-width characters ({raw})',
    message_zh='{number} 使用了全角字符（{raw}）',
    explain=__doc__ or "",
    check=check,
    summary='the marks use full-width characters',
    summary_zh='备案标识使用了全角字符',
    explain_zh=EXPLAIN_ZH,
    fix_en='Write the number in half-width characters: {number}',
    fix_zh='使用半角字符书写备案号：{number}',
)
