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
rules-evidence.md §2.6, §2.8.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]


def check(ctx):
    marks = ctx.site_icp
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m, prefix=m.number[:1]) for m in marks if m.prefix_status == "unknown"]


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
)
