"""The private APIs footer-audit relies on still have the shape it uses.

pyproject.toml caps each of these libraries at the releases tested; when a cap is raised, this file
says at once what a new release changed, instead of a crawl failing in a user's hands.
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest


def _params(func: object) -> list[str]:
    return list(inspect.signature(func).parameters)  # type: ignore[arg-type]


def test_scrapy_playwright_methods_that_crawler_playwright_handler_overrides() -> None:
    from scrapy_playwright import handler

    cls = handler.ScrapyPlaywrightDownloadHandler
    assert _params(cls._create_page) == ["self", "request", "spider"]
    assert _params(cls._download_request) == ["self", "request", "spider"]
    assert _params(cls._download_request_with_retry) == ["self", "request", "spider"]
    assert _params(cls._close) == ["self"]
    assert inspect.iscoroutinefunction(cls._create_page)
    assert inspect.iscoroutinefunction(cls._download_request)
    # Read by the crash handling and the context rotation.
    fields = {f.name for f in dataclasses.fields(handler.Config)}
    assert {"target_closed_max_retries", "max_pages_per_context"} <= fields
    assert "context_wrappers" in inspect.getsource(cls.__init__)


def test_playwright_target_closed_error_location() -> None:
    # Not exported by playwright.async_api: crawler/render/handler.py imports it from here.
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
    # crawler/jobs/rq_backend.py: FooterAuditWorker settles runs from these two hooks (idle and
    # busy) and run_worker reads whether a stop was asked.
    from rq import Worker

    assert _params(Worker.run_maintenance_tasks) == ["self"]
    assert _params(Worker.maintain_heartbeats)[:3] == ["self", "job", "execution"]
    assert "self.maintain_heartbeats(" in inspect.getsource(Worker.monitor_work_horse)
    assert "self._stop_requested = True" in inspect.getsource(Worker._shutdown)
