"""公安联网备案 numbers: `京公网安备 11010502030143号`, legacy codes and local forms.

`find_gongan` returns every 公网安备 mark in normalised text with its prefix, code and how it reads:
`valid` (a known prefix and a 14-digit code), `legacy` (10/12/13/15 digits starting with a province
code, `南宁网警备…`, `浙备…`), or neither (format invalid). The prefix may be a full province name
(`河南公网安备`), which is resolved to its region. Marks in other wordings that the 公安 system and
provincial systems have used (`湘公安网备号…`, `公安备案号…`, `公安机关备案号：…-00001`) are found
too, with their `wording`, so a rule can name the nonstandard wording instead of a missing mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.data import GONGAN_PREFIX_CHARS, PROVINCE_CODES, REGIONS, region_by_gongan_prefix

__all__ = ["ParsedGongan", "find_gongan"]

_NAMES = sorted({n for r in REGIONS for n in (r.name, *r.full_names)}, key=len, reverse=True)
_GONGAN = re.compile(
    r"(?P<pre>[\u3400-\u9fff]{0,7}) ?公网安备 ?(?:号)?[ :：]*"
    r"(?P<code>\d(?:[\d ]*\d)?)?(?P<hao> ?号)?"
)
_LOCAL = re.compile(r"(?P<pre>[\u3400-\u9fff]{2,4})网警备 ?(?P<code>\d{6,15}) ?(?P<hao>号)?")
# Wordings other than 公网安备 (docs/marks.md §1, docs/sources.md §5): the code, an optional
# -N suffix.
_WORD_KEYS = ("公网安备案", "公安网备", "公安机关备案", "公安局备案", "公安联网备案", "公安备案",
              "网安备")
_WORDED = re.compile(
    r"(?P<pre>[\u3400-\u9fff]{0,7}?)(?P<word>" + "|".join(_WORD_KEYS[:-1]) + r"|(?<!公)网安备)"
    r"(?:号|编号)?[ :：]*(?P<code>\d(?:[\d ]*\d)?)(?P<sfx> ?- ?\d{1,6})?(?P<hao> ?号)?"
)
_SHORT = re.compile(
    rf"(?<![A-Za-z\u3400-\u9fff])(?P<pre>[{GONGAN_PREFIX_CHARS}])备(?P<code>\d{{13}})号")


@dataclass
class ParsedGongan:
    start: int
    end: int
    number: str  # normalised, no spaces
    prefix: str | None
    code: str | None
    valid: bool
    legacy: bool
    region_code: str | None = None  # the prefix's province code, None when unknown
    wording: str = "公网安备"  # the words between prefix and code as displayed


def _prefix(pre: str) -> str | None:
    for name in _NAMES:
        if pre.endswith(name):
            return name
    if pre and region_by_gongan_prefix(pre[-1]):
        return pre[-1]
    return pre[-1] if pre else None


def _classify(code: str | None, region_ok: bool) -> tuple[bool, bool]:
    if not code:
        return False, False
    if len(code) == 14:
        return region_ok, False
    legacy = len(code) in (10, 12, 13, 15) and code[:2] in PROVINCE_CODES
    return False, legacy


def find_gongan(text: str) -> list[ParsedGongan]:
    out: list[ParsedGongan] = []
    if "公网安备" in text:
        for m in _GONGAN.finditer(text):
            prefix = _prefix(m.group("pre"))
            start = m.start("pre") + len(m.group("pre")) - len(prefix or "")
            code = (m.group("code") or "").replace(" ", "") or None
            region = region_by_gongan_prefix(prefix)
            valid, legacy = _classify(code, region is not None)
            if code is None and (prefix is None or text.startswith("案", m.end())):
                continue  # "公网安备案号：" is a label, not a mark
            number = f"{prefix or ''}公网安备{code or ''}{'号' if m.group('hao') else ''}"
            out.append(ParsedGongan(start, m.end(), number, prefix, code, valid, legacy,
                                    region.code if region else None))
    if any(k in text for k in _WORD_KEYS):
        out.extend(_worded(text, out))
    if "网警备" in text:
        for m in _LOCAL.finditer(text):
            out.append(ParsedGongan(m.start(), m.end(), m.group(0).replace(" ", ""),
                                    m.group("pre"), m.group("code"), False, True))
    if "备" in text:
        for m in _SHORT.finditer(text):
            region = region_by_gongan_prefix(m.group("pre"))
            out.append(ParsedGongan(m.start(), m.end(), m.group(0), m.group("pre"),
                                    m.group("code"), False, True,
                                    region.code if region else None))
    return out


def _worded(text: str, found: list[ParsedGongan]) -> list[ParsedGongan]:
    out = []
    for m in _WORDED.finditer(text):
        if any(g.start <= m.start("word") < g.end for g in found):
            continue  # inside a 公网安备 mark already read
        pre = m.group("pre")
        prefix = _prefix(pre) if pre else None
        region = region_by_gongan_prefix(prefix)
        if prefix and region is None:
            prefix = None  # a label before the words (网站公安备案号), not a province
        start = m.start("word") - len(prefix or "")
        code = m.group("code").replace(" ", "")
        legacy = len(code) != 14 and code[:2] in PROVINCE_CODES
        end = m.end()
        number = text[start:end].replace(" ", "").rstrip()
        out.append(ParsedGongan(start, end, number, prefix, code, False, legacy,
                                region.code if region else None, m.group("word")))
    return out
