"""gongan_wording_nonstandard: the 公安 mark is not worded 公网安备.

## What it checks
A 公安 filing number is shown in another wording than `<省>公网安备 <14 digits>号`: the legacy and
local wordings `公安备案号`, `湘公安网备号`, `公安机关备案号：…-00001`, `京公网安备案号：…`. The
mark is read (its code is reported and checked like any other) and the wording is named, instead
of reporting the mark as missing.

## Why it matters
The 公安 filing platform issues one display form, `<省>公网安备 <code>号`, with the badge linking to
the platform (docs/sources.md §5). Older provincial systems issued other wordings and codes; a
visitor or an inspector cannot tell from them that the site is filed with the national platform.

## Example
`<a href="http://www.beian.gov.cn/…">公安备案号11010502030143</a>`

## Use instead
The form the platform issues for the site's filing: `京公网安备 11010502030143号` (province
abbreviation, `公网安备`, the 14-digit code, `号`), linked to
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`, with the badge. A legacy or local
code that has no 14-digit national code yet needs a filing on the national platform first.

## Needs
Nothing.

## Known problems
Which local wordings a province still accepts is not documented; the rule is advisory.

## References
docs/sources.md §5.1–5.3; docs/marks.md §1 (公安联网备案).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]

STANDARD = "公网安备"


def check(ctx: Context) -> CheckResult:
    if not ctx.gongan:
        return inapplicable("no_gongan_mark")
    return [violation(m, wording=m.wording, code=m.code or "") for m in ctx.gongan
            if m.wording not in (STANDARD, "badge") and "网警备" not in m.number]


EXPLAIN_ZH = """## 检查内容
公安备案号没有使用 `<省>公网安备 <14 位代码>号` 的字样，而使用旧版或地方字样：`公安备案号`、
`湘公安网备号`、`公安机关备案号：…-00001`、`京公网安备案号：…`。本规则照常读取该标识（报告其
代码，并像其他标识一样检查），指出所用字样，而不是报告标识缺失。

## 为何重要
公安备案平台只发放一种显示格式 `<省>公网安备 <代码>号`，并配以链接到平台的图标。早期各省系统
发放过其他字样和代码；访问者或检查人员无法从中看出网站已在全国平台备案。

## 改用
平台为本网站备案发放的格式（省份简称、“公网安备”、14 位代码、“号”），例如
`京公网安备 11010502030143号`，并配图标，链接到
`https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143`。旧版或地方代码如果还没有 14
位全国代码，需先在全国平台办理备案。

## 所需条件
无。
"""

RULE = Rule(
    code='gongan_wording_nonstandard',
    severity='info',
    tags=('gongan', 'format'),
    since='0.1.0',
    message_en='{number} reads "{wording}"; the 公安 platform issues "<province>公网安备 <code>号"',
    message_zh='{number} 使用“{wording}”字样，公安备案平台发放的格式为“<省>公网安备<编号>号”',
    explain=__doc__ or "",
    check=check,
    summary='a 公安 mark worded 公安备案号, 公安网备号, 公安机关备案号...',
    summary_zh='公安备案标识使用公安备案号、公安网备号、公安机关备案号等字样',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Replace {number} with {code_number}, the form the 公安 platform issues, linked to its '
        'record on the platform and with the badge'),
    fix_zh='将 {number} 改为公安平台发放的格式 {code_number}，链接到平台上的备案记录，并配图标',
)
