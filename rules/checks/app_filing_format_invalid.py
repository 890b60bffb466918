"""app_filing_format_invalid: an APP number without its A.

## What it checks
A number labelled as an APP filing (`APP备案号：…`), or the expected APP number shown without its
trailing `A`.

## Why it matters
APP filings end in A (`-2A`); without it the number is a website's record.

## Example
`APP备案号：京ICP备12345678号-3`

## Use instead
`APP备案号：京ICP备12345678号-3A`

## Needs
Nothing; `expected_app_number` adds the comparison with the expectation.

## Known problems
Labels far from the number are not seen.

## References
docs/sources.md §2.2, §9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import IcpMark
from rules.normalize import compact
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def _labelled_app(mark: IcpMark) -> bool:
    text = mark.text.upper()
    pos = text.find(mark.number.upper())
    before = text[max(0, pos - 12):pos] if pos >= 0 else ""
    return "APP" in before


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.findings.icp if m.visible is not False and m.region]
    want = compact(ctx.expect.expected_app_number or "")
    suspects = [m for m in marks if m.kind != "app" and (
        _labelled_app(m) or (want.endswith("A") and m.number == want[:-1]))]
    if not marks or not (suspects or want or any(m.kind == "app" for m in marks)):
        return inapplicable("no_app_number")
    return [violation(m) for m in suspects]


EXPLAIN_ZH = """## 检查内容
标为 APP 备案的号码（`APP备案号：…`），或预期的 APP 备案号显示时缺少末尾的 `A`。

## 为何重要
APP 备案号以 A 结尾（`-2A`）；没有 A 的号码是网站的备案。

## 改用
`APP备案号：京ICP备12345678号-3A`

## 所需条件
无；设置 `expected_app_number` 时另与预期比较。
"""

RULE = Rule(
    code='app_filing_format_invalid',
    severity='error',
    tags=('app', 'format'),
    since='0.1.0',
    message_en='{number} is presented as an APP number but lacks the A suffix',
    message_zh='{number} 作为 APP 备案号展示，但缺少后缀 A',
    explain=__doc__ or "",
    check=check,
    summary='an APP number without its A',
    summary_zh='APP 备案号缺少后缀 A',
    explain_zh=EXPLAIN_ZH,
    fix_en='Show the APP number with its trailing A, as filed: APP备案号：{app_number}',
    fix_zh='按备案记录显示带后缀 A 的 APP 备案号：APP备案号：{app_number}',
)
