"""Request bodies over the limit get 413, without being read whole.

A pure ASGI middleware: a declared `Content-Length` over the limit is refused before any byte of
the body is read; a body sent without one (chunked) is counted as it streams and refused at the
first chunk that crosses the limit. Either way the server holds at most the limit plus one chunk.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.api.problems import problem

__all__ = ["BodyLimitMiddleware", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """Raised from `receive` while the app reads the body; an HTTPException, so FastAPI's body
    reading passes it on instead of turning it into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the server's limit of "
                              f"{limit:,} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
                    await problem(400, "Content-Length is not a number",
                                  instance=scope.get("path"))(scope, receive, send)
                    return
        if declared is not None and declared > self.max_body:
            await problem(413, str(BodyTooLarge(self.max_body).detail),
                          instance=scope.get("path"), headers={"Connection": "close"}
                          )(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await problem(413, str(exc.detail), instance=scope.get("path"),
                          headers={"Connection": "close"})(scope, receive, send)
