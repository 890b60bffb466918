"""icp_link_missing: the number is not inside a link.

## What it checks
No copy of the site's ICP number sits inside an `<a href>` (a script-only link is reported by
`icp_link_script_only` instead). A separate "工信部备案查询" link next to the plain number, or the
MIIT address printed as text, does not count.

## Why it matters
Order No. 33 §13: the number must link to the MIIT filing system
("按要求链接信息产业部备案管理系统网址");
fines under §25.

## Example
`<p>京ICP备12345678号-1</p>`

## Use instead
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## Needs
Nothing.

## Known problems
None known.

## References
docs/marks.md §1 "Where"; docs/sources.md §3.2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp_numbers
    if not marks:
        return inapplicable("no_icp_number")
    linked = {m.number for m in marks if m.link or m.link_script_only}
    seen = set()
    out = []
    for m in marks:
        if m.number not in linked and m.number not in seen:
            seen.add(m.number)
            out.append(violation(m))
    return out


EXPLAIN_ZH = """## 检查内容
本网站备案号的任何一处都不在 `<a href>` 中（只靠脚本的链接由 `icp_link_script_only` 报告）。
备案号旁另放一个“工信部备案查询”链接，或把工信部网址写成文字，都不算。

## 为何重要
第 33 号令第十三条：备案编号应“按要求链接信息产业部备案管理系统网址”；罚则见第二十五条。

## 改用
`<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>`

## 所需条件
无。
"""

RULE = Rule(
    code='icp_link_missing',
    severity='error',
    tags=('icp', 'link'),
    since='0.1.0',
    message_en='{number} is not linked to the MIIT filing system',
    message_zh='{number} 未链接到工信部备案系统',
    explain=__doc__ or "",
    check=check,
    summary='the number is not inside a link',
    summary_zh='备案号没有放在链接中',
    explain_zh=EXPLAIN_ZH,
    fix_en='Put the number inside a link to the MIIT system: {number_html}',
    fix_zh='把备案号放在指向工信部备案系统的链接中：{number_html}',
)
