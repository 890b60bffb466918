"""gongan_format_invalid: 公网安备 text without a 14-digit code.

## What it checks
A 公网安备 mark whose code is not 14 digits and not a known legacy form, or whose prefix is no
province: the ICP serial used as the code, an 11-digit code, placeholders.

## Why it matters
The code identifies the filing on the 公安 platform; a wrong one cannot be checked.

## Example
`赣公网安备 2021005743号`, `沪公网安备31011502009号`

## Use instead
`沪公网安备31011502009001号` (the 14-digit code from the platform).

## Needs
Nothing.

## Known problems
Legacy 10/12/13/15-digit codes are `gongan_legacy_format`, not this.

## References
docs/sources.md §5.2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan if "公网安备" in m.number]
    if not marks:
        return inapplicable("no_gongan_mark")
    # Other wordings (公网安备案号, 公安备案号...) are gongan_wording_nonstandard's.
    return [violation(m) for m in marks if not m.valid and not m.legacy
            and m.wording == "公网安备"]


EXPLAIN_ZH = """## 检查内容
公网安备标识的代码不是 14 位数字，也不是已知的旧格式，或简称不是省份：把 ICP 序号当作代码、
11 位代码、占位符等。

## 为何重要
代码用于在公安平台上识别备案；错误的代码无法查询。

## 改用
`沪公网安备31011502009001号`（平台发放的 14 位代码）。

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_format_invalid',
    severity='warning',
    tags=('gongan', 'format'),
    since='0.1.0',
    message_en='{number} is not a valid 公安 number (a prefix and 14 digits)',
    message_zh='{number} 不是有效的公安备案号（省份简称加 14 位数字）',
    explain=__doc__ or "",
    check=check,
    summary='公网安备 text without a 14-digit code',
    summary_zh='公网安备文字中没有 14 位代码',
    explain_zh=EXPLAIN_ZH,
    fix_en='Replace {number} with the 14-digit code from the 公安 platform: {gongan_html}',
    fix_zh='将 {number} 改为公安平台发放的 14 位备案号：{gongan_html}',
)
