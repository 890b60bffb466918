"""Is Chinese text readable in a Chromium rendering, or drawn as boxes ("tofu")?

Without a font that has them, Chromium draws CJK characters with the missing-glyph box. The check
screenshots an element, replaces each of its CJK characters by a code point that no font has
(U+0378, unassigned: it is always drawn as that box) and screenshots it again: identical pixels
mean the characters were boxes. `fontless_config` writes a fontconfig file that offers Latin fonts
only, so a test can show that the check does fail without a CJK font.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["ARTIFACTS_ENV", "artifacts_dir", "fontless_config", "shows_tofu"]

ARTIFACTS_ENV = "FOOTER_AUDIT_ARTIFACTS"
PROBE = "\u0378"
_BOX_OUT = r"""(el, probe) => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    n.nodeValue = n.nodeValue.replace(/[\u3400-\u9fff\uf900-\ufaff]/g, probe);
  }
}"""
_LATIN_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
                    "/usr/share/fonts/dejavu")


def shows_tofu(page: Any, selector: str) -> bool:
    """True when the CJK characters inside `selector` render exactly as missing-glyph boxes.
    The element's text is modified: call it last."""
    element = page.locator(selector).first
    real = element.screenshot(animations="disabled")
    page.eval_on_selector(selector, _BOX_OUT, PROBE)
    boxed = element.screenshot(animations="disabled")
    return real == boxed


def fontless_config(tmp: Path) -> Path:
    """A fontconfig file offering only Latin fonts (no CJK font): set FONTCONFIG_FILE to it."""
    dirs = "".join(f"<dir>{d}</dir>" for d in _LATIN_FONT_DIRS if os.path.isdir(d))
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig>{dirs}<cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>",
                    encoding="utf-8")
    return conf


def artifacts_dir() -> Path:
    """Where tests keep files for people to look at (not committed): $FOOTER_AUDIT_ARTIFACTS,
    else test-artifacts/ in the checkout."""
    root = Path(__file__).resolve().parent.parent
    path = Path(os.environ.get(ARTIFACTS_ENV) or root / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path
