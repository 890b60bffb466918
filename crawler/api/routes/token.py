"""GET /api/v1/token: the token a request carries, as the server sees it (the extension's
options page checks the backend URL and the token with it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from crawler.api.security import require
from crawler.reports.store.base import ApiToken
from crawler.version import tool_version

__all__ = ["router"]

router = APIRouter(tags=["token"])


@router.get("/token", summary="The calling token's name and scope")
def whoami(token: Annotated[ApiToken, Depends(require("audit"))]) -> dict[str, str]:
    return {"name": token.name, "scope": token.scope, "created": token.created,
            "server": tool_version()}
