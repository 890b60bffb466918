"""icp_format_invalid: text meant as an ICP mark fails the grammar.

## What it checks
A displayed ICP mark that does not follow `<P>ICP备<6-10 digits>号[-n[A|X|K]]` (or the licence
forms): `ICP备案号`, a missing `号`, the suffix before `号`, 11 digits, no province before ICP.

## Why it matters
The number must be shown as filed so the public can check it (Order No. 33 §13); hosting
providers send rectification notices for a missing 号.

## Example
`皖ICP备案号05002829`, `滇ICP备09010050-5号`, `陇ICP备 05000593`

## Use instead
`皖ICP备05002829号-1`

## Needs
Nothing.

## Known problems
Vanity prefixes (萌ICP备) are reported by `icp_prefix_unknown`, not here.

## References
docs/marks.md §1; docs/sources.md §2.4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp if m.prefix_status != "unknown"]
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m) for m in marks if not m.valid]


EXPLAIN_ZH = """## 检查内容
页面上作为 ICP 标识的文字不符合 `<省份>ICP备<6-10 位数字>号[-n[A|X|K]]`（或许可证格式）：
写成 `ICP备案号`、缺少“号”、序号在“号”之前、11 位数字、ICP 前没有省份简称等。

## 为何重要
备案号必须按备案时的样子显示，公众才能查询（第 33 号令第十三条）；缺少“号”时接入商会发整改通知。

## 改用
`皖ICP备05002829号-1`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_format_invalid',
    severity='error',
    tags=('icp', 'format'),
    since='0.1.0',
    message_en='{number} is not a well-formed ICP number',
    message_zh='{number} 不符合 ICP 备案号格式',
    explain=__doc__ or "",
    check=check,
    summary='text meant as an ICP mark fails the grammar',
    summary_zh='ICP 标识不符合备案号格式',
    explain_zh=EXPLAIN_ZH,
    fix_en='Replace {number} with the number exactly as filed: {icp_html}',
    fix_zh='将 {number} 改为与备案记录完全一致的号码：{icp_html}',
)
