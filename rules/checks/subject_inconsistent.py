"""subject_inconsistent: one organisation's sites show different subject numbers.

## What it checks
Across one organisation's sites, the ICP numbers shown belong to more than one filing subject
(different `<P>ICP备<serial>号`). Judged by `rules.portfolio_rules.subject_inconsistent` over a
whole run; on one page it is inapplicable.

## Why it matters
A subject files once and numbers its sites -1, -2...; another subject's number means a copied
footer or a filing under the wrong entity.

## Example
`a.example.cn`: `京ICP备12345678号-1`; `b.example.cn`: `京ICP备87654321号-1`.

## Use instead
Each site shows its own -n under the organisation's subject number.

## Needs
A portfolio run (several sites of one organisation).

## Known problems
Groups with several legal entities legitimately have several subjects; split them in the portfolio.

## References
docs/sources.md §2.1, §8.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    return inapplicable("portfolio_rule")


EXPLAIN_ZH = """## 检查内容
同一组织的各网站显示的 ICP 备案号属于多个备案主体（`<省份>ICP备<序号>号` 不同）。由
`rules.portfolio_rules.subject_inconsistent` 在整次运行中判定；对单个页面不适用。

## 为何重要
一个主体只备案一次，其网站编号为 -1、-2……；出现其他主体的号码，说明页脚是抄来的，或以错误的
主体备案。

## 改用
各网站显示组织主体备案号下自己的 -n。

## 所需条件
组合运行（同一组织的多个网站）。
"""

RULE = Rule(
    code='subject_inconsistent',
    severity='warning',
    tags=('icp', 'portfolio'),
    since='0.1.0',
    message_en="the organisation's sites show {count} different subject numbers: {subjects}",
    message_zh='同一组织的网站显示了 {count} 个不同的主体备案号：{subjects}',
    explain=__doc__ or "",
    check=check,
    summary="one organisation's sites show different subject numbers",
    summary_zh='同一组织的网站显示了不同的主体备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Each site shows its own website number (-n) under the organisation's one "
        'subject number; check each at https://beian.miit.gov.cn/'),
    fix_zh=(
        '各网站应显示同一主体备案号下自己的网站备案号（-n）；请到 '
        'https://beian.miit.gov.cn/ 逐一核对'),
)
