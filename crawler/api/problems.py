"""Every error of the API as RFC 9457 problem details (`application/problem+json`).

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "no run '2026' in sqlite:///...", "instance": "/api/v1/runs/2026"}

HTTP errors keep their status and say why in `detail`; a body that does not validate is 422
with `errors` (where and what, never the input echoed back); anything unexpected is 500 with a
one-line message: the traceback goes to the server's log, never to the client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["PROBLEM_TYPE", "ProblemResponse", "install_problem_handlers", "problem"]

logger = logging.getLogger("footer_audit.api")

PROBLEM_TYPE = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_TYPE

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def problem(status: int, detail: str, *, instance: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> ProblemResponse:
    """A problem-details response."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only where and what: pydantic's `input` and `ctx` may echo megabytes of a body back.
    out = []
    for err in exc.errors():
        msg = str(err.get("msg", "")).removeprefix("Value error, ")  # pydantic's wording
        out.append({"loc": [str(p) for p in err.get("loc", ())], "msg": msg,
                    "type": str(err.get("type", ""))})
    return out[:50]


async def _http_error(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, instance=request.url.path,
                   headers=dict(exc.headers) if exc.headers else None)


async def _invalid(request: Request, exc: RequestValidationError) -> ProblemResponse:
    errors = _validation_errors(exc)
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(p for p in first["loc"] if p not in ("body",)) or "request"
    return problem(422, f"{where}: {first['msg']}", instance=request.url.path, errors=errors)


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    logger.exception("%s %s failed", request.method, request.url.path)
    return problem(500, f"the server failed on this request ({type(exc).__name__}); the "
                   "server's log has the details", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
