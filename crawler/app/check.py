"""The on-demand check: one Scrapy crawl of the given pages in this process, one dict per page.

`check_pages` is the single entry of `footer-audit check` and of the API's `/check`; it runs the
spider named "check" through the settings of `crawler/settings.py`, so the fetch path (encodings,
redirects, rendering, statuses) is exactly the crawler's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.settings import default_settings as _defaults

from crawler.errors import FooterAuditError, UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.fetch.local_files import checked_local_file, serve_local_files
from crawler.fetch.resolve import resolve_settings
from crawler.fetch.statuses import PageStatus
from crawler.net.addresses import allow_settings
from crawler.render.browser import ENV_CHROMIUM, find_chromium, launch_options
from crawler.render.policy import RENDER_MODES, static_only_settings
from rules.model import Expectations

__all__ = ["check_pages", "choose_render", "crawl_settings", "parse_target"]


_HOST = re.compile(
    r"^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|"
    r"(?:[\w\u0080-\uffff](?:[\w\u0080-\uffff-]{0,61}[\w\u0080-\uffff])?\.)+"
    r"[\w\u0080-\uffff-]{2,63})(?::\d{1,5})?$",
)
_LOCAL_SUFFIXES = (".html", ".htm", ".xhtml")


def parse_target(target: str) -> dict[str, str]:
    """A URL, a local file or a bare domain as ``{"url": ..., ["fallback_url": ...]}``.

    A bare domain (``example.cn``) means ``https://example.cn/``, falling back to ``http://``.
    Raises `UsageError` for what is none of these.
    """
    text = target.strip()
    if not text:
        raise UsageError("empty target: give a URL, a domain or an HTML file")
    if "://" in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(parts.path)
            if not path.is_file():
                raise UsageError(f"no such file: {path}")
            return _local(path)
        if scheme not in ("http", "https"):
            raise UsageError(f"unsupported URL scheme {scheme!r}: use http, https or file")
        if not parts.hostname:
            raise UsageError(f"no host in URL: {text}")
        return {"url": text if parts.path else text + "/"}
    path = Path(text).expanduser()
    if path.is_file():
        return _local(path)
    if path.is_dir():
        raise UsageError(f"{text} is a directory: give an HTML file")
    if text.startswith((".", "/", "~")) or text.lower().endswith(_LOCAL_SUFFIXES):
        raise UsageError(f"no such file: {text}")
    host, slash, rest = text.partition("/")
    if not _HOST.match(host):
        raise UsageError(f"not a URL, a domain or a file: {text}")
    path_part = slash + rest if slash else "/"
    return {"url": f"https://{host}{path_part}", "fallback_url": f"http://{host}{path_part}"}


def _local(path: Path) -> dict[str, str]:
    resolved = checked_local_file(path)
    return {"url": resolved.as_uri(), "local": str(resolved)}


def choose_render(requested: str | None) -> tuple[str, str | None]:
    """The render mode to use and an optional one-line notice.

    The default (None) is ``always`` when a browser exists, else ``never`` with a notice; an
    explicit ``always`` without a browser is a usage error.
    """
    if requested is not None and requested not in RENDER_MODES:
        raise UsageError(f"--render must be one of {', '.join(RENDER_MODES)}, not {requested!r}")
    if requested in ("never", "auto"):
        return requested, None
    if find_chromium() is not None:
        return "always", None
    hint = (f"set {ENV_CHROMIUM} to a Chromium executable or run `playwright install chromium`")
    if requested == "always":
        raise UsageError(f"--render always needs Chromium and none was found: {hint}")
    return "never", f"notice: no Chromium found, reading the page statically ({hint})"


# Scrapy's components a one-page check needs: stats, the log counter, the close conditions.
_CHECK_EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
}
# Off for a check anyway (robots.txt is not obeyed, no cache, no HTTP auth).
_CHECK_UNUSED_MIDDLEWARES = frozenset({
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
})


def crawl_settings(*, render: str, timeout: float = DEFAULT_TIMEOUT,
                   resolve: Sequence[str] | None = None, user_agent: str | None = None,
                   log_level: str = "WARNING", allow_networks: Sequence[str] = ()) -> Settings:
    """`crawler/settings.py` tuned for a quick, quiet on-demand crawl."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "LOG_LEVEL": log_level,
        "LOG_VERSIONS": [],
        # Nothing to show, throttle or persist for a few pages, and no data, FTP or S3 URLs:
        # components left out of the *_BASE lists are never imported, where a `None` in
        # EXTENSIONS still imports the class to name it.
        "EXTENSIONS_BASE": _CHECK_EXTENSIONS,
        "DOWNLOAD_HANDLERS_BASE": {
            "file": _defaults.DOWNLOAD_HANDLERS_BASE["file"]},  # file:// URLs given to the crawl
        "DOWNLOADER_MIDDLEWARES_BASE": {
            path: order for path, order in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
            if path not in _CHECK_UNUSED_MIDDLEWARES},
        "TELNETCONSOLE_ENABLED": False,
        # The check reports what it sees now; a retry would only hide a flaky answer.
        "RETRY_ENABLED": False,
        "ITEM_PIPELINES": {"pipelines.audit.AuditPipeline": 300},
        # The check keeps no report: rendered pages close at once, no screenshot is taken.
        "FOOTER_AUDIT_EVIDENCE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": timeout,
        "FOOTER_AUDIT_RENDER": render,
        "FOOTER_AUDIT_RENDER_TIMEOUT": timeout,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(timeout * 1000),
    }
    if render == "never":
        overrides.update(static_only_settings(settings))
    if user_agent:
        overrides["USER_AGENT"] = user_agent
    overrides.update(resolve_settings(resolve or (), launch_options()))
    overrides.update(allow_settings(allow_networks))
    settings.setdict(overrides, priority="cmdline")
    return settings


def _quiet_third_party_logs() -> None:
    # scrapy-playwright logs each failed render as a warning with a traceback; our render
    # middleware already says it in one line.
    logging.getLogger("scrapy-playwright").setLevel(logging.ERROR)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    # Certificates are not verified (DOWNLOAD_VERIFY_CERTIFICATES): no warning per host.
    logging.getLogger("scrapy.core.downloader.tls").setLevel(logging.ERROR)


def _missing(target: dict[str, str]) -> dict[str, Any]:
    return {
        "url": target["url"], "final_url": target["url"], "status": PageStatus.UNREACHABLE,
        "http_status": None, "rendered": False, "encoding": None, "redirect_chain": [],
        "error": "no answer recorded for this page (see the log)",
        "findings": {"icp": [], "gongan": [], "copyright": [], "licences": []},
        "violations": [], "review": [], "rules_version": "",
    }


def check_pages(targets: list[str], expect: Expectations | None = None, render: str = "always",
                timeout: float = DEFAULT_TIMEOUT, resolve: Sequence[str] | None = None, *,
                user_agent: str | None = None, log_level: str = "ERROR",
                allow_networks: Sequence[str] = (),
                operator_targets: bool = True) -> list[dict[str, Any]]:
    """Fetch and audit each target; one check-JSON dict per target, in order.

    `resolve` holds ``HOST:ADDRESS[:PORT]`` overrides (see `crawler.fetch.resolve`). What goes wrong
    with a page is in its result, so the log stays quiet below ERROR unless asked. Runs a Scrapy
    crawl in this process: a process can run it once (Twisted's reactor does not restart).
    `operator_targets`: the targets were typed by the operator, so the address policy lets their
    own hosts through (`footer-audit check http://10.0.0.8/`); False for targets from anyone
    else (the API), whose hosts are refused like any redirect's. Such targets must be http(s)
    URLs: a local file is the operator's only.
    """
    if render not in RENDER_MODES:
        raise UsageError(f"render mode must be one of {', '.join(RENDER_MODES)}: {render!r}")
    if timeout <= 0:
        raise UsageError(f"--timeout must be positive, not {timeout}")
    parsed = [parse_target(t) for t in targets]
    if not operator_targets and any("local" in t for t in parsed):
        raise UsageError("only http and https URLs may be checked here")
    local = [Path(t["local"]) for t in parsed if "local" in t]
    with serve_local_files(local) as served:
        crawled = [{"url": served[Path(t["local"])]} if "local" in t else t for t in parsed]
        results = _crawl(crawled, expect, render=render, timeout=timeout, resolve=resolve,
                         user_agent=user_agent, log_level=log_level,
                         allow_networks=allow_networks, operator_targets=operator_targets)
    for target, result in zip(parsed, results, strict=True):
        if "local" in target:  # reported as the file the user named, not the loopback URL
            served_url = served[Path(target["local"])]
            result["url"] = target["url"]
            if result.get("final_url") == served_url:
                result["final_url"] = target["url"]
    return results


def _crawl(parsed: list[dict[str, str]], expect: Expectations | None, *, render: str,
           timeout: float, resolve: Sequence[str] | None, user_agent: str | None,
           log_level: str, allow_networks: Sequence[str],
           operator_targets: bool = True) -> list[dict[str, Any]]:
    settings = crawl_settings(render=render, timeout=timeout, resolve=resolve,
                              user_agent=user_agent, log_level=log_level,
                              allow_networks=allow_networks)
    process = CrawlerProcess(settings)
    if log_level.upper() != "DEBUG":
        _quiet_third_party_logs()
    crawler = process.create_crawler("check")
    items: list[Any] = []
    crawler.signals.connect(lambda item, **_: items.append(item), signal=signals.item_scraped,
                            weak=False)
    failures: list[Any] = []
    # A crawl that cannot start (a component failing to load) is reported, not dumped.
    process.crawl(crawler, targets=parsed, expect=expect, render=render,
                  operator_targets=operator_targets).addErrback(
        failures.append)
    process.start()
    if failures:
        exc = failures[0].value
        raise FooterAuditError(f"the check could not run: {type(exc).__name__}: {exc}")

    by_url: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_url.setdefault(item.url, []).append(item.audit)
    return [(by_url.get(t["url"]) or [_missing(t)]).pop(0) for t in parsed]
