"""The `--render auto` decision: does this static HTML need a browser to show its footer?

True when the page shows no filing marks in its displayed text but is script-driven: an SPA mount
point (`<div id="app"></div>`, `id="root"`, `__next`, `__nuxt`) with little text, `document.write`,
footer containers that are empty, scripts that mention footer / ICP / 备案 / beian, or a
`<noscript>` asking for JavaScript. A page that shows its marks statically, or a plain static page
with no marks and no scripts, gains nothing from rendering: False.
"""

from __future__ import annotations

import re

from rules.extract import Extraction, extract
from rules.model import PageInput

__all__ = ["needs_rendering"]

_MOUNT_IDS = frozenset({"app", "root", "__next", "__nuxt", "q-app", "main-app", "application"})
_SCRIPT_HINT = re.compile(r"footer|icp|beian|备案|公网安|miit|copyright|版权", re.I)
_NOSCRIPT_HINT = re.compile(r"javascript|enable|启用|开启|支持", re.I)
_WRITES_SCRIPT = re.compile(r"%3Cscript|<\\?/?script", re.I)
_LITTLE_TEXT = 200  # displayed characters below which a mount point means "drawn by script"


def needs_rendering(html: str, *, extraction: Extraction | None = None) -> bool:
    """`extraction`: the static page's `extract()` when the caller already has it."""
    ext = extraction if extraction is not None else extract(PageInput(url="", html=html))
    f = ext.findings
    if any(m.visible is not False for m in f.icp) or any(g.visible is not False for g in f.gongan):
        return False
    tree = ext.tree
    root = tree.root
    scripts = tree.scripts
    if not scripts:
        return False
    for el in root.iter("div", "main", "section", "body"):
        if (el.get("id") or "") in _MOUNT_IDS and tree.displayed_chars < _LITTLE_TEXT:
            return True
    for el in scripts:
        code = el.text or ""
        if _SCRIPT_HINT.search(code):
            return True
        if "document.write" in code and not _WRITES_SCRIPT.search(code):
            return True  # analytics snippets only write a <script> tag: not a footer
        if _SCRIPT_HINT.search(el.get("src") or ""):
            return True
    for el in tree.all_candidates():
        if not "".join(el.itertext()).strip() and not el.xpath(".//img"):
            return True
    return any(_NOSCRIPT_HINT.search("".join(el.itertext())) for el in root.iter("noscript"))
