"""crawler/fetch/charset.py: the charset a page declares, named as reports show it."""

from __future__ import annotations

import pytest

from crawler.fetch.charset import declared_charset

HEAD = b"<html><head><title>\xc4\xb3\xc4\xb3</title>%s</head><body>x</body></html>"


@pytest.mark.parametrize(("content_type", "body", "decoded_as", "expected"), [
    # <meta charset> after <title>, no charset in the header
    ("text/html", HEAD % b'<meta charset="gbk">', "gb18030", "gbk"),
    (None, HEAD % b"<meta charset=GB2312>", "gb18030", "gb2312"),
    ("text/html", HEAD % b'<meta http-equiv="Content-Type" content="text/html; charset=gb18030">',
     "gb18030", "gb18030"),
    # the header wins over <meta>
    ("text/html; charset=UTF-8", HEAD % b'<meta charset="gbk">', "utf-8", "utf-8"),
    # the byte order mark wins over both
    ("text/html; charset=gbk", b"\xef\xbb\xbf" + HEAD % b'<meta charset="gbk">', "utf-8",
     "utf-8"),
    # a declaration inside a comment does not count
    (None, HEAD % b'<!-- <meta charset="gbk"> -->', "cp1252", "cp1252"),
    # an unknown label falls back to what decoded the page
    ("text/html; charset=x-unknown", HEAD % b"", "utf-8", "utf-8"),
])
def test_declared_charset(content_type: str | None, body: bytes, decoded_as: str,
                          expected: str) -> None:
    assert declared_charset(content_type, body, decoded_as) == expected
