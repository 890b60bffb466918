"""Where the footer is: which elements name themselves a footer, and which look like a sidebar.

A footer candidate is a semantic `<footer>`, a `<center>`, or an element whose id/class/name reads
as a footer (`footer`, `foot`, the misspelt `footet`, `ft`, `fot`, `bottom`, `copyright`, `copy`,
`底部`). Header parts (`header-bottom`) are not. The extractor then keeps the candidates
that hold a mark and treats everything after the last of them as bottom of page too; on a page with
no such candidate, the block that holds the marks is the footer unless it sits in a sidebar.
"""

from __future__ import annotations

import re

from rules.model import Element

__all__ = ["is_footer_candidate", "is_sidebar", "tokens"]

_SPLIT = re.compile(r"[^a-z0-9]+")
_FOOTER_TOKENS = frozenset({
    "ft", "fot", "foot", "footer", "footet", "bottom", "btm", "copyright", "copyrights", "copy",
    "dibu", "banquan", "bq",
})
_NOT_FOOTER = frozenset({"header", "head", "top", "nav", "menu", "navbar", "topbar"})
_SIDEBAR_TOKENS = frozenset({
    "side", "sidebar", "aside", "left", "right", "sidenav", "news", "marquee", "scroll", "demo",
    "friend", "friends", "partner", "partners", "links", "flink", "yqlj", "list", "ranking",
})
_SIDEBAR_TAGS = frozenset({"aside", "nav"})


def tokens(el: Element) -> set[str]:
    """Lower-case tokens of an element's id and class (`g-ft-b` gives g, ft, b)."""
    raw = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    return {t for t in _SPLIT.split(raw) if t}


def is_footer_candidate(el: Element) -> bool:
    tag = el.tag
    if tag == "footer" or tag == "center":
        return True
    if el.get("name") == "底部" or el.get("role") == "contentinfo":
        return True
    toks = tokens(el)
    if not toks or toks & _NOT_FOOTER:
        return False
    if toks & _FOOTER_TOKENS:
        return True
    return any(t.startswith("foot") or t.endswith("footer") for t in toks)


def is_sidebar(el: Element) -> bool:
    if el.tag in _SIDEBAR_TAGS:
        return True
    toks = tokens(el)
    return bool(toks & _SIDEBAR_TOKENS) or any(
        t.startswith(("sidebar", "left", "right")) for t in toks)
