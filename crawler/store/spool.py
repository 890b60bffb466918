"""A local spool: JSON lines kept on disk while the report store cannot be reached.

Each line is one operation, replayed in order when the store is back: `run` (create or update a
run), `page` (one page record), `close` (finish a run: summary, status, lifecycle). Every
operation is idempotent, so a spool replayed twice, or cut short and replayed again, stores each
page once. Lines are flushed as they are written: a killed crawl loses nothing it spooled.

The writing process holds an exclusive `flock` on its spool file, so another crawl that finds the
file (to replay leftovers of earlier runs) leaves a live spool alone.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crawler.store.base import ReportStore, Run, dumps

__all__ = ["Spool", "replay_file"]

logger = logging.getLogger(__name__)


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None
        self.count = self._existing_lines()

    def _existing_lines(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    def __bool__(self) -> bool:
        return self.count > 0

    def append(self, op: str, **payload: Any) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)  # released when the handle closes
        self._fh.write(dumps({"op": op, **payload}) + "\n")
        self._fh.flush()
        self.count += 1

    def _close_handle(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a crash: nothing to replay
                    logger.warning("spool %s: line %d is not JSON, skipped", self.path, n)

    def replay(self, store: ReportStore,
               close_run: Callable[[ReportStore, str, str, str | None], Any]) -> int:
        """Apply every spooled operation to `store`; the file is removed once all succeeded.
        Raises StoreUnavailable (file kept) if the store fails midway. Returns pages written."""
        self._close_handle()
        pages = 0
        for entry in self.entries():
            op = entry.get("op")
            if op == "run":
                run = Run.from_json(entry["run"])
                if store.get_run(run.id) is None:
                    store.create_run(run)
            elif op == "page":
                store.put_page(entry["run_id"], entry["record"])
                pages += 1
            elif op == "close":
                close_run(store, entry["run_id"], entry["status"], entry.get("finished"))
            else:
                logger.warning("spool %s: unknown operation %r skipped", self.path, op)
        self.path.unlink(missing_ok=True)
        self.count = 0
        return pages

    def close(self) -> None:
        self._close_handle()


def replay_file(path: Path, store: ReportStore) -> int | None:
    """Replay one spool file left by an earlier run (`report replay`, or a pipeline starting).
    Returns None, touching nothing, while a running crawl still writes the file."""
    from crawler.store.writer import close_run

    with path.open("rb") as guard:
        try:
            fcntl.flock(guard.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        return Spool(path).replay(store, close_run)
