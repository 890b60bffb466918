"""copyright_year_stale: the latest year is before last year.

## What it checks
The latest year in the copyright lines is before last year.

## Why it matters
A stale year suggests an unmaintained site; the filing subject may have changed since.

## Example
`Copyright © 2010-2015 某某公司`

## Use instead
`Copyright © 2010-2026 某某公司`

## Needs
Nothing (today's date, or the expectation `today`).

## Known problems
Lines without a year are not judged.

## References
RULES.md §3.
"""

from __future__ import annotations

from rules.data import COPYRIGHT_STALE_YEARS
from rules.rule import Rule, inapplicable, passed, violation

__all__ = ["RULE", "check"]


def check(ctx):
    lines = [c for c in ctx.copyright if c.years]
    if not lines:
        return inapplicable("no_year")
    latest = max(max(c.years) for c in lines)
    if latest >= ctx.today.year - COPYRIGHT_STALE_YEARS:
        return passed()
    line = next(c for c in lines if latest in c.years)
    return violation(line, year=latest, evidence=line.text)


RULE = Rule(
    code='copyright_year_stale',
    severity='info',
    tags=('copyright',),
    since='0.1.0',
    message_en='the copyright line ends in {year}',
    message_zh='版权信息的年份停留在 {year} 年',
    explain=__doc__ or "",
    check=check,
    summary='the latest year is before last year',
)
