"""icp_position_not_bottom_centre: rendered mark not at the bottom or far from the centre.

## What it checks
On a rendered page, the number's box is not in the last screen of the document (nor its last
quarter), or its centre is more than a quarter of the viewport away from the horizontal centre.

## Why it matters
Order No. 33 §13: bottom centre of the homepage. No penalty for alignment alone is known.

## Example
A right-aligned footer line holding the number.

## Use instead
Centre the filing line in the footer.

## Needs
A rendered page with `data-fa-box` and `data-fa-doc`. Inapplicable on static pages.

## Known problems
Very long pages with sticky footers are judged by document position only.

## References
docs/sources.md §3.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, review, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def _where(box: tuple[float, float, float, float],
           doc: tuple[float, float, float, float]) -> tuple[str, str] | None:
    x, y, w, h = box
    doc_w, doc_h, view_w, view_h = doc
    bottom_zone = doc_h - max(view_h, doc_h * 0.25)
    if y + h < bottom_zone:
        return "not at the bottom of the page", "不在页面底部"
    centre = x + w / 2
    width = view_w or doc_w
    if width and abs(centre - width / 2) > width * 0.25:
        return "far from the horizontal centre", "远离水平居中位置"
    return None


def check(ctx: Context) -> CheckResult:
    if not ctx.rendered:
        return inapplicable("not_rendered")
    marks = [m for m in ctx.site_icp_numbers if m.visible is not False]
    if not marks:
        return inapplicable("no_icp_number")
    doc = ctx.extraction.doc
    boxed = [(m, m.box) for m in marks if m.box]
    if doc is None or not boxed:
        return review("no_layout_data")
    out = []
    for m, box in boxed:
        where = _where(box, doc)
        if where is None:
            return []  # one well-placed copy is enough
        out.append(violation(m, where=where[0], where_zh=where[1]))
    return out[:1]


EXPLAIN_ZH = """## 检查内容
在渲染后的页面上，备案号的位置不在文档的最后一屏（也不在最后四分之一），或其中心偏离水平
中央超过视口宽度的四分之一。

## 为何重要
第 33 号令第十三条：主页底部的中央位置。未见仅因对齐而处罚的案例。

## 改用
在页脚中居中显示备案信息。

## 所需条件
带 `data-fa-box` 和 `data-fa-doc` 的渲染页面。静态页面不适用。
"""

RULE = Rule(
    code='icp_position_not_bottom_centre',
    severity='info',
    tags=('icp', 'layout', 'rendered'),
    since='0.1.0',
    message_en='{number} is {where}',
    message_zh='{number} {where_zh}',
    explain=__doc__ or "",
    check=check,
    summary='rendered mark not at the bottom or far from the centre',
    summary_zh='渲染后：备案号不在页面底部或远离中央',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Centre the filing line at the bottom of the page: <footer '
        'style="text-align:center">{number_html}</footer>'),
    fix_zh=(
        '将备案信息放在页面底部居中：<footer style="text-align:center">{number_html}</foo'
        'ter>'),
)
