"""A fetch's outcome as a page status (docs/marks.md §3), with a one-line message.

Failures, whether Scrapy's downloader or Chromium raised them::

    exception / answer                                 status
    ├── DNS lookup failed (ERR_NAME_NOT_RESOLVED)      unreachable
    ├── connection refused / reset / dropped,          unreachable
    │   no route, empty answer (ERR_CONNECTION_*)
    ├── TLS handshake or certificate (ERR_CERT_*,      tls_error
    │   ERR_SSL_*, OpenSSL errors)
    ├── download or navigation timeout                 timeout
    ├── a render past its budget (`RenderTimeout`:     timeout (the render middleware then
    │   scripts that never yield, a hung renderer)     audits the static HTML: needs_review)
    ├── larger than DOWNLOAD_MAXSIZE: by its           too_large
    │   Content-Length, as it streams, once inflated
    │   (a compression bomb), or in the browser
    │   (`PageTooLarge`)
    ├── too many redirects, HTTP or <meta refresh>     redirect_loop
    │   (ERR_TOO_MANY_REDIRECTS in Chromium)
    ├── request refused by a Scrapy component          blocked
    │   (robots.txt, offsite)
    ├── the host resolves to a refused address         unreachable ("not crawled: ...",
    │   (crawler/net/addresses.py)                      not sent)
    └── anything else                                  unreachable (with the error's text)

Answers::

    HTTP status / body                                 status
    ├── 403, 412, 429, 451                             blocked (refused, rate-limited, WAF)
    ├── any other 4xx / 5xx, an unfollowed 3xx         http_error
    ├── 2xx, empty or whitespace-only body             http_error ("empty page")
    ├── 2xx, binary content, whatever its type says    http_error ("not an HTML page")
    │   (a PNG served as text/html)
    ├── 2xx, neither declared nor sniffed as HTML      http_error ("not an HTML page")
    │   (PDF, JSON, image...)
    ├── 2xx with an anti-bot challenge page            blocked
    └── 2xx HTML, by its type or by its content        ok (the audit may then say
        (HTML served as image/png is read as HTML,        needs_rendering / needs_review)
        statically, with a note)

The content decides (`sniff_content`), the same way for every path (static fetch, mode auto,
mode always: a page is rendered only after its static answer passed these checks), so binary
bytes never reach the audit and never become a violation's evidence.

A page with a failure status is never audited and never counts as a pass. A browser that crashes
under a page (`render_crashed`) gives no status of its own: the render middleware renders the page
again in a fresh context, then falls back to its static HTML under review (`render_crashed`).
"""

from __future__ import annotations

import re
from http import HTTPStatus

from crawler.net.addresses import AddressRefused
from rules.model import FETCH_FAILURES, PageStatus  # the one status enum, shared with the audit

__all__ = [
    "BLOCKING_HTTP_STATUSES",
    "FETCH_FAILURES",
    "RENDERER_CRASH",
    "PageStatus",
    "PageTooLarge",
    "RenderTimeout",
    "declares_html",
    "error_line",
    "failure_status",
    "host_failure",
    "render_crashed",
    "response_status",
    "sniff_content",
]


class RenderTimeout(TimeoutError):
    """A render went past its budget (FOOTER_AUDIT_RENDER_TIMEOUT): its page was closed."""


class PageTooLarge(Exception):
    """What the browser loaded for a page went past DOWNLOAD_MAXSIZE: its page was closed."""

# Refusals rather than breakage: forbidden, WAF precondition (瑞数 and others answer 412),
# rate-limited, unavailable for legal reasons.
BLOCKING_HTTP_STATUSES = frozenset({403, 412, 429, 451})

# Anti-bot challenge pages answered with 200: JS cookie challenges of Aliyun WAF, 加速乐, 云锁,
# 安全狗, Tencent WAF and Cloudflare. Only looked for in small bodies, where the challenge is all
# there is.
_CHALLENGE_MARKERS = re.compile(
    rb"acw_sc__v2|__jsl_clearance|yunsuo_session_verify|safedog|waf\.tencent|"
    rb"/cdn-cgi/challenge-platform|cf-chl-|_waf_bd8ce2ce37",
    re.IGNORECASE,
)
_CHALLENGE_MAX_BYTES = 64 * 1024

# Chromium's net error names (Playwright puts them in its error messages).
_NET_ERROR = re.compile(r"net::(ERR_[A-Z_]+)")
_NET_ERROR_STATUS = {
    "ERR_NAME_NOT_RESOLVED": (PageStatus.UNREACHABLE, "DNS lookup failed: no such host"),
    "ERR_NAME_RESOLUTION_FAILED": (PageStatus.UNREACHABLE, "DNS lookup failed"),
    "ERR_CONNECTION_REFUSED": (PageStatus.UNREACHABLE, "connection refused"),
    "ERR_CONNECTION_RESET": (PageStatus.UNREACHABLE, "connection reset by the server"),
    "ERR_CONNECTION_CLOSED": (PageStatus.UNREACHABLE, "connection closed by the server"),
    "ERR_EMPTY_RESPONSE": (PageStatus.UNREACHABLE, "connection closed before an answer"),
    "ERR_ADDRESS_UNREACHABLE": (PageStatus.UNREACHABLE, "address unreachable"),
    "ERR_INTERNET_DISCONNECTED": (PageStatus.UNREACHABLE, "no network"),
    "ERR_CONNECTION_TIMED_OUT": (PageStatus.TIMEOUT, "connection timed out"),
    "ERR_TIMED_OUT": (PageStatus.TIMEOUT, "timed out"),
    "ERR_BLOCKED_BY_CLIENT": (PageStatus.BLOCKED, "request blocked by the browser"),
    "ERR_TOO_MANY_REDIRECTS": (PageStatus.REDIRECT_LOOP,
                               "redirect loop: too many redirects, no page reached"),
}


def host_failure(exc: BaseException) -> bool:
    """True when the host itself failed (DNS, refused, TLS): another way of fetching the same
    URL would fail too. Browser-side refusals (ERR_UNSAFE_PORT, ...) and timeouts are not."""
    if isinstance(exc, AddressRefused):
        return True
    match = _NET_ERROR.search(str(exc))
    if match:
        name = match.group(1)
        if name.startswith(("ERR_CERT_", "ERR_SSL_", "ERR_BAD_SSL")):
            return True
        return _NET_ERROR_STATUS.get(name, (None, ""))[0] == PageStatus.UNREACHABLE
    return False


# Playwright's words when the page's renderer died (killed, out of memory); beside them, its page,
# context or browser may have gone away while rendering (a TargetClosedError).
RENDERER_CRASH = ("Page crashed", "Target crashed")
_CRASHED = re.compile("|".join(map(re.escape, RENDERER_CRASH))
                      + r"|Target page, context or browser has been closed|Browser has been closed")


def render_crashed(exc: BaseException) -> bool:
    """True when Chromium crashed under the page (not when the site failed, nor when Chromium
    would not start at all: `BrowserType.launch` fails the same way for every page)."""
    text = str(exc)
    if text.startswith("BrowserType."):
        return False
    return type(exc).__name__ == "TargetClosedError" or bool(_CRASHED.search(text))


def _playwright_status(message: str) -> tuple[PageStatus, str] | None:
    match = _NET_ERROR.search(message)
    if not match:
        return None
    name = match.group(1)
    if name.startswith(("ERR_CERT_", "ERR_SSL_", "ERR_BAD_SSL")):
        return PageStatus.TLS_ERROR, f"TLS error ({name})"
    return _NET_ERROR_STATUS.get(name, (PageStatus.UNREACHABLE, f"network error ({name})"))


def _tls_failure(exc: BaseException) -> BaseException | None:
    """The OpenSSL error, raised directly or wrapped in twisted's ResponseFailed.reasons."""
    reasons = [exc, *(getattr(r, "value", r) for r in getattr(exc, "reasons", []) or [])]
    return next((r for r in reasons
                 if type(r).__module__.startswith("OpenSSL") or "SSL" in type(r).__name__), None)


def _tls_detail(exc: BaseException) -> str:
    # OpenSSL.SSL.Error carries [(library, function, reason), ...]: the reasons say it best.
    errors = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    reasons = [e[-1] for e in errors if isinstance(e, tuple) and e and e[-1]]
    return "; ".join(reasons) or str(exc) or type(exc).__name__


def error_line(exc: BaseException) -> str:
    """The first line of an error's message (Playwright's go on with a call log), else its type."""
    return _first_line(str(exc).strip().split("\n", 1)[0]) or type(exc).__name__


def _first_line(text: str, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def failure_status(exc: BaseException, *,
                   size_limit: int | None = None) -> tuple[PageStatus, str]:
    """Map a download failure to a status and a one-line reason; `size_limit`: the request's
    DOWNLOAD_MAXSIZE, named when Scrapy's message does not say it."""
    # Imported here so that this module stays importable (and documented) without a reactor.
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from twisted.internet import error as tw
    from twisted.web._newclient import ResponseFailed

    # Scrapy wraps Twisted's ResponseFailed (whose reasons tell TLS from a dropped connection).
    if isinstance(exc, DownloadFailedError) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, AddressRefused):
        return PageStatus.UNREACHABLE, str(exc)
    if isinstance(exc, (tw.DNSLookupError, CannotResolveHostError)):
        return PageStatus.UNREACHABLE, "DNS lookup failed: no such host"
    if isinstance(exc, (tw.TimeoutError, tw.TCPTimedOutError, DownloadTimeoutError)):
        return PageStatus.TIMEOUT, "timed out"
    if isinstance(exc, RenderTimeout):
        return PageStatus.TIMEOUT, _first_line(str(exc) or "timed out while rendering")
    if isinstance(exc, PageTooLarge):
        return PageStatus.TOO_LARGE, _first_line(str(exc))
    if type(exc).__name__ == "TimeoutError" and type(exc).__module__.startswith("playwright"):
        return PageStatus.TIMEOUT, "timed out while rendering"
    tls = _tls_failure(exc)
    if tls is not None or isinstance(exc, (tw.SSLError, tw.CertificateError)):
        return PageStatus.TLS_ERROR, _first_line(f"TLS handshake failed: {_tls_detail(tls or exc)}")
    if isinstance(exc, (tw.ConnectionRefusedError, DownloadConnectionRefusedError)):
        return PageStatus.UNREACHABLE, "connection refused"
    if isinstance(exc, (tw.NoRouteError, tw.UnknownHostError)):
        return PageStatus.UNREACHABLE, "no route to host"
    if isinstance(exc, DownloadCancelledError):
        # DOWNLOAD_MAXSIZE: a "homepage" of many megabytes is not a page to audit.
        return PageStatus.TOO_LARGE, _size_message(str(exc), size_limit)
    if isinstance(exc, (ResponseFailed, DownloadFailedError, ResponseDataLossError,
                        tw.ConnectionLost, tw.ConnectionDone)):
        return PageStatus.UNREACHABLE, "connection closed by the server before a complete answer"
    if isinstance(exc, tw.ConnectError):
        return PageStatus.UNREACHABLE, _first_line(f"connection failed: {exc}")
    if isinstance(exc, IgnoreRequest) and "during decompression" in str(exc):
        return PageStatus.TOO_LARGE, _size_message(str(exc), size_limit)
    if isinstance(exc, IgnoreRequest) and "max redirections" in str(exc):
        return PageStatus.REDIRECT_LOOP, "redirect loop: too many redirects, no page reached"
    if isinstance(exc, IgnoreRequest):
        return PageStatus.BLOCKED, _first_line(f"request not sent: {exc or 'ignored'}")
    mapped = _playwright_status(str(exc))
    if mapped:
        return mapped
    return PageStatus.UNREACHABLE, _first_line(f"{type(exc).__name__}: {exc}")


_SIZE_LIMIT = re.compile(r"(?:max size|DOWNLOAD_MAXSIZE) \((\d+)")
_SIZE_EXPECTED = re.compile(r"Expected to receive (\d+) bytes")


def _size_message(text: str, size_limit: int | None = None) -> str:
    """Scrapy's size-cap messages, as one line that says how the size was found."""
    limit_match = _SIZE_LIMIT.search(text)
    size_limit = int(limit_match.group(1)) if limit_match else size_limit
    limit = (f"{size_limit / 1024 / 1024:g} MB limit" if size_limit
             else "size limit (DOWNLOAD_MAXSIZE)")
    if "decompression" in text:
        return (f"page too large: its compressed body inflates beyond the {limit} "
                "(a compression bomb?)")
    expected = _SIZE_EXPECTED.search(text)
    if expected:
        announced = int(expected.group(1)) / 1024 / 1024
        return (f"page too large: its Content-Length announces {announced:.1f} MB, over the "
                f"{limit}")
    return f"page too large: its body went past the {limit} while downloading"


# Magic numbers of what servers send by mistake instead of a page (RFC and format specs).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip data"),
    (b"\x00\x00\x01\x00", "an icon"), (b"wOFF", "a font"), (b"wOF2", "a font"),
    (b"\x7fELF", "a program"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
)
# WHATWG MIME sniffing: what an HTML document may start with (then a space or ">").
_HTML_START = re.compile(
    rb"\s*(?:<!--|<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|"
    rb"title|b|br|p|meta)[\s>/])", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SNIFF_BYTES = 1024


def sniff_content(body: bytes) -> str | None:
    """What the bytes are, whatever the Content-Type says: "html", a binary kind ("a PNG
    image", "binary data"), or None (text that is not recognisably HTML)."""
    head = body[:_SNIFF_BYTES]
    if head.startswith(_BOMS[1:]):  # UTF-16 text has NUL bytes: not binary for that
        return "html" if _HTML_START.match(head.decode("utf-16", "ignore").encode()) else None
    head = head.removeprefix(_BOMS[0])
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    if b"\x00" in head or sum(b < 9 or 13 < b < 27 or 27 < b < 32 for b in head) > len(head) // 10:
        return "binary data"
    return "html" if _HTML_START.match(head) else None


def declares_html(content_type: str | None) -> bool:
    """The Content-Type says HTML (XHTML too); a missing one says nothing against it."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return not kind or kind in ("text/html", "application/xhtml+xml")


def response_status(http_status: int, *, is_html: bool, body: bytes,
                    content_type: str | None = None) -> tuple[PageStatus, str | None]:
    """Map an answer to a status and a message: why the page cannot be audited, or for an
    auditable page (`ok`) a note or None. `is_html`: the answer's type says HTML."""
    if http_status in BLOCKING_HTTP_STATUSES:
        return PageStatus.BLOCKED, f"HTTP {http_status} {_reason(http_status)}: access refused"
    if http_status >= 300:
        return PageStatus.HTTP_ERROR, f"HTTP {http_status} {_reason(http_status)}"
    if not body.strip():
        return PageStatus.HTTP_ERROR, "empty page: the server sent no content"
    kind = (content_type or "").split(";")[0].strip() or "no type"
    sniffed = sniff_content(body)
    if sniffed not in (None, "html") and is_html:
        return PageStatus.HTTP_ERROR, f"not an HTML page: {sniffed} served as {kind}"
    if sniffed != "html" and (not is_html or sniffed is not None):
        return PageStatus.HTTP_ERROR, f"not an HTML page ({kind})"
    if len(body) <= _CHALLENGE_MAX_BYTES and _CHALLENGE_MARKERS.search(body):
        return PageStatus.BLOCKED, "an anti-bot challenge page answered instead of the site"
    if not is_html:
        return PageStatus.OK, f"served as {kind}: audited as HTML from its content, unrendered"
    return PageStatus.OK, None


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""
