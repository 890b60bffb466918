"""gov_badge_missing: a government site shows no 党政机关网站标识 badge.

## What it checks
Under the government profile, the page has no 党政机关网站标识 (the red badge of the party and
government website identification service): no image linked to `bszs.conac.cn` and no badge
script from `dcs.conac.cn`. The finding lists the 网站标识码 the page shows.

## Why it matters
The badge is to be "加挂在网站所有页面底部中间显著位置" (shown at the bottom centre of every page)
for party and government sites and public institutions (docs/sources.md §10, [S33]; 国办发〔2017〕
47号); it lets a visitor check that the site is the authority's own.

## Example
A `.gov.cn` footer with 主办单位, ICP and 公安 marks and no badge.

## Use instead
The badge code issued with the site's registration, at the bottom centre:
`<span id="_ideConac"></span><script src="https://dcs.conac.cn/js/…/CA….js"></script>`, which writes
`<a href="https://bszs.conac.cn/sitename?method=show&id=…"><img src="…/red.png"></a>`, next to
`网站标识码：<code>`.

## Needs
The government profile.

## Known problems
On a page that was not rendered, the badge script counts as the badge; whether it loads is not
checked. Its position (bottom centre) is not checked.

## References
国办发〔2017〕47号《政府网站发展指引》; docs/sources.md §10 ([S33]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.government:
        return inapplicable("not_government")
    ext = ctx.extraction
    if ext.gov_badges or ext.gov_badge_script or ext.gov_badges_unlinked:
        return passed()  # an unlinked badge is gov_badge_link_missing's
    codes = "、".join(ctx.site_codes)
    return missing(ctx, site_codes=codes or "none shown", site_codes_zh=codes or "未显示")


EXPLAIN_ZH = """## 检查内容
在政府网站配置（`profile: government`）下，页面没有党政机关网站标识（党政机关网站标识服务的
红色标识）：没有链接到 `bszs.conac.cn` 的图片，也没有来自 `dcs.conac.cn` 的标识脚本。检查
结果会列出页面显示的网站标识码。

## 为何重要
党政机关网站和事业单位网站应将标识“加挂在网站所有页面底部中间显著位置”（国办发〔2017〕47号）；
访问者据此核实网站确为该机关所有。

## 改用
在页面底部中间放置网站注册时发放的标识代码，并在旁边显示 `网站标识码：<代码>`。标识代码形如
`<span id="_ideConac"></span><script src="https://dcs.conac.cn/js/…/CA….js"></script>`，它写出
`<a href="https://bszs.conac.cn/sitename?method=show&id=…"><img src="…/red.png"></a>`。

## 所需条件
政府网站配置。
"""

RULE = Rule(
    code='gov_badge_missing',
    severity='warning',
    tags=('government',),
    since='0.1.0',
    message_en='a government site shows no 党政机关网站标识 badge (网站标识码: {site_codes})',
    message_zh='政府网站未显示党政机关网站标识（网站标识码：{site_codes_zh}）',
    explain=__doc__ or "",
    check=check,
    summary='government profile: no 党政机关网站标识 badge',
    summary_zh='政府网站：没有党政机关网站标识',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Add the badge code issued with the site's registration at the bottom centre of every "
        'page: <span id="_ideConac"></span><script '
        'src="https://dcs.conac.cn/js/…/CA….js"></script> (the script address from the '
        'registration), next to 网站标识码'),
    fix_zh=(
        '在所有页面底部中间加入网站注册时发放的标识代码：<span id="_ideConac"></span><script '
        'src="https://dcs.conac.cn/js/…/CA….js"></script>（脚本地址取自注册信息），'
        '并在旁边显示网站标识码'),
)
