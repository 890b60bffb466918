"""copyright_holder_mismatch: the holder is not the filing subject (error in 江苏).

## What it checks
No copyright line names the filing subject: the holder is a brand, a domain, a sister company, or
no one. Compared after dropping spaces and brackets; a longer holder containing the subject's full
name matches.

## Why it matters
Jiangsu requires the holder to equal the subject's name; bureaus reject filings whose site content
names another entity than the subject (网站内容与备案主体信息不符).

## Example
Subject 江苏某某有限公司, footer `© 2024 Example.com`.

## Use instead
`© 2024 江苏某某有限公司 版权所有`

## Needs
Expectation `org`.

## Known problems
English legal names of a Chinese subject are not matched to the Chinese name.

## References
docs/sources.md §6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks.copyright_missing import required
from rules.parsers.copyright import holder_matches
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    org = ctx.expect.org
    if not org:
        return inapplicable("expectation_absent")
    if not ctx.copyright:
        return inapplicable("no_copyright_line")
    if any(c.holder and holder_matches(c.holder, org) for c in ctx.copyright):
        return passed()
    line = next((c for c in ctx.copyright if c.holder), ctx.copyright[0])
    return violation(line, severity="error" if required(ctx) else None,
                     holder=line.holder or "no one", holder_zh=line.holder or "空（未写明权利人）",
                     org=org, evidence=line.text)


EXPLAIN_ZH = """## 检查内容
没有任何版权信息署名为备案主体：署名是品牌、域名、关联公司，或没有署名。比较时忽略空格和括号；
包含主体全称的更长署名算一致。

## 为何重要
江苏要求署名与主体名称一致；网站内容与备案主体信息不符时，通信管理局会驳回备案。

## 改用
`© 2024 江苏某某有限公司 版权所有`

## 所需条件
预期 `org`。
"""

RULE = Rule(
    code='copyright_holder_mismatch',
    severity='warning',
    tags=('copyright', 'expectations'),
    since='0.1.0',
    message_en='the copyright line names {holder}, not the filing subject {org}',
    message_zh='版权信息署名为 {holder_zh}，不是备案主体 {org}',
    explain=__doc__ or "",
    check=check,
    summary='the holder is not the filing subject (error in 江苏)',
    summary_zh='版权所有者不是备案主体（江苏为错误）',
    explain_zh=EXPLAIN_ZH,
    fix_en='Name the filing subject in the copyright line: {copyright_html}',
    fix_zh='版权信息应署名备案主体：{copyright_html}',
)
