"""JSON Lines writer: one JSON object per audited page, to a file or standard output.

Each line is the `check --json` object (docs/check.md) plus the crawl's context: `org`,
`domain`, `host`, `status`, `discovered_from`, and the evidence the fetch path kept (redirect
chain, fetch time, tool version, and `screenshot`: whether an evidence screenshot was taken, which
the report store keeps). Portfolio-wide findings (`subject_inconsistent`) come last, one
line per organisation, with `"kind": "portfolio"`.

Settings: `FOOTER_AUDIT_JSONL_OUTPUT` (a path, or `-` for standard output; empty: off).

An output that cannot be written (disk full, a closed pipe) stops the crawl early, close reason
`output_failed`, with one error line: results that cannot be kept are not crawled for nothing.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.items import item_page_record
from crawler.portfolio.findings import PORTFOLIO_FINDINGS
from rules.page_record import plain

__all__ = ["OUTPUT_FAILED", "JsonlWriterPipeline", "page_record"]

logger = logging.getLogger(__name__)

OUTPUT_FAILED = "output_failed"  # close reason of a crawl whose output could not be written

def page_record(item: Any) -> dict[str, Any]:
    """The line written for one audited page (`PageRecord.to_json("lines")`)."""
    return item_page_record(item).to_json("lines")


class JsonlWriterPipeline:
    """Writes each audited page as one JSON line, in the order pages finish."""

    def __init__(self, target: str, crawler: Any):
        self.target = target
        self.crawler = crawler
        self.out: IO[str] | None = None
        self.owned = False
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlWriterPipeline:
        target = crawler.settings.get("FOOTER_AUDIT_JSONL_OUTPUT") or ""
        if not target:
            raise NotConfigured  # FOOTER_AUDIT_JSONL_OUTPUT empty (bare: Scrapy logs no warning)
        pipe = cls(target, crawler)
        crawler.signals.connect(pipe.portfolio_findings, signal=PORTFOLIO_FINDINGS)
        crawler.signals.connect(pipe.close, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider: Any = None) -> None:
        if self.target == "-":
            self.out = sys.stdout
        else:
            path = Path(self.target)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.out = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed at spider_closed)
            self.owned = True

    def write(self, record: dict[str, Any]) -> None:
        if self.failed:
            return
        try:
            if self.out is None:
                self.open_spider()
            assert self.out is not None
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self.out.flush()  # an interrupted run keeps every line already written
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        """One error line, then the crawl stops (its pages could not be kept here)."""
        self.failed = True
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.set_value("footer_audit/output_failed", str(exc.strerror or exc))
        logger.error("cannot write the results to %s: %s; stopping the crawl", self.target,
                     exc.strerror or exc)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=OUTPUT_FAILED))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.write(page_record(item))
        return item

    def portfolio_findings(self, records: list[dict[str, Any]], **_: Any) -> None:
        for record in records:
            self.write({"kind": "portfolio", **plain(record)})

    def close(self, **_: Any) -> None:
        if self.out is not None and self.owned:
            try:
                self.out.close()
            except OSError as exc:
                if not self.failed:
                    self._fail(exc)
        self.out = None

    def close_spider(self, spider: Any = None) -> None:
        """Closed on spider_closed instead, after the portfolio-wide findings are written."""
