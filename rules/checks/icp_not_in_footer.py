"""icp_not_in_footer: shown, but not in the footer region.

## What it checks
The site's number is displayed, but no copy is in the footer region (a `<footer>`, a footer-named
block, or the bottom of the page after it).

## Why it matters
Order No. 33 §13: at the bottom centre of the homepage (主页底部的中央位置).

## Example
The number in a header bar, the footer without it.

## Use instead
Put the number in the footer.

## Needs
Nothing.

## Known problems
Pages with no footer-like markup are judged by where the marks sit; a list of other sites'
numbers outside the footer (partners, newly filed sites) is not taken as the site's number.

## References
rules-evidence.md §3.3, §8.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable, passed, violation

__all__ = ["RULE", "check"]


def check(ctx):
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    if any(m.in_footer for m in marks):
        return passed()
    return violation(marks[0])


RULE = Rule(
    code='icp_not_in_footer',
    severity='warning',
    tags=('icp',),
    since='0.1.0',
    message_en='{number} is shown outside the footer',
    message_zh='{number} 未显示在页面底部',
    explain=__doc__ or "",
    check=check,
    summary='shown, but not in the footer region',
)
