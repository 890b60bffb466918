"""`create_app(config)`: the API server's FastAPI application.

Layers, outermost first: CORS (only the configured extension origins and the server's own),
the body limit (413 before a large body is read), security headers; then FastAPI with the
problem-details handlers; every route under `/api/v1` behind a bearer token (`security.py`).
OpenAPI at `/docs` and `/openapi.json` (no token needed to read the documentation).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.api import routes
from crawler.api.body_limit import BodyLimitMiddleware
from crawler.api.config import ApiConfig
from crawler.api.problems import install_problem_handlers, problem
from crawler.api.rate_limit import RateLimiter
from crawler.api.state import ApiState, StoreProvider
from crawler.errors import StoreError
from crawler.reports.store import StoreUnavailable
from crawler.version import tool_version

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"
logger = logging.getLogger("footer_audit.api")


class SecurityHeaders:
    """`nosniff` on every answer, `no-store` on the API's (tokens' data stays out of caches)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").startswith(API_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if api:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _audit_pool(workers: int):
    if workers <= 0:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from crawler.api.audit import audit_submitted

    # Spawned, not forked: the server has threads (a fork copies their locks mid-use).
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    # Start every worker now (importing the rules), not on the first requests.
    warm = [pool.submit(audit_submitted, "http://warm.invalid/", "<p>warm</p>", None)
            for _ in range(workers)]
    for future in warm:
        future.result()
    return pool


def create_app(config: ApiConfig | None = None) -> FastAPI:
    """The application for `config` (defaults: loopback, the default store, no portfolio)."""
    config = config or ApiConfig()
    stores = StoreProvider(config.store_url, config.store_prefix)
    portfolio = None
    if config.portfolio:
        from crawler.portfolio.model import load_portfolio

        portfolio = load_portfolio(config.portfolio)
    redis_url = stores.url if stores.is_redis else None
    limiter = RateLimiter(config.rate, redis_url=redis_url,
                          key_prefix=stores.rate_limit_prefix() if redis_url else "")
    state = ApiState(config=config, stores=stores, limiter=limiter, portfolio=portfolio)
    from crawler.api.jobs import open_crawl_jobs

    crawl_jobs = state.extra["crawl_jobs"] = open_crawl_jobs(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from crawler.api.check_runner import CheckRunner

        state.checks = CheckRunner(config.check_concurrency, config.check_timeout,
                                   config.allow_networks)
        state.audit_pool = _audit_pool(config.audit_workers)
        crawl_jobs.start()  # crawls queued before a restart start again now
        try:
            yield
        finally:
            crawl_jobs.stop()  # running crawls stop; their jobs wait for the next start
            if state.audit_pool is not None:
                state.audit_pool.shutdown(wait=True, cancel_futures=True)
                state.audit_pool = None
            stores.close()

    app = FastAPI(
        title="footer-audit",
        version=tool_version(),
        summary="Audit Chinese websites' footers for ICP, 公安 and copyright filing marks.",
        description="The backend of the footer-audit browser extension. Every endpoint under "
                    f"`{API_PREFIX}` needs `Authorization: Bearer TOKEN` (`footer-audit token "
                    "create`). Errors are RFC 9457 problem details.",
        lifespan=lifespan,
    )
    app.state.api = state
    install_problem_handlers(app)

    async def store_down(request, exc: StoreError):
        logger.warning("%s %s: %s", request.method, request.url.path, exc)
        return problem(503, f"the report store cannot be reached or read: {exc}",
                       instance=request.url.path, headers={"Retry-After": "5"})

    app.add_exception_handler(StoreUnavailable, store_down)
    app.add_exception_handler(StoreError, store_down)

    for router in routes.routers():
        app.include_router(router, prefix=API_PREFIX)

    # Added innermost first: CORS ends up outermost, so even a 413 carries its headers.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimitMiddleware, max_body=config.max_body)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[*config.allow_origins, *config.own_origins],
        # Bearer tokens travel in a header, never in cookies: no credentialed requests.
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "Content-Disposition"],
        max_age=600,
    )
    return app
