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
rules-evidence.md §5.3, §13.1.
"""

from __future__ import annotations

from rules.data import region_by_gongan_prefix
from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]


def check(ctx):
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    out = []
    for m in ctx.gongan:
        region = region_by_gongan_prefix(m.prefix)
        if region and m.prefix in region.gongan_variants and (m.code or "")[:2] == region.code:
            out.append(violation(m, prefix=m.prefix, standard=region.gongan))
    return out


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
)
