"""The Scrapy settings of a crawl started from the command line (`check`, `crawl`, `run`) or the
API: `crawler/settings.py` plus the operator's choices, built in one place.

A one-shot crawl (`check`: a few pages now) leaves out what it never uses, so it starts fast;
a portfolio crawl keeps every component of `crawler/settings.py`, each switched by its setting.
`quiet_third_party_logs` is the rest of the set-up both share.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.settings import Settings
from scrapy.settings import default_settings as _defaults

from crawler.errors import UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.fetch.resolve import resolve_settings
from crawler.net.addresses import allow_settings
from crawler.render.modes import RenderMode
from crawler.render.policy import static_only_settings

__all__ = ["crawl_settings", "quiet_third_party_logs"]

# Scrapy's components a one-shot check needs: stats, the log counter, the close conditions.
_ONE_SHOT_EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
}
# Off for a check anyway (robots.txt is not obeyed, no cache, no HTTP auth).
_ONE_SHOT_UNUSED_MIDDLEWARES = frozenset({
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
})
# Scrapy's extensions a portfolio crawl has no use for: nothing to control remotely or to
# persist, and the progress extension shows the pace.
_PORTFOLIO_UNUSED_EXTENSIONS = (
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.logstats.LogStats",
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.spiderstate.SpiderState",
)


def crawl_settings(*, render: RenderMode | None = None, timeout: float = DEFAULT_TIMEOUT,
                   resolve: Sequence[str] = (), allow_networks: Sequence[str] = (),
                   user_agent: str | None = None, log_level: str = "WARNING",
                   concurrency: int | None = None, one_shot: bool = False,
                   output: str | None = None, quiet: bool = False, store: str | bool = True,
                   extra: dict[str, Any] | None = None) -> Settings:
    """`crawler/settings.py` plus the choices of the command line (at `cmdline` priority).

    `render`: the default render mode (None: `FOOTER_AUDIT_RENDER`); `never` leaves Chromium
    out. `one_shot`: a quick, quiet crawl of a few pages (`check`): no retry, no report, no
    screenshot. `output`, `quiet`, `store`: the portfolio crawl's JSON Lines file (`-` for
    stdout), no progress, and the report store (False: none; a URL: that one). `extra`: more
    settings, applied last.
    """
    if timeout <= 0:
        raise UsageError(f"--timeout must be positive, not {timeout}")
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "LOG_LEVEL": log_level,
        "LOG_VERSIONS": [],
        "DOWNLOAD_TIMEOUT": timeout,
        "FOOTER_AUDIT_RENDER_TIMEOUT": timeout,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(timeout * 1000),
    }
    if one_shot:
        overrides.update(_one_shot_overrides())
    else:
        overrides.update(_portfolio_overrides(settings, output=output, quiet=quiet, store=store))
    if render is not None:
        render = RenderMode(render)
        overrides["FOOTER_AUDIT_RENDER"] = render.value
        if render == RenderMode.NEVER:
            overrides.update(static_only_settings(settings))
    if user_agent:
        overrides["USER_AGENT"] = user_agent
    if concurrency:
        overrides["CONCURRENT_REQUESTS"] = concurrency
    overrides.update(resolve_settings(resolve or ()))
    overrides.update(allow_settings(allow_networks))
    overrides.update(extra or {})
    settings.setdict(overrides, priority="cmdline")
    return settings


def quiet_third_party_logs(log_level: str) -> None:
    """Below DEBUG, the libraries' log lines that repeat what a page's result already says."""
    if log_level.upper() == "DEBUG":
        return
    # scrapy-playwright logs each failed render with a traceback; the render middleware
    # already says it in one line.
    logging.getLogger("scrapy-playwright").setLevel(logging.ERROR)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    # Certificates are not verified (DOWNLOAD_VERIFY_CERTIFICATES): no warning per host.
    logging.getLogger("scrapy.core.downloader.tls").setLevel(logging.ERROR)
    # A dead host is a result (status unreachable, its error line), not a log line each.
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)


def _one_shot_overrides() -> dict[str, Any]:
    return {
        # Nothing to show, throttle or persist for a few pages, and no data, FTP or S3 URLs:
        # components left out of the *_BASE lists are never imported, where a `None` in
        # EXTENSIONS still imports the class to name it.
        "EXTENSIONS_BASE": _ONE_SHOT_EXTENSIONS,
        "EXTENSIONS": {},
        "DOWNLOAD_HANDLERS_BASE": {
            "file": _defaults.DOWNLOAD_HANDLERS_BASE["file"]},  # file:// URLs given to the crawl
        "DOWNLOADER_MIDDLEWARES_BASE": {
            path: order for path, order in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
            if path not in _ONE_SHOT_UNUSED_MIDDLEWARES},
        "TELNETCONSOLE_ENABLED": False,
        # A check reports what it sees now; a retry would only hide a flaky answer.
        "RETRY_ENABLED": False,
        # The audit only: the other pipelines (writer, store) would be imported to say no.
        "ITEM_PIPELINES": {"pipelines.audit.AuditPipeline": 300},
        # A check keeps no report: rendered pages close at once, no screenshot is taken.
        "FOOTER_AUDIT_EVIDENCE_ENABLED": False,
        "FOOTER_AUDIT_STORE_ENABLED": False,
    }


def _portfolio_overrides(settings: Settings, *, output: str | None, quiet: bool,
                         store: str | bool) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"),
                       **dict.fromkeys(_PORTFOLIO_UNUSED_EXTENSIONS)},
        "FOOTER_AUDIT_JSONL_OUTPUT": output or "",
        "FOOTER_AUDIT_PROGRESS_ENABLED": not quiet,
        # The bar would interleave with JSON on a terminal's stdout.
        "FOOTER_AUDIT_PROGRESS_BAR": output != "-",
    }
    if store is False:
        overrides["FOOTER_AUDIT_STORE_ENABLED"] = False
        # Screenshots live in the store only: without it, pages are not kept open for them.
        overrides["FOOTER_AUDIT_EVIDENCE_ENABLED"] = False
    elif isinstance(store, str) and store:
        overrides["FOOTER_AUDIT_STORE_URL"] = store
    return overrides
