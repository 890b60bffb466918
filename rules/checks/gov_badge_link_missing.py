"""gov_badge_link_missing: the 党政机关网站标识 badge is not linked to its registration.

## What it checks
Under the government profile, an image that is the 党政机关网站标识 badge (its `src` on
`conac.cn`, or an `alt` naming 党政机关) is shown without a link to the identification service
(`bszs.conac.cn`). The finding lists the 网站标识码 the page shows.

## Why it matters
The badge is a proof only through its link: it opens the site's entry in the register of party
and government websites (docs/sources.md §10). A copied picture proves nothing.

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
国办发〔2017〕47号《政府网站发展指引》; docs/sources.md §10.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
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


EXPLAIN_ZH = """## 检查内容
在政府网站配置（`profile: government`）下，页面显示了党政机关网站标识图片（`src` 位于
`conac.cn`，或 `alt` 中含“党政机关”），但没有链接到党政机关网站标识服务（`bszs.conac.cn`）。
检查结果会列出页面显示的网站标识码。

## 为何重要
标识只有通过链接才能起证明作用：链接打开本网站在党政机关网站名录中的登记信息。复制来的图片
证明不了什么。

## 改用
使用网站注册时发放的标识代码，它会把图片链接到
`https://bszs.conac.cn/sitename?method=show&id=<本网站的编号>`。

## 所需条件
政府网站配置。
"""

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
    summary_zh='政府网站：党政机关网站标识没有链接',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Use the badge code issued with the site's registration instead of a bare image, so that "
        "the badge links to the site's entry: <a "
        'href="https://bszs.conac.cn/sitename?method=show&id=…"><img src="…/red.png"></a> (the id '
        'from the registration)'),
    fix_zh=(
        '改用网站注册时发放的标识代码，而不是单独的图片，使标识链接到本网站的登记信息：<a '
        'href="https://bszs.conac.cn/sitename?method=show&id=…"><img '
        'src="…/red.png"></a>（编号取自注册信息）'),
)
