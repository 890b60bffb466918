"""license_missing: a commercial site shows no 经营许可证 number.

## What it checks
The portfolio says the site is commercial (经营性), and the page shows no ICP licence
(`京ICP证…号`) or B2 number (`粤B2-20090059`); with `licence_number` set, not that one.

## Why it matters
Order No. 292 §12: 经营性 providers show the licence number on the homepage; fines under §22.

## Example
A shop whose footer shows only `京ICP备12345678号-1`.

## Use instead
`京ICP备12345678号-1 | 增值电信业务经营许可证：京B2-20201234`

## Needs
Expectation `commercial` (and optionally `licence_number`).

## Known problems
Whether a site is 经营性 cannot be told from the page.

## References
docs/marks.md §1 "Licences"; docs/sources.md §4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.normalize import compact
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


_KINDS = {"icp_licence", "b2"}


def check(ctx: Context) -> CheckResult:
    if not ctx.expect.commercial:
        return inapplicable("expectation_absent")
    shown = {lic.number for lic in ctx.findings.licences if lic.kind in _KINDS}
    shown |= {m.number for m in ctx.site_icp if m.kind == "licence"}
    want = compact(ctx.expect.licence_number or "")
    if want:
        if any(n == want or n.rstrip("号") == want.rstrip("号") for n in shown):
            return passed()
        return missing(ctx, expected=f" ({want})", expected_zh=f"（{want}）")
    return passed() if shown else missing(ctx, expected="", expected_zh="")


EXPLAIN_ZH = """## 检查内容
组合清单说明网站为经营性，而页面没有显示 ICP 经营许可证号（`京ICP证…号`）或 B2 编号
（`粤B2-20090059`）；设置了 `licence_number` 时，没有显示该编号。

## 为何重要
第 292 号令第十二条：经营性信息服务提供者应在首页显示许可证编号；罚则见第二十二条。

## 改用
`京ICP备12345678号-1 | 增值电信业务经营许可证：京B2-20201234`

## 所需条件
预期 `commercial`（可选 `licence_number`）。
"""

RULE = Rule(
    code='license_missing',
    severity='error',
    tags=('licence', 'expectations'),
    since='0.1.0',
    message_en='the site is commercial (经营性) but shows no ICP licence number{expected}',
    message_zh='经营性网站未显示经营许可证编号{expected_zh}',
    explain=__doc__ or "",
    check=check,
    summary='a commercial site shows no 经营许可证 number',
    summary_zh='经营性网站未显示经营许可证编号',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Show the licence number next to the ICP number: {icp} | '
        '增值电信业务经营许可证：{licence}'),
    fix_zh='在 ICP 备案号旁显示经营许可证编号：{icp} | 增值电信业务经营许可证：{licence}',
)
