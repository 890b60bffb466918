"""What a rendered request carries: scrapy-playwright meta, the layout probe, our meta keys.

The spiders (render mode ``always``) and the render-on-demand middleware (mode ``auto``) build
rendered requests here, so both get the same settle wait, probe and browser context.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from crawler.errors import UsageError
from crawler.net.addresses import classify
from crawler.render.browser import VIEWPORT
from crawler.render.modes import RenderMode

__all__ = [
    "META_EXTRACTION",
    "META_FALLBACK_URL",
    "META_RENDER",
    "META_RENDER_BUDGET",
    "META_REVIEW",
    "META_STATIC",
    "META_URL",
    "PROBE_PATH",
    "SETTLE_SCRIPT",
    "RenderConfig",
    "RenderMode",
    "page_render_mode",
    "probe_source",
    "render_meta",
    "serve_static_document",
    "static_only_settings",
]

# Request.meta keys of the fetch path.
META_RENDER = "footer_audit_render"  # the page's render mode
META_URL = "footer_audit_url"  # the URL as first requested (before redirects and fallbacks)
META_FALLBACK_URL = "footer_audit_fallback_url"  # http:// to try when a bare domain lacks https
META_STATIC = "footer_audit_static"  # the static answer the browser is served, kept for fallback
# Seconds the render may take (crawler/render/handler.py closes the page past them).
META_RENDER_BUDGET = "footer_audit_render_budget"
META_REVIEW = "footer_audit_review"  # reasons the page cannot be fully decided ("render_timeout")
META_RENDER_ERROR = "footer_audit_render_error"  # one line: why rendering failed
# The static page's rules.extract.Extraction, made by the render decision and reused by the audit.
META_EXTRACTION = "footer_audit_extraction"

PROBE_PATH = Path(__file__).with_name("layout_probe.js")

# After the load event: wait until the displayed text shows a filing mark, then a short grace for
# what scripts add around it (a consent banner over the footer), at most `settle_ms` in all. A page
# whose marks are there at load is probed ~150 ms later instead of waiting the full settle time;
# a page without them (footer injected late, or none) still gets the whole of it. innerText, not
# textContent: the numbers inside a not-yet-run script must not count as shown.
SETTLE_SCRIPT = """(maxMs) => new Promise((resolve) => {
  const MARK = /ICP\\s*[备備证證]|公[网網]安[备備]/;
  const GRACE_MS = 150;
  const start = performance.now();
  let seenAt = null;
  (function poll() {
    const now = performance.now();
    if (seenAt === null && document.body && MARK.test(document.body.innerText || "")) {
      seenAt = now;
    }
    if (now - start >= maxMs || (seenAt !== null && now - seenAt >= GRACE_MS)) {
      resolve(Math.round(now - start));
    } else {
      setTimeout(poll, 50);
    }
  })();
})"""


@lru_cache(maxsize=1)
def probe_source() -> str:
    """The layout probe, evaluated in the page after load (also shipped to the extension)."""
    return PROBE_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class RenderConfig:
    """The rendering settings, read once and checked together at start-up."""

    enabled: bool
    mode: RenderMode  # the default render mode
    settle_ms: int
    timeout: float  # seconds
    user_agent: str | None
    verify_certificates: bool
    # Keep each rendered page open for the evidence screenshot (FOOTER_AUDIT_EVIDENCE_ENABLED).
    keep_page: bool = False

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RenderConfig:
        mode = settings.get("FOOTER_AUDIT_RENDER") or RenderMode.AUTO
        try:
            mode = RenderMode(mode)
        except ValueError:
            raise UsageError(f"FOOTER_AUDIT_RENDER must be one of {', '.join(RenderMode)}, "
                             f"not {mode!r}") from None
        config = cls(
            enabled=settings.getbool("FOOTER_AUDIT_RENDER_ENABLED"),
            mode=mode,
            settle_ms=settings.getint("FOOTER_AUDIT_RENDER_SETTLE_MS"),
            timeout=settings.getfloat("FOOTER_AUDIT_RENDER_TIMEOUT"),
            user_agent=settings.get("USER_AGENT"),
            verify_certificates=settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"),
            keep_page=settings.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED"),
        )
        if config.timeout <= 0:
            raise UsageError(f"FOOTER_AUDIT_RENDER_TIMEOUT must be positive, not {config.timeout}")
        if config.settle_ms < 0:
            raise UsageError("FOOTER_AUDIT_RENDER_SETTLE_MS must not be negative")
        return config


def page_render_mode(default: RenderMode, *, forced: RenderMode | None = None,
                     landing_page: bool = False, layout_checks: bool = False,
                     remembered: bool = False) -> RenderMode:
    """A page's render mode: `forced` (the command line's always or never) wins, else its
    domain's `default`. In `auto`, a landing page (homepage, subdomain home, app page) of an
    organisation with `layout_checks` is rendered (the page the law looks at gets its layout
    checked), and so is a host the render memory says needed rendering before (`remembered`)."""
    if forced is not None and forced != RenderMode.AUTO:
        return RenderMode(forced)
    if default == RenderMode.AUTO and ((layout_checks and landing_page) or remembered):
        return RenderMode.ALWAYS
    return RenderMode(default)


def static_only_settings(settings: BaseSettings) -> dict[str, Any]:
    """Overrides for a crawl that renders nothing (`--render never`): Scrapy's HTTP client for
    both schemes, without the Playwright driver, and no render-on-demand middleware."""
    handler = "crawler.fetch.tls.StaticDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "DOWNLOADER_MIDDLEWARES": {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                                   "crawler.middlewares.render.RenderOnDemandMiddleware": None},
    }


# Hop-by-hop headers and those describing bytes that are no longer the ones served.
_NOT_SERVED_AGAIN = frozenset({"content-encoding", "content-length", "transfer-encoding",
                               "connection", "keep-alive"})


def _public(ip: str | None) -> bool:
    try:
        return ip is not None and classify(ip) is None
    except ValueError:
        return False


async def serve_static_document(page: Any, request: Any) -> None:
    """scrapy-playwright's page init callback: the page's own navigation is answered with the
    static answer already fetched (`META_STATIC`), so the browser never downloads the document
    again, and never a larger or different one than the static checks passed. Other requests
    (scripts, frames, later navigations) go on as usual."""
    static = request.meta.get(META_STATIC)
    if not static or not _public(static.get("ip")):
        # Chromium places a document in an address space by the address it came from; one it
        # is handed has none and counts as public, so its requests to loopback and private hosts
        # (a staging site's other hosts) would be refused by Chromium's local-network checks.
        # Such a document is fetched by the browser itself (the static checks already passed).
        return
    url = request.url
    headers = {k: v for k, v in static["headers"].items() if k.lower() not in _NOT_SERVED_AGAIN}
    served = False

    async def fulfil(route: Any, pw_request: Any) -> None:
        nonlocal served
        if served or not pw_request.is_navigation_request() or pw_request.frame != page.main_frame:
            await route.fallback()
            return
        served = True
        await route.fulfill(status=static["status"], headers=headers, body=static["body"])

    # Registered after scrapy-playwright's "**" route, so it is asked first.
    await page.route(lambda u: u == url, fulfil)


def render_meta(config: RenderConfig, budget: float | None = None) -> dict[str, Any]:
    """Request.meta that makes scrapy-playwright render a page and run the layout probe, within
    `budget` seconds (default: the render timeout; the playwright handler enforces it).

    PageMethod objects hold their result, so each request gets fresh ones.
    """
    budget = config.timeout if budget is None else budget
    return {
        "playwright": True,
        META_RENDER_BUDGET: budget,
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": int(budget * 1000)},
        "playwright_context_kwargs": {
            "viewport": dict(VIEWPORT),
            "user_agent": config.user_agent,
            "locale": "zh-CN",
            "ignore_https_errors": not config.verify_certificates,
        },
        "playwright_page_methods": [
            # Late scripts (footers injected after load, consent banners) get a moment to run.
            PageMethod("evaluate", SETTLE_SCRIPT, config.settle_ms),
            PageMethod("evaluate", probe_source()),
        ],
        # The page stays open until the evidence pipeline is done with it
        # (crawler/render/page_handles.py closes it on every path).
        "playwright_include_page": config.keep_page,
        "playwright_page_init_callback": serve_static_document,
    }
