"""subject_inconsistent: one organisation's sites show different subject numbers.

## What it checks
Across one organisation's sites, the ICP numbers shown belong to more than one filing subject
(different `<P>ICP备<serial>号`). Judged by `rules.portfolio_rules.subject_inconsistent` over a
whole run; on one page it is inapplicable.

## Why it matters
A subject files once and numbers its sites -1, -2...; another subject's number means a copied
footer or a filing under the wrong entity.

## Example
`a.example.cn`: `京ICP备12345678号-1`; `b.example.cn`: `京ICP备87654321号-1`.

## Use instead
Each site shows its own -n under the organisation's subject number.

## Needs
A portfolio run (several sites of one organisation).

## Known problems
Groups with several legal entities legitimately have several subjects; split them in the portfolio.

## References
rules-evidence.md §2.1, §8.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable

__all__ = ["RULE", "check"]


def check(ctx):
    return inapplicable("portfolio_rule")


RULE = Rule(
    code='subject_inconsistent',
    severity='warning',
    tags=('icp', 'portfolio'),
    since='0.1.0',
    message_en="the organisation's sites show {count} different subject numbers: {subjects}",
    message_zh='同一组织的网站显示了 {count} 个不同的主体备案号：{subjects}',
    explain=__doc__ or "",
    check=check,
    summary="one organisation's sites show different subject numbers",
)
