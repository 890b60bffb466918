"""Copyright lines: ©, (c), @, ◎, Copyright, 版权所有; the holder and the years.

`find_copyright` works on one normalised clause (a footer line cut at `|` separators and at the
filing marks) and returns the line with its holder, or None. The holder is the name the line gives:
after `版权所有：`, the name glued before `版权所有` (`世界窗版权所有`), or what follows the ©/year
(`Copyright © 2010-2015 Cxtuku.com All Rights Reserved` names `Cxtuku.com`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.data import COPYRIGHT_PLACEHOLDERS

__all__ = ["ParsedCopyright", "find_copyright", "has_copyright_trigger", "holder_matches"]

_YEAR = r"(?:19|20)\d{2}"
_TRIGGER = re.compile(
    rf"版权所有|版權所有|copyrights?|©|\(c\)|◎|@ ?{_YEAR}|all rights reserved", re.I)
_LEAD = re.compile(
    rf"^(?:[\s.,:;|\-~©◎@®™]|copyrights?|\(c\)|by |{_YEAR}"
    rf"(?: ?[-~至到] ?(?:{_YEAR}|present|now|今))?|版权所有|版權所有)+", re.I)
_TRAIL = re.compile(
    rf"(?:[\s.,:;|\-~©◎@®™]|(?:all|some) rights reserved|copyrights? reserved|{_YEAR}"
    r"(?: ?[-~至到] ?(?:" + _YEAR + r"|present|now|今))?)+$", re.I)
_STOP = re.compile(
    r"(?:all|some) rights reserved|copyrights? reserved|保留一切权利|保留所有权利", re.I)
_CUT = re.compile(
    r"[|｜︱,，;；。]|技术支持|电话|地址|邮编|E-?mail|备案|主办|承办|ICP|公网安备|copyright|©",
    re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"[。,，;；!！?？]")
_TRAILING_NAME = re.compile(r"[\u3400-\u9fff()（）]+$")
_SPONSOR = re.compile(r"主办(?:单位)?[ :：]+(?P<name>[^ |｜,，;；。]+)")
# An organisation's name: Chinese characters (brackets allowed) ending in what organisations are.
_ORG = re.compile(
    r"[\u3400-\u9fff][\u3400-\u9fff()（）]*(?:公司|集团|中心|大学|学院|研究院|研究所|委员会|协会"
    r"|报社|出版社|医院|学校|政府|局|厅|办公室|网)")
# "本网站由…版权所有", "所有内容为…版权所有": the words before the name say whose it is.
_OWNED_BY = re.compile(
    r"^(?:本网站?|本站|网站|所有|本网站?所有|本站所有)?(?:内容|信息|资料|文章|作品)?(?:均|皆|都)?"
    r"(?:由|为|归|属于?)(?=[\u3400-\u9fff])")
_DOMAIN = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I)
_LETTER_FIRST = re.compile(r"^\s*(?:copyrights?|©|\(c\))", re.I)


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
    elif name and _CJK.search(name):
        # A Latin name, then Chinese: the organisation's Chinese name is the holder
        # ("NoCode Tech. 无码科技(杭州)有限公司"); other Chinese words are another footer item
        # ("Baidu 使用百度前必读").
        words = name.split(" ")
        first_cjk = next(i for i, w in enumerate(words) if _CJK.search(w))
        rest = " ".join(words[first_cjk:])
        org = _ORG.fullmatch(rest)
        name = org.group(0) if org else _clean(" ".join(words[:first_cjk]))
    return name


def _before(text: str, spaced: bool = False) -> str | None:
    text = _SENTENCE.split(text)[-1]  # the name is in the same sentence as 版权所有
    stop = list(_STOP.finditer(text))
    latin_line = False
    if stop:  # "... Cxtuku.com All Rights Reserved 版权所有": the name is before the phrase
        tail = text[stop[-1].end():].strip(" .")
        text = tail or text[:stop[-1].start()]
        latin_line = not tail
    rest = _clean(text)
    words = rest.split(" ") if rest else []
    if (spaced and 1 < len(words) <= 3 and _LETTER_FIRST.match(text)
            and all(_CJK.search(w) for w in words)):
        # "Copyright© 1998-2005 北京大学 中国经济研究中心 版权所有": everything between the
        # copyright sign and 版权所有 is the name, split or not.
        return _owner(" ".join(words))
    if text and not text[-1].isspace() and _CJK.match(text[-1]):
        run = _TRAILING_NAME.search(text)  # glued: "世界窗版权所有"
        return _owner(_clean(run.group(0))) if run else None
    if not words:
        return None
    while (not latin_line and len(words) > 1 and _DOMAIN.fullmatch(words[-1])
           and _CJK.search(" ".join(words[:-1]))):
        # "松花江网 shjnet.cn 版权所有": the domain is the Chinese name's alias. In "Copyright ©
        # 财来电 cailaidian.cn All Rights Reserved" all between © and the phrase is the name.
        words.pop()
    last = words[-1]
    if _CJK.search(last):
        run = _TRAILING_NAME.search(last)
        return _owner(_clean(run.group(0)) if run else _clean(last))
    return " ".join(words)


def _owner(name: str | None) -> str | None:
    """The name without the words that say it owns the content (本网站由…, 所有内容为…)."""
    if not name:
        return name
    m = _OWNED_BY.match(name)
    return _clean(name[m.end():]) if m else name


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
            holder = _before(before.rstrip(), before[-1:].isspace()) if before.strip() else None
            if holder is None and before.strip() and not after.strip():
                holder = None
            if holder is None:
                holder = _after(after) if not re.match(r"\s*[,，。]", after) else None
    else:
        holder = _after(clause[m.start():])
        if holder is None and m.start() > 0:
            holder = _before(clause[:m.start()].rstrip())
        stops = list(_STOP.finditer(clause))
        if stops:
            # "… The Paper All rights reserved.上海东方报业有限公司": a Chinese organisation named
            # after the reservation is the legal holder, the Latin name before it a brand.
            org = _ORG.match(clause[stops[-1].end():].lstrip(" .,:;"))
            if org:
                holder = org.group(0)
    if holder is not None and _is_placeholder(holder):
        holder = None
    sponsor = _SPONSOR.search(clause)
    return ParsedCopyright(clause.strip(), holder, years,
                           sponsor.group("name") if sponsor else None)


def _is_placeholder(name: str) -> bool:
    """A template's placeholder (`Your WebSite`, `公司名称`): no one is named."""
    key = re.sub(r"[\s.]", "", name).lower()
    return key in COPYRIGHT_PLACEHOLDERS


def _canon(name: str) -> str:
    return re.sub(r"[\s()（）]", "", name).lower()


def holder_matches(holder: str, org: str) -> bool:
    """The holder names the filing subject: equal after dropping spaces and brackets, or the
    subject's full name inside a longer holder (`某某有限公司(某某中心)`). A brand or domain that
    is only part of the subject's name is not a match."""
    h, o = _canon(holder), _canon(org)
    return bool(h) and bool(o) and o in h
