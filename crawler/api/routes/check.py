"""POST /api/v1/check: the server fetches and renders a URL, as `footer-audit check` does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException

from crawler.api.check_runner import CheckBusy, CheckFailed
from crawler.api.expectations import expectations_for
from crawler.api.models import CheckRequest
from crawler.api.security import require
from crawler.api.state import api_state
from crawler.reports.store.base import ApiToken

__all__ = ["router"]

router = APIRouter(tags=["check"])


@router.post("/check", summary="Fetch, render and audit a URL",
             response_description="The `check --json` object (docs/check.md); a page that "
                                  "could not be fetched says why in `status` and `error`.")
async def check(body: CheckRequest, request: Request,
                _token: Annotated[ApiToken, Depends(require("audit"))]) -> dict[str, Any]:
    """The fetch path of `footer-audit check` (redirects, encodings, Chromium, statuses) in a
    child process. Loopback, private, link-local, multicast and reserved targets are refused
    after DNS, on every redirect and for every request the rendered page makes, unless the
    operator allowed the range (`serve --allow-network`): such a page comes back `unreachable`,
    its `error` naming the address."""
    from crawler.app.check import choose_render
    from crawler.errors import UsageError

    state = api_state(request)
    if state.checks is None:
        raise HTTPException(503, "checks are not available on this server")
    try:
        mode, _notice = choose_render(body.render)
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    expect = expectations_for(state, body.url, body)
    try:
        return await state.checks.check(body.url, expect, mode)
    except CheckBusy as exc:
        raise HTTPException(503, f"too many checks at once ({exc}); try again shortly",
                            headers={"Retry-After": "10"}) from None
    except CheckFailed as exc:
        raise HTTPException(422 if exc.usage else 502, str(exc)) from None
    except TimeoutError:
        raise HTTPException(504, "the check did not finish in time") from None
