"""copyright_missing: no copyright line (error in 江苏).

## What it checks
The page displays no copyright line. Severity error where it is required (江苏 by default).

## Why it matters
The Jiangsu bureau requires a copyright line naming the filing subject (vendor guidance relaying
the bureau); elsewhere it is common advice.

## Example
A footer with only the ICP number.

## Use instead
`© 2024 江苏某某有限公司 版权所有`

## Needs
The province (expectation or ICP prefix); `copyright_required` overrides the default.

## Known problems
Copyright lines drawn by scripts are only seen on rendered pages.

## References
docs/marks.md §1 "Copyright line"; docs/sources.md §6.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.data import COPYRIGHT_REQUIRED_PROVINCES
from rules.model import Outcome
from rules.rule import CheckResult, Rule, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def required(ctx: Context) -> bool:
    """Whether this page must show a copyright line (the expectation, else 江苏's default)."""
    if ctx.expect.copyright_required is not None:
        return ctx.expect.copyright_required
    return ctx.province is not None and ctx.province.icp in COPYRIGHT_REQUIRED_PROVINCES


def check(ctx: Context) -> CheckResult:
    if ctx.copyright:
        return passed()
    if required(ctx):
        res = missing(ctx, province_note=" (required here)", province_note_zh="（本地要求）")
        return replace(res, severity="error") if res.outcome == Outcome.VIOLATION else res
    return missing(ctx, province_note="", province_note_zh="")


EXPLAIN_ZH = """## 检查内容
页面没有显示版权信息。在要求版权信息的地方（默认江苏）为错误。

## 为何重要
江苏省通信管理局要求版权信息署名为备案主体（接入商转达）；其他地方为常见建议。

## 改用
`© 2024 江苏某某有限公司 版权所有`

## 所需条件
省份（预期或 ICP 简称）；`copyright_required` 可改变默认值。
"""

RULE = Rule(
    code='copyright_missing',
    severity='info',
    tags=('copyright',),
    since='0.1.0',
    message_en='no copyright line (©, Copyright, 版权所有) is shown{province_note}',
    message_zh='页面未显示版权信息（©、Copyright、版权所有）{province_note_zh}',
    explain=__doc__ or "",
    check=check,
    summary='no copyright line (error in 江苏)',
    summary_zh='没有版权信息（江苏为错误）',
    explain_zh=EXPLAIN_ZH,
    fix_en='Add a copyright line naming the filing subject: {copyright_html}',
    fix_zh='加入署名为备案主体的版权信息：{copyright_html}',
)
