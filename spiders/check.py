"""The on-demand check: fetch the given pages, nothing more (`footer-audit check`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from crawler.render.modes import RenderMode
from rules.model import Expectations
from rules.urls import host_of
from spiders._pages import PageSpider

__all__ = ["CheckSpider"]


class CheckSpider(PageSpider):
    """One request per target; each target is a URL or ``{"url": ..., "fallback_url": ...}``."""

    name = "check"
    # A check keeps no report, feeds no portfolio-wide rule and leaves the render memory as it
    # is, also under `scrapy crawl check` (crawler/settings.py wires every component).
    # Scrapy declares it on Spider instances, hence no ClassVar.
    custom_settings: dict[str, Any] | None = {  # noqa: RUF012
        "FOOTER_AUDIT_EVIDENCE_ENABLED": False,
        "FOOTER_AUDIT_PORTFOLIO_ENABLED": False,
        "FOOTER_AUDIT_PROGRESS_ENABLED": False,
        "FOOTER_AUDIT_RENDER_MEMORY_ENABLED": False,
        "FOOTER_AUDIT_STORE_ENABLED": False,
    }

    def __init__(self, targets: Sequence[Any] | str = (), expect: Expectations | None = None,
                 render: RenderMode | str | None = None, *, operator_targets: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(targets, str):  # `scrapy crawl check -a targets=URL,URL` or a JSON list
            targets = json.loads(targets) if targets.startswith("[") else targets.split(",")
        self.targets = [t if isinstance(t, dict) else {"url": t} for t in targets]
        # The operator named these hosts: the address policy does not refuse them. A URL that
        # came from elsewhere (the API's /check: anyone holding a token) gets no such pass.
        self.explicit_hosts = frozenset(
            host_of(url) for t in self.targets
            for url in (t.get("url"), t.get("fallback_url")) if url) if operator_targets \
            else frozenset()
        self.expect = expect
        self.render = RenderMode(render) if render else None  # `-a render=never` is a str

    async def start(self) -> AsyncIterator[Any]:
        for target in self.targets:
            yield self.page_request(
                target["url"], render=self.render, fallback_url=target.get("fallback_url"),
                context={"expectations": self.expect},
            )
