"""The API's security rules against the real app and a real store (SQLite file and Redis):
tokens (401, 403), scopes, the rate limit (429), the body limit (413), CORS, and errors as
problem details without a stack trace."""

from __future__ import annotations

import sqlite3
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends

from crawler.api.problems import PROBLEM_TYPE
from crawler.api.security import require, scope_allows
from crawler.api.tokens import digest_of
from tests.api_server import api_client
from tests.redis_server import BACKENDS

EXTENSION = "chrome-extension://" + "abcdefghijklmnopabcdefghijklmnop"
PAGE = {"url": "https://www.example.cn/",
        "html": "<footer><p>京ICP备12345678号-1</p></footer>"}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_TYPE)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


@pytest.fixture(params=BACKENDS)
def api(request, tmp_path):
    with api_client(request.param, tmp_path, allow_origins=(EXTENSION,)) as harness:
        yield harness


def test_no_token_malformed_header_or_unknown_token_is_401(api) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer fa_not-a-token-of-this-server"}):
        response = api.client.post("/api/v1/audit", json=PAGE, headers=headers)
        _problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_valid_token_is_let_in_and_a_revoked_one_gets_403(api) -> None:
    headers = api.token("audit", name="laptop")
    assert api.client.post("/api/v1/audit", json=PAGE, headers=headers).status_code == 200
    assert api.store.revoke_token("laptop")
    body = _problem(api.client.post("/api/v1/audit", json=PAGE, headers=headers), 403)
    assert "revoked" in body["detail"]


def test_the_store_keeps_only_the_token_hash(api, tmp_path) -> None:
    headers = api.token("crawl", name="ci")
    token = headers["Authorization"].removeprefix("Bearer ")
    (record,) = api.store.list_tokens()
    assert record.digest == digest_of(token) != token and record.scope == "crawl"
    if api.config.store_url.endswith(".sqlite3"):
        with sqlite3.connect(api.config.store_url) as db:
            dump = "\n".join(db.iterdump())
        assert record.digest in dump and token not in dump


def test_scopes_include_the_ones_before_them(api) -> None:
    # A route of another area (crawls, administration) asks for its scope the same way.
    extra = APIRouter()

    @extra.get("/api/v1/test-admin-only")
    def admin_only(token: Annotated[object, Depends(require("admin"))]) -> dict:
        return {"ok": True}

    api.client.app.include_router(extra)
    audit, crawl, admin = api.token("audit"), api.token("crawl"), api.token("admin")
    body = _problem(api.client.get("/api/v1/test-admin-only", headers=audit), 403)
    assert "'admin'" in body["detail"]
    _problem(api.client.get("/api/v1/test-admin-only", headers=crawl), 403)
    assert api.client.get("/api/v1/test-admin-only", headers=admin).json() == {"ok": True}
    for headers in (audit, crawl, admin):
        assert api.client.post("/api/v1/audit", json=PAGE, headers=headers).status_code == 200
    assert scope_allows("crawl", "audit") and not scope_allows("audit", "crawl")
    assert not scope_allows("root", "audit")


@pytest.mark.parametrize("kind", BACKENDS)
def test_rate_limit_per_token_429_with_retry_after(kind, tmp_path) -> None:
    with api_client(kind, tmp_path, rate="3/minute") as api:
        first, second = api.token(), api.token()
        codes = [api.client.get("/api/v1/runs", headers=first).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        refused = api.client.get("/api/v1/runs", headers=first)
        body = _problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 60 and "3/minute" in body["detail"]
        # Another token has its own count.
        assert api.client.get("/api/v1/runs", headers=second).status_code == 200


def test_body_over_the_limit_is_413_by_its_declared_length(tmp_path) -> None:
    with api_client("sqlite", tmp_path, max_body=2048) as api:
        headers = api.token()
        small = api.client.post("/api/v1/audit", json=PAGE, headers=headers)
        assert small.status_code == 200
        big = {"url": PAGE["url"], "html": "<p>" + "x" * 4000 + "</p>"}
        body = _problem(api.client.post("/api/v1/audit", json=big, headers=headers), 413)
        assert "2,048" in body["detail"]
        # Refused before authentication: no token is needed to be told.
        _problem(api.client.post("/api/v1/audit", json=big), 413)


def test_cors_preflight_allowed_for_the_configured_extension_only(api) -> None:
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization,content-type"}
    ok = api.client.options("/api/v1/audit", headers={"Origin": EXTENSION, **ask})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == EXTENSION
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in ok.headers
    other = "chrome-extension://" + "p" * 32
    for origin in (other, "https://evil.example", "null"):
        refused = api.client.options("/api/v1/audit", headers={"Origin": origin, **ask})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    # The server's own origin (its /docs page) is allowed; a simple request from elsewhere
    # gets no CORS header, so the browser hides the answer.
    own = api.client.options("/api/v1/audit",
                             headers={"Origin": "http://127.0.0.1:8787", **ask})
    assert own.headers["access-control-allow-origin"] == "http://127.0.0.1:8787"
    simple = api.client.get("/api/v1/runs", headers={"Origin": "https://evil.example",
                                                     **api.token()})
    assert "access-control-allow-origin" not in simple.headers


def test_no_wildcard_origin_can_be_configured(tmp_path) -> None:
    from crawler.api.config import ApiConfig
    from crawler.errors import UsageError

    for bad in ("*", "null", "chrome-extension://short", "https://a.example/path"):
        with pytest.raises(UsageError):
            ApiConfig(allow_origins=(bad,))


def test_errors_are_problem_details(api) -> None:
    headers = api.token()
    _problem(api.client.get("/api/v1/no-such-thing", headers=headers), 404)
    _problem(api.client.delete("/api/v1/runs", headers=headers), 405)
    invalid = _problem(api.client.post("/api/v1/audit", json={"url": "ftp://x/", "html": ""},
                                       headers=headers), 422)
    assert {tuple(e["loc"]) for e in invalid["errors"]} == {("body", "url"), ("body", "html")}
    assert all("input" not in e for e in invalid["errors"])  # the body is not echoed back
    not_json = api.client.post("/api/v1/audit", content=b"{not json",
                               headers={**headers, "Content-Type": "application/json"})
    _problem(not_json, 422)
    wrong = _problem(api.client.post("/api/v1/audit", json={**PAGE, "province": "火星"},
                                     headers=headers), 422)
    assert "火星" in wrong["detail"]
    _problem(api.client.get("/api/v1/runs/nope", headers=headers), 404)


def test_an_unexpected_failure_is_a_500_problem_without_a_stack_trace(api) -> None:
    extra = APIRouter()

    @extra.get("/api/v1/test-fails")
    def fails(token: Annotated[object, Depends(require("audit"))]) -> dict:
        raise RuntimeError("secret internal state /etc/footer-audit")

    api.client.app.include_router(extra)
    body = _problem(api.client.get("/api/v1/test-fails", headers=api.token()), 500)
    assert "RuntimeError" in body["detail"] and "secret" not in body["detail"]


def test_api_answers_are_not_cached_or_sniffed(api) -> None:
    response = api.client.get("/api/v1/runs", headers=api.token())
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
