"""POST /api/v1/check: the server fetches a URL through `footer-audit check`'s path, in a child
process, and refuses loopback, private, link-local, multicast and reserved targets after DNS,
on every redirect and inside Chromium, unless the operator allowed the range.

Only loopback addresses are used: 127.0.0.1 plays the refused target, 127.0.0.2 (also
loopback) the operator-allowed site (`allow_networks=127.0.0.2/32`). The other ranges are unit
tests of the address policy (tests/test_address_policy.py)."""

from __future__ import annotations

import pytest

from tests.api_server import LoopbackSite, api_client
from tests.mockserver import footer_html, page

pytestmark = pytest.mark.slow  # checks in child processes

OK_PAGE = page(footer_html()).encode()


@pytest.fixture
def target():
    """The site the policy must refuse: on 127.0.0.1, counting its visitors."""
    with LoopbackSite("127.0.0.1", {"/": (200, "text/html; charset=utf-8", OK_PAGE),
                                    "/x.js": (200, "text/javascript", b"1;")}) as site:
        yield site


def _check(api, url: str, render: str = "never") -> dict:
    answer = api.client.post("/api/v1/check", headers=api.token(),
                             json={"url": url, "render": render})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_loopback_url_from_a_client_is_refused(tmp_path, target) -> None:
    with api_client("sqlite", tmp_path) as api:
        for url in (target.url("/"), f"http://localhost:{target.port}/"):
            result = _check(api, url)
            assert result["status"] == "unreachable", result
            assert "loopback" in result["error"] and "not crawled" in result["error"]
            assert result["violations"] == [] and result["findings"]["icp"] == []
    assert target.hits() == 0


def test_an_allowed_range_is_checked_and_its_redirect_to_loopback_refused(tmp_path,
                                                                           target) -> None:
    pages = {"/": (200, "text/html; charset=utf-8", OK_PAGE),
             "/away": (302, {"Location": target.url("/")})}
    with LoopbackSite("127.0.0.2", pages) as allowed, \
            api_client("sqlite", tmp_path, allow_networks=("127.0.0.2/32",)) as api:
        good = _check(api, allowed.url("/"))
        assert good["status"] == "ok" and good["http_status"] == 200
        assert good["findings"]["icp"][0]["number"] == "京ICP备12345678号-1"
        moved = _check(api, allowed.url("/away"))
        assert moved["status"] == "unreachable", moved
        assert "127.0.0.1" in moved["error"] and "loopback" in moved["error"]
        assert allowed.hits("/away") == 1
    assert target.hits() == 0


@pytest.mark.browser
def test_chromium_does_not_reach_a_refused_address_for_the_page(tmp_path, target) -> None:
    with_script = page(footer_html(), head=f'<script src="{target.url("/x.js")}"></script>')
    pages = {"/": (200, "text/html; charset=utf-8", with_script.encode())}
    with LoopbackSite("127.0.0.2", pages) as allowed, \
            api_client("sqlite", tmp_path, allow_networks=("127.0.0.2/32",)) as api:
        result = _check(api, allowed.url("/"), render="always")
        assert result["rendered"] is True and result["status"] in ("ok", "needs_review")
        assert result["findings"]["icp"][0]["visible"] is True
    assert target.hits() == 0


def test_checks_run_a_bounded_number_at_a_time_and_a_full_queue_is_503(tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pages = {"/": (200, "text/html; charset=utf-8", OK_PAGE)}
    with LoopbackSite("127.0.0.2", pages, delay=1.0) as slow, \
            api_client("sqlite", tmp_path, allow_networks=("127.0.0.2/32",),
                       check_concurrency=1) as api:
        headers = api.token()

        def post(_: int):
            return api.client.post("/api/v1/check", headers=headers,
                                   json={"url": slow.url("/"), "render": "never"})

        # One check at a time, five admitted (one running, four waiting): the other two wait
        # nowhere and are told to come back.
        with ThreadPoolExecutor(7) as pool:
            answers = list(pool.map(post, range(7)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) >= 5 and set(codes) <= {200, 503}, codes
    busy = [a for a in answers if a.status_code == 503]
    assert busy and all(a.headers["retry-after"] for a in busy)
    assert all(a.json()["status"] == "ok" for a in answers if a.status_code == 200)
    assert slow.max_inflight == 1 and slow.hits("/") == codes.count(200)


def test_only_http_urls_are_accepted(tmp_path) -> None:
    with api_client("sqlite", tmp_path) as api:
        headers = api.token()
        for url in ("file:///etc/passwd", "/etc/passwd", "examples/homepage.html",
                    "javascript:alert(1)", "http://"):
            answer = api.client.post("/api/v1/check", headers=headers, json={"url": url})
            assert answer.status_code == 422, (url, answer.text)
