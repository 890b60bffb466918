"""gongan_code_province_mismatch: the code's first two digits contradict the prefix.

## What it checks
The first two digits of the code (the GB/T 2260 province) are not the province of the prefix.
Accepted variants (川/蜀 for 51, 贵/黔 for 52, 滇/云 for 53) are not a mismatch.

## Why it matters
A contradiction shows an edited or copied mark; the platform issues prefix and code together.

## Example
`河南公网安备 33010002000120号` (33 is Zhejiang).

## Use instead
`浙公网安备 33010002000120号`

## Needs
Nothing. The ICP province is never compared (it may legitimately differ).

## Known problems
None known.

## References
docs/marks.md §1, §2; docs/sources.md §5.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.data import region_by_code
from rules.rule import CheckResult, Rule, inapplicable, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = [m for m in ctx.gongan if m.code and m.region_code and (m.valid or m.legacy)]
    if not marks:
        return inapplicable("no_gongan_mark")
    out = []
    for m in marks:
        if m.code is not None and m.code[:2] != m.region_code:
            found = region_by_code(m.code)
            stated = region_by_code(m.region_code)
            out.append(violation(m, code=m.code, prefix=m.prefix,
                                 code_province=found.name if found else m.code[:2],
                                 prefix_province=stated.name if stated else "?"))
    return out


EXPLAIN_ZH = """## 检查内容
代码的前两位（GB/T 2260 省份代码）不是简称所表示的省份。允许的变体（51 的川/蜀、52 的贵/黔、
53 的滇/云）不算矛盾。

## 为何重要
矛盾说明标识被改过或抄自别处；平台同时发放简称和代码。

## 改用
`浙公网安备 33010002000120号`

## 所需条件
无。从不与 ICP 省份比较（两者可能合法地不同）。
"""

RULE = Rule(
    code='gongan_code_province_mismatch',
    severity='error',
    tags=('gongan',),
    since='0.1.0',
    message_en=(
        "{number}: code {code} is from province {code_province}, the prefix says {prefix_province}"
    ),
    message_zh="{number}：代码 {code} 属于{code_province}，与简称“{prefix}”（{prefix_province}）不符",  # noqa: E501
    explain=__doc__ or "",
    check=check,
    summary="the code's first two digits contradict the prefix",
    summary_zh='代码前两位与简称的省份矛盾',
    explain_zh=EXPLAIN_ZH,
    fix_en='Copy the mark from the 公安 platform as issued; code {code} reads {code_number}',
    fix_zh='按公安平台发放的内容原样显示；代码 {code} 对应 {code_number}',
)
