"""app_filing_missing: an app's landing page shows no APP number.

## What it checks
The portfolio marks the page as an app's landing page (`app_page`), and no APP number (`-nA`) is
shown; with `expected_app_number`, not that one.

## Why it matters
MIIT's 2023 APP filing notice: APP sponsors show the APP filing number in a prominent place and link
it to the filing system; distribution pages show the numbers of the apps they offer.

## Example
A download page showing only `京ICP备12345678号-1`.

## Use instead
`京ICP备12345678号-1 · APP备案号：京ICP备12345678号-3A`

## Needs
Expectation `app_page` (and optionally `expected_app_number`).

## Known problems
Inside the app (设置/关于) is out of a web crawler's reach.

## References
docs/sources.md §1.4, §9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.normalize import compact
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.expect.app_page:
        return inapplicable("expectation_absent")
    apps = {m.number for m in ctx.findings.icp if m.kind == "app" and m.visible is not False}
    want = compact(ctx.expect.expected_app_number or "")
    if want:
        if want in apps:
            return passed()
        return missing(ctx, expected=f" ({want})", expected_zh=f"（{want}）")
    return passed() if apps else missing(ctx, expected="", expected_zh="")


EXPLAIN_ZH = """## 检查内容
组合清单将页面标为应用落地页（`app_page`），而页面没有显示 APP 备案号（`-nA`）；设置了
`expected_app_number` 时，没有显示该号码。

## 为何重要
工信部 2023 年 APP 备案通知：APP 主办者应在显著位置标明 APP 备案号并链接到备案系统；分发页面
应显示其提供的 APP 的备案号。

## 改用
`京ICP备12345678号-1 · APP备案号：京ICP备12345678号-3A`

## 所需条件
预期 `app_page`（可选 `expected_app_number`）。
"""

RULE = Rule(
    code='app_filing_missing',
    severity='error',
    tags=('app', 'expectations'),
    since='0.1.0',
    message_en='this app landing page shows no APP filing number{expected}',
    message_zh='应用落地页未显示 APP 备案号{expected_zh}',
    explain=__doc__ or "",
    check=check,
    summary="an app's landing page shows no APP number",
    summary_zh='应用落地页未显示 APP 备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en="Show the app's filing number on this page: APP备案号：{app_number}",
    fix_zh='在本页显示应用的 APP 备案号：APP备案号：{app_number}',
)
