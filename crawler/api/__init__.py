"""The API server of `footer-audit serve`: FastAPI on uvicorn, versioned under `/api/v1`.

    config.py        ApiConfig: what the operator chose on the command line
    app.py           create_app(config): the app, its middleware, error handlers and routers
    state.py         what the routes share: the store (one per thread for SQLite), the portfolio,
                     the audit pool, the check runner
    tokens.py        bearer tokens: created once, only their hash kept in the report store
    security.py      the auth dependency: token, scope (audit < crawl < admin), rate limit
    rate_limit.py    the per-token rate limit (the `limits` library)
    body_limit.py    request bodies over the limit get 413 without being read whole
    problems.py      every error as RFC 9457 problem details, never a stack trace
    audit.py         POST /audit's core call: the extension's DOM through `rules.audit`
    check_runner.py  POST /check: `check_pages` in a child process, a bounded number at a time
    routes/          one APIRouter per area (audit, check, sites, runs, snippet, crawls)

Nothing here is imported by the other commands: `fastapi` loads only when `serve` runs, and
`tokens.py` (used by `footer-audit token`) imports neither FastAPI nor Scrapy.
"""
