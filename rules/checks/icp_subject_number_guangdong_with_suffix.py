"""icp_subject_number_guangdong_with_suffix: a Guangdong site shows -n.

## What it checks
A Guangdong site (by expectation or by the 粤 prefix) shows a filing number with `-n`.

## Why it matters
The Guangdong bureau asks for "粤ICP备********号" without -1, -2 (vendor guidance); practice is
mixed and no penalty is documented, hence a warning.

## Example
`粤ICP备10085786号-8`

## Use instead
`粤ICP备10085786号`

## Needs
The province from the expectations, else from the number's prefix.

## Known problems
Many Guangdong sites show -n; organisations may lower or disable this rule.

## References
docs/sources.md §2.5, §13.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import SUBJECT_NUMBER_PROVINCES
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.valid and m.form == "filing"]
    province = ctx.province
    if not marks or province is None or province.icp not in SUBJECT_NUMBER_PROVINCES:
        return inapplicable("not_guangdong")
    return [violation(m) for m in marks if m.kind == "site"]


EXPLAIN_ZH = """## 检查内容
广东的网站（按预期或“粤”简称）显示了带 `-n` 的备案号。

## 为何重要
广东省通信管理局要求首页标明“粤ICP备********号”，不带 -1、-2（接入商指引）；实际做法不一，
未见处罚，因此为警告。

## 改用
`粤ICP备10085786号`

## 所需条件
省份取自预期，否则取自备案号的简称。
"""

RULE = Rule(
    code='icp_subject_number_guangdong_with_suffix',
    severity='warning',
    tags=('icp',),
    since='0.1.0',
    message_en='{number}: Guangdong asks for the subject number without -n',
    message_zh='{number}：广东省要求首页标明主体备案号，不带 -n',
    explain=__doc__ or "",
    check=check,
    summary='a Guangdong site shows -n',
    summary_zh='广东网站显示了带 -n 的网站备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en='Show the subject number without -n: {number_html_subject}',
    fix_zh='改为显示不带 -n 的主体备案号：{number_html_subject}',
)
