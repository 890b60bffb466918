"""gongan_link_wrong_target: the link is neither beian.mps.gov.cn nor www.beian.gov.cn.

## What it checks
The 公安 link goes elsewhere: the MIIT system, `#`, `javascript:`, a lookup site.

## Why it matters
The link must reach the 公安 platform's record for the code.

## Example
`<a href="https://beian.miit.gov.cn/">京公网安备11010502030143号</a>`

## Use instead
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`

## Needs
Nothing.

## Known problems
None known.

## References
docs/sources.md §5.4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import host_of, is_gongan_host
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan if m.link]
    if not marks:
        return inapplicable("no_linked_mark")
    out = []
    for m in marks:
        host = host_of(m.link)
        if not is_gongan_host(host):
            out.append(violation(m, host=host or m.link))
    return out


EXPLAIN_ZH = """## 检查内容
公安链接指向别处：工信部备案系统、`#`、`javascript:`、查询网站等。

## 为何重要
链接必须到达公安平台上该代码的备案记录。

## 改用
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_link_wrong_target',
    severity='warning',
    tags=('gongan', 'link'),
    since='0.1.0',
    message_en='{number} links to {host}, not the 公安 platform',
    message_zh='{number} 链接到 {host}，而不是全国互联网安全管理服务平台',
    explain=__doc__ or "",
    check=check,
    summary='the link is neither beian.mps.gov.cn nor www.beian.gov.cn',
    summary_zh='链接既不是 beian.mps.gov.cn 也不是 www.beian.gov.cn',
    explain_zh=EXPLAIN_ZH,
    fix_en='Link to the 公安 platform instead of {host}: {gongan_link}',
    fix_zh='将链接从 {host} 改为公安平台：{gongan_link}',
)
