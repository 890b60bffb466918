"""icp_province_mismatch: the prefix is not the filing subject's province.

## What it checks
The ICP prefix names another province than the one the portfolio gives for the subject.

## Why it matters
ICP filings are made with the bureau of the subject's domicile (Order No. 33).

## Example
Expected province 广东, footer `京ICP备12345678号-1`.

## Use instead
The subject's own number from its province's bureau.

## Needs
Expectation `province`.

## Known problems
Sister sites filed by another subject legitimately show another province; set the expectation
per site. The 公安 province is never compared (it may differ legitimately).

## References
rules-evidence.md §2.1, §12.
"""

from __future__ import annotations

from rules.data import region_by_icp_prefix, resolve_province
from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]


def check(ctx):
    expected = resolve_province(ctx.expect.province)
    if expected is None:
        return inapplicable("expectation_absent")
    marks = [m for m in ctx.site_icp_numbers if m.region]
    if not marks:
        return inapplicable("no_icp_number")
    out = []
    for m in marks:
        region = region_by_icp_prefix(m.region)
        if region is not None and region.code != expected.code:
            out.append(violation(m, prefix=m.region, province=expected.name))
    return out


RULE = Rule(
    code='icp_province_mismatch',
    severity='warning',
    tags=('icp', 'expectations'),
    since='0.1.0',
    message_en='{number} is a {prefix} number but the subject is in {province}',
    message_zh='{number} 的省份简称为“{prefix}”，但备案主体在{province}',
    explain=__doc__ or "",
    check=check,
    summary="the prefix is not the filing subject's province",
)
