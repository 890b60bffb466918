"""The report pipeline: writes each audited page to the report store as it arrives.

One run per crawl: opened when the spider opens, closed when it closes (or, with
FOOTER_AUDIT_STORE_RUN_PART, one part of a run another process opened and settles: pages only), as
`finished` only when the spider finished normally (close reason `finished`) and the store holds
every page, otherwise `incomplete` with a note saying why. Pages are written one by one (a page
delivered twice is stored once) on a thread of their own, so a slow or frozen store never holds up
the crawl, and an interrupted crawl keeps every result it had. While the store is unreachable (or
cannot be opened at all), results go to a spool file and are written when it is back; when no spool
directory takes them either, the crawl stops early (close reason `store_failed`) with one error
line.

At the start, runs left `running` by a crawl that died are marked `incomplete`
(`crawler.reports.store.liveness`) and spool files this store's earlier runs left are written.

Settings (all optional; see docs/reports.md):
    FOOTER_AUDIT_STORE_ENABLED         bool, True: store results
    FOOTER_AUDIT_STORE_PORTFOLIO       str, the spider's `portfolio_name`, else its name
    FOOTER_AUDIT_STORE_PREFIX          str, Redis key prefix ($FOOTER_AUDIT_REDIS_PREFIX,
                                       "footer-audit:")
    FOOTER_AUDIT_STORE_RETRY_INTERVAL  float, 5.0: seconds between attempts to reach a lost store
    FOOTER_AUDIT_STORE_RUN_ID          str, preset run id (so a CLI can print it up front)
    FOOTER_AUDIT_STORE_RUN_PART        str, write into the run FOOTER_AUDIT_STORE_RUN_ID as this
                                       part (a job of a distributed run): the run is neither
                                       beaten nor closed by this crawl
    FOOTER_AUDIT_STORE_SPOOL_DIR       str, where spool files go (<data dir>/spool; then the
                                       system's temporary directory when that one fails)
    FOOTER_AUDIT_STORE_TIMEOUT         float, 2.0: seconds a Redis call may take before the
                                       page goes to the spool
    FOOTER_AUDIT_STORE_TRIGGER         str, "on-demand": "nightly", "on-demand" or "api"
    FOOTER_AUDIT_STORE_URL             str, redis://… or a SQLite path ($REDIS_URL, else the
                                       embedded SQLite file)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.spiders import Spider

from crawler.data_dir import data_dir
from crawler.errors import StoreError
from crawler.items import FetchedPage, item_page_record
from crawler.reports.store import ReportStore, Run, new_run_id, open_store, store_ident
from crawler.reports.store.base import TRIGGERS, StoreUnavailable
from crawler.reports.store.liveness import mark_dead_runs
from crawler.reports.store.spool import (
    Journal,
    SpoolElsewhere,
    default_spool_dirs,
    recover_journals,
    replay_file,
)
from crawler.reports.store.writer import BackgroundWriter, RunWriter
from crawler.stats import (
    RUN_ID_STAT,
    RUN_NOTE_STAT,
    RUN_STATUS_STAT,
    SPOOL_FILES_STAT,
    STORE_OUTCOME_STAT,
)
from rules.page_record import plain

__all__ = ["ReportPipeline", "StoreConfig", "item_record"]

logger = logging.getLogger(__name__)

STORE_FAILED = "store_failed"  # close reason of a crawl stopped because results had nowhere to go


def _stop_note(reason: str) -> str:
    if reason == "finished":
        return ""
    if reason == "shutdown":
        return "interrupted (SIGTERM, SIGINT or Ctrl-C)"
    if reason == STORE_FAILED:
        return ""  # the writer's own line says why
    return f"the crawl stopped early ({reason})"


@dataclass(frozen=True)
class StoreConfig:
    enabled: bool
    url: str | None
    prefix: str | None
    portfolio: str | None
    retry_interval: float
    run_id: str | None
    spool_dir: Path
    trigger: str
    timeout: float = 2.0
    part: str | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StoreConfig:
        trigger = settings.get("FOOTER_AUDIT_STORE_TRIGGER") or "on-demand"
        if trigger not in TRIGGERS:
            raise NotConfigured(f"FOOTER_AUDIT_STORE_TRIGGER must be one of {', '.join(TRIGGERS)},"
                                f" not {trigger!r}")
        spool = settings.get("FOOTER_AUDIT_STORE_SPOOL_DIR")
        return cls(
            enabled=settings.getbool("FOOTER_AUDIT_STORE_ENABLED", True),
            url=settings.get("FOOTER_AUDIT_STORE_URL") or None,
            prefix=settings.get("FOOTER_AUDIT_STORE_PREFIX") or None,
            portfolio=settings.get("FOOTER_AUDIT_STORE_PORTFOLIO") or None,
            retry_interval=settings.getfloat("FOOTER_AUDIT_STORE_RETRY_INTERVAL", 5.0),
            run_id=settings.get("FOOTER_AUDIT_STORE_RUN_ID") or None,
            spool_dir=Path(spool) if spool else data_dir() / "spool",
            trigger=trigger,
            timeout=settings.getfloat("FOOTER_AUDIT_STORE_TIMEOUT", 2.0),
            part=settings.get("FOOTER_AUDIT_STORE_RUN_PART") or None,
        )


def item_record(item: Any) -> dict[str, Any]:
    """The stored record of one item (`PageRecord.to_json("store")`): the check JSON
    (docs/check.md) plus org, owner, domain, host, discovered_from, snapshot, the expectations the
    audit used (for re-audit) and the evidence screenshot ({type, clip, size, data}: base64,
    which the store keeps apart).

    Accepts a page item (`crawler.items.FetchedPage` or `AuditedPage`) or a plain dict that
    already has that shape (a record read back from a spool file)."""
    if isinstance(item, FetchedPage):
        return item_page_record(item).to_json("store")
    if isinstance(item, dict):
        record = dict(plain(item))
        record.pop("html", None)  # the full page is not kept: the snapshot is what re-audit reads
        return record
    raise TypeError(f"not a page: {type(item).__name__}")


class ReportPipeline:
    """Stores every audited page in the report store, one run per crawl."""

    def __init__(self, crawler: Crawler, config: StoreConfig) -> None:
        if not config.enabled:
            raise NotConfigured  # FOOTER_AUDIT_STORE_ENABLED off (bare: Scrapy logs no warning)
        self.crawler = crawler
        self.config = config
        self.store: ReportStore | None = None
        try:
            self.store = self._open()
        except StoreUnavailable as exc:
            # Results are kept in the spool, and the store is tried again as the crawl goes on.
            logger.warning("Report store cannot be opened (%s): results go to the spool until "
                           "it can", exc)
        except StoreError as exc:  # a store URL that can never work
            logger.error("Report store disabled: %s", exc)
            raise NotConfigured(str(exc)) from exc
        self.writer: BackgroundWriter | None = None
        self.journal: Journal | None = None
        self._stopping = False

    def _open(self) -> ReportStore:
        return open_store(self.config.url, prefix=self.config.prefix,
                          timeout=self.config.timeout)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, StoreConfig.from_settings(crawler.settings))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _spool_dirs(self) -> list[Path]:
        return default_spool_dirs(self.config.spool_dir)

    def _tidy_store(self, current: str) -> None:
        """Runs a dead crawl left `running` (their journals first), and spool files of earlier
        runs of this store."""
        if self.store is None:
            return
        try:
            recover_journals(self.store, self._spool_dirs())
            if self.config.part is None:  # a part's workers settle its run themselves
                from crawler.jobs.distributed import settle_open_runs

                settle_open_runs(self.store)
            mark_dead_runs(self.store)
        except StoreError:
            return  # unreachable: the run writer reports it
        for spool_dir in self._spool_dirs():
            for path in sorted(spool_dir.glob("*.jsonl")):
                if path.name == current:
                    continue
                try:
                    pages = replay_file(path, self.store)
                except SpoolElsewhere as exc:
                    logger.warning("%s", exc)
                    continue
                except StoreError:
                    return  # still unreachable: the run writer reports it
                if pages is None:
                    continue  # another crawl is writing it
                logger.warning("Wrote %d page(s) left in the spool %s by an earlier run", pages,
                               path)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None  # Scrapy opens pipelines once the engine has its spider
        portfolio = (self.config.portfolio or getattr(spider, "portfolio_name", None)
                     or spider.name)
        run = Run(id=self.config.run_id or new_run_id(), portfolio=portfolio,
                  trigger=self.config.trigger)
        # Parts of one run may run side by side on one machine: each its own files.
        stem = f"{run.id}.{self.config.part}" if self.config.part else run.id
        spool_name = f"{stem}.jsonl"
        self._tidy_store(spool_name)
        dirs = self._spool_dirs()
        ident = (self.store.ident if self.store
                 else store_ident(self.config.url, prefix=self.config.prefix))
        self.journal = Journal(dirs[0] / f"{stem}{Journal.SUFFIX}", store=ident, run_id=run.id)
        writer = RunWriter(self.store, run, dirs[0] / spool_name, self.config.retry_interval,
                           opener=self._open, store_ident=ident, fallback_dirs=dirs[1:],
                           journal=self.journal, part=self.config.part is not None)
        self.writer = BackgroundWriter(writer)
        self.writer.start()
        self.crawler.stats.set_value(RUN_ID_STAT, run.id)
        where = self.store.url if self.store else "the spool"
        logger.info("Report run %s (%s) stored in %s", run.id, portfolio, where)

    def process_item(self, item: Any) -> Any:
        assert self.writer is not None
        if self.writer.fatal and not self._stopping:
            self._stopping = True  # the writer logged why, once
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORE_FAILED))
        try:
            record = item_record(item)
            if not record.get("url"):
                raise ValueError("the item has no url")
        except (TypeError, ValueError) as exc:
            logger.warning("Report store: item skipped: %s", exc)
            self.crawler.stats.inc_value("footer_audit/store/skipped")
            return item
        if not self.writer.run.rules_version and record.get("rules_version"):
            self.writer.run.rules_version = str(record["rules_version"])
        if self.journal is not None:
            self.journal.append(record)  # before the hand-over: a SIGKILL loses nothing
        self.writer.write(record)
        self.crawler.stats.inc_value("footer_audit/store/pages")
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.writer is None:
            return
        status = "finished" if reason == "finished" else "incomplete"
        run = self.writer.close(status, _stop_note(reason))
        stats = self.crawler.stats
        inner = self.writer.writer
        if run is not None:
            logger.info("Report run %s %s: %d page(s), %d violation(s)", run.id, run.status,
                        run.counts.get("pages", 0), run.counts.get("violations", 0))
            stats.set_value(RUN_STATUS_STAT, run.status)
            stats.set_value(RUN_NOTE_STAT, run.note)
            stats.set_value(STORE_OUTCOME_STAT, "stored")
        else:
            kept = bool(inner.spool.files) and not (inner.fatal and inner.spool.count == 0)
            stats.set_value(RUN_STATUS_STAT, "incomplete" if inner.fatal else status)
            stats.set_value(STORE_OUTCOME_STAT, "spooled" if kept and not inner.fatal
                            else "failed")
            stats.set_value(SPOOL_FILES_STAT, [str(p) for p in inner.spool.files])
        stats.set_value("footer_audit/store/spooled", inner.spooled)
        if inner.store is not None:
            inner.store.close()
