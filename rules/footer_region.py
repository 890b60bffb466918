"""Where to photograph a rendered page's footer: the clip box of the evidence screenshot.

`footer_region(html)` reads the layout the probe wrote into the rendered HTML (`data-fa-box` on
elements, `data-fa-doc` on `<html>`, see rules/model.py) and finds the footer the same way the
audit does (`rules.extract.extract`): the footer candidates that hold marks, else the blocks that
carry marks outside a sidebar, else every block with a mark. The box is the union of their shown
elements' boxes plus a margin, clamped to the document; with no marks at all (`icp_missing`), the
bottom band of the document. A region taller than `max_height` keeps the part ending at the marks.
An unrendered page (no `data-fa-doc`) has no region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rules.extract import Extraction, extract, layout_floats
from rules.footer import is_sidebar
from rules.model import ATTR_BOX, ATTR_DOC, ATTR_VISIBLE, Element, PageInput

__all__ = ["BOTTOM_BAND", "MARGIN", "MAX_HEIGHT", "MAX_WIDTH", "Region", "footer_region"]

MARGIN = 16  # CSS pixels around the footer, so a badge's edge or a covering bar's top shows
MAX_HEIGHT = 1200  # a footer taller than this is a sitemap, not a footer: keep the marks' part
MAX_WIDTH = 1920  # a page wider than its viewport (a stray wide element) is not photographed whole
BOTTOM_BAND = 480  # without marks, the last pixels of the document: where the marks should be


@dataclass(frozen=True)
class Region:
    """A clip box in CSS pixels, document coordinates; `basis` says what it frames:
    `footer` (footer candidates with marks), `marks` (blocks with marks) or `bottom`."""

    x: int
    y: int
    width: int
    height: int
    basis: str

    def box(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]


def _boxes(elements: list[Element]) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of every shown, annotated element in these subtrees."""
    out = []
    for holder in elements:
        for el in holder.iter():
            if not isinstance(el.tag, str) or el.get(ATTR_VISIBLE) == "0":
                continue
            box = layout_floats(el.get(ATTR_BOX), 4)
            if box is None or box[2] <= 0 or box[3] <= 0:
                continue
            out.append((box[0], box[1], box[0] + box[2], box[1] + box[3]))
    return out


def _in_sidebar(el: Element) -> bool:
    return any(is_sidebar(a) for a in (el, *el.iterancestors()))


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def footer_region(html: str, *, margin: int = MARGIN, max_height: int = MAX_HEIGHT,
                  max_width: int = MAX_WIDTH, band: int = BOTTOM_BAND,
                  extraction: Extraction | None = None) -> Region | None:
    """The clip box framing the footer of a rendered page (None without layout facts);
    `extraction`: the page's `extract()` when the caller has it (the audit's)."""
    ext = extraction if extraction is not None else extract(
        PageInput(url="", html=html, rendered=True))
    doc = layout_floats(ext.tree.root.get(ATTR_DOC), 4)
    if doc is None:
        return None
    doc_w, doc_h, view_w = doc[0], doc[1], doc[2]
    if doc_w < 1 or doc_h < 1:
        return None
    blocks = [b for b in ext.blocks if b is not None and isinstance(b.tag, str)]
    mark_boxes = _boxes(blocks)
    boxes, basis = _boxes(ext.footers), "footer"
    if not boxes:
        boxes = _boxes([b for b in blocks if not _in_sidebar(b)]) or mark_boxes
        basis = "marks"
    if boxes:
        x0, y0, x1, y1 = _union(boxes)
        x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    else:
        basis = "bottom"
        x0, y0, x1, y1 = 0.0, doc_h - band, min(view_w, doc_w) or doc_w, doc_h
    x0, y0 = max(0.0, x0), max(0.0, y0)
    x1, y1 = min(doc_w, x1), min(doc_h, y1)
    if y1 - y0 > max_height:
        # Keep the window ending just below the marks (footers put them last).
        end = y1
        if mark_boxes:
            end = min(y1, max(b[3] for b in mark_boxes) + margin)
        y0 = max(y0, end - max_height)
        y1 = y0 + max_height
    x1 = min(x1, x0 + max_width)
    x, y = math.floor(x0), math.floor(y0)
    # Whole pixels covering the box, never beyond the caps (rounding may add one).
    width = min(min(math.ceil(x1), math.floor(doc_w)) - x, max_width)
    height = min(min(math.ceil(y1), math.floor(doc_h)) - y, max_height)
    if width < 1 or height < 1:
        return None
    return Region(x, y, width, height, basis)
