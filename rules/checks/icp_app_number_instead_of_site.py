"""icp_app_number_instead_of_site: the only number on a website ends in A/X/K.

## What it checks
Every ICP number the site shows ends in A, X or K (APP, mini program, quick app).

## Why it matters
A website shows its website number (Order No. 33 §13); -nA/-nX/-nK belong to other services.

## Example
`沪ICP备2025152989号-1A` as the only number on a product page.

## Use instead
Show the website number (`沪ICP备2025152989号-2`) and, on app pages, the APP number too.

## Needs
Nothing.

## Known problems
None known.

## References
docs/sources.md §2.2, §9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


_APP_KINDS = {"app", "miniprogram", "quickapp"}


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.valid]
    if not marks:
        return inapplicable("no_icp_number")
    if all(m.kind in _APP_KINDS for m in marks):
        return [violation(m) for m in marks]
    return passed()


EXPLAIN_ZH = """## 检查内容
网站显示的每个 ICP 备案号都以 A、X 或 K 结尾（APP、小程序、快应用）。

## 为何重要
网站应显示网站备案号（第 33 号令第十三条）；-nA/-nX/-nK 属于其他服务。

## 改用
显示网站备案号（`沪ICP备2025152989号-2`），APP 页面另外显示 APP 备案号。

## 所需条件
无。
"""

RULE = Rule(
    code='icp_app_number_instead_of_site',
    severity='warning',
    tags=('icp', 'app'),
    since='0.1.0',
    message_en="{number} is an APP / mini program / quick app number, not the website's",
    message_zh='{number} 是 APP/小程序/快应用备案号，不是网站备案号',
    explain=__doc__ or "",
    check=check,
    summary='the only number on a website ends in A/X/K',
    summary_zh='网站只显示了 APP/小程序/快应用备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en='Show the website number as well: {icp_html}',
    fix_zh='同时显示网站备案号：{icp_html}',
)
