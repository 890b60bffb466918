"""icp_link_http: the link uses plain http.

## What it checks
The ICP link points to the right host over plain `http://`.

## Why it matters
The MIIT system is served over https; http relies on a redirect.

## Example
`<a href="http://beian.miit.gov.cn/">…</a>`

## Use instead
`<a href="https://beian.miit.gov.cn/">…</a>`

## Needs
Nothing.

## Known problems
Protocol-relative links (`//beian.miit.gov.cn`) follow the page's scheme and pass.

## References
docs/sources.md §3.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import host_of, scheme_of
from rules.data import MIIT_HOST
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.link and host_of(m.link) == MIIT_HOST]
    if not marks:
        return inapplicable("no_miit_link")
    return [violation(m) for m in marks if scheme_of(m.link) == "http"]


EXPLAIN_ZH = """## 检查内容
ICP 链接指向正确的主机，但使用 `http://`。

## 为何重要
工信部备案系统使用 https；http 依赖跳转。

## 改用
`<a href="https://beian.miit.gov.cn/">…</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_link_http',
    severity='info',
    tags=('icp', 'link'),
    since='0.1.0',
    message_en='{number} links to http://beian.miit.gov.cn; use https',
    message_zh='{number} 的链接使用 http，应使用 https://beian.miit.gov.cn',
    explain=__doc__ or "",
    check=check,
    summary='the link uses plain http',
    summary_zh='链接使用 http',
    explain_zh=EXPLAIN_ZH,
    fix_en='Use https in the link: {number_html}',
    fix_zh='链接改用 https：{number_html}',
)
