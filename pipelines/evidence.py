"""The evidence pipeline: a clipped screenshot of the footer of each rendered page with violations.

Runs after the audit pipeline (300) and before the writers (800, 900). A rendered page arrives
with its Playwright page still open (`FetchedPage.browser_page`, see
crawler/render/page_handles.py); when its audit found violations, the footer region
(`rules.footer_region.footer_region` on the rendered HTML the audit read) is photographed into
the page's record (`PageRecord.screenshot`: image, type, clip box). The page is then closed,
always: no violations, a failed screenshot, another kind of item.

Settings (docs/settings.md): FOOTER_AUDIT_EVIDENCE_ENABLED, _FORMAT, _MAX_BYTES, _MAX_HEIGHT,
_QUALITY, _TIMEOUT.
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass, replace
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from crawler.errors import UsageError
from crawler.fetch.statuses import error_line
from crawler.items import AuditedPage
from crawler.render.page_handles import ITEM_FIELD, close_page
from rules.footer_region import Region, footer_region
from rules.page_record import Screenshot as StoredShot

__all__ = ["EvidenceConfig", "EvidencePipeline", "Screenshot", "take_screenshot"]

logger = logging.getLogger(__name__)

FORMATS = {"jpeg": "image/jpeg", "png": "image/png"}
_FALLBACK_QUALITY = 40  # a second, smaller JPEG when the first one exceeds the size cap
_TIMINGS_KEPT = 10_000  # screenshot durations kept for the median in the stats


@dataclass(frozen=True)
class EvidenceConfig:
    """The evidence settings, read once and checked together at start-up."""

    enabled: bool
    format: str
    max_bytes: int
    max_height: int
    quality: int
    timeout: float  # seconds

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> EvidenceConfig:
        config = cls(
            enabled=settings.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED"),
            format=(settings.get("FOOTER_AUDIT_EVIDENCE_FORMAT") or "jpeg").lower(),
            max_bytes=settings.getint("FOOTER_AUDIT_EVIDENCE_MAX_BYTES"),
            max_height=settings.getint("FOOTER_AUDIT_EVIDENCE_MAX_HEIGHT"),
            quality=settings.getint("FOOTER_AUDIT_EVIDENCE_QUALITY"),
            timeout=settings.getfloat("FOOTER_AUDIT_EVIDENCE_TIMEOUT"),
        )
        if config.format not in FORMATS:
            raise UsageError(f"FOOTER_AUDIT_EVIDENCE_FORMAT must be one of "
                             f"{', '.join(FORMATS)}, not {config.format!r}")
        if not 1 <= config.quality <= 100:
            raise UsageError("FOOTER_AUDIT_EVIDENCE_QUALITY must be between 1 and 100")
        if config.max_bytes <= 0 or config.max_height <= 0 or config.timeout <= 0:
            raise UsageError("FOOTER_AUDIT_EVIDENCE_MAX_BYTES, _MAX_HEIGHT and _TIMEOUT must be "
                             "positive")
        return config


@dataclass(frozen=True)
class Screenshot:
    data: bytes
    mime: str
    region: Region
    seconds: float  # time spent in the browser


async def take_screenshot(page: Any, html: str, config: EvidenceConfig,
                          extraction: Any = None) -> Screenshot | None:
    """The footer region of an open, rendered page as an image within the size cap; None when
    the HTML has no layout facts or no image fits. Playwright errors propagate. `extraction`:
    the audit's parse of `html`, when it is at hand."""
    region = footer_region(html, max_height=config.max_height, extraction=extraction)
    if region is None:
        return None
    clip = {"x": region.x, "y": region.y, "width": region.width, "height": region.height}
    attempts = [(config.format, config.quality)]
    if config.format == "png" or config.quality > _FALLBACK_QUALITY:
        attempts.append(("jpeg", min(config.quality, _FALLBACK_QUALITY)))
    start = time.perf_counter()
    for kind, quality in attempts:
        # full_page: the clip is in document coordinates, below the first screen too.
        data = await page.screenshot(
            clip=clip, full_page=True, type=kind, animations="disabled", caret="hide",
            scale="css", timeout=config.timeout * 1000,
            **({"quality": quality} if kind == "jpeg" else {}))
        if len(data) <= config.max_bytes:
            return Screenshot(data, FORMATS[kind], region, time.perf_counter() - start)
    return None


class EvidencePipeline:
    """Photographs the footer of rendered pages with violations; closes every kept page."""

    def __init__(self, crawler: Crawler, config: EvidenceConfig) -> None:
        if not config.enabled:
            raise NotConfigured  # FOOTER_AUDIT_EVIDENCE_ENABLED off (bare: Scrapy logs no warning)
        self.config = config
        self.stats = crawler.stats
        self.timings: list[float] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, EvidenceConfig.from_settings(crawler.settings))

    async def process_item(self, item: Any) -> Any:
        page = getattr(item, ITEM_FIELD, None)
        if page is None:
            return item
        setattr(item, ITEM_FIELD, None)  # never serialised, never closed twice by us
        try:
            if _wants_evidence(item):
                await self._shoot(item, page)
        finally:
            item.extraction = None  # the audit's parse, kept for the region only
            await close_page(page)
        return item

    async def _shoot(self, item: AuditedPage, page: Any) -> None:
        from playwright.async_api import Error as PlaywrightError

        try:
            shot = await take_screenshot(page, item.html, self.config, item.extraction)
        except PlaywrightError as exc:  # page crashed, context recycled, timeout
            self.stats.inc_value("footer_audit/evidence/failed")
            logger.warning("Screenshot of %s failed: %s", item.url, error_line(exc))
            return
        except Exception:  # a bug in the region code must not cost the page its report
            self.stats.inc_value("footer_audit/evidence/failed")
            logger.exception("Screenshot of %s failed", item.url)
            return
        if shot is None:
            self.stats.inc_value("footer_audit/evidence/skipped")
            logger.info("No screenshot of %s: no layout facts, or larger than %d bytes",
                        item.url, self.config.max_bytes)
            return
        item.record = replace(item.record, screenshot=StoredShot(
            data=shot.data, type=shot.mime, clip=tuple(shot.region.box())))
        self.stats.inc_value("footer_audit/evidence/screenshots")
        self.stats.inc_value("footer_audit/evidence/bytes", len(shot.data))
        if len(self.timings) < _TIMINGS_KEPT:
            self.timings.append(shot.seconds)

    def close_spider(self, spider: Any = None) -> None:
        if self.timings:
            self.stats.set_value("footer_audit/evidence/screenshot_ms_median",
                                 round(statistics.median(self.timings) * 1000, 1))


def _wants_evidence(item: Any) -> bool:
    return (isinstance(item, AuditedPage) and item.rendered and bool(item.html)
            and bool(item.record.violations))
