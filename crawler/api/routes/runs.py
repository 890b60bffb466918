"""GET /api/v1/runs, /runs/{id}, /runs/{id}/diff, /runs/{id}/export: stored runs, as
`footer-audit report list|show|diff|export` gives them.

`{id}` is a run id, a unique prefix of one, or `latest`. Exports are the CLI's own writers
(`crawler/reports/exports`) streamed as they write: a thread writes into a small bounded queue
that the response drains, so memory stays flat whatever the size of the run, and a client that
goes away stops the writer.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException

from crawler.api.security import require
from crawler.api.state import StoreProvider, api_state
from crawler.errors import StoreError
from crawler.reports.changes import diff_runs, listed_changes, previous_finished_run
from crawler.reports.store import ReportStore, Run, StoreUnavailable, summarise_run
from crawler.reports.store.base import ApiToken

__all__ = ["router"]

logger = logging.getLogger("footer_audit.api")
router = APIRouter(tags=["runs"])

RunRef = Annotated[str, Path(min_length=1, max_length=100,
                             description="A run id, a unique prefix of one, or `latest`.")]
Reader = Annotated[ApiToken, Depends(require("audit"))]

_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
          "html": "text/html; charset=utf-8"}


def _resolve(store: ReportStore, ref: str) -> Run:
    try:
        return store.resolve_run(ref)
    except StoreUnavailable:
        raise
    except StoreError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/runs", summary="Stored runs, newest first")
def list_runs(request: Request, _token: Reader,
              portfolio: Annotated[str | None, Query(max_length=500)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> dict[str, Any]:
    store = api_state(request).stores.get()
    return {"runs": [r.to_json() for r in store.list_runs(portfolio=portfolio, limit=limit)]}


@router.get("/runs/{run_id}", summary="A run: summary per organisation and rule, changes")
def show_run(run_id: RunRef, request: Request, _token: Reader) -> dict[str, Any]:
    store = api_state(request).stores.get()
    run = _resolve(store, run_id)
    return {"run": run.to_json(), "summary": summarise_run(store, run.id),
            "changes": diff_runs(store, run).to_json()}


@router.get("/runs/{run_id}/diff", summary="What changed against another run")
def diff_run(run_id: RunRef, request: Request, _token: Reader,
             against: Annotated[str | None, Query(min_length=1, max_length=100,
                                                  description="Default: the previous finished "
                                                              "run.")] = None,
             limit: Annotated[int, Query(ge=0, le=10000,
                                         description="Violations listed per kind.")] = 50,
             ) -> dict[str, Any]:
    """New, regressed, fixed, still open, unverified and waived violations (as
    `footer-audit report diff --json`)."""
    store = api_state(request).stores.get()
    run = _resolve(store, run_id)
    baseline = _resolve(store, against) if against else previous_finished_run(store, run)
    return listed_changes(store, run, baseline, limit)


@router.get("/runs/{run_id}/export", summary="Export a run: CSV, JSON or HTML, streamed",
            response_class=StreamingResponse,
            responses={200: {"content": {m.split(";")[0]: {} for m in _MEDIA.values()}}})
def export_run(run_id: RunRef, request: Request, _token: Reader,
               format: Annotated[Literal["csv", "json", "html"], Query(
                   description="csv: one row per violation (UTF-8 with BOM); json; html: one "
                               "self-contained page.")] = "json",
               ) -> StreamingResponse:
    from crawler.reports.exports import EXPORTERS

    stores = api_state(request).stores
    run = _resolve(stores.get(), run_id)
    body = _stream(stores, EXPORTERS[format], run)
    name = f"footer-audit-{run.id}.{format}"
    return StreamingResponse(body, media_type=_MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


_END = object()


class _QueueWriter:
    """A text stream for the exporters: UTF-8 chunks of about 64 KiB into a bounded queue."""

    def __init__(self, out: queue.Queue, stop: threading.Event, chunk: int = 64 * 1024) -> None:
        self.out, self.stop, self.chunk = out, stop, chunk
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.chunk:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if not self.parts:
            return
        data = "".join(self.parts).encode("utf-8")
        self.parts, self.size = [], 0
        self._put(data)

    def _put(self, item: object) -> None:
        while True:
            if self.stop.is_set():
                raise _Stopped
            try:
                self.out.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


class _Stopped(Exception):
    """The client went away: the writer ends."""


def _stream(stores: StoreProvider, exporter: Any, run: Run) -> Iterator[bytes]:
    chunks: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    writer = _QueueWriter(chunks, stop)

    def work() -> None:
        store = stores.open_private()  # this thread's own connection
        try:
            exporter(store, run, writer)
            writer.flush()
            writer._put(_END)
        except _Stopped:
            pass
        except Exception as exc:
            logger.exception("exporting run %s failed", run.id)
            with contextlib.suppress(_Stopped):
                writer._put(exc)
        finally:
            if not stores.is_redis:
                store.close()

    thread = threading.Thread(target=work, name=f"export-{run.id}", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, Exception):
                # Headers are sent: the client sees a truncated download, the log the cause.
                raise RuntimeError(f"export of run {run.id} failed") from item
            yield item
    finally:
        stop.set()
