"""Pages a browser decoded with the wrong charset: detect the garbling and read what was meant.

A page that declares no charset (no `<meta charset>`, none in Content-Type) is decoded by Chromium
as windows-1252 in a Chinese-less locale: its UTF-8 (or GBK) text turns into `äº¬ICPå¤‡…`. Such
text can be turned back into its bytes (windows-1252, with the five bytes it leaves undefined
mapped to U+0081… as browsers do) and decoded as UTF-8 or GB18030. `repair_mojibake` does that
when every character allows it and the result holds Chinese.
"""

from __future__ import annotations

import re

__all__ = ["repair_mojibake"]


def _reverse_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for b in range(256):
        try:
            ch = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            ch = chr(b)  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: browsers map them to U+0081...
        table[ord(ch)] = b
    return table


_TO_BYTE = _reverse_table()
_HIGH = re.compile(r"[\u0080-\uffff]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def repair_mojibake(text: str) -> str | None:
    """`text` as it was meant when it is windows-1252-decoded UTF-8 or GBK; None otherwise."""
    if _CJK.search(text) or not _HIGH.search(text):
        return None  # already Chinese, or plain ASCII: nothing garbled
    try:
        raw = bytes(_TO_BYTE[ord(ch)] for ch in text)
    except KeyError:
        return None  # a character windows-1252 cannot have produced
    for codec in ("utf-8", "gb18030"):
        try:
            fixed = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CJK.search(fixed):
            return fixed
    return None
