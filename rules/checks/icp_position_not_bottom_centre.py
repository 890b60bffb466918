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
rules-evidence.md §3.3.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable, review, violation

__all__ = ["RULE", "check"]


def _where(box, doc) -> tuple[str, str] | None:
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


def check(ctx):
    if not ctx.rendered:
        return inapplicable("not_rendered")
    marks = [m for m in ctx.site_icp_numbers if m.visible is not False]
    if not marks:
        return inapplicable("no_icp_number")
    doc = ctx.extraction.doc
    boxed = [m for m in marks if m.box]
    if doc is None or not boxed:
        return review("no_layout_data")
    out = []
    for m in boxed:
        where = _where(m.box, doc)
        if where is None:
            return []  # one well-placed copy is enough
        out.append(violation(m, where=where[0], where_zh=where[1]))
    return out[:1]


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
)
