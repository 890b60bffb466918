"""Crawls from the API: a site, or an organisation of the server's portfolio, crawled as a job.

    POST /crawls                {"site": "example.cn"} or {"org": "NAME"}, optional render and
                                timeout: 202, `Location` of the job, the job
    GET  /crawls                recent jobs, newest first
    GET  /crawls/{id}           state, pages done, violations so far, the run id
    GET  /crawls/{id}/events    the same as server-sent events until the job ends
    POST /crawls/{id}/cancel    stop a queued or running crawl

A crawl never runs in the request: it is queued in the report store (`crawler.jobs`) and run by
the server's runner in a child process. Where the crawl may connect is the operator's choice
(`serve --allow-network`, `--resolve`), never the caller's: the address policy refuses loopback,
private, link-local, multicast and reserved targets of a crawl as it does for /check.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from crawler.api.app import API_PREFIX
from crawler.api.jobs import CrawlJobs, crawl_jobs
from crawler.api.security import require
from crawler.api.state import api_state
from crawler.errors import UsageError
from crawler.jobs.model import Job, JobOptions, JobState, valid_job_id
from crawler.reports.store.base import ApiToken

__all__ = ["CrawlRequest", "job_view", "router"]

router = APIRouter(tags=["crawls"])

JobId = Annotated[str, Path(min_length=1, max_length=40, description="A crawl job's id.")]
Reader = Annotated[ApiToken, Depends(require("audit"))]
Crawler = Annotated[ApiToken, Depends(require("crawl"))]

EVENT_POLL = 0.5  # seconds between two looks at a job while streaming its events
KEEP_ALIVE = 15.0  # seconds of silence after which the stream sends a comment line


class CrawlRequest(BaseModel):
    """What to crawl: one site, or one organisation of the server's portfolio."""

    # Where a crawl may connect is the operator's to say: a field such as allow_networks is
    # refused, not ignored.
    model_config = ConfigDict(extra="forbid")

    site: str | None = Field(None, min_length=1, max_length=2048,
                             description="A site (example.cn) or a URL whose host is crawled.")
    org: str | None = Field(None, min_length=1, max_length=200,
                            description="An organisation of the server's portfolio, by name.")
    render: Literal["auto", "always", "never"] | None = Field(
        None, description="Render pages in Chromium: auto, always, never (default: each "
                          "domain's setting).")
    timeout: float | None = Field(None, gt=0, le=120, description="Seconds per page.")

    @model_validator(mode="after")
    def _one_target(self) -> CrawlRequest:
        if (self.site is None) == (self.org is None):
            raise ValueError("give either site or org")
        return self


def _site_host(text: str) -> str:
    from crawler.net.domains import host_of
    from crawler.net.host_names import normalise_host

    value = text.strip()
    host = host_of(value) if "://" in value else value.split("/")[0]
    try:
        return normalise_host(host)
    except ValueError as exc:
        raise HTTPException(422, f"site: {exc}") from None


def job_view(job: Job) -> dict[str, Any]:
    """A job as the API shows it: no worker, and of the options only the caller's own (the
    operator's network allowances stay on the server)."""
    data = job.to_json()
    for private in ("worker", "heartbeat", "shared_run", "max_attempts"):
        data.pop(private, None)
    data["options"] = {k: data["options"][k] for k in ("render", "timeout")}
    base = f"{API_PREFIX}/crawls/{job.id}"
    links = {"self": base, "events": f"{base}/events"}
    if job.run_id and job.state == "finished":
        links["run"] = f"{API_PREFIX}/runs/{job.run_id}"
        links["report"] = f"{API_PREFIX}/runs/{job.run_id}/export?format=html"
    data["links"] = links
    return data


def _job_or_404(jobs: CrawlJobs, job_id: str) -> Job:
    job = jobs.queue.get(job_id) if valid_job_id(job_id) else None
    if job is None:
        raise HTTPException(404, f"no crawl {job_id!r}")
    return job


@router.post("/crawls", status_code=202, summary="Crawl a site or an organisation",
             response_description="The queued job; `Location` is where to follow it.")
def create_crawl(body: CrawlRequest, request: Request, _token: Crawler) -> JSONResponse:
    """Queue a crawl and answer at once. The crawl runs on the server, a few at a time; follow
    it at `Location` or its `events` stream. A site of the server's portfolio is crawled as its
    domain there (kind `crawl-domain`), with everything the file expects of it; an `org` must be
    in the portfolio."""
    state = api_state(request)
    jobs = crawl_jobs(request)
    config = state.config
    common = {"render": body.render, "timeout": body.timeout,
              "resolve": config.crawl_resolve, "allow_networks": config.allow_networks}
    if body.org is not None:
        if state.portfolio is None or config.portfolio is None:
            raise HTTPException(422, "org: this server has no portfolio (serve --portfolio "
                                "FILE); crawl a site instead")
        if body.org not in {o.name for o in state.portfolio.organisations}:
            raise HTTPException(422, f"org: no organisation {body.org!r} in the portfolio")
        from pathlib import Path as FilePath

        options = JobOptions(**common, portfolio=str(FilePath(config.portfolio).resolve()))
        kind, target = "crawl-org", body.org
    else:
        host = _site_host(body.site or "")
        match = state.portfolio.site(host) if state.portfolio is not None else None
        if match is not None and config.portfolio is not None:
            # A site of the portfolio: its domain, audited with everything the file says of it.
            from pathlib import Path as FilePath

            options = JobOptions(**common, portfolio=str(FilePath(config.portfolio).resolve()))
            kind, target = "crawl-domain", match.domain.domain
        else:
            options = JobOptions(**common)
            kind, target = "crawl-site", host
    try:
        job = jobs.queue.enqueue(Job.new(kind, target, options))
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    jobs.wake()
    view = job_view(job)
    return JSONResponse(view, status_code=202, headers={"Location": view["links"]["self"]})


@router.get("/crawls", summary="Recent crawls, newest first")
def list_crawls(request: Request, _token: Reader,
                state: Annotated[JobState | None, Query()] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    jobs = crawl_jobs(request)
    return {"crawls": [job_view(j) for j in jobs.queue.list(limit=limit, state=state)]}


@router.get("/crawls/{job_id}", summary="A crawl: state, pages done, violations, run")
def show_crawl(job_id: JobId, request: Request, _token: Reader) -> dict[str, Any]:
    """`state` is queued, running, finished, failed or cancelled; `pages_done` and `violations`
    count what the crawl has stored so far; `run_id` is the report store's run it writes
    (`links.run` once finished); `error` says why it failed."""
    return job_view(_job_or_404(crawl_jobs(request), job_id))


@router.post("/crawls/{job_id}/cancel", summary="Stop a queued or running crawl")
def cancel_crawl(job_id: JobId, request: Request, token: Crawler) -> dict[str, Any]:
    """A queued crawl never starts; a running one is stopped (its run is kept, incomplete).
    A crawl that has ended is returned as it is."""
    jobs = crawl_jobs(request)
    _job_or_404(jobs, job_id)
    job = jobs.queue.cancel(job_id, f"cancelled by token {token.name!r}")
    assert job is not None  # it exists: cancelled now, or already ended
    return job_view(job)


def _event(name: str, data: dict[str, Any], seq: int) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {seq}\nevent: {name}\ndata: {payload}\n\n"


@router.get("/crawls/{job_id}/events", summary="A crawl's progress as server-sent events",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`progress` events (the job, each time it "
                                            "changes), then one `end` event (the job as it "
                                            "ended), then the stream closes."}})
async def crawl_events(job_id: JobId, request: Request, _token: Reader) -> StreamingResponse:
    """For the popup: an EventSource-style stream. Each `progress` event carries the job (as
    `GET /crawls/{id}`) whenever its state or counts change; the last event, `end`, carries the
    finished, failed or cancelled job."""
    jobs = crawl_jobs(request)
    first = await run_in_threadpool(_job_or_404, jobs, job_id)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"  # an EventSource that loses the stream comes back in 2 s
        job: Job | None = first
        last: dict[str, Any] | None = None
        seq, quiet_since = 0, time.monotonic()
        while job is not None:
            view = job_view(job)
            if job.done:
                yield _event("end", view, seq + 1)
                return
            if view != last:
                seq += 1
                yield _event("progress", view, seq)
                last, quiet_since = view, time.monotonic()
            elif time.monotonic() - quiet_since > KEEP_ALIVE:
                yield ": keep-alive\n\n"  # proxies close silent connections
                quiet_since = time.monotonic()
            await asyncio.sleep(EVENT_POLL)
            if await request.is_disconnected():
                return
            job = await run_in_threadpool(jobs.queue.get, job_id)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
