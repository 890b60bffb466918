"""Defaults the commands show in their help and the crawl applies, in a module that imports
nothing: `footer-audit --help` must not pay for Scrapy to print them."""

from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT", "MAX_PAGE_BYTES"]

DEFAULT_TIMEOUT = 20.0  # seconds per page: fetch, or fetch and render
MAX_PAGE_BYTES = 10 * 1024 * 1024  # a "homepage" of more is not a page to audit (DOWNLOAD_MAXSIZE)
