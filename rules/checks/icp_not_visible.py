"""icp_not_visible: the number is in the page but not shown at desktop width.

## What it checks
The site's ICP number is present only hidden: inline `display:none`, `visibility:hidden`, the
`hidden` attribute, or, on a rendered page, not visible at desktop width (`data-fa-visible="0"`).
Text in comments, scripts and templates is not a number at all (`icp_missing`).

## Why it matters
The number must be displayed (Order No. 33 §13: 标明其备案编号).

## Example
`<div style="display:none">京ICP备12345678号-1</div>`

## Use instead
Show it in the visible footer.

## Needs
Nothing; on rendered pages the layout probe's visibility is used.

## Known problems
Stylesheet rules are only seen on rendered pages; statically, only inline styles count.

## References
docs/marks.md §1; docs/sources.md §3.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp_all
    if not marks:
        return inapplicable("no_icp_number")
    shown = {m.number for m in marks if m.visible is not False}
    out = []
    for m in marks:
        if m.visible is False and m.number not in shown:
            shown.add(m.number)
            out.append(violation(m))
    return out


EXPLAIN_ZH = """## 检查内容
本网站的备案号只以隐藏方式存在：行内 `display:none`、`visibility:hidden`、`hidden` 属性，
或在渲染后的页面中桌面宽度下不可见（`data-fa-visible="0"`）。注释、脚本和模板中的文字根本
不算备案号（`icp_missing`）。

## 为何重要
备案号必须显示出来（第 33 号令第十三条：标明其备案编号）。

## 改用
在可见的页脚中显示。

## 所需条件
无；渲染后的页面使用布局探针得到的可见性。
"""

RULE = Rule(
    code='icp_not_visible',
    severity='error',
    tags=('icp', 'layout'),
    since='0.1.0',
    message_en='{number} is in the page but hidden',
    message_zh='{number} 存在于页面中但不可见',
    explain=__doc__ or "",
    check=check,
    summary='the number is in the page but not shown at desktop width',
    summary_zh='备案号在页面中但不可见',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Show {number} in the visible footer (no display:none or visibility:hidden, '
        'visible at desktop width): {number_html}'),
    fix_zh=(
        '在可见的页脚中显示 {number}（不要 display:none 或 '
        'visibility:hidden，桌面宽度下可见）：{number_html}'),
)
