"""The processes that audit /audit bodies: the audit is CPU-bound (parsing a large DOM takes
tens of milliseconds), so it runs beside the server's event loop, one process per core, instead
of holding the loop or the interpreter lock.

Workers are spawned, not forked (the server has threads; a fork copies their locks mid-use), and
started with the server so that no request pays for importing the rules. A worker that dies (a
crash, the kernel's OOM killer) breaks the pool: the pool is made again and the audit retried
once, so one lost process never turns every later request into an error.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from crawler.api.audit import audit_submitted
from rules.model import Expectations

__all__ = ["AuditPool"]

logger = logging.getLogger("footer_audit.api")


class AuditPool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("spawn"))
        warm = [pool.submit(audit_submitted, "http://warm.invalid/", "<p>warm</p>", None)
                for _ in range(self.workers)]
        for future in warm:
            future.result()
        return pool

    def _restart(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:  # the first request to notice makes the new pool
                logger.warning("an audit process died: starting the audit processes again")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            return self._pool

    async def audit(self, url: str, html: str, expect: Expectations) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, audit_submitted, url, html, expect)
        except BrokenProcessPool:
            pool = await loop.run_in_executor(None, self._restart, pool)
            return await loop.run_in_executor(pool, audit_submitted, url, html, expect)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
