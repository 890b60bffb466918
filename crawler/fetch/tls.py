"""TLS for static fetches: one OpenSSL context for every connection instead of one each.

Scrapy's context factory builds new certificate options, and with them a new OpenSSL context and
cipher list, for every connection it opens: about 0.6 ms of CPU each, a tenth of a static page's
cost on a portfolio crawl where nearly every page is a new host. Certificates are not verified
(DOWNLOAD_VERIFY_CERTIFICATES is off: the footer is audited whatever the certificate), so every
connection can share one context; Twisted still sets the ALPN protocols per connection.

Scrapy offers no public hook for this (its DOWNLOADER_CLIENTCONTEXTFACTORY setting is deprecated),
so the download handler's factory is adjusted in place, and left as it is when its shape is not
the one expected (tests/test_fetch_tls.py tells when a Scrapy upgrade changes it).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

__all__ = ["StaticDownloadHandler", "share_tls_context"]

logger = logging.getLogger(__name__)


def share_tls_context(handler: Any) -> bool:
    """Make `handler`'s (Scrapy's HTTP/1.1 download handler) TLS context factory build its
    certificate options once; True when done. Verifying factories are left alone."""
    factory = getattr(handler, "_contextFactory", None)
    build = getattr(factory, "_get_cert_options", None)
    if build is None or getattr(factory, "_verify_certificates", True):
        logger.debug("TLS contexts are not shared: %r has another shape", factory)
        return False
    factory._get_cert_options = functools.cache(build)  # type: ignore[union-attr]
    return True


class StaticDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with the shared context: crawls that render nothing use it for
    both schemes (no Playwright driver to start)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        share_tls_context(self)
