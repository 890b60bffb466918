"""icp_province_mismatch: the prefix is not the filing subject's province.

## What it checks
The ICP prefix names another province than the one the portfolio gives for the subject.

## Why it matters
ICP filings are made with the bureau of the subject's domicile (Order No. 33).

## Example
Expected province 广东, footer `京ICP备12345678号-1`.

## Use instead
The subject's own number from its province's bureau.

## Needs
Expectation `province`.

## Known problems
Sister sites filed by another subject legitimately show another province; set the expectation
per site. The 公安 province is never compared (it may differ legitimately).

## References
docs/sources.md §2.1, §12.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import region_by_icp_prefix, resolve_province
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    expected = resolve_province(ctx.expect.province)
    if expected is None:
        return inapplicable("expectation_absent")
    marks = [m for m in ctx.site_icp_numbers if m.region]
    if not marks:
        return inapplicable("no_icp_number")
    out = []
    for m in marks:
        region = region_by_icp_prefix(m.region)
        if region is not None and region.code != expected.code:
            out.append(violation(m, prefix=m.region, province=expected.name))
    return out


EXPLAIN_ZH = """## 检查内容
ICP 前的省份简称与组合清单中备案主体所在省份不同。

## 为何重要
ICP 备案在主体住所地的通信管理局办理（第 33 号令）。

## 改用
主体在本省通信管理局取得的备案号。

## 所需条件
预期 `province`。
"""

RULE = Rule(
    code='icp_province_mismatch',
    severity='warning',
    tags=('icp', 'expectations'),
    since='0.1.0',
    message_en='{number} is a {prefix} number but the subject is in {province}',
    message_zh='{number} 的省份简称为“{prefix}”，但备案主体在{province}',
    explain=__doc__ or "",
    check=check,
    summary="the prefix is not the filing subject's province",
    summary_zh='备案号的省份简称不是备案主体所在省份',
    explain_zh=EXPLAIN_ZH,
    fix_en='Show the number the subject filed with the {province} bureau: {icp_html}',
    fix_zh='显示备案主体在{province}通信管理局备案的号码：{icp_html}',
)
