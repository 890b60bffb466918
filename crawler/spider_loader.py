"""Scrapy's spider loader, made lazy: the spider named N is looked for in ``<module>.N`` first.

Scrapy's own loader imports every spider module before a crawl starts. `footer-audit check` needs
only `spiders/check.py`, and importing the portfolio spider (portfolio models, store, exports)
costs it a fifth of a second; a broken module elsewhere would also stop every crawl. Every module
is still walked when the name is not found that way, and for `scrapy list`.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from importlib import import_module

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader
from scrapy.spiders import Spider

__all__ = ["NamedSpiderLoader"]


class NamedSpiderLoader(SpiderLoader):
    """Loads `<module>.<name>` for the spider `name`; walks every module only when needed."""

    def __init__(self, settings: BaseSettings) -> None:
        # SpiderLoader.__init__ walks every module at once: set its state without the walk.
        self.spider_modules = settings.getlist("SPIDER_MODULES")
        self.warn_only = settings.getbool("SPIDER_LOADER_WARN_ONLY")
        self._spiders = {}
        self._found = defaultdict(list)
        self._walked = False

    def _walk(self) -> None:
        if not self._walked:
            self._walked = True
            # Start afresh: modules loaded one by one would otherwise count as duplicates.
            self._spiders.clear()
            self._found.clear()
            self._load_all_spiders()

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name not in self._spiders:
            for package in self.spider_modules:
                name = f"{package}.{spider_name}"
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:  # the module exists but an import inside it failed
                        raise
                    continue
                self._load_spiders(module)
        if spider_name not in self._spiders:
            self._walk()
        return super().load(spider_name)

    def list(self) -> list[str]:
        self._walk()
        return super().list()

    def find_by_request(self, request: object) -> builtins.list[str]:
        self._walk()
        return super().find_by_request(request)  # type: ignore[arg-type]
