"""URL helpers the extraction, the rules and the crawl share (kept apart so that listing the rules
does not load the HTML parser).

`host_of` is the one way the project reads the host of a URL: lower-case, without port or
trailing dot, an internationalised name in its A-label form (`例子.中国` ->
`xn--fsqu00a.xn--fiqs8s`, IDNA 2008 with the UTS 46 mapping). That is the form requests go out in
(Scrapy and Chromium send A-labels) and the form a portfolio holds, so the host of a fetched URL
compares equal to the name the portfolio gives, and a link host to the ASCII hosts of
`rules/data.py`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import idna

__all__ = ["host_ascii", "host_of"]


def host_ascii(host: str) -> str:
    """A host in A-label form (`例子.中国` -> `xn--fsqu00a.xn--fiqs8s`); a host that does not
    encode is returned as it is (it then matches no name given in ASCII)."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host


def host_of(url: str | None) -> str:
    """The host of `url` as described above; "" when there is none or the URL does not parse."""
    if not url:
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host_ascii(host.rstrip(".").lower())
