"""icp_link_script_only: navigation by script, no href.

## What it checks
The number is clickable only through a script handler or a `javascript:` href.

## Why it matters
It works for most users but not for crawlers, readers or users without JavaScript.

## Example
`<span onclick="window.open('https://beian.miit.gov.cn/')">京ICP备12345678号-1</span>`

## Use instead
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## Needs
Nothing.

## Known problems
Handlers attached by addEventListener are invisible in HTML; those numbers read as unlinked.

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
    marks = [m for m in ctx.site_icp_numbers if m.link or m.link_script_only]
    if not marks:
        return inapplicable("no_linked_number")
    return [violation(m) for m in marks if m.link_script_only]


EXPLAIN_ZH = """## 检查内容
备案号只能通过脚本事件或 `javascript:` 链接点击。

## 为何重要
多数用户可以使用，但爬虫、读屏软件和禁用 JavaScript 的用户不能。

## 改用
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_link_script_only',
    severity='info',
    tags=('icp', 'link'),
    since='0.1.0',
    message_en='{number} navigates by script (onclick / javascript:) instead of a plain link',
    message_zh='{number} 通过脚本跳转（onclick / javascript:），不是普通链接',
    explain=__doc__ or "",
    check=check,
    summary='navigation by script, no href',
    summary_zh='通过脚本跳转，没有 href',
    explain_zh=EXPLAIN_ZH,
    fix_en='Use a plain link with an href instead of a script: {number_html}',
    fix_zh='用带 href 的普通链接代替脚本跳转：{number_html}',
)
