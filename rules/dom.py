"""Parse a page once and walk it once into lines of displayed text.

A *line* is a run of text between block boundaries (block elements, `<br>`, images), made of
*segments*: each piece of text with the element that shows it, the link around it, whether it is
hidden and whether it is inside a footer candidate. Text joined across inline elements gets no
invented spaces. `<script>`, `<style>`, `<template>`, `<noscript>`, `<select>` and comments are not
displayed text; hidden elements (inline `display:none`, `visibility:hidden`, the `hidden`
attribute, `data-fa-visible="0"` from the layout probe) are walked but flagged. Image `alt`/`title`
become a line of their own, and `srcdoc` iframes are walked in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import parsel
from lxml import etree
from lxml import html as lxml_html

from rules.footer import is_footer_candidate, is_sidebar
from rules.model import ATTR_VISIBLE

__all__ = [
    "BLOCK_TAGS", "URL_IN_JS", "FrameInfo", "Line", "PageTree", "Seg", "fragment", "parse_html",
    "selector", "walk",
]

_SKIP = frozenset({"script", "style", "template", "noscript", "select", "textarea", "head",
                   "title", "meta", "link", "object", "svg", "math", "iframe", "frame"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
URL_IN_JS = re.compile(r"""https?://[^\s'"()<>]+|//[a-z0-9.-]+\.[a-z]{2,}[^\s'"()<>]*""", re.I)


@dataclass(eq=False)
class Seg:
    text: str
    el: object  # the element whose .text or child's .tail this is
    link: object | None  # nearest <a href> (or element with onclick) around the text
    hidden: bool
    footer: object | None  # outermost footer candidate around the text
    sidebar: bool
    order: int  # document order of the element
    in_image: bool = False
    prev: object | None = None  # for a tail: the element right before the text


@dataclass(eq=False)
class FrameInfo:
    el: object
    src: str
    cross_origin: bool
    footer: object | None
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
    root: object
    lines: list[Line] = field(default_factory=list)
    candidates: list[tuple[object, int]] = field(default_factory=list)  # (element, order)
    frames: list[FrameInfo] = field(default_factory=list)
    mark_images: list[tuple[object, object | None, int]] = field(default_factory=list)
    scripts: list[object] = field(default_factory=list)
    displayed_chars: int = 0


def parse_html(html: str):
    """The lxml root of any text: broken markup, empty strings and junk give a usable tree."""
    if not isinstance(html, str):
        html = str(html or "")
    # Lone surrogates (junk decoded as text) cannot be encoded for the parser.
    clean = html.encode("utf-8", "replace").decode("utf-8")
    try:
        root = parsel.Selector(text=clean or "<html></html>", type="html").root
    except (ValueError, etree.ParserError, etree.XMLSyntaxError):
        root = None
    if root is None or not isinstance(root.tag, str):
        root = lxml_html.document_fromstring("<html><body></body></html>")
    return root


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None or el.get(ATTR_VISIBLE) == "0":
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _link_of(el):
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


def walk(root, page_url: str = "") -> PageTree:
    """Walk the tree once, depth first, without recursion (deep junk markup is common)."""
    tree = PageTree(root)
    lines = tree.lines
    current: list[Seg] = []
    page_origin = _origin(page_url)[1]
    order = 0

    def flush() -> None:
        nonlocal current
        if current:
            lines.append(Line(current))
            current = []

    # Stack items: ("el", element, ctx) or ("end", element, ctx) or ("tail", element, ctx).
    # ctx = (link, hidden, footer, sidebar)
    stack: list[tuple[str, object, tuple]] = [("el", root, (None, False, None, False))]
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
                if not hidden:
                    tree.displayed_chars += len(tail.strip())
            continue
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        order += 1
        tag = tag.lower() if tag else ""
        if tag == "script":
            tree.scripts.append(el)
        if tag in ("iframe", "frame"):
            _frame(tree, el, page_origin, footer, sidebar, order, link, hidden, stack)
            continue
        if tag in _SKIP:
            continue
        hidden = hidden or _is_hidden(el)
        own_link = _link_of(el)
        if own_link is not None:
            link = own_link
        sidebar = sidebar or is_sidebar(el)
        if footer is None and not sidebar and is_footer_candidate(el):
            footer = el
            tree.candidates.append((el, order))
        new_ctx = (link, hidden, footer, sidebar)
        if tag == "img":
            alt = (el.get("alt") or "").strip() or (el.get("title") or "").strip()
            flush()
            if alt:
                current.append(Seg(alt, el, link, hidden, footer, sidebar, order, in_image=True))
                flush()
            if link is not None:
                tree.mark_images.append((el, link, order))
            continue
        if tag in BLOCK_TAGS:
            flush()
        if el.text:
            current.append(Seg(el.text, el, link, hidden, footer, sidebar, order))
            if not hidden:
                tree.displayed_chars += len(el.text.strip())
        stack.append(("end", el, new_ctx))
        for child in reversed(el):
            stack.append(("tail", child, new_ctx))  # a tail is the parent's text
            stack.append(("el", child, new_ctx))
    flush()
    return tree


def _frame(tree, el, page_origin, footer, sidebar, order, link, hidden, stack) -> None:
    srcdoc = el.get("srcdoc")
    if srcdoc:
        sub = parse_html(srcdoc)
        body = sub.find("body")
        node = body if body is not None else sub
        stack.append(("el", node, (link, hidden or _is_hidden(el), footer, sidebar)))
        return
    src = (el.get("src") or "").strip()
    if not src or src.startswith(("about:", "javascript:", "data:")):
        return
    _scheme, host = _origin(src)
    cross = bool(host) and host != page_origin
    tree.frames.append(FrameInfo(el, src, cross, footer, sidebar, order))


def fragment(el, limit: int = 600) -> str:
    """The element's HTML (without its tail), cut to `limit` characters."""
    try:
        text = lxml_html.tostring(el, encoding="unicode", with_tail=False)
    except (TypeError, ValueError):
        return ""
    return text if len(text) <= limit else text[:limit] + "…"


def selector(el) -> str:
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
