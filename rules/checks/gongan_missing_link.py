"""gongan_missing_link: the number is not linked.

## What it checks
The 公安 mark is not inside a link.

## Why it matters
The platform's snippet links the mark to the record so the public can check it.

## Example
`<p>京公网安备11010502030143号</p>`

## Use instead
`<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">京公网安备11010502030143号</a>`

## Needs
Nothing.

## Known problems
None known.

## References
docs/sources.md §5.4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    return [violation(m) for m in ctx.gongan if not m.link]


EXPLAIN_ZH = """## 检查内容
公安标识不在链接中。

## 为何重要
平台提供的代码把标识链接到备案记录，方便公众核对。

## 改用
`<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">京公网安备11010502030143号</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_missing_link',
    severity='warning',
    tags=('gongan', 'link'),
    since='0.1.0',
    message_en='{number} is not linked to the 公安 platform',
    message_zh='{number} 未链接到全国互联网安全管理服务平台',
    explain=__doc__ or "",
    check=check,
    summary='the number is not linked',
    summary_zh='公安备案号没有链接',
    explain_zh=EXPLAIN_ZH,
    fix_en='Link the mark to its record on the 公安 platform: {gongan_html}',
    fix_zh='将标识链接到公安平台上的备案记录：{gongan_html}',
)
