"""fullwidth_characters_in_marks: the marks use full-width characters.

## What it checks
The ICP number is displayed with full-width letters or digits (`ＩＣＰ１２３`).

## Why it matters
Copying the number into the MIIT query then fails; the record uses half-width characters.

## Example
`京ＩＣＰ备１２３４５６７８号－１`

## Use instead
`京ICP备12345678号-1`

## Needs
Nothing.

## Known problems
None known.

## References
RULES.md §1 (normalise before matching); rules-evidence.md §2.7.
"""

from __future__ import annotations

from rules.normalize import has_fullwidth
from rules.rule import Rule, inapplicable, violation

__all__ = ["RULE", "check"]


def check(ctx):
    marks = ctx.site_icp
    if not marks:
        return inapplicable("no_icp_number")
    return [violation(m, raw=m.raw) for m in marks if has_fullwidth(m.raw)]


RULE = Rule(
    code='fullwidth_characters_in_marks',
    severity='info',
    tags=('icp', 'gongan', 'format'),
    since='0.1.0',
    message_en='{number} is written with full-width characters ({raw})',
    message_zh='{number} 使用了全角字符（{raw}）',
    explain=__doc__ or "",
    check=check,
    summary='the marks use full-width characters',
)
