"""icp_prefix_nonstandard: 川/贵/云/甘 instead of 蜀/黔/滇/陇.

## What it checks
The ICP prefix is 川, 贵, 云 or 甘, the common abbreviation, where MIIT uses 蜀, 黔, 滇, 陇.

## Why it matters
The displayed number must equal the filed one (Order No. 33 §13); these are display errors.

## Example
`川ICP备10200063号-1`

## Use instead
`蜀ICP备10200063号-1`

## Needs
Nothing.

## Known problems
None known.

## References
docs/marks.md §2; docs/sources.md §2.6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import region_by_icp_prefix
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    out = []
    for m in marks:
        if m.prefix_status == "nonstandard":
            region = region_by_icp_prefix(m.region)
            out.append(violation(m, prefix=m.region, standard=region.icp if region else "?"))
    return out


EXPLAIN_ZH = """## 检查内容
ICP 前的简称是常用简称川、贵、云或甘，而工信部备案号使用蜀、黔、滇、陇。

## 为何重要
显示的号码必须与备案号一致（第 33 号令第十三条）；这是显示错误。

## 改用
`蜀ICP备10200063号-1`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_prefix_nonstandard',
    severity='warning',
    tags=('icp', 'format'),
    since='0.1.0',
    message_en='{number} uses {prefix}; MIIT numbers for this province use {standard}',
    message_zh='{number} 使用“{prefix}”，该省 ICP 备案号简称应为“{standard}”',
    explain=__doc__ or "",
    check=check,
    summary='川/贵/云/甘 instead of 蜀/黔/滇/陇',
    summary_zh='使用川/贵/云/甘而不是蜀/黔/滇/陇',
    explain_zh=EXPLAIN_ZH,
    fix_en='Write {standard} instead of {prefix}, as the MIIT record does: {icp}',
    fix_zh='按工信部备案记录将“{prefix}”改为“{standard}”：{icp}',
)
