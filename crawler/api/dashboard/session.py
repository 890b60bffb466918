"""Who is looking: the dashboard's session cookie, its CSRF token, and what a viewer may do.

The session is a cookie signed with itsdangerous (as Starlette's SessionMiddleware signs its
own): `{"d": the token's SHA-256 or null, "c": the CSRF token}`, valid 12 hours. It never holds
the token itself; each request finds the token by its hash again, so a revoked token ends its
sessions at once. The cookie is HttpOnly, SameSite=Lax, and Secure when the request came over
TLS. Every visitor gets a session (signed in or not) so that the sign-in form too carries a
CSRF token; signing in replaces the CSRF token.

Scopes: `audit` and `crawl` read; `crawl` may also crawl a site again; `admin` also writes
waivers. A token restricted to an organisation sees only that organisation.
`serve --open` lets anyone on the machine read without signing in (loopback only, and the
`Host` header must name the loopback: a page elsewhere cannot rebind a name to it).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from crawler.api.security import scope_allows
from crawler.api.state import api_state
from crawler.api.tokens import digest_of
from crawler.reports.store.base import ApiToken

__all__ = ["COOKIE", "NeedsSignIn", "Viewer", "open_session", "sign_in", "viewer_of"]

AnyResponse = TypeVar("AnyResponse", bound=Response)

COOKIE = "footer_audit_session"
MAX_AGE = 12 * 3600
_SALT = "footer-audit.dashboard"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class NeedsSignIn(Exception):
    """No session and no open dashboard: the page answers with the sign-in form."""


@dataclass
class Viewer:
    name: str | None  # the token's name; None: the open dashboard, not signed in
    scope: str | None  # audit, crawl or admin; None: nobody (not signed in, not open)
    org: str | None  # the only organisation shown; None: every one
    csrf: str
    cookie: str | None = None  # a new session cookie to send with the answer

    @property
    def signed_in(self) -> bool:
        return self.name is not None

    def can(self, scope: str) -> bool:
        """Whether this viewer may act with `scope` (`crawl`: crawl again; `admin`: waivers).
        The open dashboard only reads."""
        return self.signed_in and self.scope is not None and scope_allows(self.scope, scope)

    def sees(self, org: str | None) -> bool:
        return self.org is None or org == self.org

    def check_csrf(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())

    def keep(self, response: AnyResponse, request: Request) -> AnyResponse:
        """Send the session cookie if this request made a new one."""
        if self.cookie is not None:
            set_cookie(response, request, self.cookie)
        return response


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.dashboard_signer


def make_signer(secret: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret or secrets.token_urlsafe(32), salt=_SALT)


def set_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def _load(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:  # tampered, from another server start, or older than MAX_AGE
        return None
    return data if isinstance(data, dict) and isinstance(data.get("c"), str) else None


def open_session(request: Request, digest: str | None = None) -> tuple[str, str]:
    """A new session (the cookie's value, its CSRF token)."""
    csrf = secrets.token_urlsafe(24)
    return _serializer(request).dumps({"d": digest, "c": csrf}), csrf


def _token(request: Request, digest: str) -> ApiToken | None:
    token = api_state(request).stores.get().find_token(digest)
    if token is None or token.revoked or not hmac.compare_digest(token.digest, digest):
        return None
    return token


def _loopback_host(request: Request) -> bool:
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in _LOOPBACK_NAMES


def viewer_of(request: Request, *, required: bool = True) -> Viewer:
    """The viewer of this request. `required`: a page that needs someone who may read (raises
    NeedsSignIn otherwise); the sign-in form itself does not."""
    data = _load(request)
    cookie = None
    if data is None:
        cookie, csrf = open_session(request)
        data = {"d": None, "c": csrf}
    token = _token(request, data["d"]) if isinstance(data.get("d"), str) else None
    if token is not None:
        return Viewer(token.name, token.scope, token.org, data["c"], cookie)
    if data.get("d") is not None:  # revoked or unknown since: a fresh, signed-out session
        cookie, csrf = open_session(request)
        data = {"d": None, "c": csrf}
    config = api_state(request).config
    if config.open_dashboard and _loopback_host(request):
        return Viewer(None, "audit", None, data["c"], cookie)
    if required:
        raise NeedsSignIn
    return Viewer(None, None, None, data["c"], cookie)


def sign_in(request: Request, presented: str) -> tuple[ApiToken, str] | None:
    """The token presented in the form, if it is known and not revoked, and the cookie of its
    new session."""
    from crawler.api.tokens import verify_token

    token = verify_token(api_state(request).stores.get(), presented.strip())
    if token is None or token.revoked:
        return None
    cookie, _csrf = open_session(request, digest_of(presented.strip()))
    return token, cookie
