"""license_missing: a commercial site shows no 经营许可证 number.

## What it checks
The portfolio says the site is commercial (经营性), and the page shows no ICP licence
(`京ICP证…号`) or B2 number (`粤B2-20090059`); with `licence_number` set, not that one.

## Why it matters
Order No. 292 §12: 经营性 providers show the licence number on the homepage; fines under §22.

## Example
A shop whose footer shows only `京ICP备12345678号-1`.

## Use instead
`京ICP备12345678号-1 | 增值电信业务经营许可证：京B2-20201234`

## Needs
Expectation `commercial` (and optionally `licence_number`).

## Known problems
Whether a site is 经营性 cannot be told from the page.

## References
RULES.md §1 "Licences"; rules-evidence.md §4.
"""

from __future__ import annotations

from rules.checks._common import missing
from rules.normalize import compact
from rules.rule import Rule, inapplicable, passed

__all__ = ["RULE", "check"]


_KINDS = {"icp_licence", "b2"}


def check(ctx):
    if not ctx.expect.commercial:
        return inapplicable("expectation_absent")
    shown = {lic.number for lic in ctx.findings.licences if lic.kind in _KINDS}
    shown |= {m.number for m in ctx.site_icp if m.kind == "licence"}
    want = compact(ctx.expect.licence_number or "")
    if want:
        if any(n == want or n.rstrip("号") == want.rstrip("号") for n in shown):
            return passed()
        return missing(ctx, expected=f" ({want})", expected_zh=f"（{want}）")
    return passed() if shown else missing(ctx, expected="", expected_zh="")


RULE = Rule(
    code='license_missing',
    severity='error',
    tags=('licence', 'expectations'),
    since='0.1.0',
    message_en='the site is commercial (经营性) but shows no ICP licence number{expected}',
    message_zh='经营性网站未显示经营许可证编号{expected_zh}',
    explain=__doc__ or "",
    check=check,
    summary='a commercial site shows no 经营许可证 number',
)
