"""icp_number_suspicious: an implausible year or digit count.

## What it checks
A 10-digit serial whose year is before 1999 or after this year; an 8-digit serial with a year of
21 or later (likely a 10-digit number missing "20"); a 7- or 9-digit serial.

## Why it matters
Such numbers are typos or placeholders more often than real records.

## Example
`浙ICP备2235390号`, `京ICP备2099123456号`

## Use instead
The number exactly as on record.

## Needs
Nothing (today's date, or the expectation `today`).

## Known problems
A few genuine 8-digit numbers starting 21-23 exist.

## References
docs/sources.md §2.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import ICP_FIRST_YEAR_10_DIGITS, ICP_SUSPICIOUS_YY_8_DIGITS
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def _problem(serial: str, year: int) -> tuple[str, str] | None:
    n = len(serial)
    if n in (7, 9):
        return f"{n} digits is an unusual length", f"{n} 位数字，位数异常"
    if n == 10:
        y = int(serial[:4])
        if y < ICP_FIRST_YEAR_10_DIGITS or y > year:
            return f"year {y} is implausible", f"年份 {y} 不合理"
    if n == 8 and ICP_SUSPICIOUS_YY_8_DIGITS <= int(serial[:2]) <= year % 100:
        return "8 digits from 2021 on (10 digits expected)", "2021 年后应为 10 位数字"
    return None


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.site_icp_numbers if m.valid and m.form == "filing"]
    if not marks:
        return inapplicable("no_icp_number")
    out = []
    for m in marks:
        problem = _problem(m.serial, ctx.today.year)
        if problem:
            out.append(violation(m, why=problem[0], why_zh=problem[1]))
    return out


EXPLAIN_ZH = """## 检查内容
10 位序号中的年份早于 1999 年或晚于今年；8 位序号的年份为 21 或以后（可能漏了“20”）；
7 位或 9 位序号。

## 为何重要
这类号码多半是笔误或占位符，而不是真实记录。

## 改用
与备案记录完全一致的号码。

## 所需条件
无（使用今天的日期，或预期 `today`）。
"""

RULE = Rule(
    code='icp_number_suspicious',
    severity='info',
    tags=('icp', 'format'),
    since='0.1.0',
    message_en='{number}: {why}',
    message_zh='{number}：{why_zh}',
    explain=__doc__ or "",
    check=check,
    summary='an implausible year or digit count',
    summary_zh='年份或位数不合理的备案号',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Check {number} against the MIIT record at https://beian.miit.gov.cn/ and show '
        'it exactly as filed'),
    fix_zh='到 https://beian.miit.gov.cn/ 核对 {number}，按备案记录原样显示',
)
