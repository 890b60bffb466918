"""Reading robots.txt and sitemaps with Scrapy's own parsers, for subdomain discovery.

robots.txt goes through Scrapy's robots parser (Protego, `scrapy.robotstxt`); sitemaps through
`scrapy.utils.sitemap.Sitemap`, gzip files (`.xml.gz`, served without Content-Encoding) through
`scrapy.utils.gz.gunzip` within the download size limit, as `scrapy.spiders.SitemapSpider` reads
them. Sitemap indexes name further sitemaps; URL sets name pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response, XmlResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

__all__ = ["SitemapEntries", "read_sitemap", "sitemaps_in_robots"]


def sitemaps_in_robots(response: Response, crawler: Any = None) -> list[str]:
    """The sitemap URLs a robots.txt answer names (absolute), in file order."""
    if response.status != 200 or not response.body:
        return []
    parser = ProtegoRobotParser.from_crawler(crawler, response.body)
    return [urljoin(response.url, url.strip()) for url in parser.rp.sitemaps if url.strip()]


@dataclass(frozen=True)
class SitemapEntries:
    """What one sitemap file lists: further sitemaps (an index) or pages (a URL set)."""

    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


def read_sitemap(response: Response, max_size: int = 0) -> SitemapEntries:
    """The locations a sitemap answer lists; nothing for what is not a sitemap (an HTML error
    page, a broken or oversized gzip file)."""
    body = _sitemap_body(response, max_size)
    if not body:
        return SitemapEntries()
    try:
        sitemap = Sitemap(body)
    except (StopIteration, SyntaxError, ValueError):  # no root element at all
        return SitemapEntries()
    locs = tuple(loc.strip() for entry in sitemap
                 if isinstance(loc := entry.get("loc"), str) and loc.strip())
    if sitemap.type == "sitemapindex":
        return SitemapEntries(sitemaps=locs)
    if sitemap.type == "urlset":
        return SitemapEntries(pages=locs)
    return SitemapEntries()


def _sitemap_body(response: Response, max_size: int) -> bytes | None:
    """As `SitemapSpider._get_sitemap_body`: XML as is, gzip inflated (within `max_size`)."""
    if response.status != 200:
        return None
    if gzip_magic_number(response):
        try:
            return gunzip(response.body, max_size=max_size)
        # Past max_size gunzip raises a ValueError (a private subclass); a broken file OSError.
        except (ValueError, OSError, EOFError):
            return None
    if isinstance(response, XmlResponse) or response.url.endswith((".xml", ".xml.gz")):
        # A .xml.gz already inflated by HttpCompressionMiddleware (Content-Encoding: gzip).
        return response.body
    # Served as text/plain or without a type, but XML all the same.
    head = response.body[:512].lstrip()
    return response.body if head.startswith((b"<?xml", b"<urlset", b"<sitemapindex")) else None
