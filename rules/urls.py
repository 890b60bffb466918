"""URL helpers the extraction and the rules share (kept apart so that listing the rules does not
load the HTML parser)."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["host_of"]


def host_of(url: str | None) -> str:
    """The lower-case host of `url`, "" when there is none or it does not parse."""
    if not url:
        return ""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
