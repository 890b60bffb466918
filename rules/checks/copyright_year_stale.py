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
docs/marks.md §3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import COPYRIGHT_STALE_YEARS
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    lines = [c for c in ctx.copyright if c.years]
    if not lines:
        return inapplicable("no_year")
    latest = max(max(c.years) for c in lines)
    if latest >= ctx.today.year - COPYRIGHT_STALE_YEARS:
        return passed()
    line = next(c for c in lines if latest in c.years)
    return violation(line, year=latest, evidence=line.text)


EXPLAIN_ZH = """## 检查内容
版权信息中最近的年份早于去年。

## 为何重要
过时的年份说明网站可能无人维护；备案主体也可能已经变化。

## 改用
`Copyright © 2010-2026 某某公司`

## 所需条件
无（使用今天的日期，或预期 `today`）。
"""

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
    summary_zh='最近年份早于去年',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Bring the copyright year up to {this_year} (or fill it in when the page is '
        'built)'),
    fix_zh='将版权年份更新到 {this_year} 年（或在生成页面时自动填写）',
)
