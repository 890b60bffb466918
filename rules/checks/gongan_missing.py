"""gongan_missing: the portfolio says the site has a 公安 filing, and none is shown.

## What it checks
The site has a 公安 filing (expectation) and the page displays no 公网安备 mark.

## Why it matters
The 公安 platform asks filed sites to place the number, badge and link at the page bottom within
30 days of approval (计算机信息网络国际联网安全保护管理办法; platform instructions).

## Example
A footer with only the ICP number, for a site filed with the police.

## Use instead
```html
<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">
  <img src="beian.png">京公网安备11010502030143号</a>
```

## Needs
Expectation `gongan_required` or `expected_gongan`.

## Known problems
Whether a site must file with the police cannot be told from the page, hence the expectation.

## References
docs/marks.md §1 "公安联网备案"; docs/sources.md §5.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.checks._common import missing
from rules.rule import CheckResult, Rule, inapplicable, passed

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    want = ctx.expect.expected_gongan
    if not (ctx.expect.gongan_required or want):
        return inapplicable("expectation_absent")
    if ctx.gongan:
        return passed()
    return missing(ctx, expected=f" (expected {want})" if want else "",
                   expected_zh=f"（应为 {want}）" if want else "")


EXPLAIN_ZH = """## 检查内容
网站有公安备案（预期），而页面没有显示公网安备标识。

## 为何重要
公安平台要求已备案网站在审核通过后 30 日内在页面底部放置备案号、图标和链接（《计算机信息网络
国际联网安全保护管理办法》；平台说明）。

## 改用
```html
<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">
  <img src="beian.png">京公网安备11010502030143号</a>
```

## 所需条件
预期 `gongan_required` 或 `expected_gongan`。
"""

RULE = Rule(
    code='gongan_missing',
    severity='error',
    tags=('gongan', 'expectations'),
    since='0.1.0',
    message_en='no 公安联网备案 mark is shown{expected}',
    message_zh='页面未显示公安联网备案号{expected_zh}',
    explain=__doc__ or "",
    check=check,
    summary='the portfolio says the site has a 公安 filing, and none is shown',
    summary_zh='组合清单说明网站有公安备案，但页面未显示',
    explain_zh=EXPLAIN_ZH,
    fix_en='Add the 公安 badge, number and link to the footer: {gongan_html}',
    fix_zh='在页脚加入公安备案图标、备案号和链接：{gongan_html}',
)
