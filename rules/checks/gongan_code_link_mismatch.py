"""gongan_code_link_mismatch: the code in the link differs from the displayed code.

## What it checks
The platform link carries another code than the one displayed, or the code sits in a broken
parameter (`ecordcode=`).

## Why it matters
The link must show the record of the displayed code.

## Example
`<a href="…recordcode=50010702500242">渝公网安备 50010302000814号</a>`

## Use instead
The same code in text and link.

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


_PARAMS = {"code", "recordcode"}


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan
             if m.link and m.code and is_gongan_host(host_of(m.link))
             and gongan_link_code(m.link)[1] is not None]
    if not marks:
        return inapplicable("no_coded_link")
    out = []
    for m in marks:
        name, code = gongan_link_code(m.link)
        if code != m.code:
            out.append(violation(m, link_code=code, param_note="", param_note_zh=""))
        elif name not in _PARAMS:
            out.append(violation(m, link_code=code, param_note=f" in a broken parameter '{name}'",
                                 param_note_zh=f"（参数名“{name}”有误）"))
    return out


EXPLAIN_ZH = """## 检查内容
平台链接带的代码与显示的不同，或代码放在了错误的参数中（`ecordcode=`）。

## 为何重要
链接必须显示所显示代码的备案记录。

## 改用
文字和链接中使用同一个代码。

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_code_link_mismatch',
    severity='warning',
    tags=('gongan', 'link'),
    since='0.1.0',
    message_en='{number} links to code {link_code}{param_note}',
    message_zh='{number} 的链接指向备案号 {link_code}{param_note_zh}',
    explain=__doc__ or "",
    check=check,
    summary='the code in the link differs from the displayed code',
    summary_zh='链接中的代码与显示的代码不同',
    explain_zh=EXPLAIN_ZH,
    fix_en='Use the displayed code in the link as well: {gongan_link}',
    fix_zh='链接中使用与显示相同的备案号：{gongan_link}',
)
