"""The private APIs footer-audit relies on still have the shape it uses.

pyproject.toml caps each of these libraries at the releases tested; when a cap is raised, this file
says at once what a new release changed, instead of a crawl failing in a user's hands.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest


def _params(func: object) -> list[str]:
    return list(inspect.signature(func).parameters)  # type: ignore[arg-type]


def test_every_private_name_of_scrapy_playwright_is_checked_here() -> None:
    """crawler/render/playwright_private.py lists what it uses; each name has its test below."""
    from crawler.render.playwright_private import PRIVATE_NAMES

    assert set(PRIVATE_NAMES) == {"_create_page", "_download_request", "_close",
                                  "_download_request_with_retry", "context_wrappers",
                                  "config.target_closed_max_retries"}


def _handler_source(name: str) -> str:
    from scrapy_playwright import handler

    return inspect.getsource(getattr(handler.ScrapyPlaywrightDownloadHandler, name))


def test_scrapy_playwright_opens_every_page_through_create_page() -> None:
    from scrapy_playwright import handler

    create = handler.ScrapyPlaywrightDownloadHandler._create_page
    assert _params(create) == ["self", "request", "spider"]
    assert inspect.iscoroutinefunction(create)
    # The page cap and the context rotation (open_page) see every attempt only if each one
    # opens its page here.
    assert "self._create_page(" in _handler_source("_download_request_with_retry")


def test_scrapy_playwright_downloads_through_download_request() -> None:
    from scrapy_playwright import handler

    download = handler.ScrapyPlaywrightDownloadHandler._download_request
    assert _params(download) == ["self", "request", "spider"]
    assert inspect.signature(download).parameters["spider"].default is None
    assert inspect.iscoroutinefunction(download)
    # The render budget (render) holds only if every download goes through it.
    assert "self._download_request(" in _handler_source("download_request")


def test_scrapy_playwright_closes_its_contexts_in_close() -> None:
    from scrapy_playwright import handler

    close = handler.ScrapyPlaywrightDownloadHandler._close
    assert _params(close) == ["self"] and inspect.iscoroutinefunction(close)
    assert "self._close()" in _handler_source("close")
    assert "context_wrappers" in _handler_source("_close")


def test_scrapy_playwright_one_attempt_is_download_request_with_retry() -> None:
    from scrapy_playwright import handler

    attempt = handler.ScrapyPlaywrightDownloadHandler._download_request_with_retry
    assert _params(attempt) == ["self", "request", "spider"]
    assert inspect.iscoroutinefunction(attempt)
    # ...and its own retry loop, which render_once replaces, is in _download_request.
    assert "self._download_request_with_retry(" in _handler_source("_download_request")


def test_scrapy_playwright_context_wrappers_by_name() -> None:
    from scrapy_playwright import handler

    init = inspect.getsource(handler.ScrapyPlaywrightDownloadHandler.__init__)
    assert re.search(r"self\.context_wrappers: \w+\[str, BrowserContextWrapper\] = \{\}", init)
    fields = {f.name for f in dataclasses.fields(handler.BrowserContextWrapper)}
    assert "context" in fields


def test_scrapy_playwright_target_closed_retries_setting() -> None:
    from scrapy_playwright import handler

    fields = {f.name: f for f in dataclasses.fields(handler.Config)}
    assert fields["target_closed_max_retries"].default == 3
    assert "max_pages_per_context" in fields  # read by the context rotation's settings


def test_playwright_target_closed_error_location() -> None:
    # Not exported by playwright.async_api: crawler/render/playwright_private.py imports it here.
    from playwright._impl._errors import Error, TargetClosedError

    assert issubclass(TargetClosedError, Error)


def test_scrapy_http11_handler_tls_context_factory() -> None:
    # crawler/fetch/tls.py caches the handler's `_contextFactory._get_cert_options` when
    # `_verify_certificates` is off (tests/test_fetch_tls.py runs it in a real crawl).
    from scrapy.core.downloader.contextfactory import ScrapyClientContextFactory
    from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

    assert "self._contextFactory" in inspect.getsource(HTTP11DownloadHandler.__init__)
    assert _params(ScrapyClientContextFactory._get_cert_options) == ["self"]
    assert "self._verify_certificates" in inspect.getsource(ScrapyClientContextFactory.__init__)


def test_twisted_response_failed() -> None:
    from twisted.web._newclient import ResponseFailed

    failure = ResponseFailed([ValueError("x")])
    assert failure.reasons and isinstance(failure.reasons[0], ValueError)


def test_apprise_wecom_robot_posts_to_api_url() -> None:
    # crawler/alerts/channels.py sets `api_url` on the plugin to the configured robot URL
    # (tests/test_alerts.py delivers through it to a receiver on 127.0.0.1).
    from apprise.plugins.wecombot import NotifyWeComBot

    assert "self.api_url" in inspect.getsource(NotifyWeComBot.__init__)
    assert "self.api_url" in inspect.getsource(NotifyWeComBot.send)


@pytest.mark.parametrize("name", ["scrapy", "scrapy_playwright", "twisted", "apprise"])
def test_installed_release_is_within_the_tested_range(name: str) -> None:
    """The installed release is one pyproject.toml allows (a hand-installed newer one is not)."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    dist = name.replace("_", "-")
    reqs = [Requirement(r) for r in project["project"]["dependencies"]]
    (req,) = [r for r in reqs if r.name.lower() == dist]
    assert req.specifier.contains(version(dist), prereleases=True)


def test_rq_worker_hooks_that_footer_audit_worker_overrides() -> None:
    # crawler/jobs/rq_worker.py: FooterAuditWorker settles runs from these two hooks (idle and
    # busy) and run_worker reads whether a stop was asked.
    from rq import Worker

    assert _params(Worker.run_maintenance_tasks) == ["self"]
    assert _params(Worker.maintain_heartbeats)[:3] == ["self", "job", "execution"]
    assert "self.maintain_heartbeats(" in inspect.getsource(Worker.monitor_work_horse)
    assert "self._stop_requested = True" in inspect.getsource(Worker._shutdown)
