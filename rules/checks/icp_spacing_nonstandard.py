"""icp_spacing_nonstandard: the number is written with spaces inside.

## What it checks
Whitespace sits inside the displayed ICP number (`陕 ICP 备 19000424 号 -2`).

## Why it matters
Copying the number into the MIIT query then fails.

## Example
`京ICP备   2020034692号-2`

## Use instead
`京ICP备2020034692号-2`

## Needs
Nothing.

## Known problems
Spaces between a label and the number are fine and not reported.

## References
docs/sources.md §2.7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m, raw=m.raw.strip()) for m in marks if m.spaced]


EXPLAIN_ZH = """## 检查内容
显示的 ICP 备案号中间有空白（`陕 ICP 备 19000424 号 -2`）。

## 为何重要
把号码复制到工信部查询时会失败。

## 改用
`京ICP备2020034692号-2`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_spacing_nonstandard',
    severity='info',
    tags=('icp', 'format'),
    since='0.1.0',
    message_en='{number} is written with spaces inside ({raw})',
    message_zh='{number} 中间含有空格（{raw}）',
    explain=__doc__ or "",
    check=check,
    summary='the number is written with spaces inside',
    summary_zh='备案号中间含有空格',
    explain_zh=EXPLAIN_ZH,
    fix_en='Write the number without spaces: {number}',
    fix_zh='备案号中不要有空格：{number}',
)
