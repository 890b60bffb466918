"""ICP numbers: filing (`京ICP备12345678号-1`), licence (`京ICP证030173号`) and B2 forms.

`find_icp` finds everything that looks meant as an ICP mark in normalised text, including malformed
forms (`皖ICP备案号05002829`, a missing 号, the suffix before 号, 11 digits) and vanity prefixes
(萌ICP备), and classifies each. It never raises on any text and only sets `valid` for numbers that
satisfy the grammar of docs/marks.md §1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.data import ICP_NONSTANDARD, ICP_PREFIX_CHARS, region_by_icp_prefix
from rules.model import IcpKind

__all__ = ["ParsedIcp", "find_b2", "find_icp", "parse_icp"]

# Loose: anything that reads "<x>ICP备/证 <digits>...". The strict grammar decides validity.
# The -n suffix ends at a non-digit: `…号-3Powered by` keeps its -3; a kind letter must end a word.
_SEQ = r"- ?\d{1,4}(?:[AXK](?![A-Za-z]))?(?!\d)"
_LOOSE = re.compile(
    r"(?:(?P<prov>[\u3400-\u9fff]) ?(?P<sep>[|] ?)?)?ICP ?(?P<typ>备案号|备案|备|证)[ :：]*"
    rf"(?P<body>\d(?:[\d ]*\d)?)(?P<tail>(?: ?号)?(?: ?{_SEQ})?(?: ?号)?)"
)
_STRICT_BEI = re.compile(
    rf"(?P<prov>[{ICP_PREFIX_CHARS}{ICP_NONSTANDARD}])ICP备(?P<serial>\d{{6,10}})号"
    r"(?:-(?P<seq>\d{1,4})(?P<kind>[AXK])?)?"
)
_STRICT_ZHENG = re.compile(
    rf"(?P<prov>[{ICP_PREFIX_CHARS}{ICP_NONSTANDARD}])ICP证(?P<serial>\d{{6}})号(?:-(?P<seq>\d{{1,4}})(?P<kind>[AXK])?)?"
)
# B2 licences; also the malformed `粤B-20050235` and the early-2000s category form `滇B-2-4-…`,
# which are read (valid False) so that they are reported as what they are, never as nothing.
_B2 = re.compile(
    r"(?:(?P<prov>[\u3400-\u9fff]) ?)?(?<![A-Za-z0-9])B(?P<cat>2|-2-\d|-2|- ?)? ?- ?"
    r"(?P<year>(?:19|20)\d{2})(?P<num>\d{4})"
    r"(?![\d])(?: ?号)?(?: ?- ?(?P<seq>\d{1,4})(?P<kind>[AXK](?![A-Za-z]))?(?!\d))?"
)
_KINDS: dict[str | None, IcpKind] = {None: "site", "A": "app", "X": "miniprogram",
                                     "K": "quickapp"}
# Characters that sit before ICP as part of a label (备案号ICP备...), not as a prefix.
_LABEL_CHARS = frozenset("号案证备码的为：")


@dataclass
class ParsedIcp:
    start: int
    end: int
    number: str  # normalised, no spaces
    kind: IcpKind  # site, subject, app, miniprogram, quickapp, licence
    region: str | None
    valid: bool
    serial: str = ""
    seq: str | None = None
    form: str = "filing"  # filing (ICP备), licence (ICP证), b2
    prefix_status: str = "ok"  # ok, nonstandard, unknown, missing
    spaced: bool = False  # whitespace inside the number as displayed


def _kind(seq: str | None, letter: str | None) -> IcpKind:
    return "subject" if seq is None else _KINDS.get(letter, "site")


def parse_icp(number: str) -> ParsedIcp | None:
    """Parse one number (any spacing); None when it does not look like an ICP mark at all."""
    found = find_icp(number)
    if found:
        return found[0]
    b2 = find_b2(number)
    return b2[0] if b2 else None


def find_icp(text: str) -> list[ParsedIcp]:
    """Every ICP备/ICP证 mark (valid or not) in normalised `text`."""
    out: list[ParsedIcp] = []
    if "ICP" not in text:
        return out
    for m in _LOOSE.finditer(text):
        prov = m.group("prov")
        if prov in _LABEL_CHARS or (m.group("sep") and not region_by_icp_prefix(prov)):
            prov = None  # a label, or a separator after some other word (公司|ICP备…)
        start = m.start("prov") if prov else text.index("ICP", m.start())
        raw = text[start:m.end()].rstrip()
        # `京｜ICP备…`: a separator inside the number is displayed spacing, not part of it.
        number = raw.replace(" ", "").replace("|", "")
        spaced = " " in raw or "|" in raw
        if prov is None:
            prefix_status = "missing"
        elif prov in ICP_PREFIX_CHARS:
            prefix_status = "ok"
        elif region_by_icp_prefix(prov):
            prefix_status = "nonstandard"
        else:
            prefix_status = "unknown"
        typ = m.group("typ")
        strict = _STRICT_ZHENG if typ == "证" else _STRICT_BEI
        sm = strict.fullmatch(number) if prov else None
        if sm and prefix_status in ("ok", "nonstandard"):
            seq, letter = sm.group("seq"), sm.group("kind")
            kind = "licence" if typ == "证" else _kind(seq, letter)
            out.append(ParsedIcp(start, start + len(raw), number, kind, prov, True,
                                 sm.group("serial"), seq, "licence" if typ == "证" else "filing",
                                 prefix_status, spaced))
        else:
            seq_m = re.search(r"-(\d{1,4})([AXK])?", m.group("tail").replace(" ", ""))
            seq = seq_m.group(1) if seq_m else None
            kind = "licence" if typ == "证" else _kind(seq, seq_m.group(2) if seq_m else None)
            out.append(ParsedIcp(start, start + len(raw), number, kind, prov, False,
                                 m.group("body").replace(" ", ""), seq,
                                 "licence" if typ == "证" else "filing", prefix_status, spaced))
    return out


def find_b2(text: str) -> list[ParsedIcp]:
    """Value-added telecom licences `粤B2-20090059(-5)` and provinceless `B2-20080207`."""
    out: list[ParsedIcp] = []
    if "B" not in text:
        return out
    for m in _B2.finditer(text):
        prov = m.group("prov")
        start = m.start()
        if prov and not region_by_icp_prefix(prov):
            prov, start = None, m.start() + 1 + (1 if text[m.start() + 1] == " " else 0)
        raw = text[start:m.end()].rstrip()
        number = raw.replace(" ", "")
        prefix_status = "ok" if prov is None or prov in ICP_PREFIX_CHARS else "nonstandard"
        valid = m.group("cat") == "2"
        if not valid and (prov is None or not region_by_icp_prefix(prov)):
            continue  # `B-2024…` without a province is no licence number
        out.append(ParsedIcp(start, start + len(raw), number, "licence", prov, valid,
                             m.group("year") + m.group("num"), m.group("seq"), "b2",
                             prefix_status, " " in raw))
    return out
