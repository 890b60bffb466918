"""charset_undeclared_marks_garbled: no charset declared, the browser shows the marks garbled.

## What it checks
On a rendered page, no ICP or 公安 mark is readable, but the text is windows-1252 mojibake of
UTF-8 or GBK (`äº¬ICPå¤‡…`): the page declares no charset (no `<meta charset>`, none in the
Content-Type header), so the browser guessed a Western encoding. Read as it was meant, the HTML
holds marks; the finding lists them.

## Why it matters
A mark must be displayed (Order No. 33 §13): visitors whose browser guesses the same way see
garbage where the filing number should be. Browsers with a Chinese locale may guess right, which
is why the page can look fine to its authors.

## Example
A UTF-8 page whose `<head>` has no `<meta charset>`, served as `Content-Type: text/html`.

## Use instead
Declare the encoding the file is saved in, as the first element of `<head>`:
`<meta charset="utf-8">` (or `gbk` for a GBK file), and send it in the header as well:
`Content-Type: text/html; charset=utf-8`.

## Needs
A rendered page. The static view reads the bytes with its own guess (w3lib), so it finds the
marks and this rule is `inapplicable` there.

## Known problems
A page that mixes garbled text with correctly shown Chinese (written by a script) is not
recognised.

## References
WHATWG Encoding Standard (the windows-1252 default); Order No. 33 §13.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import garbled_marks
from rules.rule import CheckResult, Rule, inapplicable, passed, violation

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["RULE", "check"]


def check(ctx: Context) -> CheckResult:
    if not ctx.rendered:
        return inapplicable("not_rendered")
    if ctx.garbled is None:
        return passed()
    return violation(marks=garbled_marks(ctx.garbled), evidence=garbled_marks(ctx.garbled))


EXPLAIN_ZH = """## 检查内容
渲染后的页面上没有可读的 ICP 或公安备案标识，但页面文字是 UTF-8 或 GBK 被当作 windows-1252
解读后的乱码（`äº¬ICPå¤‡…`）：页面没有声明字符集（既没有 `<meta charset>`，Content-Type
响应头中也没有），浏览器于是按西文编码猜测。按原本的编码读取时，HTML 中有备案标识，检查结果
会列出这些标识。

## 为何重要
备案标识必须显示出来（第 33 号令第十三条）：浏览器以同样方式猜测编码的访问者，在备案号的位置
只能看到乱码。中文环境的浏览器可能猜对，所以网站制作者自己查看页面时可能一切正常。

## 改用
声明文件实际保存所用的编码，作为 `<head>` 的第一个元素：`<meta charset="utf-8">`（GBK 文件用
`gbk`），并在响应头中同样声明：`Content-Type: text/html; charset=utf-8`。

## 所需条件
渲染后的页面。静态页面按自己的猜测（w3lib）解码字节，能读出备案标识，因此本规则对静态页面
不适用。
"""

RULE = Rule(
    code='charset_undeclared_marks_garbled',
    severity='error',
    tags=('icp', 'gongan', 'visibility'),
    since='0.1.0',
    message_en='the page declares no charset and a browser shows its marks garbled; the HTML '
               'holds {marks}',
    message_zh='页面未声明字符集，浏览器将备案标识显示为乱码；页面 HTML 中有 {marks}',
    explain=__doc__ or "",
    check=check,
    summary='no charset declared: the browser shows the marks garbled',
    summary_zh='未声明字符集：浏览器将备案标识显示为乱码',
    explain_zh=EXPLAIN_ZH,
    fix_en=(
        'Declare the encoding the file is saved in, as the first element of <head>: <meta '
        'charset="utf-8"> (or gbk for a GBK file), and in the header: Content-Type: text/html; '
        'charset=utf-8; {marks} then display as written'),
    fix_zh=(
        '在 <head> 的第一个元素中声明文件实际保存所用的编码：<meta charset="utf-8">（GBK 文件用 '
        'gbk），并在响应头中同样声明：Content-Type: text/html; charset=utf-8，'
        '{marks} 即可正常显示'),
)
