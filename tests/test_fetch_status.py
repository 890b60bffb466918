"""crawler/fetch/statuses.py: failures and answers map to page statuses with one-line reasons."""

from __future__ import annotations

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet import error as tw
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawler.fetch import statuses as fetch_status
from crawler.fetch.statuses import (
    PageStatus,
    failure_status,
    host_failure,
    render_crashed,
    response_status,
)


def _wrapped(cause: BaseException) -> DownloadFailedError:
    """A DownloadFailedError raised from `cause`, as Scrapy's HTTP handler raises it."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise DownloadFailedError(str(exc)) from exc
    except DownloadFailedError as wrapped:
        return wrapped


@pytest.mark.parametrize(("exc", "status", "words"), [
    (CannotResolveHostError("nx.example.cn"), PageStatus.UNREACHABLE, "DNS"),
    (tw.DNSLookupError("nx.example.cn"), PageStatus.UNREACHABLE, "DNS"),
    (DownloadConnectionRefusedError(), PageStatus.UNREACHABLE, "refused"),
    (tw.ConnectionRefusedError(), PageStatus.UNREACHABLE, "refused"),
    (DownloadTimeoutError("took longer"), PageStatus.TIMEOUT, "timed out"),
    (tw.TimeoutError(), PageStatus.TIMEOUT, "timed out"),
    (_wrapped(ResponseNeverReceived([Failure(tw.ConnectionDone())])),
     PageStatus.UNREACHABLE, "closed"),
    (_wrapped(ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "",
                                                         "wrong version number")]))])),
     PageStatus.TLS_ERROR, "wrong version number"),
    (IgnoreRequest("Forbidden by robots.txt"), PageStatus.BLOCKED, "robots.txt"),
    (Exception("Page.goto: net::ERR_NAME_NOT_RESOLVED at https://nx.cn/"),
     PageStatus.UNREACHABLE, "DNS"),
    (Exception("Page.goto: net::ERR_CERT_DATE_INVALID at https://x.cn/"),
     PageStatus.TLS_ERROR, "ERR_CERT_DATE_INVALID"),
])
def test_failures_map_to_statuses(exc: BaseException, status: PageStatus, words: str) -> None:
    got, message = failure_status(exc)
    assert got == status
    assert words in message
    assert "\n" not in message


def test_host_failures_are_told_from_browser_refusals() -> None:
    assert host_failure(Exception("net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/"))
    assert host_failure(Exception("net::ERR_SSL_PROTOCOL_ERROR at https://x.cn/"))
    # Chromium refuses some ports itself: a static fetch may still work.
    assert not host_failure(Exception("net::ERR_UNSAFE_PORT at http://127.0.0.1:1/"))
    assert not host_failure(TimeoutError("Timeout 3000ms exceeded"))


@pytest.mark.parametrize(("code", "status"), [
    (403, PageStatus.BLOCKED), (412, PageStatus.BLOCKED), (429, PageStatus.BLOCKED),
    (404, PageStatus.HTTP_ERROR), (500, PageStatus.HTTP_ERROR), (503, PageStatus.HTTP_ERROR),
])
def test_error_answers(code: int, status: PageStatus) -> None:
    got, message = response_status(code, is_html=True, body=b"<html>x</html>")
    assert got == status
    assert message is not None and str(code) in message


def test_pages_that_cannot_be_audited() -> None:
    assert response_status(200, is_html=True, body=b" \n ") == (
        PageStatus.HTTP_ERROR, "empty page: the server sent no content")
    status, message = response_status(200, is_html=False, body=b"%PDF-1.4",
                                      content_type="application/pdf; qs=1")
    assert (status, message) == (PageStatus.HTTP_ERROR, "not an HTML page (application/pdf)")
    challenge = b"<script>document.cookie='acw_sc__v2='+x;location.reload()</script>"
    assert response_status(200, is_html=True, body=challenge)[0] == PageStatus.BLOCKED
    assert response_status(200, is_html=True, body=b"<p>hi</p>") == (PageStatus.OK, None)


def test_docstring_shows_every_status() -> None:
    doc = fetch_status.__doc__ or ""
    for status in PageStatus:
        assert status.value in doc, status


def test_render_crashes_are_told_from_site_and_launch_failures() -> None:
    from playwright._impl._errors import Error, TargetClosedError

    # Playwright's messages when a renderer dies mid-page, or the page's browser goes away.
    for message in ("Page.goto: Page crashed\nCall log:\n  - navigating to ...",
                    "Page.wait_for_timeout: Page crashed", "Page.evaluate: Target crashed"):
        assert render_crashed(TargetClosedError(message)), message
    assert render_crashed(TargetClosedError())
    assert render_crashed(Error("Browser has been closed"))
    # Not crashes: the site failed, the page timed out, or Chromium never started.
    assert not render_crashed(Error("Page.goto: net::ERR_CONNECTION_REFUSED at https://a.cn/"))
    assert not render_crashed(Error("Page.goto: Timeout 20000ms exceeded."))
    assert not render_crashed(TargetClosedError(
        "BrowserType.launch: Target page, context or browser has been closed"))
    assert not render_crashed(tw.ConnectionRefusedError())


@pytest.mark.parametrize(("exc", "status", "words"), [
    (fetch_status.RenderTimeout("rendering took longer than 5 s"), PageStatus.TIMEOUT,
     "longer than 5 s"),
    (DownloadCancelledError("Expected to receive 31457280 bytes which is larger than download "
                            "max size (10485760) in request <GET http://a.cn/>."),
     PageStatus.TOO_LARGE, "Content-Length announces 30.0 MB, over the 10 MB limit"),
    (IgnoreRequest("Ignored response <200 http://a.cn/> because its body (1044172 B compressed, "
                   "10485761 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (10485760 B) "
                   "during decompression."), PageStatus.TOO_LARGE, "compression bomb"),
    (IgnoreRequest("max redirections reached"), PageStatus.REDIRECT_LOOP, "redirect loop"),
    (Exception("Page.goto: net::ERR_TOO_MANY_REDIRECTS at http://a.cn/"),
     PageStatus.REDIRECT_LOOP, "redirect loop"),
])
def test_hostile_hosts_are_not_blocked(exc: BaseException, status: PageStatus,
                                       words: str) -> None:
    got, message = failure_status(exc)
    assert (got, words in message) == (status, True), message


def test_a_streamed_page_over_the_cap_names_the_request_limit() -> None:
    status, message = failure_status(DownloadCancelledError(), size_limit=10 * 1024 * 1024)
    assert status == PageStatus.TOO_LARGE
    assert message == "page too large: its body went past the 10 MB limit while downloading"


@pytest.mark.parametrize(("body", "kind"), [
    (bytes.fromhex("89504e470d0a1a0a0000000d49484452"), "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"\x1f\x8b\x08\x00", "gzip data"),
    (b"abc\x00\x01\x02def" * 10, "binary data"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
    (b"  \n<html lang=zh>", "html"),
    ("<!doctype html><p>页脚</p>".encode("utf-16"), "html"),
    (b"<div>x</div>", "html"),
    (b'{"icp": "x"}', None),
    (b"plain words", None),
])
def test_content_is_sniffed(body: bytes, kind: str | None) -> None:
    assert fetch_status.sniff_content(body) == kind


def test_the_content_decides_whatever_the_type_says() -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 40
    status, message = response_status(200, is_html=True, body=png,
                                      content_type="text/html; charset=utf-8")
    assert (status, message) == (PageStatus.HTTP_ERROR,
                                 "not an HTML page: a PNG image served as text/html")
    status, message = response_status(200, is_html=False, body=b"<!DOCTYPE html><p>x</p>",
                                      content_type="image/png")
    assert status == PageStatus.OK and message and "served as image/png" in message
    assert fetch_status.declares_html("text/html; charset=gbk")
    assert fetch_status.declares_html(None)
    assert not fetch_status.declares_html("image/png")
