"""footer_snapshot (rules/snapshot.py): compact, and re-audits exactly like the full page."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.audit import audit_page
from rules.extract import extract
from rules.model import PageInput
from rules.render_decision import needs_rendering
from rules.snapshot import footer_snapshot
from tests.test_rules_cases import ALL_CASES, load_case


def _key(result) -> tuple:
    f = result.findings
    return (
        [(m.number, m.kind, m.valid, m.link, m.in_footer, m.visible, m.in_image, m.hit, m.box)
         for m in f.icp],
        [(g.number, g.code, g.link, g.icon, g.in_footer, g.visible) for g in f.gongan],
        [(c.text, c.holder, c.years) for c in f.copyright],
        [(lic.number, lic.kind) for lic in f.licences],
        sorted((v.code, v.severity, v.message) for v in result.violations),
        sorted((r.code, r.reason) for r in result.reviews),
    )


@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_snapshot_audits_like_the_page(path: Path) -> None:
    page, expect = load_case(path)
    snap = footer_snapshot(page.html)
    again = PageInput(url=page.url, html=snap, rendered=page.rendered,
                      review_reasons=page.review_reasons)
    assert _key(audit_page(again, expect)) == _key(audit_page(page, expect))


def test_snapshot_is_compact_and_keeps_layout_attributes() -> None:
    filler = "".join(f"<p>正文段落 {i}，与备案无关的内容。</p>" for i in range(2000))
    html = (f'<html data-fa-doc="1280,9000,1280,800"><head><title>t</title>'
            f'<script>var big = "{"x" * 50000}";</script></head><body><main>{filler}</main>'
            '<footer class="footer" data-fa-box="0,8900,1280,100"><p><a '
            'href="https://beian.miit.gov.cn/" data-fa-hit="1" data-fa-box="560,8950,160,20">'
            "京ICP备12345678号-1</a></p></footer></body></html>")
    snap = footer_snapshot(html)
    assert len(snap) < len(html) / 50
    assert 'data-fa-doc="1280,9000,1280,800"' in snap and 'data-fa-hit="1"' in snap
    assert "正文段落" not in snap and "big" not in snap


def test_snapshot_keeps_hidden_context_and_sidebars() -> None:
    html = ('<body><div style="display:none"><div><p>京ICP备12345678号-1</p></div></div>'
            '<aside class="sidebar"><ul><li>辽ICP备05025012号-1</li><li>鲁ICP备05010073号-1</li>'
            '</ul></aside><div class="footer">版权所有：某某中心</div></body>')
    snap = footer_snapshot(html)
    full = audit_page(PageInput(url="u", html=html))
    again = audit_page(PageInput(url="u", html=snap))
    assert _key(again) == _key(full)
    assert [m.visible for m in again.findings.icp if m.number.startswith("京")] == [False]


def test_snapshot_of_a_page_without_marks_is_a_valid_empty_document() -> None:
    snap = footer_snapshot("<html><body><p>hello</p></body></html>")
    assert snap.startswith("<!DOCTYPE html>") and "hello" not in snap
    assert footer_snapshot("") .startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("path", ALL_CASES[::7], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_audit_parse_is_reused_by_the_snapshot(path: Path) -> None:
    page, expect = load_case(path)
    result = audit_page(page, expect)
    assert result.extraction is not None
    url = page.final_url or page.url
    assert footer_snapshot(page.html, url, extraction=result.extraction) == footer_snapshot(
        page.html, url)


def test_a_given_extraction_is_read_instead_of_parsing_again() -> None:
    marked = PageInput(url="https://www.example.cn/", html=(
        '<html><body><footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>'
        "</footer></body></html>"))
    blank = PageInput(url="https://www.example.cn/", html="<html><body>空</body></html>")
    given = extract(marked)
    # Another page's HTML with this extraction: the findings are the extraction's own.
    result = audit_page(blank, extraction=given)
    assert result.extraction is given
    assert [m.number for m in result.findings.icp] == ["京ICP备12345678号-1"]
    assert "京ICP备" in footer_snapshot(blank.html, extraction=given)
    spa = '<html><body><div id="app"></div><script src="/js/footer.js"></script></body></html>'
    assert needs_rendering(spa) is True
    assert needs_rendering(spa, extraction=given) is False
