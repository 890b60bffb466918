"""icp_prefix_unknown: the character before ICP is no region (vanity filings).

## What it checks
The character before `ICP` is none of the 31 ICP abbreviations nor a known variant.

## Why it matters
Vanity "filings" (萌ICP备, 茶ICP备) are not legal filings; the real number is still required
(Order No. 33 §13).

## Example
`萌ICP备20257012号`

## Use instead
The site's real number, e.g. `京ICP备12345678号-1`.

## Needs
Nothing.

## Known problems
Institution-internal forms such as `沪交ICP备…` read as the prefix `交`.

## References
docs/sources.md §2.6, §2.8.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m, prefix=m.number[:1]) for m in marks if m.prefix_status == "unknown"]


EXPLAIN_ZH = """## 检查内容
`ICP` 前的字不是 31 个省级简称之一，也不是已知的变体。

## 为何重要
萌ICP备、茶ICP备之类的“备案”不是法定备案，仍须显示真实备案号（第 33 号令第十三条）。

## 改用
本网站真实的备案号，如 `京ICP备12345678号-1`。

## 所需条件
无。
"""

RULE = Rule(
    code='icp_prefix_unknown',
    severity='error',
    tags=('icp', 'format'),
    since='0.1.0',
    message_en='{number}: {prefix} is not a province abbreviation; this is not an MIIT filing',
    message_zh='{number}：“{prefix}”不是省份简称，不是工信部备案号',
    explain=__doc__ or "",
    check=check,
    summary='the character before ICP is no region (vanity filings)',
    summary_zh='ICP 前的字不是省份简称（“萌备”之类）',
    explain_zh=EXPLAIN_ZH,
    fix_en="Remove {number} (not a filing) and show the site's real number: {icp_html}",
    fix_zh='删除 {number}（不是工信部备案），改为显示本网站真实的备案号：{icp_html}',
)
