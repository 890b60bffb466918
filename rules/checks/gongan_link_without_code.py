"""gongan_link_without_code: a platform link with no code in it.

## What it checks
The link reaches the 公安 platform but carries no code (`https://beian.mps.gov.cn/`).

## Why it matters
A code-specific link lets the public check this filing in one click.

## Example
`<a href="https://beian.mps.gov.cn/">京公网安备11010502030143号</a>`

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

from rules.checks._common import gongan_link_code, host_of, is_gongan_host
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan if m.link and is_gongan_host(host_of(m.link))]
    if not marks:
        return inapplicable("no_platform_link")
    return [violation(m) for m in marks if gongan_link_code(m.link)[1] is None]


EXPLAIN_ZH = """## 检查内容
链接到达公安平台，但不带代码（`https://beian.mps.gov.cn/`）。

## 为何重要
带代码的链接让公众一次点击就能核对这项备案。

## 改用
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_link_without_code',
    severity='info',
    tags=('gongan', 'link'),
    since='0.1.0',
    message_en='{number} links to the 公安 platform without its code',
    message_zh='{number} 链接到公安平台但链接中没有备案号',
    explain=__doc__ or "",
    check=check,
    summary='a platform link with no code in it',
    summary_zh='链接到平台但链接中没有备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en='Put the code in the link: {gongan_link}',
    fix_zh='在链接中带上备案号：{gongan_link}',
)
