"""Who may call what: bearer tokens, scopes, the rate limit.

    401  no token, a malformed `Authorization` header, or a token the store does not know
    403  a revoked token, or a token whose scope does not reach the endpoint
    429  the token's rate limit is spent (`Retry-After` says when to come back)

Scopes, each including the one before: `audit` (POST /audit, POST /check, GET /sites, /runs,
/snippet), `crawl` (also /crawls), `admin` (everything). A route asks for its scope with
`Depends(require("audit"))` and receives the caller's `ApiToken`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from crawler.api.state import api_state
from crawler.api.tokens import verify_token
from crawler.errors import StoreError
from crawler.reports.store.base import TOKEN_SCOPES, ApiToken

__all__ = ["bearer", "require", "scope_allows"]

# auto_error=False: a missing header is our 401 problem, not FastAPI's 403.
bearer = HTTPBearer(auto_error=False, description="A token from `footer-audit token create`.")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def scope_allows(held: str, needed: str) -> bool:
    """A scope includes every scope before it in TOKEN_SCOPES."""
    if held not in TOKEN_SCOPES or needed not in TOKEN_SCOPES:
        return False
    return TOKEN_SCOPES.index(held) >= TOKEN_SCOPES.index(needed)


def require(scope: str) -> Callable[..., ApiToken]:
    """A dependency: the caller's token, once authenticated, allowed and within its rate."""
    if scope not in TOKEN_SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def authorise(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                  ) -> ApiToken:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "this endpoint needs a bearer token "
                                "(Authorization: Bearer TOKEN; footer-audit token create)",
                                headers=_CHALLENGE)
        state = api_state(request)
        try:
            token = verify_token(state.stores.get(), credentials.credentials)
        except StoreError as exc:
            raise HTTPException(503, f"the report store cannot be reached: {exc}") from None
        if token is None:
            raise HTTPException(401, "unknown token", headers={
                "WWW-Authenticate": 'Bearer error="invalid_token"'})
        if token.revoked:
            raise HTTPException(403, f"token {token.name!r} was revoked")
        if not scope_allows(token.scope, scope):
            raise HTTPException(403, f"token {token.name!r} has scope {token.scope!r}; this "
                                f"endpoint needs {scope!r}")
        verdict = state.limiter.hit(token.name)
        if not verdict.allowed:
            raise HTTPException(429, f"rate limit of {state.config.rate} for token "
                                f"{token.name!r} reached; retry in {verdict.retry_after} s",
                                headers={"Retry-After": str(verdict.retry_after)})
        request.state.token = token
        return token

    return authorise

