"""The static fetch path end to end: one real Scrapy crawl (in a subprocess) of the mock server's
traps, checked page by page: encodings, redirects, statuses, local files, bare domains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mockserver import ICP, MockServer, footer_html

TRAPS = [
    "/gbk", "/gb2312", "/gb18030", "/bom", "/ok", "/js-footer",
    "/redirect-to?url=/redirect-to%3Furl%3D/ok%26status%3D301",
    "/status/503", "/status/404", "/status/403", "/blocked-challenge",
    "/drop", "/not-html", "/empty", "/delay?s=5",
]


@pytest.fixture(scope="module")
def gbk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "gbk-page.html"
    html = ('<html><head><title>某某</title><meta charset="gb2312"></head><body>'
            + footer_html(sign="Copyright") + "</body></html>")
    path.write_bytes(html.encode("gb2312"))
    return path


@pytest.fixture(scope="module")
def crawl(mockserver: MockServer, fetch_pages: Any, closed_port: int,
          gbk_file: Path) -> dict[str, Any]:
    port = mockserver.base.rsplit(":", 1)[1]
    urls = [mockserver.url(p) for p in TRAPS] + [
        f"http://127.0.0.1:{closed_port}/",
        # A bare domain: https on a plain-http port fails the handshake, http answers.
        f"localhost:{port}/ok",
        str(gbk_file),
    ]
    return fetch_pages(urls, render="never", timeout=2)


def page(crawl: dict[str, Any], url: str) -> dict[str, Any]:
    return crawl["pages"][url]


def test_gbk_charset_in_meta_after_title(crawl: dict[str, Any], mockserver: MockServer) -> None:
    p = page(crawl, mockserver.url("/gbk"))
    assert p["status"] == "ok"
    assert p["encoding"] == "gbk"
    assert ICP in p["html"]
    assert "版权所有" in p["html"]


def test_gb2312_gb18030_and_bom(crawl: dict[str, Any], mockserver: MockServer) -> None:
    gb2312 = page(crawl, mockserver.url("/gb2312"))
    assert (gb2312["encoding"], ICP in gb2312["html"]) == ("gb2312", True)
    gb18030 = page(crawl, mockserver.url("/gb18030"))
    assert gb18030["encoding"] == "gb18030"
    assert "𠮷野家" in gb18030["html"]  # outside GBK: decoded as GB18030, not GBK
    # The byte order mark wins over a <meta> that says gbk.
    bom = page(crawl, mockserver.url("/bom"))
    assert bom["encoding"] == "utf-8"
    assert ICP in bom["html"] and not bom["html"].startswith("\ufeff")


def test_static_page_is_not_rendered(crawl: dict[str, Any], mockserver: MockServer) -> None:
    p = page(crawl, mockserver.url("/js-footer"))
    assert (p["status"], p["rendered"]) == ("ok", False)
    assert 'id="footer"' not in p["html"].split("<script>")[0]
    assert p["fetched_at"].endswith("+00:00")


def test_redirects_are_followed_and_recorded(crawl: dict[str, Any],
                                             mockserver: MockServer) -> None:
    first = mockserver.url(TRAPS[6])
    p = page(crawl, first)
    assert p["status"] == "ok"
    assert p["final_url"] == mockserver.url("/ok")
    assert p["redirect_chain"] == [first, mockserver.url("/redirect-to?url=/ok&status=301")]
    assert p["url"] == first


@pytest.mark.parametrize(("path", "status", "http_status", "words"), [
    ("/status/503", "http_error", 503, "HTTP 503 Service Unavailable"),
    ("/status/404", "http_error", 404, "HTTP 404"),
    ("/status/403", "blocked", 403, "HTTP 403"),
    ("/blocked-challenge", "blocked", 200, "anti-bot"),
    ("/not-html", "http_error", 200, "not an HTML page (application/pdf)"),
    ("/empty", "http_error", 200, "empty page"),
    ("/drop", "unreachable", None, "connection closed"),
    ("/delay?s=5", "timeout", None, "timed out"),
])
def test_failures_become_statuses(crawl: dict[str, Any], mockserver: MockServer, path: str,
                                  status: str, http_status: int | None, words: str) -> None:
    p = page(crawl, mockserver.url(path))
    assert (p["status"], p["http_status"]) == (status, http_status)
    assert words in p["error"]
    assert p["html"] == ""


def test_closed_port_is_unreachable(crawl: dict[str, Any], closed_port: int) -> None:
    p = page(crawl, f"http://127.0.0.1:{closed_port}/")
    assert (p["status"], p["error"]) == ("unreachable", "connection refused")


def test_bare_domain_falls_back_to_http(crawl: dict[str, Any], mockserver: MockServer) -> None:
    port = mockserver.base.rsplit(":", 1)[1]
    p = page(crawl, f"https://localhost:{port}/ok")
    assert p["status"] == "ok"
    assert p["final_url"] == f"http://localhost:{port}/ok"
    assert ICP in p["html"]


def test_local_file_is_decoded_as_scrapy_would(crawl: dict[str, Any], gbk_file: Path) -> None:
    p = page(crawl, gbk_file.resolve().as_uri())
    assert (p["status"], p["encoding"], p["rendered"]) == ("ok", "gb2312", False)
    assert ICP in p["html"]


def test_failures_are_counted(crawl: dict[str, Any]) -> None:
    assert crawl["stats"]["footer_audit/fetch_failed/unreachable"] == 2
    assert crawl["stats"]["footer_audit/fetch_failed/timeout"] == 1
