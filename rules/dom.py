"""Parse a page once and walk the parts that can hold marks into lines of displayed text.

A first pass over the tree only tests each text for the characters a mark needs (ICP, 备, ©,
版权...); the blocks holding such text are then walked in detail, each with the context its
ancestors give it. A *line* is a run of text between block boundaries (block elements, `<br>`,
images), made of *segments*: each piece of text with the element that shows it, the link around
it, whether it is hidden and whether it is inside a footer candidate. Text joined across inline
elements gets no invented spaces. `<script>`, `<style>`, `<template>`, `<noscript>`, `<select>`
and comments (dropped by the parser) are not displayed text; hidden elements (inline
`display:none`, `visibility:hidden`, the `hidden` attribute, `data-fa-visible="0"` from the layout
probe) are walked but flagged. Image `alt`/`title` become a line of their own, and `srcdoc` iframes
are walked in place.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from rules.footer import is_footer_candidate, is_sidebar
from rules.model import ATTR_VISIBLE, Element

__all__ = [
    "BLOCK_TAGS", "MAX_DEPTH", "URL_IN_JS", "FrameInfo", "Line", "PageTree", "Seg", "context_of",
    "flatten_deep", "fragment", "is_hidden", "parse_html", "selector", "walk",
]

_SKIP = frozenset({"script", "style", "template", "noscript", "select", "textarea", "head",
                   "title", "meta", "link", "object", "svg", "math", "iframe", "frame"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# No id hash table (nothing looks elements up by id): a fifth of the parse time on large pages.
_PARSER = etree.HTMLParser(huge_tree=True, remove_pis=True, remove_comments=True,
                           collect_ids=False)
# Deeper pages are flattened below this depth before parsing (Chromium's limit is 512).
MAX_DEPTH = 512
_STRAY_HTML_END = re.compile(r"</html\s*>\s*(?:<!--.*?-->\s*)*[^\s]", re.I | re.S)
_HTML_END = re.compile(r"</html\s*>", re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "keygen", "frame"})
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noscript"})
# Cheap first pass: text holding none of these cannot hold a mark. Single characters where a key
# could be split across elements (版<b>权</b>), so the pass never misses what the walk would join.
_SCAN = re.compile(
    r"ICP|Ｉ|备|備|版|權|©|◎|@|opyright|OPYRIGHT|\([cC]\)|B2|B-|Ｂ|主办|网文|经营|许可|許可|标识|网警")
# The first characters of the keys above: a one-class search rejects most text faster.
_SCAN_FIRST = re.compile(r"[IＩ备備版權©◎@oO(BＢ主网经许許标]")
_SPECIAL = frozenset({"script", "iframe", "frame", "img", "a"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Pages larger than this are searched in their source text first (see walk).
BIG_PAGE = 500_000
# The scan's keys as they can appear in source text, including character references.
_SOURCE_SCAN = re.compile(
    _SCAN.pattern + r"|&copy;|&#169;|&#x[aA]9;|&#(?:x[0-9a-fA-F]{3,5}|\d{4,6});")
_HOST_KEYS = ("beian", "conac", "dzjg", "党政机关")
URL_IN_JS = re.compile(r"""https?://[^\s'"()<>]+|//[a-z0-9.-]+\.[a-z]{2,}[^\s'"()<>]*""", re.I)


# What a block's ancestors give the text inside it: (link, hidden, footer, sidebar).
Ctx = tuple[Element | None, bool, Element | None, bool]
# The walk's stack: ("el" | "end" | "tail", element, its context).
Item = tuple[str, Element, Ctx]


@dataclass(eq=False)
class Seg:
    text: str
    el: Element  # the element whose .text or child's .tail this is
    link: Element | None  # nearest <a href> (or element with onclick) around the text
    hidden: bool
    footer: Element | None  # outermost footer candidate around the text
    sidebar: bool
    order: int  # document order of the element
    in_image: bool = False
    prev: Element | None = None  # for a tail: the element right before the text


@dataclass(eq=False)
class FrameInfo:
    el: Element
    src: str
    cross_origin: bool
    footer: Element | None
    sidebar: bool
    order: int


@dataclass(eq=False)
class Line:
    segs: list[Seg]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass(eq=False)
class PageTree:
    root: Element
    lines: list[Line] = field(default_factory=list)
    # Footer candidates met on the way to and inside the walked blocks: (element, order).
    candidates: list[tuple[Element, int]] = field(default_factory=list)
    frames: list[FrameInfo] = field(default_factory=list)
    mark_images: list[tuple[Element, Element, int]] = field(default_factory=list)  # img, link
    _scripts: list[Element] | None = None
    # 党政机关网站标识: links to the identification service and images that look like its badge.
    gov_links: list[Element] = field(default_factory=list)
    gov_images: list[Element] = field(default_factory=list)
    conac: bool = True  # False when the source never names conac.cn (no badge script to look for)
    _orders: dict[int, tuple[Element, int]] = field(default_factory=dict)
    _elements: list[Element] | None = None

    def number(self, root: Element, elements: list[Element]) -> None:
        """Document order of `elements` and all their ancestors, in one pass over the tree.
        The elements are alive (the caller holds them), so their id()s are stable."""
        wanted: dict[int, Element] = {}
        for el in elements:
            node = el
            while node is not None and id(node) not in wanted:
                wanted[id(node)] = node
                node = node.getparent()
        if not wanted:
            return
        left = len(wanted)
        i = 0
        for el in root.iter():
            if el.tag.__class__ is not str:
                continue
            if id(el) in wanted and wanted[id(el)] is el:
                self._orders[id(el)] = (el, i)
                left -= 1
                if not left:
                    break
            i += 1

    def order_of(self, el: Element) -> int:
        """Document order of an element (0 for the root), computed only for the few that need it."""
        cached = self._orders.get(id(el))
        if cached is None or cached[0] is not el:
            try:
                # one list of the tree's elements (the proxies stay the same objects while
                # it holds them), then a C-speed identity search in it
                cached = (el, self.elements().index(el))
            except ValueError:  # not in this tree (a srcdoc frame's own document)
                cached = (el, int(el.xpath("count(preceding::*) + count(ancestor::*)")))
            self._orders[id(el)] = cached
        return cached[1]

    @property
    def scripts(self) -> list[Element]:
        """Every <script> element (collected by the walk, or found on first use)."""
        if self._scripts is None:
            self._scripts = list(self.root.iter("script"))
        return self._scripts

    def elements(self) -> list[Element]:
        """Every element of the tree in document order (built once, on first use)."""
        if self._elements is None:
            self._elements = list(self.root.iter(etree.Element))
        return self._elements

    def add_candidate(self, el: Element, order: int) -> None:
        if all(c is not el for c, _o in self.candidates):
            self.candidates.append((el, order))

    def all_candidates(self) -> list[Element]:
        """Every outermost footer candidate in the page (for the render decision)."""
        out: list[Element] = []
        for el in self.root.iter():
            if isinstance(el.tag, str) and is_footer_candidate(el) and not any(
                    a.tag == "footer" or is_footer_candidate(a) for a in el.iterancestors()):
                out.append(el)
        return out

    @property
    def displayed_chars(self) -> int:
        """Characters of displayed text in the body (for the render decision)."""
        body = self.root.find("body")
        if body is None:
            return 0
        total = 0
        stack = [body]
        while stack:
            el = stack.pop()
            if not isinstance(el.tag, str) or el.tag in _SKIP or _is_hidden(el):
                if el.tail and el is not body:
                    total += len(el.tail.strip())
                continue
            if el.text:
                total += len(el.text.strip())
            if el.tail and el is not body:
                total += len(el.tail.strip())
            stack.extend(el)
        return total


def parse_html(html: str) -> Element:
    """The lxml root of any text: broken markup, empty strings and junk give a usable tree.

    lxml's own HTML parser (the one parsel wraps) is used directly: parsel's extra encoding round
    trip and lxml.html's element-class lookup cost more than the whole audit on large pages.
    """
    return parse_page(html)[0]


def parse_page(html: str) -> tuple[Element, str | None]:
    """`parse_html`, plus the text whose lines the tree's `sourceline`s count (None when the
    parsed text is not line for line the input: junk, flattened deep markup)."""
    if not isinstance(html, str):
        html = str(html or "")
    root, source = None, None
    if html.strip():
        try:
            root, source = _parse(html)
        except (ValueError, UnicodeError, etree.ParserError, etree.XMLSyntaxError):
            root = None
    if root is None or not isinstance(root.tag, str):
        root, source = etree.fromstring("<html><body></body></html>", _PARSER), None
    return root, source


def _parse(html: str) -> tuple[Element, str | None]:
    if "\x00" in html:
        html = html.replace("\x00", "")
    end = min((i for i in (html.find("</html"), html.find("</HTML")) if i >= 0), default=-1)
    if end >= 0 and _STRAY_HTML_END.search(html, end) is not None:
        # libxml2 drops everything after `</html>`; a browser ignores the tag and goes on (a
        # header include that closes the document early keeps the whole page in the browser).
        html = _HTML_END.sub("", html)
    root = _fromstring(html)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log):
        # Deeper than libxml2's limit (2048 even with huge_tree): the rest of the page was
        # dropped. Parse again with the deep part flattened, as browsers do past their own limit.
        return _fromstring(flatten_deep(html)), None
    return root, html


def _fromstring(html: str) -> Element:
    try:
        return etree.fromstring(html, _PARSER)
    except UnicodeEncodeError:
        # Lone surrogates (junk decoded as text) cannot go through the parser: replace them.
        return etree.fromstring(html.encode("utf-8", "replace").decode("utf-8"), _PARSER)


def flatten_deep(html: str, limit: int = MAX_DEPTH) -> str:
    """`html` with elements nested deeper than `limit` made siblings instead of descendants.

    Chromium does the same past 512 levels (its elements then sit side by side at the limit), so
    the text, links and images of a deep footer stay in the document. Raw-text elements (script,
    style...) are skipped whole; end tags of flattened elements are dropped.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, closed early by flattening)
    open_count: dict[str, int] = {}  # open elements per tag: an unmatched end tag costs O(1)
    pos = 0
    depth = 0
    deep_open: str | None = None  # the element open at the limit, closed before the next one
    skip = 0  # end of the raw-text element (script, style...) last met
    for m in _TAG.finditer(html):
        if m.start() < skip:
            continue
        name = m.group(2).lower()
        if m.group(1):  # end tag
            if not open_count.get(name):
                continue
            out.append(html[pos:m.start()])
            pos = m.end()
            while stack:
                tag, flattened = stack.pop()
                open_count[tag] -= 1
                depth -= 1
                if tag == name:
                    if not flattened or deep_open == name:
                        out.append(m.group(0))
                    if deep_open == name:
                        deep_open = None
                    break
            continue
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        end = m.end()
        if name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.I).search(html, m.end())
            end = skip = close.end() if close else len(html)
            if depth < limit:
                continue
        if depth >= limit:
            out.append(html[pos:m.start()])
            if deep_open is not None:
                out.append(f"</{deep_open}>")
            out.append(html[m.start():end])
            pos = end
            deep_open = None if name in _RAW_TEXT else name
            if name not in _RAW_TEXT:
                stack.append((name, True))
                open_count[name] = open_count.get(name, 0) + 1
                depth += 1
            continue
        if name not in _RAW_TEXT:
            stack.append((name, False))
            open_count[name] = open_count.get(name, 0) + 1
            depth += 1
    out.append(html[pos:])
    return "".join(out)


def is_hidden(el: Element) -> bool:
    """Hidden by the element's own markup (inline style, `hidden`, the layout probe's "0")."""
    return _is_hidden(el)


def _is_hidden(el: Element) -> bool:
    if el.get("hidden") is not None or el.get(ATTR_VISIBLE) == "0":
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _hidden_after(hidden: bool, el: Element) -> bool:
    """Whether text under `el` is hidden, given its parent's state.

    On a rendered page the layout probe's verdict on the nearest annotated element decides (a
    zero-size link around floated children is "0" while the text inside it shows); inline styles
    and the `hidden` attribute are inherited."""
    probe: str | None = el.get(ATTR_VISIBLE)
    if probe is not None:
        return probe == "0"
    return hidden or _is_hidden(el)


def _link_of(el: Element) -> Element | None:
    if el.tag == "a" and (el.get("href") is not None or el.get("onclick")):
        return el
    if el.get("onclick") and URL_IN_JS.search(el.get("onclick")):
        return el
    return None


def _origin(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", ""
    return parts.scheme.lower(), (parts.hostname or "").lower()


def walk(root: Element, page_url: str = "", source: str | None = None) -> PageTree:
    """One cheap pass over the tree finds the blocks whose text could hold a mark; only those are
    walked in detail, each with the context (hidden, link, footer, sidebar) of its ancestors.

    On a large page, `source` (the text the tree was parsed from, see `parse_page`) replaces the
    pass over every element: the keys are searched in the source text, and only the elements on
    the lines of the hits are read (reading every element's text costs more than the parse)."""
    tree = PageTree(root)
    page_origin = _origin(page_url)[1]
    hot: list[Element] = []
    frames: list[Element] = []
    first, full = _SCAN_FIRST.search, _SCAN.search  # two-stage: a class search, then the keys
    by_lines = _hot_by_lines(tree, source) if source and len(source) > BIG_PAGE else None
    if source is not None:
        tree.conac = "conac" in source
    if by_lines is not None:
        found, near = by_lines
        hot.extend(found)
        for el in near:  # images and links on the lines of keys and link hosts
            if el.tag in ("img", "a"):
                _special(tree, el, el.tag, full, hot, frames)
        frames.extend(root.iter("iframe", "frame"))
    else:
        tree._scripts = []
        for el in root.iter():
            tag = el.tag
            if tag.__class__ is not str:  # comment or PI: only its tail is displayed text
                tail = el.tail
                if tail and first(tail) and full(tail):
                    hot.append(el.getparent())
                continue
            text = el.text
            if text and first(text) and full(text):
                hot.append(el)
            tail = el.tail
            if tail and first(tail) and full(tail):
                hot.append(el.getparent())
            if tag in _SPECIAL:
                _special(tree, el, tag, full, hot, frames)
    for fr in frames:
        if fr.get("srcdoc"):
            hot.append(fr)
    blocks = _hot_blocks(root, hot)
    if by_lines is None:
        tree.number(root, [*blocks, *frames])
    for block in sorted(blocks, key=lambda b: tree.order_of(b)):
        ctx = context_of(tree, block)
        if ctx is not None:
            _walk_from(tree, block, ctx, tree.order_of(block), page_origin)
    for fr in frames:
        if fr.get("srcdoc"):
            continue
        ctx = context_of(tree, fr)
        if ctx is not None:
            _frame_info(tree, fr, page_origin, ctx[2], ctx[3], tree.order_of(fr))
    return tree


def _special(tree: PageTree, el: Element, tag: str,
             full: Callable[[str], re.Match[str] | None], hot: list[Element],
             frames: list[Element]) -> None:
    if tag == "script":
        if tree._scripts is not None:  # the walk started the list
            tree._scripts.append(el)
    elif tag == "img":
        label = f"{el.get('alt') or ''}{el.get('title') or ''}"
        if label and full(label):
            hot.append(el)
        src = el.get("src") or ""
        if "conac" in src or "党政机关" in label or "dzjg" in src:
            tree.gov_images.append(el)
    elif tag == "a":
        href = el.get("href") or ""
        if "beian" in href:  # beian.miit.gov.cn and the retired mii(t)beian hosts
            tree.mark_images.extend((img, el, 0) for img in el.iter("img"))
        elif "conac" in href:
            tree.gov_links.append(el)
    else:
        frames.append(el)


def _hot_by_lines(tree: PageTree, source: str) -> tuple[list[Element], list[Element]] | None:
    """Elements whose text or tail holds a key, found from the key's line in `source`, and every
    element read on those lines (and on lines naming a filing or badge host); None when lines
    cannot be trusted (lone CR line breaks, libxml2's 65,535-line limit on line numbers) or the
    keys are everywhere (then the full pass is as cheap)."""
    lines = source.count("\n")
    if lines >= 65_000 or source.count("\r") != source.count("\r\n"):
        return None
    hits = [m.start() for m in _SOURCE_SCAN.finditer(source)]
    if len(hits) > 2_000:
        return None
    for key in _HOST_KEYS:  # literal finds: far cheaper than a regex alternation
        at = source.find(key)
        while at >= 0:
            hits.append(at)
            at = source.find(key, at + 1)
    if not hits:
        return [], []
    hot_lines: list[int] = []
    line, pos = 1, 0
    for at in sorted(set(hits)):
        line += source.count("\n", pos, at)
        pos = at
        if not hot_lines or hot_lines[-1] != line:
            hot_lines.append(line)
    elements = tree.elements()
    full = _SCAN.search
    seen: set[int] = set()
    out: list[Element] = []
    near: list[Element] = []
    for line in hot_lines:
        # The text holding a key on line L belongs to an element starting on L, or to the last
        # element starting before L, or is the tail of one of their ancestors.
        i = bisect_left(elements, line - 1, key=_line_of)
        lo = max(0, i - 1)
        j = bisect_right(elements, line, key=_line_of, lo=i)
        for el in elements[lo:j]:
            node = el
            while node is not None and id(node) not in seen:
                seen.add(id(node))
                near.append(node)
                text, tail = node.text, node.tail
                if text and full(text):
                    out.append(node)
                if tail and full(tail):
                    out.append(node.getparent())
                node = node.getparent()
    return out, near


def _line_of(el: Element) -> int:
    return el.sourceline or 0


def _hot_blocks(root: Element, hot: list[Element]) -> list[Element]:
    """The nearest block ancestor of each hot element, outermost only, none inside skipped tags."""
    found: dict[int, Element] = {}
    for el in hot:
        if el is None:
            continue
        node, block = (el.getparent() if el.tag in ("iframe", "frame") else el), None
        skipped = False
        while node is not None:
            tag = node.tag
            if tag in _SKIP:
                skipped = True
                break
            if block is None and tag in BLOCK_TAGS:
                block = node
            node = node.getparent()
        if not skipped:
            block = block if block is not None else root
            found[id(block)] = block
    outer = []
    for block in found.values():
        node = block.getparent()
        while node is not None and id(node) not in found:
            node = node.getparent()
        if node is None:
            outer.append(block)
    return outer


def context_of(tree: PageTree, el: Element) -> Ctx | None:
    """(link, hidden, footer, sidebar) that `el`'s ancestors give it; None inside a skipped tag."""
    chain: list[Element] = []
    node = el.getparent()
    while node is not None:
        chain.append(node)
        node = node.getparent()
    link, hidden, footer, sidebar = None, False, None, False
    for node in reversed(chain):
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            return None
        hidden = _hidden_after(hidden, node)
        own = _link_of(node)
        if own is not None:
            link = own
        sidebar = sidebar or is_sidebar(node)
        if footer is None and not sidebar and is_footer_candidate(node):
            footer = node
            tree.add_candidate(node, tree.order_of(node))
    return link, hidden, footer, sidebar


def _walk_from(tree: PageTree, start: Element, ctx: Ctx, start_order: int,
               page_origin: str) -> None:
    """Depth-first walk of one block without recursion (deep junk markup is common)."""
    lines = tree.lines
    current: list[Seg] = []
    order = start_order - 1

    def flush() -> None:
        nonlocal current
        if current:
            lines.append(Line(current))
            current = []

    # Stack items: ("el" | "end" | "tail", element, ctx) with ctx = (link, hidden, footer, sidebar).
    stack: list[Item] = [("el", start, ctx)]
    while stack:
        kind, el, ctx = stack.pop()
        link, hidden, footer, sidebar = ctx
        if kind == "end":
            if el.tag in BLOCK_TAGS:
                flush()
            continue
        if kind == "tail":
            tail = el.tail
            parent = el.getparent()
            if tail and parent is not None:
                current.append(Seg(tail, parent, link, hidden, footer, sidebar, order, prev=el))
            continue
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        order += 1
        if tag in ("iframe", "frame"):
            _frame(tree, el, page_origin, footer, sidebar, order, link, hidden, stack)
            continue
        if tag in _SKIP:
            continue
        hidden = _hidden_after(hidden, el)
        own_link = _link_of(el)
        if own_link is not None:
            link = own_link
        sidebar = sidebar or is_sidebar(el)
        if footer is None and not sidebar and is_footer_candidate(el):
            footer = el
            tree.add_candidate(el, order)
        new_ctx = (link, hidden, footer, sidebar)
        if tag == "br" and link is not None:
            # A link holds one mark: a line break inside it (沪公网安备<br>3101…号) is a space.
            current.append(Seg(" ", el, link, hidden, footer, sidebar, order))
            continue
        if tag == "img":
            alt = (el.get("alt") or "").strip() or (el.get("title") or "").strip()
            flush()
            if alt:
                current.append(Seg(alt, el, link, hidden, footer, sidebar, order, in_image=True))
                flush()
            continue
        if tag in BLOCK_TAGS:
            flush()
        if el.text:
            current.append(Seg(el.text, el, link, hidden, footer, sidebar, order))
        stack.append(("end", el, new_ctx))
        for child in reversed(el):
            stack.append(("tail", child, new_ctx))  # a tail is the parent's text
            stack.append(("el", child, new_ctx))
    flush()


def _frame(tree: PageTree, el: Element, page_origin: str, footer: Element | None,
           sidebar: bool, order: int, link: Element | None, hidden: bool,
           stack: list[Item]) -> None:
    srcdoc = el.get("srcdoc")
    if srcdoc:
        sub = parse_html(srcdoc)
        body = sub.find("body")
        node = body if body is not None else sub
        stack.append(("el", node, (link, _hidden_after(hidden, el), footer, sidebar)))


def _frame_info(tree: PageTree, el: Element, page_origin: str, footer: Element | None,
                sidebar: bool, order: int) -> None:
    src = (el.get("src") or "").strip()
    if not src or src.startswith(("about:", "javascript:", "data:")):
        return
    _scheme, host = _origin(src)
    cross = bool(host) and host != page_origin
    tree.frames.append(FrameInfo(el, src, cross, footer, sidebar, order))


def fragment(el: Element, limit: int = 600) -> str:
    """The element's HTML (without its tail), cut to `limit` characters."""
    try:
        text: str = lxml_html.tostring(el, encoding="unicode", with_tail=False)
    except (TypeError, ValueError):
        return ""
    return text if len(text) <= limit else text[:limit] + "…"


def selector(el: Element) -> str:
    """A CSS path such as `div.footer > p:nth-of-type(2) > a`."""
    parts: list[str] = []
    node = el
    while node is not None and isinstance(node.tag, str) and node.tag not in ("html", "body"):
        part = node.tag
        if node.get("id") and " " not in node.get("id"):
            parts.append(f"{part}#{node.get('id')}")
            break
        cls = (node.get("class") or "").split()
        if cls:
            part += "." + ".".join(cls[:2])
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                part += f":nth-of-type({same.index(node) + 1})"
        parts.append(part)
        node = parent
    return " > ".join(reversed(parts)) or "body"
