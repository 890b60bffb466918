"""gov_site_identifier_missing: a government site shows no 网站标识码.

## What it checks
Under the government profile (on by default for `.gov.cn` hosts, or set for the site in the
portfolio), the page shows no `网站标识码` (site identifier code) as text.

## Why it matters
政府网站发展指引 (国办发〔2017〕47号) gives every party and government site a 网站标识码 and
asks for it at the bottom of every page, with the 党政机关网站标识 badge (rules-evidence.md
§10). Some bureaus (黑龙江) ask for it to file the site at all.

## Example
`<div class="footer">主办：某某市人民政府办公室 京ICP备05001234号</div>`

## Use instead
`<div class="footer">主办：某某市人民政府办公室 网站标识码：1100000001 京ICP备05001234号</div>`,
with the site's own code (10 characters: its 6-digit division code and a 4-digit serial, or
`bm` and 8 digits for a State Council department), next to the badge at the bottom centre.

## Needs
The government profile. A `.gov.cn` site that is not a government site (a rare delegated host)
can switch it off with `profile: standard`.

## Known problems
A code shown only inside an image is not read.

## References
国办发〔2017〕47号《政府网站发展指引》; rules-evidence.md §10, §12.
"""

from __future__ import annotations

from rules.checks._common import missing
from rules.rule import Rule, inapplicable, passed

__all__ = ["RULE", "check"]


def check(ctx):
    if not ctx.government:
        return inapplicable("not_government")
    if ctx.site_codes:
        return passed()
    return missing(ctx)


RULE = Rule(
    code='gov_site_identifier_missing',
    severity='warning',
    tags=('government',),
    since='0.1.0',
    message_en='a government site shows no 网站标识码 (site identifier code)',
    message_zh='政府网站未显示网站标识码',
    explain=__doc__ or "",
    check=check,
    summary='government profile: no 网站标识码 shown',
)
