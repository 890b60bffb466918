"""`footer-audit serve`: the API server (FastAPI on uvicorn) for the browser extension.

OpenAPI at `/docs`, endpoints under `/api/v1` (`crawler/api/`). Every request needs a bearer
token (`footer-audit token create`). The server reads and writes the same report store as the
other commands: the embedded SQLite file by default, Redis with `--store redis://...` or
`$REDIS_URL`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.fetch.limits import DEFAULT_TIMEOUT

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(
        metavar="ADDRESS", help="Address to listen on (default loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8787,
    store_url: Annotated[str | None, typer.Option(
        "--store", metavar="URL",
        help="Report store: a SQLite file or redis://host:6379/0 (default: $REDIS_URL, else the "
             "embedded SQLite file).")] = None,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", metavar="ORIGIN",
        help="A browser origin allowed to call the API (CORS), e.g. "
             "chrome-extension://<extension id> (repeatable; the server's own is always "
             "allowed).")] = None,
    allow_network: Annotated[list[str] | None, typer.Option(
        "--allow-network", metavar="CIDR",
        help="Let /check and crawls reach this private or reserved address range "
             "(repeatable); without it loopback, private, link-local, multicast and reserved "
             "targets are refused.")
    ] = None,
    max_body: Annotated[str, typer.Option(
        "--max-body", metavar="SIZE", help="Largest request body (413 beyond it).")] = "5MB",
    rate: Annotated[str, typer.Option(
        "--rate", metavar="N/PERIOD",
        help="Requests per token (429 with Retry-After beyond it): 120/minute, 10/second...")
    ] = "120/minute",
    portfolio: Annotated[str | None, typer.Option(
        "--portfolio", metavar="FILE",
        help="A portfolio file: /audit takes a site's expectations from it, /snippet its "
             "facts.")] = None,
    check_concurrency: Annotated[int, typer.Option(
        "--check-concurrency", metavar="N", help="/check crawls at once (each a child process).")
    ] = 2,
    timeout: Annotated[float, typer.Option(
        metavar="S", help="Seconds /check gives a page (as `check --timeout`).")
    ] = DEFAULT_TIMEOUT,
    audit_workers: Annotated[int, typer.Option(
        "--audit-workers", metavar="N",
        help="Processes auditing /audit bodies (the audit is CPU-bound; default: one per "
             "core).")] = -1,
    crawl_slots: Annotated[int, typer.Option(
        "--crawl-slots", metavar="N",
        help="Crawl jobs run at once, each a child process (0: only queue them, for "
             "`footer-audit jobs work` on the same store).")] = 2,
    resolve: Annotated[list[str] | None, typer.Option(
        "--resolve", metavar="HOST:ADDRESS[:PORT]",
        help="Crawls send connections for HOST (or *.zone, or *) to ADDRESS[:PORT], as "
             "`crawl --resolve` (a staging server); repeatable.")] = None,
    log_level: Annotated[str, typer.Option(
        "--log-level", metavar="LEVEL", help="uvicorn's log level.")] = "info",
) -> None:
    """Serve the API for the browser extension (OpenAPI at /docs)."""
    import os

    import uvicorn

    from crawler.api.app import create_app
    from crawler.api.config import ApiConfig, parse_size
    from crawler.portfolio.model import load_portfolio

    if portfolio:
        load_portfolio(portfolio)  # a broken file stops the start with its problems
    config = ApiConfig(
        host=host, port=port, store_url=store_url, allow_origins=tuple(allow_origin or ()),
        allow_networks=tuple(allow_network or ()), max_body=parse_size(max_body), rate=rate,
        portfolio=portfolio, check_concurrency=check_concurrency, check_timeout=timeout,
        audit_workers=(os.cpu_count() or 1) if audit_workers < 0 else audit_workers,
        crawl_slots=crawl_slots, crawl_resolve=tuple(resolve or ()),
    )
    app = create_app(config)
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(),
                # The server's own problem+json answers carry no Server header either.
                server_header=False, proxy_headers=False,
                # An event stream lasts as long as its crawl: on shutdown, close such streams
                # after a few seconds rather than wait for the crawls to end.
                timeout_graceful_shutdown=5)
