"""The dashboard's pages under `/dashboard` (server-rendered, no script).

    GET  /dashboard/                    overview: organisations, their sites' colours, counts by
                                        rule, the trend of open violations
    GET  /dashboard/org/{name}          an organisation: sites, owners, changes since the night
                                        before, waivers about to expire
    GET  /dashboard/site/{host}         a site: latest findings and violations with evidence,
                                        fixes, history; POST .../crawl crawls it again
    GET  /dashboard/run/{id}            a run: summary, diff, exports (.../export?format=)
    GET  /dashboard/screenshot?run=&url=  a page's footer screenshot
    GET  /dashboard/waivers             waivers; POST creates one, POST .../withdraw ends one
    GET  /dashboard/signin              the sign-in form; POST signs in, POST /signout out
    GET  /dashboard/static/dashboard.css

Every form carries the session's CSRF token and every POST checks it (403 without it). A viewer
restricted to an organisation gets 404 for anything of another one, as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from html import escape
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup
from starlette.exceptions import HTTPException

from crawler.api.dashboard import views
from crawler.api.dashboard.i18n import choose_language, translator
from crawler.api.dashboard.session import Viewer, set_cookie, sign_in, viewer_of
from crawler.api.state import api_state
from crawler.errors import StoreError
from crawler.reports.changes import previous_finished_run
from crawler.reports.lifecycle import Waiver
from crawler.reports.store import ReportStore, Run, StoreUnavailable
from crawler.reports.store.base import utc_now

__all__ = ["PREFIX", "router"]

PREFIX = "/dashboard"
router = APIRouter(prefix=PREFIX, include_in_schema=False)

# No script at all, styles from our own file, images from our own screenshots.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
MAX_FORM = 16 * 1024


@cache
def _environment() -> Environment:
    """The project's one environment (autoescape, finalize, strict undefined), able to load the
    dashboard's templates as well."""
    from crawler.reports.exports.templating import environment

    base = environment()
    assert base.loader is not None
    env = base.overlay(loader=ChoiceLoader([PackageLoader("crawler.api.dashboard", "templates"),
                                            base.loader]))
    # Dicts of their own: an overlay shares its parent's globals and filters otherwise.
    env.globals = {**base.globals, "colours": views.COLOURS}  # the legend's order
    env.filters = {**base.filters, "chips": site_chips}
    return env


def site_chips(sites: list[views.SiteView], base: str) -> Markup:
    """The coloured links of an organisation's sites. Built here, escaped, in one call per
    organisation: the overview prints thousands, and five template expressions per site were
    most of its time."""
    parts = [f'<a class="chip {s.colour}" href="{escape(base)}/{escape(s.href)}">'
             f"{escape(s.site)}{f' <small>{s.open_count}</small>' if s.open_count else ''}</a>"
             for s in sites]
    return Markup("".join(parts))  # every value in it escaped above


@cache
def _css() -> bytes:
    return resources.files("crawler.api.dashboard").joinpath("templates/dashboard.css").read_bytes()


def _lang(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get("lang"))


def _page(request: Request, viewer: Viewer, template: str, status: int = 200,
          **context: Any) -> HTMLResponse:
    lang = _lang(request)
    t = translator(lang)
    switch = "en" if lang == "zh" else "zh"
    body = _environment().get_template(template).render(
        t=t, lang=lang, viewer=viewer, base=PREFIX,
        switch_url=f"{request.url.path}?lang={switch}", **context)
    response = HTMLResponse(body, status_code=status, headers={
        "Content-Security-Policy": CSP, "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"})
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 86400, path="/", samesite="lax",
                            secure=request.url.scheme == "https", httponly=True)
    return viewer.keep(response, request)


def _store(request: Request) -> ReportStore:
    return api_state(request).stores.get()


def _error(request: Request, viewer: Viewer, status: int, key: str) -> HTMLResponse:
    return _page(request, viewer, "error.html.j2", status=status, message=key)


async def _posted(request: Request, scope: str | None = None, *, denied: str = "forbidden",
                  signed_in: bool = True) -> tuple[Viewer, dict[str, str], Response | None]:
    """The viewer and the form of a POST, or the page that refuses it: every form carries the
    session's CSRF token, and `scope` is what the action needs."""
    viewer = viewer_of(request, required=signed_in)
    form = await _form(request)
    if not viewer.check_csrf(form.get("csrf")):
        return viewer, form, _error(request, viewer, 403, "csrf")
    if scope is not None and not viewer.can(scope):
        return viewer, form, _error(request, viewer, 403, denied)
    return viewer, form, None


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form (the dashboard's only kind), bounded."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise HTTPException(413, "form too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _run_or_404(store: ReportStore, ref: str) -> Run:
    try:
        return store.resolve_run(ref)
    except StoreUnavailable:
        raise
    except StoreError:
        raise HTTPException(404, f"no run {ref!r}") from None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path only (never another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return PREFIX + "/"


# -- sign in -------------------------------------------------------------------------------------
@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> HTMLResponse:
    viewer = viewer_of(request, required=False)
    return _page(request, viewer, "signin.html.j2", next=_safe_next(next), failed=False)


@router.post("/signin")
async def signin(request: Request) -> Response:
    viewer, form, refused = await _posted(request, signed_in=False)
    if refused is not None:
        return refused
    from starlette.concurrency import run_in_threadpool

    found = await run_in_threadpool(sign_in, request, form.get("token", ""))
    if found is None:
        return _page(request, viewer, "signin.html.j2", status=401,
                     next=_safe_next(form.get("next")), failed=True)
    _token, cookie = found
    response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
    set_cookie(response, request, cookie)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    _viewer, _form_data, refused = await _posted(request, signed_in=False)
    if refused is not None:
        return refused
    from crawler.api.dashboard.session import open_session

    cookie, _csrf = open_session(request)
    response = RedirectResponse(PREFIX + "/signin", status_code=303)
    set_cookie(response, request, cookie)
    return response


# -- pages ---------------------------------------------------------------------------------------
@router.get("/")
def overview_page(request: Request) -> HTMLResponse:
    viewer = viewer_of(request)
    data = views.overview(_store(request), viewer.org)
    return _page(request, viewer, "overview.html.j2", **data)


@router.get("/org/{name:path}")  # an organisation's name may hold a slash
def org_page(name: str, request: Request) -> HTMLResponse:
    viewer = viewer_of(request)
    if not viewer.sees(name):
        return _error(request, viewer, 404, "not_found")
    store = _store(request)
    runs = views.closed_runs(store)
    sites = views.latest_states(store, name, runs)
    if not sites:
        return _error(request, viewer, 404, "not_found")
    org = views.by_org(sites)[0]
    run, against = views.night_before(store, runs)
    changes = views.changes_of(store, run, against, org=name, limit=20) if run else None
    expiring = views.expiring(store.list_waivers(), {s.site for s in sites})
    return _page(request, viewer, "org.html.j2", org=org, changes=changes, expiring=expiring,
                 chart=views.trend(store, runs, name))


def _site_org(store: ReportStore, history: list[dict[str, Any]]) -> tuple[str, list[dict]]:
    """The organisation a site belongs to (its newest page's) and the newest run's pages."""
    if not history:
        return "", []
    newest = history[0]
    pages = []
    for entry in newest["pages"]:
        record = store.get_page(newest["run_id"], entry["url"])
        if record is not None:
            pages.append(record)
    return (str(pages[0].get("org") or "") if pages else ""), pages


def _compliant_footer(request: Request, host: str) -> str | None:
    """The footer the portfolio expects of this site (as `footer-audit snippet` prints it)."""
    portfolio = api_state(request).portfolio
    match = portfolio.site(host) if portfolio is not None else None
    if match is None:
        return None
    from rules.snippet import SnippetError, footer_facts, footer_snippet

    expect = match.org.expectations(match.domain)
    try:
        return footer_snippet(footer_facts(match.org.name, expect.expected_icp,
                                           expect.expected_gongan, match.org.province))
    except SnippetError:
        return None


def _host(text: str) -> str:
    from rules.urls import host_ascii

    host = text.strip().rstrip(".").lower()
    if not host or len(host) > 253 or any(c in host for c in "/?#@ \\"):
        raise HTTPException(404, "not a host name")
    return host if host.isascii() else host_ascii(host)


@router.get("/site/{host}")
def site_page(host: str, request: Request,
              crawl: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
    viewer = viewer_of(request)
    store = _store(request)
    host = _host(host)
    history = views.site_history(store, host)
    org, pages = _site_org(store, history)
    if not history or not viewer.sees(org):
        return _error(request, viewer, 404, "not_found")
    from crawler.reports.lifecycle import waiver_for
    from crawler.reports.store.base import active_waivers

    waivers = active_waivers(store)

    def waived(code: str) -> bool:
        return waiver_for(host, code, waivers) is not None

    return _page(request, viewer, "site.html.j2", host=host, org=org, pages=pages,
                 history=history, run_id=history[0]["run_id"], waived=waived,
                 snippet=_compliant_footer(request, host), crawl=crawl,
                 can_crawl=viewer.can("crawl"), crawls=_recent_crawls(request, host))


def _recent_crawls(request: Request, host: str, limit: int = 5) -> list[Any]:
    """The site's latest crawl jobs (of the site, or of its domain in the portfolio)."""
    from crawler.api.jobs import CrawlJobs

    jobs = api_state(request).extra.get("crawl_jobs")
    if not isinstance(jobs, CrawlJobs):
        return []
    found = [j for j in jobs.queue.list(limit=200)
             if j.kind in ("crawl-site", "crawl-domain")
             and (host == j.target or host.endswith("." + j.target))]
    return found[:limit]


@router.post("/site/{host}/crawl")
async def crawl_site(host: str, request: Request) -> Response:
    viewer, _form_data, refused = await _posted(request, "crawl")
    if refused is not None:
        return refused
    host = _host(host)
    from starlette.concurrency import run_in_threadpool

    from crawler.api.routes.crawls import CrawlRequest, queue_crawl

    def queue() -> str | None:
        store = _store(request)
        org, _pages = _site_org(store, views.site_history(store, host, runs=1))
        if not viewer.sees(org):
            return None
        return queue_crawl(request, CrawlRequest(site=host, org=None, render=None,
                                                 timeout=None)).id

    job_id = await run_in_threadpool(queue)
    if job_id is None:
        return _error(request, viewer, 404, "not_found")
    return RedirectResponse(f"{PREFIX}/site/{quote(host)}?crawl={quote(job_id)}",
                            status_code=303)


@router.get("/run/{run_id}")
def run_page(run_id: str, request: Request) -> HTMLResponse:
    viewer = viewer_of(request)
    store = _store(request)
    run = _run_or_404(store, run_id)
    summary = views.run_summary(store, run, viewer.org)
    if viewer.org is not None and not summary["sites"]:
        return _error(request, viewer, 404, "not_found")
    against = previous_finished_run(store, run)
    changes = views.changes_of(store, run, against, org=viewer.org)
    return _page(request, viewer, "run.html.j2", run=run, summary=summary, changes=changes,
                 exports=viewer.org is None)


@router.get("/run/{run_id}/export")
def run_export(run_id: str, request: Request,
               format: Annotated[str, Query(pattern="^(csv|json|html)$")] = "html") -> Response:
    viewer = viewer_of(request)
    if viewer.org is not None:  # an export holds every organisation of the run
        return _error(request, viewer, 403, "exports_org")
    from crawler.api.routes.runs import export_response

    stores = api_state(request).stores
    return export_response(stores, format, _run_or_404(stores.get(), run_id),
                           {"Cache-Control": "no-store"})


@router.get("/screenshot")
def screenshot(request: Request, run: Annotated[str, Query(max_length=100)],
               url: Annotated[str, Query(max_length=4096)]) -> Response:
    viewer = viewer_of(request)
    store = _store(request)
    record = store.get_page(run, url)
    shot = store.get_screenshot(run, url) if record is not None else None
    if shot is None or record is None or not viewer.sees(str(record.get("org") or "")):
        raise HTTPException(404, "no such screenshot")
    media = shot.type if shot.type in ("image/png", "image/jpeg") else "image/png"
    return Response(shot.data, media_type=media, headers={"Cache-Control": "private, "
                                                          "max-age=3600"})


# -- waivers -------------------------------------------------------------------------------------
def _waiver_page(request: Request, viewer: Viewer, status: int = 200,
                 **context: Any) -> HTMLResponse:
    store = _store(request)
    waivers = store.list_waivers()
    if viewer.org is not None:
        from crawler.reports.lifecycle import waiver_covers

        sites = {v.site for v in views.latest_states(store, viewer.org)}
        waivers = [w for w in waivers if any(waiver_covers(w.site, site) for site in sites)]
    from rules.registry import RULES

    context.setdefault("done", None)
    context.setdefault("problem", None)
    return _page(request, viewer, "waivers.html.j2", status=status, waivers=waivers,
                 today=date.today(), rules=[r.code for r in RULES],
                 can_waive=viewer.can("admin"), **context)


@router.get("/waivers")
def waivers_page(request: Request,
                 done: Annotated[str | None, Query(pattern="^(saved|removed)$")] = None,
                 ) -> HTMLResponse:
    viewer = viewer_of(request)
    return _waiver_page(request, viewer, done=done)


def _waiver_site(text: str) -> str:
    """A host, the host of a page's URL, or `*.domain` (the domain and every host under it)."""
    from rules.urls import host_of

    value = text.strip()
    if value.startswith("*."):
        return "*." + _host(value[2:])
    return _host(host_of(value) if "://" in value else value.split("/")[0])


@router.post("/waivers")
async def create_waiver(request: Request) -> Response:
    viewer, form, refused = await _posted(request, "admin", denied="needs_admin")
    if refused is not None:
        return refused
    problems = []
    rule, reason = form.get("rule", "").strip(), form.get("reason", "").strip()
    owner = form.get("owner", "").strip() or (viewer.name or "")
    from rules.registry import RULES

    if rule not in {r.code for r in RULES}:
        problems.append("rule")
    if not reason:
        problems.append("reason")
    try:
        site = _waiver_site(form.get("site", ""))
    except HTTPException:
        site = ""
        problems.append("site")
    until = None
    if form.get("until"):
        try:
            until = date.fromisoformat(form["until"])
        except ValueError:
            problems.append("until")
    if problems:
        return _waiver_page(request, viewer, status=422, problem=", ".join(problems))
    from starlette.concurrency import run_in_threadpool

    waiver = Waiver(site, rule, reason[:500], owner[:200], until, created=utc_now())
    await run_in_threadpool(lambda: _store(request).put_waiver(waiver))
    return RedirectResponse(f"{PREFIX}/waivers?done=saved", status_code=303)


@router.post("/waivers/withdraw")
async def withdraw_waiver(request: Request) -> Response:
    _viewer, form, refused = await _posted(request, "admin", denied="needs_admin")
    if refused is not None:
        return refused
    from starlette.concurrency import run_in_threadpool

    site, rule = form.get("site", ""), form.get("rule", "")
    await run_in_threadpool(lambda: _store(request).delete_waiver(site, rule))
    return RedirectResponse(f"{PREFIX}/waivers?done=removed", status_code=303)


@router.get("/static/dashboard.css")
def stylesheet() -> Response:
    return Response(_css(), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})
