"""Rendering in real Chromium through scrapy-playwright: JS footers, the layout probe's facts
(visible, hidden, covered), render timeouts, skipped image downloads."""

from __future__ import annotations

from typing import Any

import pytest
from parsel import Selector

from crawler.render.policy import probe_source
from rules.model import ATTR_BOX, ATTR_DOC, ATTR_HIT, ATTR_VISIBLE
from tests.mockserver import ICP, MockServer

pytestmark = pytest.mark.browser

PAGES = ["/js-footer", "/covered", "/hidden-footer", "/ok", "/gbk",
         "/redirect-to?url=/ok", "/slow-script"]


@pytest.fixture(scope="module")
def rendered(mockserver: MockServer, fetch_pages: Any) -> dict[str, Any]:
    return fetch_pages([mockserver.url(p) for p in PAGES], render="always", timeout=4)


def dom(rendered: dict[str, Any], mockserver: MockServer, path: str) -> Selector:
    page = rendered["pages"][mockserver.url(path)]
    assert page["status"] == "ok", page
    return Selector(text=page["html"])


def test_js_footer_found_only_after_rendering(rendered: dict[str, Any],
                                              mockserver: MockServer) -> None:
    page = rendered["pages"][mockserver.url("/js-footer")]
    assert page["rendered"] is True
    sel = Selector(text=page["html"])
    assert sel.css("footer#footer a#icp::text").get() == ICP
    assert sel.css("a#icp::attr(data-fa-visible)").get() == "1"


def test_visible_mark_has_box_hit_and_document_size(rendered: dict[str, Any],
                                                    mockserver: MockServer) -> None:
    sel = dom(rendered, mockserver, "/ok")
    doc_w, doc_h, view_w, view_h = map(float, sel.css("html::attr(data-fa-doc)").get().split(","))
    assert (view_w, view_h) == (1366, 768)
    assert doc_w == 1366 and doc_h > 900  # the page's main block is 900px tall
    icp = sel.css("a#icp")
    assert icp.attrib["data-fa-visible"] == "1"
    assert icp.attrib["data-fa-hit"] == "1"
    x, y, w, h = map(float, icp.attrib["data-fa-box"].split(","))
    assert y > 900 and w > 50 and h > 5
    assert abs((x + w / 2) - 683) < 5  # centred footer
    # Text elements and the badge image are annotated too; the badge was not downloaded.
    assert sel.css("footer p::attr(data-fa-visible)").getall() == ["1"]
    assert sel.css("img::attr(data-fa-visible)").get() == "1"
    assert rendered["stats"]["playwright/request_count/aborted"] >= 1


def test_hidden_mark(rendered: dict[str, Any], mockserver: MockServer) -> None:
    sel = dom(rendered, mockserver, "/hidden-footer")
    assert sel.css("a#icp").attrib["data-fa-visible"] == "0"
    assert sel.css("a#icp").attrib["data-fa-hit"] == "0"
    assert sel.css("a#gongan").attrib["data-fa-visible"] == "1"
    assert sel.css("a#gongan").attrib["data-fa-hit"] == "1"


def test_covered_link(rendered: dict[str, Any], mockserver: MockServer) -> None:
    sel = dom(rendered, mockserver, "/covered")
    icp = sel.css("a#icp")
    assert icp.attrib["data-fa-visible"] == "1"  # shown, but under the fixed cookie banner
    assert icp.attrib["data-fa-hit"] == "0"


def test_rendered_gbk_page_keeps_its_charset(rendered: dict[str, Any],
                                             mockserver: MockServer) -> None:
    page = rendered["pages"][mockserver.url("/gbk")]
    assert (page["rendered"], page["encoding"]) == (True, "gbk")
    assert ICP in page["html"]


def test_rendered_redirect_is_recorded(rendered: dict[str, Any], mockserver: MockServer) -> None:
    page = rendered["pages"][mockserver.url("/redirect-to?url=/ok")]
    assert page["final_url"] == mockserver.url("/ok")
    assert page["redirect_chain"] == [mockserver.url("/redirect-to?url=/ok")]


def test_render_timeout_falls_back_to_static_html(rendered: dict[str, Any],
                                                  mockserver: MockServer) -> None:
    page = rendered["pages"][mockserver.url("/slow-script")]
    assert page["status"] == "ok"  # fetched; the audit makes it needs_review
    assert page["rendered"] is False
    assert page["review_reasons"] == ["render_timeout"]
    assert "rendering" in page["error"]
    assert "<script>" in page["html"] and "data-fa-" not in page["html"]
    assert rendered["stats"]["footer_audit/render_timeout"] == 1


def test_probe_is_one_self_contained_script() -> None:
    source = probe_source()
    assert "footerAuditLayoutProbe" in source  # the extension calls it by this name
    for attr in (ATTR_VISIBLE, ATTR_BOX, ATTR_HIT, ATTR_DOC):
        assert f'"{attr}"' in source
