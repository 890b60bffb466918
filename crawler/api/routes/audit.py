"""POST /api/v1/audit: the page the extension sees, audited now (`crawler/api/audit.py`)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from crawler.api.audit import audit_submitted
from crawler.api.expectations import expectations_for
from crawler.api.models import AuditRequest
from crawler.api.security import require
from crawler.api.state import api_state
from crawler.reports.store.base import ApiToken

__all__ = ["router"]

router = APIRouter(tags=["audit"])


@router.post("/audit", summary="Audit a page the browser already has",
             response_description="The `check --json` object (docs/check.md).")
async def audit(body: AuditRequest, request: Request,
                _token: Annotated[ApiToken, Depends(require("audit"))]) -> dict[str, Any]:
    """Audit the page's serialised DOM (parsed only: never fetched from, never executed)
    against the given expectations, completed by the server's portfolio for the URL's host.
    Visibility, position and covering are judged when the layout probe's `data-fa-*` facts are
    in the HTML."""
    state = api_state(request)
    expect = expectations_for(state, body.url, body)
    if state.audit_pool is not None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(state.audit_pool, audit_submitted, body.url,
                                          body.html, expect)
    return await run_in_threadpool(audit_submitted, body.url, body.html, expect)
