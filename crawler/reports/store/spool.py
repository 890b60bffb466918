"""A local spool: JSON lines kept on disk while the report store cannot be reached.

The first line of a spool file names what it is for: `{"op": "spool", "store": IDENT, "run_id":
RUN}` (`ReportStore.ident`: the SQLite file's absolute path, or the Redis server, database and
key prefix). Replay writes a spool only into that store and only that run's operations: the
leftovers of a Redis run are never poured into the next run's SQLite file. A file without that
line (written by an older version) is replayed only on demand (`footer-audit report replay`).

Each further line is one operation, replayed in order when the store is back: `run` (create or
update a run), `page` (one page record), `close` (finish a run: summary, status, lifecycle).
Every operation is idempotent, so a spool replayed twice, or cut short and replayed again, stores
each page once. Lines are flushed as they are written: a killed crawl loses nothing it spooled.

A spool that cannot be written (disk full, read-only) moves on to the next directory it was
given (another file system, e.g. the system's temporary directory): the run then has a file in
each, replayed in order. When no directory takes it, `SpoolFailed` says so in one line.

The writing process holds an exclusive `flock` on its spool file, so another crawl that finds the
file (to replay leftovers of earlier runs) leaves a live spool alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic needs this TypedDict before Python 3.12

from crawler.data_dir import data_dir
from crawler.errors import StoreError
from crawler.reports.store.base import ReportStore, Run, dumps
from crawler.reports.validation import adapter

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = ["Journal", "Spool", "SpoolElsewhere", "SpoolFailed", "default_spool_dirs",
           "fallback_spool_dir", "read_header", "recover_journals", "replay_file"]

logger = logging.getLogger(__name__)

HEADER_OP = "spool"


def fallback_spool_dir() -> Path:
    """Where spool files go when the spool directory cannot be written (disk full, read-only):
    the system's temporary directory, usually another file system."""
    return Path(tempfile.gettempdir()) / "footer-audit-spool"


def default_spool_dirs(spool_dir: Path | None = None) -> list[Path]:
    """The spool directory (default `<data dir>/spool`), then the fallback, without repeats."""
    dirs = [spool_dir or data_dir() / "spool", fallback_spool_dir()]
    return [d for i, d in enumerate(dirs) if d not in dirs[:i]]


class SpoolFailed(StoreError):
    """No spool directory accepts the results (every one full, read-only or missing)."""


class SpoolElsewhere(StoreError):
    """The spool file was written for another store (or names none): not replayed here."""


# The lines of a spool or journal file, validated as they are read back (pydantic): a line cut
# short by a crash or a full disk, or one this version does not know, is skipped with a warning.
class HeaderLine(TypedDict):
    op: Literal["spool"]
    store: NotRequired[str]
    run_id: NotRequired[str]


class RunLine(TypedDict):
    op: Literal["run"]
    run: Run  # a run to create (or to update)


class PageLine(TypedDict):
    op: Literal["page"]
    run_id: str
    record: dict[str, Any]  # the page record, stored as given


class CloseLine(TypedDict):
    op: Literal["close"]
    run_id: str
    status: str
    finished: NotRequired[str | None]
    note: NotRequired[str]
    expected: NotRequired[int | None]


SpoolLine = HeaderLine | RunLine | PageLine | CloseLine
Operation = RunLine | PageLine | CloseLine


@cache
def _line_adapter() -> TypeAdapter[SpoolLine]:
    from pydantic import Field

    return adapter(Annotated[SpoolLine, Field(discriminator="op")])


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)  # pydantic's list of what failed
    return str(errors()[0]["msg"]) if callable(errors) else str(exc)


def _line(text: str) -> SpoolLine:
    """One line read back, validated; pydantic's ValidationError (a ValueError) when it is none
    of these."""
    line: SpoolLine = _line_adapter().validate_json(text)
    return line


def read_header(path: Path) -> HeaderLine | None:
    """The spool's first line when it names its store and run, else None."""
    try:
        with path.open(encoding="utf-8") as fh:
            first = _line(fh.readline())
    except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
        return None
    return first if first["op"] == "spool" else None


def _entries(path: Path) -> Iterator[Operation]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = _line(line)
            except ValueError as exc:  # pydantic's ValidationError
                logger.warning("spool %s: line %d is not an operation this version knows (%s), "
                               "skipped", path, n, _first_error(exc))
                continue
            if entry["op"] != "spool":  # the header
                yield entry


class Spool:
    def __init__(self, path: Path, *, store: str = "", run_id: str = "",
                 fallback_dirs: Sequence[Path] = ()) -> None:
        self.path = path  # the file written now
        self.store = store
        self.run_id = run_id
        self._next_dirs = [d for d in fallback_dirs if d != path.parent]
        self.files: list[Path] = [path] if path.exists() else []
        self._fh: Any = None
        self.count = 0  # operations to replay
        self.pages = 0  # of which pages
        for entry in self.entries():
            self.count += 1
            self.pages += entry["op"] == "page"

    def __bool__(self) -> bool:
        return self.count > 0

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        self._fh = self.path.open("a", encoding="utf-8")
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)  # released when the handle closes
        if self.path not in self.files:
            self.files.append(self.path)
        if fresh and (self.store or self.run_id):
            self._fh.write(dumps({"op": HEADER_OP, "store": self.store,
                                  "run_id": self.run_id}) + "\n")

    def append(self, op: str, **payload: Any) -> None:
        line = dumps({"op": op, **payload}) + "\n"
        while True:
            try:
                if self._fh is None:
                    self._open()
                self._fh.write(line)
                self._fh.flush()
                break
            except OSError as exc:
                self._abandon_handle()
                if not self._next_dirs:
                    raise SpoolFailed(f"cannot keep results in the spool {self.path}: "
                                      f"{exc.strerror or exc}") from exc
                failed, self.path = self.path, self._next_dirs.pop(0) / self.path.name
                logger.warning("spool %s cannot be written (%s); keeping results in %s",
                               failed, exc.strerror or exc, self.path)
        self.count += 1
        self.pages += op == "page"

    def _abandon_handle(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):  # the disk that failed the write fails this too
                self._fh.close()
            self._fh = None

    def _close_handle(self) -> None:
        if self._fh is not None:
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            finally:
                self._abandon_handle()

    def entries(self) -> Iterator[Operation]:
        for path in self.files:
            yield from _entries(path)

    def replay(self, store: ReportStore,
               close_run: Callable[..., Any]) -> int:
        """Apply every spooled operation of this run to `store`; the files are removed once all
        succeeded. Raises StoreUnavailable (files kept) if the store fails midway. Returns pages
        written."""
        self._close_handle()
        pages = _apply(self.entries(), store, close_run, self.run_id or None, self.path)
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files = []
        self.count = self.pages = 0
        return pages

    def close(self) -> None:
        self._close_handle()


def _apply(entries: Iterator[Operation], store: ReportStore, close_run: Callable[..., Any],
           run_id: str | None, path: Path) -> int:
    pages = 0
    for entry in entries:
        owner = entry["run"].id if entry["op"] == "run" else entry["run_id"]
        if run_id is not None and owner != run_id:
            logger.warning("spool %s: an operation of run %s, not %s, skipped", path, owner,
                           run_id)
            continue
        if entry["op"] == "run":
            if store.get_run(entry["run"].id) is None:
                store.create_run(entry["run"])
        elif entry["op"] == "page":
            store.put_page(entry["run_id"], entry["record"])
            pages += 1
        else:
            close_run(store, entry["run_id"], entry["status"], entry.get("finished"),
                      note=entry.get("note", ""), expected=entry.get("expected"))
    return pages


def replay_file(path: Path, store: ReportStore, *, any_store: bool = False) -> int | None:
    """Replay one spool file left by an earlier run (`report replay`, or a pipeline starting).
    Returns None, touching nothing, while a running crawl still writes the file. Raises
    SpoolElsewhere when the file names another store, or names none and `any_store` is off."""
    from crawler.reports.store.writer import close_run

    header = read_header(path)
    if header is None and not any_store:
        raise SpoolElsewhere(f"spool {path} does not say which store it is for: write it with "
                             "`footer-audit report replay` and the store it belongs to")
    if header is not None and header.get("store") and header["store"] != store.ident:
        raise SpoolElsewhere(f"spool {path} is for the store {header['store']}, not "
                             f"{store.ident}: left alone")
    with path.open("rb") as guard:
        try:
            fcntl.flock(guard.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        run_id = header.get("run_id") if header else None
        pages = _apply(_entries(path), store, close_run, run_id or None, path)
        path.unlink(missing_ok=True)
        return pages


class Journal:
    """The run's write-ahead journal: every page handed to the writer, appended (and flushed) by
    the crawl before the writer thread stores it, at `<spool dir>/<run id>.journal`.

    The pages a store lost during the run (a Redis restarted empty) are written again from it
    when the run closes, and a crawl killed outright (SIGKILL) leaves it behind for the next
    command (`recover_journals`) to store what the writer had not. It is removed when the run
    closes. It takes about the disk space of the run's pages; one that cannot be written is
    switched off with one warning (the spool still keeps whatever the store cannot take)."""

    SUFFIX = ".journal"

    def __init__(self, path: Path, *, store: str, run_id: str) -> None:
        self.path = path
        self.store = store
        self.run_id = run_id
        self._fh: Any = None
        self.off = False
        self._lock = threading.Lock()  # the crawl appends, the writer thread reads at close

    def append(self, record: dict[str, Any]) -> None:
        if self.off:
            return
        with self._lock:
            try:
                if self._fh is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._fh = self.path.open("a", encoding="utf-8")
                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
                    self._fh.write(dumps({"op": HEADER_OP, "store": self.store,
                                          "run_id": self.run_id}) + "\n")
                self._fh.write(dumps({"op": "page", "run_id": self.run_id, "record": record})
                               + "\n")
                self._fh.flush()
            except OSError as exc:
                self.off = True
                logger.warning("run journal %s cannot be written (%s): switched off", self.path,
                               exc.strerror or exc)
                self._close()
                self.path.unlink(missing_ok=True)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every page journalled so far (the latest delivery of a URL comes last)."""
        if self.off:
            return
        with self._lock:
            if self._fh is not None:
                self._fh.flush()
        for entry in _entries(self.path):
            if entry["op"] == "page":
                yield entry["record"]

    def _close(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    def remove(self) -> None:
        with self._lock:
            self._close()
            self.path.unlink(missing_ok=True)


def recover_journals(store: ReportStore, dirs: Sequence[Path]) -> dict[str, int]:
    """Journals left by crawls that died (SIGKILL) whose store is `store`: write the pages its
    run lacks, fold them into its counts, remove the journal. A journal another crawl still
    holds is left alone. Returns pages written per run id."""
    from crawler.reports.store.base import normalise_url
    from crawler.reports.store.writer import close_run

    done: dict[str, int] = {}
    for directory in dirs:
        for path in sorted(directory.glob(f"*{Journal.SUFFIX}")) if directory.is_dir() else []:
            header = read_header(path)
            if header is None or header.get("store") != store.ident:
                continue
            with path.open("rb") as guard:
                try:
                    fcntl.flock(guard.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its crawl is alive
                run = store.get_run(str(header.get("run_id")))
                if run is None:
                    continue  # its store lost the run itself: nothing to attach the pages to
                have = {m.url_key for m in store.iter_page_meta(run.id)}
                written = 0
                for entry in _entries(path):
                    if entry["op"] != "page":
                        continue
                    url = entry["record"].get("url")
                    if isinstance(url, str) and url and normalise_url(url) not in have:
                        store.put_page(run.id, entry["record"])
                        written += 1
                if written and run.status != "running":
                    close_run(store, run.id, run.status, run.finished, note=run.note)
                path.unlink(missing_ok=True)
            if written:
                logger.warning("run %s: %d page(s) its crawl had not stored written from its "
                               "journal %s", run.id, written, path)
            done[run.id] = written
    return done
