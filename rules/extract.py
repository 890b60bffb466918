"""Footer extraction: from a page's HTML to `Findings` (ICP, 公安, copyright, licences).

One parse, one walk (rules.dom), then only the lines that pass a cheap substring test are
normalised and run through the parsers. Each match is traced back to its segments, which give the
link around it, whether it is hidden, whether it sits in the footer, and the HTML evidence.

Which footer: candidates that hold a mark, plus everything after the last of them (the bottom of
the page); on pages with no such candidate the marks are in the footer unless they sit in a
sidebar. A partners' list in a sidebar therefore comes out `in_footer: false`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rules.data import (
    GONGAN_HOST_CURRENT,
    GONGAN_HOST_LEGACY,
    GOV_BADGE_HOST_SUFFIX,
    MIIT_HOST,
    MIIT_RETIRED_HOSTS,
)
from rules.dom import (
    BLOCK_TAGS,
    URL_IN_JS,
    Line,
    PageTree,
    Seg,
    context_of,
    fragment,
    is_hidden,
    parse_page,
    selector,
    walk,
)
from rules.model import (
    ATTR_BOX,
    ATTR_DOC,
    ATTR_HIT,
    ATTR_VISIBLE,
    CopyrightLine,
    Element,
    Findings,
    GonganMark,
    IcpMark,
    Licence,
    PageInput,
)
from rules.normalize import normalize_map
from rules.parsers.copyright import find_copyright, has_copyright_trigger
from rules.parsers.gongan import find_gongan
from rules.parsers.icp import ParsedIcp, find_b2, find_icp
from rules.parsers.licence import find_licences
from rules.urls import host_of

__all__ = ["Extraction", "extract", "host_of"]

# Cheap substring tests before any normalisation or regex (most lines have none of these).
_KEYS = ("ICP", "ＩＣＰ", "备", "備", "©", "版权", "版權", "版 权", "opyright", "OPYRIGHT", "(c)",
         "(C)", "（c）", "B2", "B-", "Ｂ２", "主办", "网文", "经营性", "许可", "許可", "◎",
         "网站标识", "@")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPONSOR = re.compile(r"主办(?:单位|方)?[ :：]+(?P<n>[^ |｜,，;；。]+)")
_MIIT_HOSTS = frozenset({MIIT_HOST, *MIIT_RETIRED_HOSTS})
_GONGAN_HOSTS = frozenset({GONGAN_HOST_CURRENT, *GONGAN_HOST_LEGACY})


@dataclass
class Extraction:
    findings: Findings
    tree: PageTree
    rendered: bool
    doc: tuple[float, float, float, float] | None = None  # data-fa-doc on <html>
    # (href, html) of MIIT links that hold only an image without alt text
    image_links: list[tuple[str, str]] = field(default_factory=list)
    cross_frames: list[tuple[str, str]] = field(default_factory=list)  # (src, html) in the footer
    blocks: list[Element] = field(default_factory=list)  # elements that carry marks (snapshot)
    footers: list[Element] = field(default_factory=list)  # footer candidates holding marks
    # 党政机关网站标识: (href, html) of shown links to the identification service holding an
    # image, whether its script (which writes the badge) is on the page, and badge-like images
    # with no such link.
    gov_badges: list[tuple[str, str]] = field(default_factory=list)
    gov_badge_script: bool = False
    gov_badges_unlinked: list[str] = field(default_factory=list)


def layout_floats(value: str | None, n: int) -> tuple[float, ...] | None:
    """The n numbers of a layout attribute ("x,y,w,h"), None when absent or malformed."""
    if not value:
        return None
    try:
        parts = tuple(float(x) for x in value.split(","))
    except ValueError:
        return None
    return parts if len(parts) == n and all(math.isfinite(p) for p in parts) else None


class _Span:
    """A match in one line: its segments and the elements they point to."""

    def __init__(self, line: Line, starts: list[int], idx: list[int], raw: str, s: int, e: int):
        r0, r1 = idx[s], idx[e - 1]
        first, last = bisect_right(starts, r0) - 1, bisect_right(starts, r1) - 1
        self.segs: list[Seg] = line.segs[first:last + 1]
        self.raw = raw[r0:r1 + 1]

    @property
    def hidden(self) -> bool:
        return any(s.hidden for s in self.segs)

    @property
    def in_image(self) -> bool:
        return any(s.in_image for s in self.segs)

    def link(self) -> tuple[Element | None, bool]:
        """The link around the match, and whether it wraps all of it."""
        links = [s.link for s in self.segs if s.text.strip()]
        found = next((lk for lk in links if lk is not None), None)
        return found, found is not None and all(lk is found for lk in links)

    def element(self) -> Element:
        els = [s.el for s in self.segs]
        node = els[0]
        while node is not None:
            if all(_contains(node, e) for e in els[1:]):
                return node
            node = node.getparent()
        return els[0]


def _contains(anc: Element, el: Element | None) -> bool:
    while el is not None:
        if el is anc:
            return True
        el = el.getparent()
    return False


def _img_ok(el: Element | None) -> bool:
    """A shown image with a source (an element holding only one such image counts too)."""
    if el is None or not isinstance(el.tag, str) or is_hidden(el):
        return False
    if el.tag == "img":
        return bool((el.get("src") or "").strip())
    imgs = list(el.iter("img"))
    return len(imgs) == 1 and _img_ok(imgs[0]) and not "".join(el.itertext()).strip()


_CELL_OR_INLINE = frozenset({"td", "th", "span", "font", "b", "strong", "em", "i"})


def _sole_holder(el: Element, limit: int = 3) -> Element:
    """The outermost ancestor (at most `limit` up) that holds nothing but `el`: a link alone in
    its table cell or span, whose neighbour (the previous cell) can hold its badge."""
    node = el
    for _ in range(limit):
        parent = node.getparent()
        if parent is None or parent.tag not in _CELL_OR_INLINE:
            break
        others = [c for c in parent if c is not node and isinstance(c.tag, str)]
        if others or not _blank(parent.text) or not _blank(node.tail):
            break
        node = parent
    return node


def _blank(text: str | None) -> bool:
    return not text or not text.strip()


def _icon_near(span: _Span, link: Element | None) -> bool:
    """A badge `<img>` with a src inside the link, or right next to the link or the text."""
    if link is not None:
        if any(_img_ok(i) for i in link.iter("img")):
            return True
        prev = link.getprevious()
        if prev is not None and _blank(prev.tail) and _img_ok(prev):
            return True
        nxt = link.getnext()
        if nxt is not None and _blank(link.tail) and _img_ok(nxt):
            return True
        holder = _sole_holder(link)
        if holder is link:
            return False
        # The link alone in its cell: the badge may sit in the cell before or after it.
        prev, nxt = holder.getprevious(), holder.getnext()
        return (prev is not None and _img_ok(prev)) or (nxt is not None and _img_ok(nxt))
    # No link: only an image in the same run of text, directly before or after the number.
    first, last = span.segs[0], span.segs[-1]
    if first.prev is not None:
        before_ok = _img_ok(first.prev) and span.raw.strip() and \
            first.text.lstrip().startswith(span.raw.strip()[:1])
        if before_ok:
            return True
    elif first.text.lstrip().startswith(span.raw.strip()[:1]):
        prev = first.el.getprevious()
        if prev is not None and _blank(prev.tail) and _img_ok(prev):
            return True
    after = last.text.rstrip()
    if after.endswith(span.raw.strip()[-1:]):
        nxt = last.prev.getnext() if last.prev is not None else (
            last.el[0] if len(last.el) else None)
        return nxt is not None and _img_ok(nxt)
    return False


def _layout(el: Element, attr: str) -> str | None:
    node = el
    while node is not None and isinstance(node.tag, str):
        value: str | None = node.get(attr)
        if value is not None:
            return value
        node = node.getparent()
    return None


@dataclass
class _Raw:
    mark: Any  # an IcpMark, GonganMark or CopyrightLine
    segs: list[Seg]
    block: Element


def _block_of(el: Element) -> Element:
    node = el
    while node is not None and isinstance(node.tag, str) and node.tag not in BLOCK_TAGS:
        node = node.getparent()
    return node if node is not None else el


def extract(page: PageInput) -> Extraction:
    root, source = parse_page(page.html)
    tree = walk(root, page.final_url or page.url, source)
    findings = Findings()
    ext = Extraction(findings, tree, page.rendered)
    doc = layout_floats(root.get(ATTR_DOC), 4)
    ext.doc = doc  # type: ignore[assignment]
    raws: list[_Raw] = []
    sponsors: list[str] = []
    for line in tree.lines:
        raw = line.text
        if not any(k in raw for k in _KEYS):
            continue
        _scan_line(page, line, raw, raws, findings, sponsors, ext.blocks)
    _image_links(tree, ext)
    _gov_badges(tree, ext)
    _gongan_badges(tree, raws, page.rendered)
    _resolve_footer(raws, tree, ext)
    findings.sponsors = sponsors
    _dedupe(findings)
    return ext


def _scan_line(page: PageInput, line: Line, raw: str, raws: list[_Raw], findings: Findings,
               sponsors: list[str], blocks: list[Element]) -> None:
    norm, idx = normalize_map(raw)
    if not norm:
        return
    starts: list[int] = []
    pos = 0
    for seg in line.segs:
        starts.append(pos)
        pos += len(seg.text)
    cuts: list[tuple[int, int]] = []
    rendered = page.rendered

    def visible(span: _Span) -> bool | None:
        if span.hidden:
            return False
        return True if rendered else None

    for p in find_icp(norm):
        if p.form == "licence":
            continue
        span = _Span(line, starts, idx, raw, p.start, p.end)
        cuts.append((p.start, p.end))
        raws.append(_icp_mark(p, span, norm, visible(span)))
    for p in find_icp(norm) + find_b2(norm):
        if p.form == "filing":
            continue
        span = _Span(line, starts, idx, raw, p.start, p.end)
        cuts.append((p.start, p.end))
        link, _ = span.link()
        href = link.get("href") if link is not None else None
        labelled = "备案" in norm[max(0, p.start - 12):p.start]
        if labelled or host_of(href) in _MIIT_HOSTS:
            raws.append(_icp_mark(p, span, norm, visible(span)))
    for lic in find_licences(norm):
        span = _Span(line, starts, idx, raw, lic.start, lic.end)
        if not span.hidden:
            findings.licences.append(Licence(lic.number, lic.kind))
            cuts.append((lic.start, lic.end))
            blocks.append(_block_of(span.element()))  # the footer snapshot keeps it
    for g in find_gongan(norm):
        span = _Span(line, starts, idx, raw, g.start, g.end)
        cuts.append((g.start, g.end))
        link, _ = span.link()
        el = link if link is not None else span.element()
        mark = GonganMark(
            number=g.number, code=g.code, valid=g.valid, prefix=g.prefix,
            link=(link.get("href") if link is not None else None), icon=_icon_near(span, link),
            visible=visible(span), legacy=g.legacy, evidence=fragment(el), text=norm[:200],
            selector=selector(el), region_code=g.region_code, wording=g.wording,
        )
        raws.append(_Raw(mark, span.segs, _block_of(el)))
    if "主办" in norm:
        sponsors.extend(m.group("n") for m in _SPONSOR.finditer(norm))
    if has_copyright_trigger(norm):
        _copyright(line, starts, idx, raw, norm, cuts, raws)


def _icp_mark(p: ParsedIcp, span: _Span, norm: str, visible: bool | None) -> _Raw:
    link, wraps_all = span.link()
    el = link if link is not None else span.element()
    href = link.get("href") if link is not None else None
    script_only = False
    if link is not None:
        onclick = link.get("onclick") or ""
        if href is None or href.strip().lower().startswith("javascript:") or link.tag != "a":
            script_only = True
            m = URL_IN_JS.search(onclick) or URL_IN_JS.search(href or "")
            href = m.group(0) if m else None
            if href and href.startswith("//"):
                href = "https:" + href
    hit = _layout(link, ATTR_HIT) if link is not None else None
    if link is not None and link.get(ATTR_VISIBLE) == "0":
        hit = None  # the probe does not hit-test links it sees as invisible: unknown, not covered
    box = layout_floats(_layout(el, ATTR_BOX), 4)
    mark = IcpMark(
        number=p.number, kind=p.kind, region=p.region, valid=p.valid, link=href,
        visible=visible, evidence=fragment(el), text=norm[:200], raw=span.raw,
        in_image=span.in_image, link_wraps_all=wraps_all or link is None,
        link_script_only=script_only, hit=None if hit is None else hit == "1",
        box=box, selector=selector(el),  # type: ignore[arg-type]
        form=p.form, prefix_status=p.prefix_status, serial=p.serial, seq=p.seq, spaced=p.spaced,
    )
    return _Raw(mark, span.segs, _block_of(el))


def _copyright(line: Line, starts: list[int], idx: list[int], raw: str, norm: str,
               cuts: list[tuple[int, int]], raws: list[_Raw]) -> None:
    bounds = sorted(cuts)
    pieces: list[tuple[int, int]] = []
    pos = 0
    for s, e in bounds:
        if s > pos:
            pieces.append((pos, s))
        pos = max(pos, e)
    pieces.append((pos, len(norm)))
    for s, e in pieces:
        # Cut at visual separators; clauses side by side ("某某 版权所有 | Copyright @ 2015-2020")
        # are one copyright line: the first holder named, the years of both.
        start = s
        previous: _Raw | None = None
        for i in range(s, e + 1):
            if i == e or norm[i] in "|｜":
                if i > start and norm[start:i].strip():
                    found = _copyright_clause(line, starts, idx, raw, norm, start, i)
                    if found is None:
                        previous = None
                    elif previous is not None:
                        _merge(previous, found)
                    else:
                        raws.append(found)
                        previous = found
                start = i + 1


def _merge(into: _Raw, other: _Raw) -> None:
    a, b = into.mark, other.mark
    a.text = f"{a.text} | {b.text}"
    a.holder = a.holder or b.holder
    a.years = sorted({*a.years, *b.years})
    a.sponsor = a.sponsor or b.sponsor
    into.segs.extend(s for s in other.segs if all(s is not t for t in into.segs))


def _copyright_clause(line: Line, starts: list[int], idx: list[int], raw: str, norm: str,
                      s: int, e: int) -> _Raw | None:
    text = norm[s:e]
    if not has_copyright_trigger(text):
        return None
    parsed = find_copyright(text)
    if parsed is None:
        return None
    lead = len(text) - len(text.lstrip())
    span = _Span(line, starts, idx, raw, s + lead, e - (len(text) - len(text.rstrip())) or e)
    if span.hidden:
        return None
    el = span.element()
    mark = CopyrightLine(parsed.text, parsed.holder, parsed.years, sponsor=parsed.sponsor,
                         evidence=fragment(el))
    return _Raw(mark, list(span.segs), _block_of(el))


def _image_links(tree: PageTree, ext: Extraction) -> None:
    for img, link, _order in tree.mark_images:
        href = link.get("href") or ""
        if host_of(href) not in _MIIT_HOSTS:
            continue
        text = "".join(link.itertext())
        labelled = (img.get("alt") or "").strip() or (img.get("title") or "").strip()
        if "ICP" in text.upper() or labelled:
            continue
        ext.image_links.append((href, fragment(link)))
        ext.blocks.append(_block_of(link))


def _gov_badges(tree: PageTree, ext: Extraction) -> None:
    linked: set[int] = set()
    for link in tree.gov_links:
        href = link.get("href") or ""
        if not host_of(href).endswith(GOV_BADGE_HOST_SUFFIX):
            continue
        imgs = [img for img in link.iter("img") if _img_ok(img)]
        linked.update(id(img) for img in link.iter("img"))
        ctx = context_of(tree, link)
        if imgs and ctx is not None and not ctx[1] and not is_hidden(link):
            ext.gov_badges.append((href, fragment(link)))
            ext.blocks.append(_block_of(link))
    for img in tree.gov_images:
        if id(img) not in linked and _img_ok(img):
            ext.gov_badges_unlinked.append(fragment(img))
            ext.blocks.append(_block_of(img))
    for script in tree.scripts if tree.conac else ():
        src = script.get("src") or ""
        if GOV_BADGE_HOST_SUFFIX in src or "_ideConac" in (script.text or ""):
            ext.gov_badge_script = True
            ext.blocks.append(_block_of(script))
            break


def _gongan_badges(tree: PageTree, raws: list[_Raw], rendered: bool) -> None:
    """公安 badges linked to the platform with no number shown as text: a mark of its own
    (`wording="badge"`, no code), so that the page is not read as having no 公安 mark at all."""
    linked = {r.mark.link for r in raws if isinstance(r.mark, GonganMark)}
    for img, link, _order in tree.mark_images:
        href = link.get("href") or ""
        if host_of(href) not in _GONGAN_HOSTS or href in linked or _link_text(link):
            continue
        ctx = context_of(tree, link)
        if ctx is None:
            continue
        linked.add(href)
        _link, hidden, footer, sidebar = ctx
        hidden = hidden or is_hidden(link) or is_hidden(img)
        label = (img.get("alt") or "").strip() or (img.get("title") or "").strip()
        seg = Seg(label, link, link, hidden, footer, sidebar, tree.order_of(link), in_image=True)
        mark = GonganMark(
            number=label, code=None, valid=False, link=href, icon=_img_ok(img),
            visible=False if hidden else (True if rendered else None), evidence=fragment(link),
            text=label, selector=selector(link), wording="badge",
        )
        raws.append(_Raw(mark, [seg], _block_of(link)))


def _link_text(link: Element) -> str:
    return "".join(link.itertext()).strip()


def _resolve_footer(raws: list[_Raw], tree: PageTree, ext: Extraction) -> None:
    kept = {id(s.footer): s.footer for r in raws for s in r.segs if s.footer is not None}
    orders = [o for el, o in tree.candidates if id(el) in kept]
    last_start = max(orders) if orders else None

    def in_footer(segs: list[Seg]) -> bool:
        seg = segs[0]
        if last_start is None:
            return not seg.sidebar
        return seg.footer is not None or seg.order >= last_start

    f = ext.findings
    for r in raws:
        r.mark.in_footer = in_footer(r.segs)
        if isinstance(r.mark, IcpMark):
            f.icp.append(r.mark)
        elif isinstance(r.mark, GonganMark):
            f.gongan.append(r.mark)
        else:
            f.copyright.append(r.mark)
        ext.blocks.append(r.block)
    ext.footers = list(kept.values())
    for fr in tree.frames:
        infoot = (fr.footer is not None or (last_start is not None and fr.order >= last_start)
                  if last_start is not None else not fr.sidebar)
        if fr.cross_origin and infoot:
            ext.cross_frames.append((fr.src, fragment(fr.el)))
            ext.blocks.append(_block_of(fr.el))


M = TypeVar("M", IcpMark, GonganMark)


def _dedupe(f: Findings) -> None:
    def squash(marks: list[M], key: Callable[[M], str]) -> list[M]:
        shown = {key(m) for m in marks if m.visible is not False}
        seen: set[tuple[str, str | None, bool, bool | None]] = set()
        out: list[M] = []
        for m in marks:
            k = key(m)
            if m.visible is False and k in shown:
                continue  # a hidden duplicate of a displayed mark (docs/marks.md §1: not counted)
            full = (k, m.link, m.in_footer, m.visible)
            if full in seen:
                continue
            seen.add(full)
            out.append(m)
        return out

    f.icp = squash(f.icp, lambda m: m.number)
    f.gongan = squash(f.gongan, lambda m: m.number)
    seen_c = set()
    cps = []
    for c in f.copyright:
        if (c.text, c.in_footer) not in seen_c:
            seen_c.add((c.text, c.in_footer))
            cps.append(c)
    # A Chinese line and a Latin line side by side ("Copyright © Tencent" and "腾讯公司 版权所有"):
    # the line naming a Chinese holder comes first, as the filing subject is a Chinese name.
    cps.sort(key=lambda c: not (c.in_footer and c.holder and _CJK.search(c.holder)))
    f.copyright = cps
    seen_l = set()
    lics = []
    for lic in f.licences:
        if lic.number not in seen_l:
            seen_l.add(lic.number)
            lics.append(lic)
    f.licences = lics
