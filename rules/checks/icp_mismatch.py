"""icp_mismatch: the number differs from the one the portfolio expects.

## What it checks
No ICP number on the page equals the expected one. An expected subject number is satisfied by
any `-n` of that subject.

## Why it matters
The displayed number must be the site's own MIIT record (Order No. 33 §13; vendor checklists).

## Example
Expected `京ICP备12345678号-1`, footer `京ICP备12345678号-2`.

## Use instead
The number on record for this site.

## Needs
Expectation `expected_icp`.

## Known problems
Sites that moved to a new subject keep showing the old number until the portfolio changes.

## References
rules-evidence.md §2.5, §12.
"""

from __future__ import annotations

from rules.normalize import compact
from rules.rule import Rule, inapplicable, passed, violation

__all__ = ["RULE", "check"]


def check(ctx):
    expected = ctx.expect.expected_icp
    if not expected:
        return inapplicable("expectation_absent")
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    want = compact(expected)
    for m in marks:
        if m.number == want or ("-" not in want and m.number.split("-")[0] == want):
            return passed()
    return violation(marks[0], expected=want)


RULE = Rule(
    code='icp_mismatch',
    severity='error',
    tags=('icp', 'expectations'),
    since='0.1.0',
    message_en='the page shows {number}, the portfolio expects {expected}',
    message_zh='页面显示 {number}，与预期的 {expected} 不符',
    explain=__doc__ or "",
    check=check,
    summary='the number differs from the one the portfolio expects',
)
