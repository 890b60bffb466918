"""What a rendered request carries: scrapy-playwright meta, the layout probe, our meta keys.

The spiders (render mode ``always``) and the render-on-demand middleware (mode ``auto``) build
rendered requests here, so both get the same settle wait, probe and browser context.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from crawler.browser import VIEWPORT

__all__ = [
    "META_FALLBACK_URL",
    "META_RENDER",
    "META_REVIEW",
    "META_STATIC",
    "META_URL",
    "PROBE_PATH",
    "RENDER_MODES",
    "probe_source",
    "render_meta",
]

RENDER_MODES = ("always", "auto", "never")

# Request.meta keys of the fetch path.
META_RENDER = "footer_audit_render"  # the page's render mode
META_URL = "footer_audit_url"  # the URL as first requested (before redirects and fallbacks)
META_FALLBACK_URL = "footer_audit_fallback_url"  # http:// to try when a bare domain lacks https
META_STATIC = "footer_audit_static"  # the static answer kept while rendering (mode auto)
META_REVIEW = "footer_audit_review"  # reasons the page cannot be fully decided ("render_timeout")
META_RENDER_ERROR = "footer_audit_render_error"  # one line: why rendering failed

PROBE_PATH = Path(__file__).with_name("layout_probe.js")


@lru_cache(maxsize=1)
def probe_source() -> str:
    """The layout probe, evaluated in the page after load (also shipped to the extension)."""
    return PROBE_PATH.read_text(encoding="utf-8")


def render_meta(settings: BaseSettings) -> dict[str, Any]:
    """Request.meta that makes scrapy-playwright render a page and run the layout probe.

    PageMethod objects hold their result, so each request gets fresh ones.
    """
    timeout_ms = int(settings.getfloat("FOOTER_AUDIT_RENDER_TIMEOUT") * 1000)
    settle_ms = settings.getint("FOOTER_AUDIT_RENDER_SETTLE_MS")
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout_ms},
        "playwright_context_kwargs": {
            "viewport": dict(VIEWPORT),
            "user_agent": settings.get("USER_AGENT"),
            "locale": "zh-CN",
            "ignore_https_errors": not settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"),
        },
        "playwright_page_methods": [
            # Late scripts (footers injected after load, consent banners) get a moment to run.
            PageMethod("wait_for_timeout", settle_ms),
            PageMethod("evaluate", probe_source()),
        ],
    }
