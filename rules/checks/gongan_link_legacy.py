"""gongan_link_legacy: the old www.beian.gov.cn link.

## What it checks
The 公安 link uses the old platform `www.beian.gov.cn/portal/registerSystemInfo?recordcode=`.

## Why it matters
The platform moved to beian.mps.gov.cn; old links are reported unreachable.

## Example
`http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502030143`

## Use instead
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`

## Needs
Nothing.

## Known problems
None known.

## References
docs/marks.md §1 (retired hosts); docs/sources.md §5.4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import host_of
from rules.data import GONGAN_HOST_LEGACY
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan if m.link]
    if not marks:
        return inapplicable("no_linked_mark")
    return [violation(m) for m in marks if host_of(m.link) in GONGAN_HOST_LEGACY]


EXPLAIN_ZH = """## 检查内容
公安链接使用旧平台地址 `www.beian.gov.cn/portal/registerSystemInfo?recordcode=`。

## 为何重要
平台已迁移到 beian.mps.gov.cn；旧链接有报告无法访问。

## 改用
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_link_legacy',
    severity='info',
    tags=('gongan', 'link'),
    since='0.1.0',
    message_en='{number} links to the old www.beian.gov.cn (legacy since about November 2023)',
    message_zh='{number} 链接到旧平台 www.beian.gov.cn（约 2023 年 11 月起已迁移）',
    explain=__doc__ or "",
    check=check,
    summary='the old www.beian.gov.cn link',
    summary_zh='链接到旧平台 www.beian.gov.cn',
    explain_zh=EXPLAIN_ZH,
    fix_en='Link to the current platform: {gongan_link}',
    fix_zh='改为链接到新平台：{gongan_link}',
)
