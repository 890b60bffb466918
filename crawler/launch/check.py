"""The on-demand check: one Scrapy crawl of the given pages in this process, one record per page.

`check_pages` is the single entry of `footer-audit check` and of the API's `/check`; it runs the
spider named "check" through the settings of `crawler/settings.py`, so the fetch path (encodings,
redirects, rendering, statuses) is exactly the crawler's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from crawler.errors import FooterAuditError, UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.fetch.local_files import checked_local_file, serve_local_files
from crawler.items import item_page_record
from crawler.launch.crawl_settings import crawl_settings, quiet_third_party_logs
from crawler.render.browser import ENV_CHROMIUM, find_chromium
from crawler.render.modes import RenderMode
from rules.model import Expectations, PageStatus
from rules.page_record import PageRecord

__all__ = ["check_pages", "choose_render", "parse_target"]


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


def choose_render(requested: RenderMode | None) -> tuple[RenderMode, str | None]:
    """The render mode to use and an optional one-line notice.

    The default (None) is ``always`` when a browser exists, else ``never`` with a notice; an
    explicit ``always`` without a browser is a usage error.
    """
    if requested is not None and RenderMode(requested) != RenderMode.ALWAYS:
        return RenderMode(requested), None
    if find_chromium() is not None:
        return RenderMode.ALWAYS, None
    hint = (f"set {ENV_CHROMIUM} to a Chromium executable or run `playwright install chromium`")
    if requested is not None:
        raise UsageError(f"--render always needs Chromium and none was found: {hint}")
    return RenderMode.NEVER, f"notice: no Chromium found, reading the page statically ({hint})"


def _missing(target: dict[str, str]) -> PageRecord:
    return PageRecord(url=target["url"], final_url=target["url"], status=PageStatus.UNREACHABLE,
                      error="no answer recorded for this page (see the log)")


def check_pages(targets: list[str], expect: Expectations | None = None,
                render: RenderMode = RenderMode.ALWAYS,
                timeout: float = DEFAULT_TIMEOUT, resolve: Sequence[str] | None = None, *,
                user_agent: str | None = None, log_level: str = "ERROR",
                allow_networks: Sequence[str] = (),
                operator_targets: bool = True) -> list[PageRecord]:
    """Fetch and audit each target; one record per target, in order (`record.to_json()` is the
    check JSON of docs/check.md).

    `resolve` holds ``HOST:ADDRESS[:PORT]`` overrides (see `crawler.fetch.resolve`). What goes wrong
    with a page is in its result, so the log stays quiet below ERROR unless asked. Runs a Scrapy
    crawl in this process: a process can run it once (Twisted's reactor does not restart).
    `operator_targets`: the targets were typed by the operator, so the address policy lets their
    own hosts through (`footer-audit check http://10.0.0.8/`); False for targets from anyone
    else (the API), whose hosts are refused like any redirect's. Such targets must be http(s)
    URLs: a local file is the operator's only.
    """
    render = RenderMode(render)  # a caller's plain "always" too
    parsed = [parse_target(t) for t in targets]
    if not operator_targets and any("local" in t for t in parsed):
        raise UsageError("only http and https URLs may be checked here")
    local = [Path(t["local"]) for t in parsed if "local" in t]
    with serve_local_files(local) as served:
        crawled = [{"url": served[Path(t["local"])]} if "local" in t else t for t in parsed]
        results = _crawl(crawled, expect, render=render, timeout=timeout, resolve=resolve,
                         user_agent=user_agent, log_level=log_level,
                         allow_networks=allow_networks, operator_targets=operator_targets)
    out = []
    for target, result in zip(parsed, results, strict=True):
        if "local" in target:  # reported as the file the user named, not the loopback URL
            served_url = served[Path(target["local"])]
            result = replace(result, url=target["url"], final_url=target["url"]
                             if result.final_url == served_url else result.final_url)
        out.append(result)
    return out


def _crawl(parsed: list[dict[str, str]], expect: Expectations | None, *, render: RenderMode,
           timeout: float, resolve: Sequence[str] | None, user_agent: str | None,
           log_level: str, allow_networks: Sequence[str],
           operator_targets: bool = True) -> list[PageRecord]:
    settings = crawl_settings(render=render, timeout=timeout, resolve=resolve or (),
                              user_agent=user_agent, log_level=log_level,
                              allow_networks=allow_networks, one_shot=True)
    process = CrawlerProcess(settings)
    quiet_third_party_logs(log_level)
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

    by_url: dict[str, list[PageRecord]] = {}
    for item in items:
        by_url.setdefault(item.url, []).append(item_page_record(item))
    return [(by_url.get(t["url"]) or [_missing(t)]).pop(0) for t in parsed]
