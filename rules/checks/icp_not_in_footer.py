"""icp_not_in_footer: shown, but not in the footer region.

## What it checks
The site's number is displayed, but no copy is in the footer region (a `<footer>`, a footer-named
block, or the bottom of the page after it).

## Why it matters
Order No. 33 §13: at the bottom centre of the homepage (主页底部的中央位置).

## Example
The number in a header bar, the footer without it.

## Use instead
Put the number in the footer.

## Needs
Nothing.

## Known problems
Pages with no footer-like markup are judged by where the marks sit; a list of other sites'
numbers outside the footer (partners, newly filed sites) is not taken as the site's number.

## References
docs/sources.md §3.3, §8.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    if any(m.in_footer for m in marks):
        return passed()
    return violation(marks[0])


EXPLAIN_ZH = """## 检查内容
本网站的备案号显示了，但页脚区域（`<footer>`、名称含 footer 的区块，或其后的页面底部）中没有。

## 为何重要
第 33 号令第十三条：显示在主页底部的中央位置。

## 改用
把备案号放在页脚中。

## 所需条件
无。
"""

RULE = Rule(
    code='icp_not_in_footer',
    severity='warning',
    tags=('icp',),
    since='0.1.0',
    message_en='{number} is shown outside the footer',
    message_zh='{number} 未显示在页面底部',
    explain=__doc__ or "",
    check=check,
    summary='shown, but not in the footer region',
    summary_zh='备案号显示了，但不在页脚区域',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Put {number} (or a copy) in the footer, centred at the bottom of the page: '
        '{number_html}'),
    fix_zh='将 {number} 放到（或复制到）页面底部居中的页脚中：{number_html}',
)
