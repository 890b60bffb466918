"""gov_site_identifier_format_invalid: the 网站标识码 shown is not a well-formed code.

## What it checks
Under the government profile, a `网站标识码` is shown but is not 10 characters of the issued form:
a 6-digit administrative division code (its first two digits a province code) and a 4-digit
serial (`1400000045`), or `bm` and 8 digits for a State Council department (`bm01000001`).

## Why it matters
The code identifies the site in the national government-website register (国办发〔2017〕47号); a
mistyped code points nowhere, and inspections compare it with the register.

## Example
`网站标识码：140000045` (nine digits)

## Use instead
The code exactly as issued, e.g. `网站标识码：1400000045`, copied from the register entry that the
badge links to.

## Needs
The government profile.

## Known problems
The register itself is not queried: a well-formed code of another site passes.

## References
国办发〔2017〕47号《政府网站发展指引》; rules-evidence.md §10.
"""

from __future__ import annotations

import re

from rules.data import GOV_SITE_CODE, PROVINCE_CODES
from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]

_CODE = re.compile(GOV_SITE_CODE)


def well_formed(code: str) -> bool:
    if not _CODE.fullmatch(code):
        return False
    return code.startswith("bm") or code[:2] in PROVINCE_CODES


def check(ctx):
    if not ctx.government:
        return inapplicable("not_government")
    if not ctx.site_codes:
        return inapplicable("no_site_code")
    return [violation(site_code=code, evidence=f"网站标识码：{code}")
            for code in ctx.site_codes if not well_formed(code)]


RULE = Rule(
    code='gov_site_identifier_format_invalid',
    severity='warning',
    tags=('government', 'format'),
    since='0.1.0',
    message_en='网站标识码 {site_code} is not a well-formed site identifier code (10 characters: a '
               'division code and a serial, or bm and 8 digits)',
    message_zh='网站标识码 {site_code} 格式不正确'
               '（应为 6 位行政区划代码加 4 位序号，或 bm 加 8 位数字）',
    explain=__doc__ or "",
    check=check,
    summary='government profile: a malformed 网站标识码',
)
