"""Which links a portfolio crawl follows, and how it samples a site's inner pages.

Pages sharing a URL shape usually share a template, so one page of each shape is enough to
confirm that the homepage's footer is the site's (`crawl.inner_pages` shapes per host).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["followable", "template_key"]

# Links to files, not pages: never requested.
_FILE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|zip|rar|gz|mp4|mp3|apk|exe|"
                       r"docx?|xlsx?|pptx?)$", re.IGNORECASE)
_ID_STEM = re.compile(r"[0-9a-f_-]{6,}", re.IGNORECASE)


def followable(url: str) -> bool:
    """An http(s) link to what may be a page (not an image, a script, an archive...)."""
    return url.startswith(("http://", "https://")) and not _FILE_EXT.search(urlsplit(url).path)


def template_key(url: str) -> str:
    """A URL's path shape: `/news/2024/0312.html` -> `/news/#/#.html`, `/about/team.html` ->
    `/about/*.html` (digits and hex ids are `#`, other names `*`, the first folder kept)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    shape = []
    for i, part in enumerate(parts):
        stem, dot, ext = part.rpartition(".")
        if not dot:
            stem, ext = part, ""
        if i == 0 and not stem.isdigit() and dot == "":
            shape.append(part.lower())
        elif stem.isdigit() or _ID_STEM.fullmatch(stem):
            shape.append("#" + (f".{ext.lower()}" if dot else ""))
        else:
            shape.append("*" + (f".{ext.lower()}" if dot else ""))
    return "/" + "/".join(shape)
