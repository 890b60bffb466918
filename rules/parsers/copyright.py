"""Copyright lines: ©, (c), @, ◎, Copyright, 版权所有; the holder and the years.

`find_copyright` works on one normalised clause (a footer line cut at `|` separators and at the
filing marks) and returns the line with its holder, or None. The holder is the name the line gives:
after `版权所有：`, the name glued before `版权所有` (`世界窗版权所有`), or what follows the ©/year
(`Copyright © 2010-2015 Cxtuku.com All Rights Reserved` names `Cxtuku.com`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ParsedCopyright", "find_copyright", "has_copyright_trigger", "holder_matches"]

_YEAR = r"(?:19|20)\d{2}"
_TRIGGER = re.compile(
    rf"版权所有|版權所有|copyrights?|©|\(c\)|◎|@ ?{_YEAR}|all rights reserved", re.I)
_LEAD = re.compile(
    rf"^(?:[\s.,:;|\-~©◎@]|copyrights?|\(c\)|{_YEAR}(?: ?[-~至到] ?(?:{_YEAR}|present|now|今))?"
    r"|版权所有|版權所有)+", re.I)
_TRAIL = re.compile(
    rf"(?:[\s.,:;|\-~©◎@]|all rights reserved|copyrights? reserved|{_YEAR}"
    r"(?: ?[-~至到] ?(?:" + _YEAR + r"|present|now|今))?)+$", re.I)
_STOP = re.compile(r"all rights reserved|copyrights? reserved|保留一切权利|保留所有权利", re.I)
_CUT = re.compile(
    r"[|｜︱,，;；。]|技术支持|电话|地址|邮编|E-?mail|备案|主办|承办|ICP|公网安备", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"[。,，;；!！?？]")
_TRAILING_NAME = re.compile(r"[\u3400-\u9fff()（）]+$")
_SPONSOR = re.compile(r"主办(?:单位)?[ :：]+(?P<name>[^ |｜,，;；。]+)")


@dataclass
class ParsedCopyright:
    text: str
    holder: str | None
    years: list[int] = field(default_factory=list)
    sponsor: str | None = None


def has_copyright_trigger(text: str) -> bool:
    return _TRIGGER.search(text) is not None


def _clean(name: str) -> str | None:
    name = _TRAIL.sub("", _LEAD.sub("", name)).strip(" :：-")
    if not name or _STOP.fullmatch(name) or not re.search(r"[\w\u3400-\u9fff]", name):
        return None
    if re.fullmatch(r"[\d\s.\-]+", name):
        return None
    return name


def _after(text: str) -> str | None:
    if _STOP.match(text.strip()):
        return None
    text = _LEAD.sub("", text)
    cut = _CUT.search(text)
    stop = _STOP.search(text)
    end = min(x.start() for x in (cut, stop) if x) if (cut or stop) else len(text)
    name = _clean(text[:end])
    if name and _CJK.search(name.split(" ")[0]):
        # A Chinese name ends at the first space: what follows is another item of the footer
        # ("长沙某某有限公司 常年法律顾问:…"); Latin names keep their spaces ("Example Inc.").
        name = _clean(name.split(" ")[0])
    return name


def _before(text: str) -> str | None:
    text = _SENTENCE.split(text)[-1]  # the name is in the same sentence as 版权所有
    stop = list(_STOP.finditer(text))
    if stop:  # "... Cxtuku.com All Rights Reserved 版权所有": the name is before the phrase
        tail = text[stop[-1].end():].strip(" .")
        text = tail or text[:stop[-1].start()]
    if text and not text[-1].isspace() and _CJK.match(text[-1]):
        run = _TRAILING_NAME.search(text)  # glued: "世界窗版权所有"
        return _clean(run.group(0)) if run else None
    rest = _clean(text)
    if rest is None:
        return None
    last = rest.split(" ")[-1]
    if _CJK.search(last):
        run = _TRAILING_NAME.search(last)
        return _clean(run.group(0)) if run else _clean(last)
    return rest


def find_copyright(clause: str) -> ParsedCopyright | None:
    """The copyright line in one normalised clause, or None when it has none."""
    m = _TRIGGER.search(clause)
    if not m:
        return None
    years = sorted({int(y) for y in re.findall(rf"(?<!\d){_YEAR}(?!\d)", clause)})
    holder: str | None = None
    pos = max(clause.find("版权所有"), clause.find("版權所有"))
    if pos >= 0:
        after = clause[pos + 4:]
        before = clause[:pos]
        if re.match(r"\s*[:：]", after):
            holder = _after(after)
        else:
            holder = _before(before.rstrip()) if before.strip() else None
            if holder is None and before.strip() and not after.strip():
                holder = None
            if holder is None:
                holder = _after(after) if not re.match(r"\s*[,，。]", after) else None
    else:
        holder = _after(clause[m.start():])
        if holder is None and m.start() > 0:
            holder = _before(clause[:m.start()].rstrip())
    sponsor = _SPONSOR.search(clause)
    return ParsedCopyright(clause.strip(), holder, years,
                           sponsor.group("name") if sponsor else None)


def _canon(name: str) -> str:
    return re.sub(r"[\s()（）]", "", name).lower()


def holder_matches(holder: str, org: str) -> bool:
    """The holder names the filing subject: equal after dropping spaces and brackets, or the
    subject's full name inside a longer holder (`某某有限公司(某某中心)`). A brand or domain that
    is only part of the subject's name is not a match."""
    h, o = _canon(holder), _canon(org)
    return bool(h) and bool(o) and o in h
