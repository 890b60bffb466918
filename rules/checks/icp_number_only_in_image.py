"""icp_number_only_in_image: the number exists only in an image or its alt text.

## What it checks
The site's only ICP number is an image's `alt` or `title`. A filing link holding only an image
with no alt text cannot be read: needs review (`number_only_in_image`).

## Why it matters
Numbers must be displayed text to be read, copied and checked (Order No. 33 §13).

## Example
`<a href="https://beian.miit.gov.cn/"><img src="icp.png" alt="京ICP备12345678号-1"></a>`

## Use instead
Plain text inside the link.

## Needs
Nothing.

## Known problems
Text drawn into the image itself is not read (no OCR).

## References
docs/sources.md §3.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.rule import CheckResult, Rule, inapplicable, passed, review, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    marks = ctx.site_icp_numbers
    if not marks:
        if ctx.extraction.image_links:
            return review("number_only_in_image", href=ctx.extraction.image_links[0][0])
        return inapplicable("no_icp_number")
    if all(m.in_image for m in marks):
        return [violation(m) for m in marks]
    return passed()


EXPLAIN_ZH = """## 检查内容
本网站唯一的备案号是图片的 `alt` 或 `title`。只含一张无 alt 文字图片的备案链接无法读取：
需人工复核（`number_only_in_image`）。

## 为何重要
备案号必须是显示的文字，才能被阅读、复制和核对（第 33 号令第十三条）。

## 改用
在链接中使用纯文字。

## 所需条件
无。
"""

RULE = Rule(
    code='icp_number_only_in_image',
    severity='info',
    tags=('icp',),
    since='0.1.0',
    message_en="{number} is only in an image's alt/title text",
    message_zh='{number} 仅出现在图片的 alt/title 文字中',
    explain=__doc__ or "",
    check=check,
    summary='the number exists only in an image or its alt text',
    summary_zh='备案号只出现在图片或其 alt 文字中',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        "Write {number} as text inside the link, not only in an image's alt/title: "
        '{number_html}'),
    fix_zh='将 {number} 作为文字写在链接中，不要只写在图片的 alt/title 里：{number_html}',
)
