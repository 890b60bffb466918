"""icp_link_wrong_target: the link's host is not beian.miit.gov.cn.

## What it checks
The link around the ICP number goes to another host: the retired www.miibeian.gov.cn (2019),
www.miitbeian.gov.cn (end of 2019), www.beian.miit.gov.cn (about August 2020), the 公安 platform,
a lookup site, `#` or the site itself.

## Why it matters
The link must reach the MIIT filing system so the public can check the number (Order No. 33 §13);
retired hosts no longer answer.

## Example
`<a href="http://www.miitbeian.gov.cn/">京ICP备12345678号-1</a>`

## Use instead
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## Needs
Nothing.

## Known problems
Any path, query or fragment on beian.miit.gov.cn is accepted.

## References
docs/marks.md §1 (retired hosts); docs/sources.md §3.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import host_of, stale_note, stale_note_zh
from rules.data import MIIT_HOST
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.link]
    if not marks:
        return inapplicable("no_linked_number")
    out = []
    for m in marks:
        host = host_of(m.link)
        if host != MIIT_HOST:
            shown = host or m.link
            out.append(violation(m, host=shown, stale=stale_note(host),
                                 stale_zh=stale_note_zh(host)))
    return out


EXPLAIN_ZH = """## 检查内容
备案号的链接指向其他主机：已停用的 www.miibeian.gov.cn（2019 年）、www.miitbeian.gov.cn
（2019 年底）、www.beian.miit.gov.cn（约 2020 年 8 月），公安平台、查询网站、`#` 或网站自身。

## 为何重要
链接必须能到达工信部备案系统，公众才能核对号码（第 33 号令第十三条）；已停用的地址不再响应。

## 改用
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_link_wrong_target',
    severity='error',
    tags=('icp', 'link'),
    since='0.1.0',
    message_en='{number} links to {host}{stale}, not beian.miit.gov.cn',
    message_zh='{number} 链接到 {host}{stale_zh}，而不是 beian.miit.gov.cn',
    explain=__doc__ or "",
    check=check,
    summary="the link's host is not beian.miit.gov.cn",
    summary_zh='链接的主机不是 beian.miit.gov.cn',
    explain_zh=EXPLAIN_ZH,
    fix_en='Link the number to https://beian.miit.gov.cn/ instead of {host}: {number_html}',
    fix_zh='将链接从 {host} 改为 https://beian.miit.gov.cn/：{number_html}',
)
