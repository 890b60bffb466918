"""icp_missing: no ICP number of this site displayed on the homepage.

## What it checks
The page's displayed text (not scripts, styles, comments or hidden elements) holds no ICP number
that belongs to this site: no `<P>ICP备…号`, no licence-form number (`京ICP证030173号`,
`粤B2-20090059`) presented as the filing number. Vanity prefixes (萌ICP备) are not numbers.
A number that exists only hidden is reported by `icp_not_visible` instead.

## Why it matters
Order No. 33 §13 and Order No. 292 §12 require the filing (or licence) number on the homepage;
fines 5,000-10,000 yuan (No. 33 §25), up to 50,000 (No. 292 §22).

## Example
`<footer>© 2024 某某有限公司</footer>`

## Use instead
`<footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></footer>`

## Needs
Nothing. Subdomain homepages (expectation `subdomain`) are judged by `subdomain_icp_missing`.
Needs review instead of a violation when the number may be in an image without alt text, in a
cross-origin iframe, or the render timed out.

## Known problems
Numbers drawn by JavaScript are only seen on rendered pages (`--render auto` decides).

## References
docs/marks.md §1 "ICP filing number"; docs/sources.md §1, §2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if ctx.expect.subdomain:
        return inapplicable("subdomain")
    if ctx.site_icp_numbers:
        return passed()
    if any(m.visible is False for m in ctx.site_icp_all):
        return passed()  # present but hidden: icp_not_visible reports it
    return missing(ctx)


EXPLAIN_ZH = """## 检查内容
页面显示的文字（不含脚本、样式、注释和隐藏元素）中没有属于本网站的 ICP 备案号：没有
`<省份>ICP备…号`，也没有作为备案号展示的许可证号（`京ICP证030173号`、`粤B2-20090059`）。
萌ICP备之类的“备案”不算备案号。只在隐藏元素中出现的备案号由 `icp_not_visible` 报告。

## 为何重要
《非经营性互联网信息服务备案管理办法》（信息产业部令第 33 号）第十三条、《互联网信息服务管理办法》
（国务院令第 292 号）第十二条要求在首页显示备案（或许可证）编号；罚款 5000-10000 元（第 33 号令
第二十五条），最高 5 万元（第 292 号令第二十二条）。

## 改用
`<footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></footer>`

## 所需条件
无。子域名首页（预期 `subdomain`）由 `subdomain_icp_missing` 判定。备案号可能在无 alt 文字的图片
中、跨域 iframe 中，或渲染超时时，结果为“需人工复核”而不是违规。
"""

RULE = Rule(
    code='icp_missing',
    severity='error',
    tags=('icp',),
    since='0.1.0',
    message_en='no ICP filing number of this site is displayed on the page',
    message_zh='页面未显示本网站的 ICP 备案号',
    explain=__doc__ or "",
    check=check,
    summary='no ICP number of this site displayed on the homepage',
    summary_zh='首页未显示本网站的 ICP 备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en="Show the site's ICP number in the footer, linked to the MIIT system: {icp_html}",
    fix_zh='在页脚显示本网站的 ICP 备案号，并链接到工信部备案系统：{icp_html}',
)
