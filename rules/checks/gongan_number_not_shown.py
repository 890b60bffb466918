"""gongan_number_not_shown: a 公安 badge links to the filing, but no 公安 number is shown as text.

## What it checks
The footer has a badge image linked to the 公安 filing platform (`beian.mps.gov.cn` or the legacy
`www.beian.gov.cn`) and no 公安 number as text anywhere near it: the code exists only in the link.

## Why it matters
The 公安 filing rules ask the site to display its filing number, with the badge, at the bottom of
the homepage (docs/sources.md §5); a visitor cannot read or copy a number that exists only in a
URL, and an inspector reading the page sees no number.

## Example
`<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=53010202000007"><img
src="/img/wjba.jpg" alt="网监备案"></a>`

## Use instead
Show the number as text beside the badge, inside the same link:
`<a href="https://beian.mps.gov.cn/#/query/webSearch?code=53010202000007"><img src="/img/beian.png">
滇公网安备53010202000007号</a>` (the code from the link, the province abbreviation of its first
two digits, `号`).

## Needs
Nothing. On a page that was not rendered, a number written by a script is not seen.

## Known problems
A number shown only inside the badge image itself is not read (no OCR).

## References
docs/sources.md §5.1, §5.5; docs/marks.md §1 (公安联网备案).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import gongan_link_code
from rules.rule import CheckResult, Result, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    out: list[Result] = []
    if any(m.wording != "badge" for m in ctx.gongan):
        return out  # a number is shown as text: the other 公安 rules judge it
    for m in ctx.gongan:
        code = gongan_link_code(m.link)[1]
        out.append(violation(m, link_code=code or "?", code=code or "", href=m.link))
    return out


EXPLAIN_ZH = """## 检查内容
页脚有链接到公安备案平台（`beian.mps.gov.cn` 或旧平台 `www.beian.gov.cn`）的图标，但图标附近
没有以文字显示的公安备案号：备案号只出现在链接中。

## 为何重要
公安联网备案的规定要求网站在首页底部显示备案号，并配以图标；只出现在网址中的号码，访问者无法
阅读或复制，检查人员浏览页面时也看不到备案号。

## 改用
在图标旁、同一链接内以文字显示备案号（代码取自链接，省份简称由代码前两位确定，末尾加“号”），例如
`<a href="https://beian.mps.gov.cn/#/query/webSearch?code=53010202000007"><img
src="/img/beian.png">滇公网安备53010202000007号</a>`。

## 所需条件
无。页面未渲染时，看不到由脚本写入的备案号。
"""

RULE = Rule(
    code='gongan_number_not_shown',
    severity='warning',
    tags=('gongan', 'format'),
    since='0.1.0',
    message_en='a 公安 badge links to filing {link_code}, but no 公安 number is shown as text',
    message_zh='公安备案图标链接到备案 {link_code}，但页面未以文字显示公安备案号',
    explain=__doc__ or "",
    check=check,
    summary='a 公安 badge with the code only in its link, no number as text',
    summary_zh='公安备案图标只在链接中带有代码，未以文字显示备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en='Show the number as text beside the badge, inside the same link: {code_number}',
    fix_zh='在图标旁、同一链接内以文字显示备案号：{code_number}',
)
