"""icp_suffix_missing: outside Guangdong, a bare subject number.

## What it checks
Outside Guangdong the site shows only a subject number (no `-n`). For licence-form numbers
(`京ICP证030173号`, `粤B2-…`) this is advisory (severity info).

## Why it matters
Vendor checklists relaying the bureaus: "不可以标明主体备案号" outside Guangdong; the number shown
must equal the website's record (Order No. 33 §13).

## Example
`京ICP备12345678号` on a Beijing site.

## Use instead
`京ICP备12345678号-1`

## Needs
The province from the expectations, else from the number's prefix.

## Known problems
Sites whose filing predates website numbers may only have a subject number on record.

## References
docs/marks.md §1 "Which number"; docs/sources.md §2.5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import SUBJECT_NUMBER_PROVINCES
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.valid]
    if not marks:
        return inapplicable("no_icp_number")
    province = ctx.province
    if province is not None and province.icp in SUBJECT_NUMBER_PROVINCES:
        return inapplicable("guangdong")
    if any(m.seq is not None for m in marks):
        return passed()
    out = []
    for m in marks:
        out.append(violation(m, severity="info" if m.form != "filing" else None))
    return out


EXPLAIN_ZH = """## 检查内容
在广东以外，网站只显示了主体备案号（没有 `-n`）。许可证格式的号码（`京ICP证030173号`、
`粤B2-…`）只作提示（info）。

## 为何重要
接入商转达通信管理局的要求：广东以外“不可以标明主体备案号”；显示的号码必须与网站的备案记录一致
（第 33 号令第十三条）。

## 改用
`京ICP备12345678号-1`

## 所需条件
省份取自预期，否则取自备案号的简称。
"""

RULE = Rule(
    code='icp_suffix_missing',
    severity='error',
    tags=('icp',),
    since='0.1.0',
    message_en="{number} is a subject number; outside Guangdong show the website number (-n)",
    message_zh='{number} 为主体备案号；广东省以外应在首页标明网站备案号（带 -n）',
    explain=__doc__ or "",
    check=check,
    summary='outside Guangdong, a bare subject number',
    summary_zh='广东以外只显示了主体备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Show this website's own number, {number}-n as filed (e.g. {number}-1), linked "
        'to https://beian.miit.gov.cn/'),
    fix_zh=(
        '显示本网站的网站备案号，即备案记录中的 {number}-n（如 {number}-1），并链接到 '
        'https://beian.miit.gov.cn/'),
)
