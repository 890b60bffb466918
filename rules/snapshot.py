"""A compact copy of a page's footer for the report store: re-auditable with newer rules.

`footer_snapshot(html)` keeps the footer candidates that hold marks, every block that carries a
mark (with its parent, so neighbouring badges stay), cross-origin footer iframes and image-only
filing links, each with its full subtree and attributes (layout attributes included). Their
ancestors are kept as empty shells with their attributes, so hidden-ness, footer membership and
sidebar context read the same; everything else is dropped. `audit_page` on the snapshot therefore
finds the same marks and violations as on the full page.
"""

from __future__ import annotations

import copy

from lxml import html as lxml_html

from rules.extract import Extraction, extract
from rules.model import PageInput

__all__ = ["footer_snapshot"]

_EMPTY = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body></body></html>'


def footer_snapshot(html: str, url: str = "", *, extraction: Extraction | None = None) -> str:
    """`extraction`: `extract()` of this page when the caller already has it (the audit's)."""
    ext = extraction if extraction is not None else extract(PageInput(url=url, html=html))
    root = ext.tree.root
    chosen = []
    for el in [*ext.footers, *ext.blocks]:
        if el is None or not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        if parent is not None and parent.tag not in ("body", "html"):
            el = parent  # keep siblings: a badge next to the link, a label before the number
        chosen.append(el)
    if not chosen:
        return _EMPTY
    new_root = copy.deepcopy(root)
    # Walk both trees in step (deepcopy keeps order) and prune in the copy. `pairs` keeps every
    # element proxy alive, so the id()s below stay unique (lxml recycles unreferenced proxies).
    pairs = list(zip(root.iter(), new_root.iter(), strict=True))
    keep: set[int] = set()
    shells: set[int] = set()
    for el in chosen:
        keep.add(id(el))
        node = el.getparent()
        while node is not None:
            shells.add(id(node))
            node = node.getparent()
    drop = []
    inside: set[int] = set()
    for old, new in pairs:
        parent = old.getparent()
        if parent is not None and (id(parent) in keep or id(parent) in inside):
            inside.add(id(old))
            continue
        if id(old) in keep:
            continue
        if id(old) in shells:
            if isinstance(new.tag, str) and new.tag != "head":
                new.text = None
            continue
        drop.append(new)
    for new in drop:
        parent = new.getparent()
        if parent is not None:
            parent.remove(new)  # removes its tail too: text of an ancestor shell
    head = new_root.find("head")
    if head is not None:
        for child in list(head):
            head.remove(child)
        head.text = None
    else:
        head = lxml_html.Element("head")
        new_root.insert(0, head)
    meta = lxml_html.Element("meta", charset="utf-8")
    head.insert(0, meta)
    body: str = lxml_html.tostring(new_root, encoding="unicode")
    return "<!DOCTYPE html>\n" + body
