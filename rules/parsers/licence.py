"""Other licences shown near the marks: ICP证, B2, 网文, drug information, news, site identifiers.

These are findings, never the ICP 备案号 (docs/marks.md §1, "Licences"). ICP证 and B2 numbers can
also be a licence holder's ICP display; the extractor decides that from their label and link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.parsers.icp import find_b2, find_icp

__all__ = ["ParsedLicence", "find_licences"]

_OTHER = (
    ("network_culture", re.compile(
        r"[\u3400-\u9fff]{1,3}网文(?:许字)? ?[\[【〔(]?\d{4}[\]】〕)]? ?\d{3,5} ?- ?\d{2,4} ?号?")),
    ("drug", re.compile(
        r"[(]?[\u3400-\u9fff]{1,3}[)]? ?- ?[(]?(?:非)?经营性[)]? ?- ?\d{4} ?- ?\d{3,5}")),
    ("news", re.compile(r"互联网新闻信息服务许可证[ :：]*\d{8,14}")),
    # any code after the label, well-formed or not: the government rules judge its form
    ("site_id", re.compile(r"网站标识[码号][ :：]*[A-Za-z]{0,2} ?\d{4,14}")),
    ("publishing", re.compile(r"新出网证[(（][\u3400-\u9fff][)）]字 ?\d{1,4}号")),
    ("audiovisual", re.compile(r"信息网络传播视听节目许可证[ :：]*\d{5,10}")),
)

_KEYWORDS = ("网文", "经营性", "许可证", "网站标识", "新出网证")


@dataclass
class ParsedLicence:
    start: int
    end: int
    number: str
    kind: str  # icp_licence, b2, network_culture, drug, news, site_id, publishing, audiovisual


def find_licences(text: str) -> list[ParsedLicence]:
    # Every ICP证 form, well-formed or not (`京ICP证100935` lacks 号 but is the licence shown).
    out = [ParsedLicence(p.start, p.end, p.number, "icp_licence")
           for p in find_icp(text) if p.form == "licence"]
    out += [ParsedLicence(p.start, p.end, p.number, "b2") for p in find_b2(text)]
    if not any(k in text for k in _KEYWORDS):
        return out
    for kind, rx in _OTHER:
        for m in rx.finditer(text):
            out.append(ParsedLicence(m.start(), m.end(), m.group(0).replace(" ", ""), kind))
    return out
