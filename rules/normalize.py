"""Text normalisation before matching (docs/sources.md §2.7).

NFKC (full-width to half-width), traditional 備/號/證 and province characters, dash look-alikes to
`-`, zero-width characters dropped, every whitespace run collapsed to one space. `normalize_map`
also closes up letter-spaced Chinese (`版 权 所 有`) and returns, for each output character, the
index of the input character it came from, so that a
match in normalised text can be traced back to the elements that displayed it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rules.data import TRADITIONAL

__all__ = ["compact", "has_fullwidth", "normalize", "normalize_map"]

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_WS = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _norm_char(ch: str) -> str:
    if ch in _ZERO_WIDTH:
        return ""
    if ch in _DASHES:
        return "-"
    out = unicodedata.normalize("NFKC", ch)
    if len(out) == 1:
        out = TRADITIONAL.get(out, out)
        if out in _DASHES:
            out = "-"
        if out.isspace():
            return " "
    return out


def normalize_map(text: str) -> tuple[str, list[int]]:
    """Normalise `text`; return it with a list mapping each output char to its input index."""
    out: list[str] = []
    index: list[int] = []
    prev_space = True  # drop leading whitespace
    for i, ch in enumerate(text):
        n = _norm_char(ch)
        if not n:
            continue
        if n == " ":
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        for c in n:
            out.append(c)
            index.append(i)
    text = "".join(out)
    if " " in text and _LETTER_SPACED.search(text):
        text, index = _unspace(text, index)
    return text, index


# Four or more single Chinese characters each set apart by one space: letter-spaced text
# (`人 民 网 股 份 有 限 公 司 版 权 所 有`), read as the words it spells.
_LETTER_SPACED = re.compile(
    r"(?<![\u3400-\u9fff])[\u3400-\u9fff](?: [\u3400-\u9fff](?![\u3400-\u9fff])){3,}")


def _unspace(text: str, index: list[int]) -> tuple[str, list[int]]:
    drop: set[int] = set()
    for m in _LETTER_SPACED.finditer(text):
        drop.update(i for i in range(m.start(), m.end()) if text[i] == " ")
    keep = [i for i in range(len(text)) if i not in drop]
    return "".join(text[i] for i in keep), [index[i] for i in keep]


_TRANS = str.maketrans({**TRADITIONAL, **{d: "-" for d in _DASHES}, **{z: "" for z in _ZERO_WIDTH}})


def normalize(text: str) -> str:
    """Normalised text with whitespace collapsed (fast path, no index map)."""
    text = unicodedata.normalize("NFKC", text.translate(_TRANS)).translate(_TRANS)
    return _WS.sub(" ", text).strip()


def compact(text: str) -> str:
    """Normalised text with no whitespace at all: how marks are stored (`京ICP备12345678号-1`)."""
    return _WS.sub("", normalize(text))


def has_fullwidth(raw: str) -> bool:
    """True when `raw` uses full-width ASCII forms (ＩＣＰ１２３) that NFKC folds."""
    return any("\uff01" <= ch <= "\uff5e" for ch in raw)
