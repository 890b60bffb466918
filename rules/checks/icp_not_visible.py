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
RULES.md §1; rules-evidence.md §3.3.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]


def check(ctx):
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
)
