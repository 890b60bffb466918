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

from rules.context import garbled_marks
from rules.rule import Rule, inapplicable, passed, violation

__all__ = ["RULE", "check"]


def check(ctx):
    if not ctx.rendered:
        return inapplicable("not_rendered")
    if ctx.garbled is None:
        return passed()
    return violation(marks=garbled_marks(ctx.garbled), evidence=garbled_marks(ctx.garbled))


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
)
