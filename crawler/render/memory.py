"""Per-host memory of "this site needed rendering", so the next run renders it at once.

A host whose homepage had to be re-requested through Chromium (render mode `auto`) is written to a
small JSON file in the user's data directory (`$XDG_DATA_HOME/footer-audit/render-hosts.json`,
or the `FOOTER_AUDIT_RENDER_MEMORY` setting). Next run, the spider asks for those hosts rendered
straight away (render mode `always`: the static answer goes to Chromium without being parsed to
decide first; the static fetch itself stays, it is what the browser is served). An entry
expires after `FOOTER_AUDIT_RENDER_MEMORY_DAYS` (default 30) so a site that dropped its
JavaScript footer is eventually read statically again.

`RenderMemoryExtension` records hosts as audited pages arrive and saves the file when the spider
closes. A damaged file is ignored with a warning: it is a cache, never a reason to stop.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

__all__ = ["RenderMemory", "RenderMemoryExtension", "default_memory_path"]

logger = logging.getLogger(__name__)

_DAY = 86400.0


def default_memory_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "footer-audit" / "render-hosts.json"


class RenderMemory:
    """Hosts that needed rendering, with the time each was last seen needing it."""

    def __init__(self, path: Path, max_age_days: float = 30.0):
        self.path = path
        self.max_age = max_age_days * _DAY
        self.hosts: dict[str, float] = {}
        self.dirty = False

    @classmethod
    def load(cls, path: Path, max_age_days: float = 30.0) -> RenderMemory:
        memory = cls(path, max_age_days)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return memory
        except (OSError, ValueError) as exc:
            logger.warning("render memory %s unreadable, starting afresh: %s", path, exc)
            return memory
        now = time.time()
        hosts = data.get("hosts", {}) if isinstance(data, dict) else {}
        for host, seen in hosts.items():
            if isinstance(seen, (int, float)) and now - seen < memory.max_age:
                memory.hosts[str(host)] = float(seen)
        return memory

    def needs_rendering(self, host: str) -> bool:
        return host.lower() in self.hosts

    def remember(self, host: str) -> None:
        self.hosts[host.lower()] = time.time()
        self.dirty = True

    def save(self) -> None:
        """Write atomically (a crash mid-write leaves the old file)."""
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"hosts": self.hosts}, indent=1, sort_keys=True),
                       encoding="utf-8")
        tmp.replace(self.path)
        self.dirty = False


class RenderMemoryExtension:
    """Remembers hosts whose pages were rendered on demand; saves the memory at the end."""

    def __init__(self, memory: RenderMemory):
        self.memory = memory

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderMemoryExtension:
        settings = crawler.settings
        if not settings.getbool("FOOTER_AUDIT_RENDER_MEMORY_ENABLED", True):
            raise NotConfigured  # switched off (bare: Scrapy logs no warning)
        path = Path(settings.get("FOOTER_AUDIT_RENDER_MEMORY") or default_memory_path())
        memory = RenderMemory.load(path, settings.getfloat("FOOTER_AUDIT_RENDER_MEMORY_DAYS", 30))
        ext = cls(memory)
        # The spider reads it to choose how to request each host.
        crawler.render_memory = memory
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, **_: Any) -> None:
        if getattr(item, "rendered", False) and getattr(item, "render_mode", "") == "auto":
            host = getattr(item, "host", None)
            if host:
                self.memory.remember(host)

    def spider_closed(self, **_: Any) -> None:
        try:
            self.memory.save()
        except OSError as exc:
            logger.warning("could not save render memory %s: %s", self.memory.path, exc)
