"""copyright_holder_only_in_sponsor_line: the subject is named only as 主办单位.

## What it checks
The subject appears as `主办单位：…` while no copyright line names it.

## Why it matters
Where a copyright line is expected (江苏), the sponsor line does not replace it.

## Example
`主办单位：某某中心` and no 版权所有.

## Use instead
`版权所有：某某中心`

## Needs
Expectation `org`.

## Known problems
Government sites commonly use 主办单位 only; organisations may switch this off.

## References
docs/sources.md §6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.parsers.copyright import holder_matches
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    org = ctx.expect.org
    if not org:
        return inapplicable("expectation_absent")
    sponsors = list(ctx.findings.sponsors) + [c.sponsor for c in ctx.copyright if c.sponsor]
    if not any(holder_matches(s, org) for s in sponsors):
        return inapplicable("no_sponsor_line")
    if any(c.holder and holder_matches(c.holder, org) for c in ctx.copyright):
        return passed()
    return violation(org=org, evidence=next(s for s in sponsors if holder_matches(s, org)))


EXPLAIN_ZH = """## 检查内容
主体以 `主办单位：…` 出现，但没有版权信息署名为该主体。

## 为何重要
在要求版权信息的地方（江苏），主办单位信息不能代替版权信息。

## 改用
`版权所有：某某中心`

## 所需条件
预期 `org`。
"""

RULE = Rule(
    code='copyright_holder_only_in_sponsor_line',
    severity='info',
    tags=('copyright', 'expectations'),
    since='0.1.0',
    message_en='the filing subject {org} is named only as 主办单位, not in a copyright line',
    message_zh='备案主体 {org} 仅以“主办单位”形式出现，未出现在版权信息中',
    explain=__doc__ or "",
    check=check,
    summary='the subject is named only as 主办单位',
    summary_zh='备案主体只以“主办单位”出现',
    explain_zh=EXPLAIN_ZH,
    fix_en='Add a copyright line naming the filing subject: {copyright_html}',
    fix_zh='加入署名为备案主体的版权信息：{copyright_html}',
)
