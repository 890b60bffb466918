"""gongan_missing_icon: no badge image at the mark (or src="").

## What it checks
No `<img>` with a non-empty `src` inside the 公安 link or right next to it (or to the number).
The old snippet's `<img src="">` does not count.

## Why it matters
The platform tells operators to download the badge and place it with the number.

## Example
`<a href="…"><img src=""><p>粤公网安备 44010602003743号</p></a>`

## Use instead
`<a href="…"><img src="/img/beian.png"><span>粤公网安备 44010602003743号</span></a>`

## Needs
Nothing.

## Known problems
Badges drawn by CSS background images are not seen.

## References
docs/sources.md §5.5.
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
    return [violation(m) for m in ctx.gongan if not m.icon]


EXPLAIN_ZH = """## 检查内容
公安链接内或其旁边（或备案号旁边）没有 `src` 非空的 `<img>`。旧版代码中的 `<img src="">` 不算。

## 为何重要
平台要求运营者下载图标并与备案号放在一起。

## 改用
`<a href="…"><img src="/img/beian.png"><span>粤公网安备 44010602003743号</span></a>`

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_missing_icon',
    severity='warning',
    tags=('gongan',),
    since='0.1.0',
    message_en='{number} has no 公安 badge image next to it',
    message_zh='{number} 旁没有公安备案图标',
    explain=__doc__ or "",
    check=check,
    summary='no badge image at the mark (or src="")',
    summary_zh='备案号旁没有公安备案图标（或 src=""）',
    explain_zh=EXPLAIN_ZH,
    fix_en='Put the 公安 badge image inside the link, before the number: {gongan_html}',
    fix_zh='在链接内、备案号前放置公安备案图标：{gongan_html}',
)
