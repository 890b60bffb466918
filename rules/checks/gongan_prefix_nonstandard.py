"""gongan_prefix_nonstandard: 蜀/黔/云 with 51/52/53.

## What it checks
The 公安 prefix is the variant 蜀, 黔 or 云 with a matching code.

## Why it matters
The platform issues 川, 贵 and 滇; the variants are seen but not standard.

## Example
`蜀公网安备51078202110037号`

## Use instead
`川公网安备51078202110037号`

## Needs
Nothing.

## Known problems
Whether 云 is ever issued is unverified.

## References
docs/sources.md §5.3, §13.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import region_by_gongan_prefix
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    out = []
    for m in ctx.gongan:
        region = region_by_gongan_prefix(m.prefix)
        if region and m.prefix in region.gongan_variants and (m.code or "")[:2] == region.code:
            out.append(violation(m, prefix=m.prefix, standard=region.gongan))
    return out


EXPLAIN_ZH = """## 检查内容
公安简称是变体蜀、黔或云，代码与之对应。

## 为何重要
平台发放的是川、贵、滇；变体虽常见但不规范。

## 改用
`川公网安备51078202110037号`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_prefix_nonstandard',
    severity='info',
    tags=('gongan', 'format'),
    since='0.1.0',
    message_en='{number} uses {prefix}; the usual 公安 prefix is {standard}',
    message_zh='{number} 使用“{prefix}”，公安备案常用简称为“{standard}”',
    explain=__doc__ or "",
    check=check,
    summary='蜀/黔/云 with 51/52/53',
    summary_zh='简称为蜀/黔/云（代码为 51/52/53）',
    explain_zh=EXPLAIN_ZH,
    fix_en='Write {standard} instead of {prefix}: {gongan_number}',
    fix_zh='将“{prefix}”改为“{standard}”：{gongan_number}',
)
