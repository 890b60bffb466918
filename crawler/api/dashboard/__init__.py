"""The dashboard of `footer-audit serve`: the portfolio's compliance in the browser.

    routes.py      the pages (an APIRouter under /dashboard), their forms and CSRF checks
    session.py     sign-in with an API token, the signed session cookie, scopes and the
                   organisation a viewer may see, `serve --open`
    views.py       what each page shows, read from the report store (latest state per site,
                   colours, counts by rule, trend, changes, summaries)
    chart.py       the trend of open violations as SVG bars, drawn on the server
    i18n.py        the words, Chinese first, English on request
    templates/     Jinja2 templates (the project's environment, autoescaped) and the CSS

Server-rendered HTML with no script and no front-end build; nothing is fetched from elsewhere.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

__all__ = ["install"]


def install(app: FastAPI, session_secret: str | None) -> None:
    """Mount the dashboard on `app`: its routes, its session signer, the sign-in redirect."""
    from urllib.parse import quote

    from crawler.api.dashboard.routes import PREFIX, router
    from crawler.api.dashboard.session import NeedsSignIn, make_signer

    app.state.dashboard_signer = make_signer(session_secret)
    app.include_router(router)

    async def needs_sign_in(request: Request, exc: NeedsSignIn) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/signin?next={quote(target)}", status_code=303)

    app.add_exception_handler(NeedsSignIn, needs_sign_in)  # type: ignore[arg-type]

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(PREFIX + "/", status_code=307)
