"""icp_link_wraps_partial_text: the link wraps only part of the number.

## What it checks
The `<a>` covers some of the number's characters and not others.

## Why it matters
The number itself should be the link (Order No. 33 §13; vendor sample code).

## Example
`京ICP备<a href="https://beian.miit.gov.cn/">12345678号</a>-1`

## Use instead
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## Needs
Nothing.

## Known problems
Labels such as `备案号：` outside the link are fine and not reported.

## References
docs/sources.md §3.2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.link]
    if not marks:
        return inapplicable("no_linked_number")
    return [violation(m) for m in marks if not m.link_wraps_all]


EXPLAIN_ZH = """## 检查内容
`<a>` 只包住了备案号的一部分字符。

## 为何重要
备案号本身应是链接（第 33 号令第十三条；接入商示例代码）。

## 改用
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_link_wraps_partial_text',
    severity='info',
    tags=('icp', 'link'),
    since='0.1.0',
    message_en='only part of {number} is inside the link',
    message_zh='链接只包含 {number} 的一部分',
    explain=__doc__ or "",
    check=check,
    summary='the link wraps only part of the number',
    summary_zh='链接只包含备案号的一部分',
    explain_zh=EXPLAIN_ZH,
    fix_en='Make the whole number the link text: {number_html}',
    fix_zh='让链接包含完整的备案号：{number_html}',
)
