"""subdomain_icp_missing: a subdomain homepage shows no number (error with its own filing).

## What it checks
A subdomain's homepage (expectation `subdomain`) shows no ICP number. Severity error when the
subdomain has a filing of its own (`own_filing`).

## Why it matters
Vendor guidance: subdomains filed separately (government, 公益) must show their number; others
are covered by the registrable domain's filing.

## Example
`news.example.cn` with an empty footer.

## Use instead
The domain's number (same subject), or the subdomain's own.

## Needs
Expectation `subdomain` (and `own_filing`).

## Known problems
None known.

## References
docs/sources.md §8.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.model import Outcome
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.expect.subdomain:
        return inapplicable("expectation_absent")
    if ctx.site_icp_numbers:
        return passed()
    res = missing(ctx)
    if ctx.expect.own_filing and res.outcome == Outcome.VIOLATION:
        return replace(res, severity="error")
    return res


EXPLAIN_ZH = """## 检查内容
子域名的首页（预期 `subdomain`）没有显示 ICP 备案号。子域名有独立备案（`own_filing`）时为错误。

## 为何重要
接入商指引：单独备案的子域名（政府、公益）必须显示其备案号；其他子域名由主域名的备案覆盖。

## 改用
主域名的备案号（同一主体），或子域名自己的备案号。

## 所需条件
预期 `subdomain`（及 `own_filing`）。
"""

RULE = Rule(
    code='subdomain_icp_missing',
    severity='info',
    tags=('icp', 'expectations'),
    since='0.1.0',
    message_en='this subdomain homepage shows no ICP number',
    message_zh='该子域名首页未显示 ICP 备案号',
    explain=__doc__ or "",
    check=check,
    summary='a subdomain homepage shows no number (error with its own filing)',
    summary_zh='子域名首页未显示备案号（有独立备案时为错误）',
    explain_zh=EXPLAIN_ZH,
    fix_en="Show the ICP number in this subdomain's footer: {icp_html}",
    fix_zh='在该子域名的页脚显示 ICP 备案号：{icp_html}',
)
