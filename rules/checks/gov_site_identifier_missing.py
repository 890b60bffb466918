"""gov_site_identifier_missing: a government site shows no 网站标识码.

## What it checks
Under the government profile (on by default for `.gov.cn` hosts, or set for the site in the
portfolio), the page shows no `网站标识码` (site identifier code) as text.

## Why it matters
政府网站发展指引 (国办发〔2017〕47号) gives every party and government site a 网站标识码 and
asks for it at the bottom of every page, with the 党政机关网站标识 badge (docs/sources.md
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
国办发〔2017〕47号《政府网站发展指引》; docs/sources.md §10, §12.
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
    if ctx.site_codes:
        return passed()
    return missing(ctx)


EXPLAIN_ZH = """## 检查内容
在政府网站配置下（`profile: government`；`.gov.cn` 主机默认启用，也可在组合清单中为网站
设置），页面没有以文字显示 `网站标识码`。

## 为何重要
《政府网站发展指引》（国办发〔2017〕47号）为每个党政机关网站分配网站标识码，要求在每个页面
底部与党政机关网站标识一同显示。有的通信管理局（黑龙江）要求提供网站标识码才受理网站备案。

## 改用
在页面底部中间的党政机关网站标识旁以文字显示本网站自己的代码（10 位：6 位行政区划代码加 4
位序号，国务院部门为 `bm` 加 8 位数字），例如
`<div class="footer">主办：某某市人民政府办公室 网站标识码：1100000001 京ICP备05001234号</div>`。

## 所需条件
政府网站配置。不是政府网站的 `.gov.cn` 网站（少见的委托主机）可以用 `profile: standard` 关闭。
"""

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
    summary_zh='政府网站：未显示网站标识码',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Show the site's own code as text in the footer, next to the 党政机关网站标识 badge: "
        '网站标识码：<the 10-character code issued with the registration>'),
    fix_zh='在页脚党政机关网站标识旁以文字显示本网站的代码：网站标识码：<注册时发放的 10 位代码>',
)
