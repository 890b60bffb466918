"""gov_site_identifier_format_invalid: the 网站标识码 shown is not a well-formed code.

## What it checks
Under the government profile, a `网站标识码` is shown but is not 10 characters of the issued form:
a 6-digit administrative division code (its first two digits a province code) and a 4-digit
serial (`1400000045`), or `bm` and 8 digits for a State Council department (`bm01000001`).

## Why it matters
The code identifies the site in the national government-website register (国办发〔2017〕47号); a
mistyped code points nowhere, and inspections compare it with the register.

## Example
`网站标识码：140000045` (nine digits)

## Use instead
The code exactly as issued, e.g. `网站标识码：1400000045`, copied from the register entry that the
badge links to.

## Needs
The government profile.

## Known problems
The register itself is not queried: a well-formed code of another site passes.

## References
国办发〔2017〕47号《政府网站发展指引》; docs/sources.md §10.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rules.data import GOV_SITE_CODE, PROVINCE_CODES
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]

_CODE = re.compile(GOV_SITE_CODE)


def well_formed(code: str) -> bool:
    if not _CODE.fullmatch(code):
        return False
    return code.startswith("bm") or code[:2] in PROVINCE_CODES


def check(ctx: Context) -> CheckResult:
    if not ctx.government:
        return inapplicable("not_government")
    if not ctx.site_codes:
        return inapplicable("no_site_code")
    return [violation(site_code=code, evidence=f"网站标识码：{code}")
            for code in ctx.site_codes if not well_formed(code)]


EXPLAIN_ZH = """## 检查内容
在政府网站配置（`profile: government`）下，页面显示了 `网站标识码`，但不是发放格式的 10 位
代码：6 位行政区划代码（前两位为省级代码）加 4 位序号（`1400000045`），或国务院部门的 `bm`
加 8 位数字（`bm01000001`）。

## 为何重要
网站标识码在全国政府网站名录中标识本网站（国办发〔2017〕47号）；输错的代码查不到任何网站，
检查时会与名录核对。

## 改用
按发放时的原样显示代码，例如 `网站标识码：1400000045`，从标识链接到的登记信息中复制。

## 所需条件
政府网站配置。
"""

RULE = Rule(
    code='gov_site_identifier_format_invalid',
    severity='warning',
    tags=('government', 'format'),
    since='0.1.0',
    message_en='网站标识码 {site_code} is not a well-formed site identifier code (10 characters: a '
               'division code and a serial, or bm and 8 digits)',
    message_zh='网站标识码 {site_code} 格式不正确'
               '（应为 6 位行政区划代码加 4 位序号，或 bm 加 8 位数字）',
    explain=__doc__ or "",
    check=check,
    summary='government profile: a malformed 网站标识码',
    summary_zh='政府网站：网站标识码格式不正确',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Replace 网站标识码：{site_code} with the code exactly as issued (10 characters: a 6-digit '
        'division code and a 4-digit serial, or bm and 8 digits), copied from the register entry '
        'the badge links to'),
    fix_zh=(
        '将“网站标识码：{site_code}”改为与发放时完全一致的代码（6 位行政区划代码加 4 位序号，或 bm '
        '加 8 位数字），从标识链接到的登记信息中复制'),
)
