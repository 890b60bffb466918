"""The on-demand check: fetch the given pages, nothing more (`footer-audit check`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from crawler.net.domains import host_of
from rules.model import Expectations
from spiders._pages import PageSpider

__all__ = ["CheckSpider"]


class CheckSpider(PageSpider):
    """One request per target; each target is a URL or ``{"url": ..., "fallback_url": ...}``."""

    name = "check"

    def __init__(self, targets: list[Any] | str = (), expect: Expectations | None = None,
                 render: str | None = None, *, operator_targets: bool = True,
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
        self.render = render

    async def start(self) -> AsyncIterator[Any]:
        for target in self.targets:
            yield self.page_request(
                target["url"], render=self.render, fallback_url=target.get("fallback_url"),
                context={"expectations": self.expect},
            )
