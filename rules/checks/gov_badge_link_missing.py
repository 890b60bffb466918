"""gov_badge_link_missing: the 党政机关网站标识 badge is not linked to its registration.

## What it checks
Under the government profile, an image that is the 党政机关网站标识 badge (its `src` on
`conac.cn`, or an `alt` naming 党政机关) is shown without a link to the identification service
(`bszs.conac.cn`). The finding lists the 网站标识码 the page shows.

## Why it matters
The badge is a proof only through its link: it opens the site's entry in the register of party
and government websites (rules-evidence.md §10). A copied picture proves nothing.

## Example
`<img src="/images/dzjg.png" alt="党政机关">`

## Use instead
The badge code issued with the registration, which links the image to
`https://bszs.conac.cn/sitename?method=show&id=<the site's id>`.

## Needs
The government profile.

## Known problems
A badge image with a neutral name (`red.png`) and no link is not recognised as the badge
(gov_badge_missing reports the page instead).

## References
国办发〔2017〕47号《政府网站发展指引》; rules-evidence.md §10.
"""

from __future__ import annotations

from rules.rule import Rule, inapplicable, passed, violation

__all__ = ["RULE", "check"]


def check(ctx):
    if not ctx.government:
        return inapplicable("not_government")
    ext = ctx.extraction
    if ext.gov_badges or ext.gov_badge_script:
        return passed()
    if not ext.gov_badges_unlinked:
        return inapplicable("no_gov_badge")
    codes = "、".join(ctx.site_codes)
    return violation(html=ext.gov_badges_unlinked[0], evidence=ext.gov_badges_unlinked[0],
                     site_codes=codes or "none shown", site_codes_zh=codes or "未显示")


RULE = Rule(
    code='gov_badge_link_missing',
    severity='warning',
    tags=('government',),
    since='0.1.0',
    message_en='the 党政机关网站标识 badge is not linked to bszs.conac.cn '
               '(网站标识码: {site_codes})',
    message_zh='党政机关网站标识未链接到 bszs.conac.cn'
               '（网站标识码：{site_codes_zh}）',
    explain=__doc__ or "",
    check=check,
    summary='government profile: the badge without its link',
)
