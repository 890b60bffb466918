"""The name of the charset a page declares, for reports ("gbk", "gb2312", "utf-8").

Scrapy decodes with w3lib, which reads GBK and GB2312 as their superset GB18030 (right for
decoding). Reports name what the page itself declares, in the order browsers follow: byte order
mark, then the Content-Type header, then ``<meta>`` (wherever it sits in the head, even after
``<title>``).
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, read_bom

__all__ = ["declared_charset"]

# The WHATWG prescan reads the first 1024 bytes; w3lib reads 4096. Follow w3lib.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(r"""<meta[^>]*?charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None


def _header_label(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value
    return None


def _meta_label(body: bytes) -> str | None:
    # w3lib finds the declaration (comments skipped, pragma rules applied) but returns its
    # decoding choice; read the label itself at the same place.
    if html_body_declared_encoding(body[:_PRESCAN_BYTES]) is None:
        return None
    chunk = body[:_PRESCAN_BYTES].decode("latin-1")
    match = _META_CHARSET.search(chunk)
    return match.group(1) if match else None


def declared_charset(content_type: str | None, body: bytes, decoded_as: str) -> str:
    """The declared charset's canonical Python name, else the one used to decode."""
    bom_encoding, _ = read_bom(body)
    if bom_encoding:
        return _canonical(bom_encoding) or bom_encoding
    for label in (_header_label(content_type), _meta_label(body)):
        name = _canonical(label)
        if name:
            return name
    return _canonical(decoded_as) or decoded_as
