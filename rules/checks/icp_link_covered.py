"""icp_link_covered: rendered: something covers the link's centre.

## What it checks
On a rendered page, a click at the centre of the ICP link does not reach it (`data-fa-hit="0"`):
a cookie banner, a fixed bar or a floating widget lies over it.

## Why it matters
The link must be usable for the public to check the number (Order No. 33 §13).

## Example
A fixed bottom chat bar covering the footer's last line.

## Use instead
Leave room below fixed bars, or make them dismissible.

## Needs
A rendered page with the layout probe's `data-fa-hit`. Inapplicable on static pages.

## Known problems
Banners that appear after a delay may be missed.

## References
docs/marks.md §3; rules/model.py (ATTR_HIT).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, review, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.rendered:
        return inapplicable("not_rendered")
    marks = [m for m in ctx.site_icp_numbers if m.link and not m.in_image]
    if not marks:
        return inapplicable("no_linked_number")
    if all(m.hit is None for m in marks):
        return review("no_layout_data")
    return [violation(m) for m in marks if m.hit is False]


EXPLAIN_ZH = """## 检查内容
在渲染后的页面上，点击 ICP 链接的中心到达不了链接（`data-fa-hit="0"`）：Cookie 横幅、
固定栏或浮动组件压在上面。

## 为何重要
链接必须可用，公众才能核对号码（第 33 号令第十三条）。

## 改用
在固定栏下方留出空间，或让它们可以关闭。

## 所需条件
带布局探针 `data-fa-hit` 的渲染页面。静态页面不适用。
"""

RULE = Rule(
    code='icp_link_covered',
    severity='warning',
    tags=('icp', 'layout', 'rendered'),
    since='0.1.0',
    message_en='the link of {number} is covered by another element; a click does not reach it',
    message_zh='{number} 的链接被其他元素遮挡，点击无法到达',
    explain=__doc__ or "",
    check=check,
    summary="rendered: something covers the link's centre",
    summary_zh='渲染后：链接中心被其他元素遮挡',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Keep fixed bars, banners and floating widgets off the link of {number} (leave '
        'room below them or make them dismissible) so that a click reaches it'),
    fix_zh=(
        '不要让固定栏、横幅或浮动组件遮挡 {number} '
        '的链接（在其下方留出空间，或允许关闭），保证点击能到达链接'),
)
