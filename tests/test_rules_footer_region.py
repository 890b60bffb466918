"""footer_region (rules/footer_region.py): the clip box of the evidence screenshot, from the
layout attributes the probe writes on a rendered page."""

from __future__ import annotations

from rules.extract import extract
from rules.footer_region import Region, footer_region
from rules.model import PageInput

ICP = "京ICP备12345678号-1"


def _page(body: str, doc: str = "1366,2000,1366,768") -> str:
    return (f'<html data-fa-doc="{doc}"><head><title>t</title></head><body>'
            f'<main><p data-fa-box="0,0,1366,1500" data-fa-visible="1">正文</p></main>'
            f"{body}</body></html>")


FOOTER = (
    '<footer id="footer">'
    '<p data-fa-box="400,1700,500,20" data-fa-visible="1">©2025 北京某某科技有限公司 版权所有</p>'
    '<p><a href="https://beian.miit.gov.cn/" data-fa-box="500,1730,300,20" '
    f'data-fa-visible="1">{ICP}</a></p>'
    '</footer>'
)


def test_footer_boxes_united_with_a_margin() -> None:
    region = footer_region(_page(FOOTER))
    assert region == Region(400 - 16, 1700 - 16, 500 + 32, 50 + 32, "footer")


def test_the_audit_extraction_gives_the_same_region_without_a_second_parse() -> None:
    html = _page(FOOTER)
    given = extract(PageInput(url="https://www.example.cn/", html=html, rendered=True))
    assert footer_region("", extraction=given) == footer_region(html)  # the HTML is not read


def test_margin_and_box_are_parameters() -> None:
    region = footer_region(_page(FOOTER), margin=0)
    assert region is not None and region.box() == [400, 1700, 500, 50]


def test_hidden_and_zero_size_elements_do_not_widen_the_box() -> None:
    hidden = ('<p data-fa-box="0,100,1366,20" data-fa-visible="0">京ICP备87654321号-1</p>'
              '<span data-fa-box="10,10,0,0" data-fa-visible="1">x</span>')
    html = _page(FOOTER.replace("</footer>", hidden + "</footer>"))
    assert footer_region(html, margin=0).box() == [400, 1700, 500, 50]


def test_clamped_to_the_document() -> None:
    edge = FOOTER.replace('"400,1700,500,20"', '"-30,1990,1500,20"')
    region = footer_region(_page(edge), margin=16)
    assert region.x == 0 and region.y >= 0
    assert region.x + region.width <= 1366 and region.y + region.height <= 2000


def test_fractional_boxes_give_whole_pixels_covering_them() -> None:
    frac = FOOTER.replace('"400,1700,500,20"', '"400.5,1700.4,500.2,20.3"')
    region = footer_region(_page(frac), margin=0)
    assert (region.x, region.y) == (400, 1700)
    assert region.x + region.width >= 900.7 and region.y + region.height >= 1750


def test_no_marks_at_all_frames_the_bottom_band() -> None:
    html = _page('<div class="foot"><p data-fa-box="0,1900,1366,30" data-fa-visible="1">'
                 "联系我们</p></div>")
    region = footer_region(html, band=480)
    assert region == Region(0, 2000 - 480, 1366, 480, "bottom")


def test_bottom_band_of_a_short_document_is_the_whole_document() -> None:
    html = _page("", doc="1366,300,1366,768").replace('"0,0,1366,1500"', '"0,0,1366,200"')
    assert footer_region(html, band=480) == Region(0, 0, 1366, 300, "bottom")


def test_marks_without_a_footer_candidate_use_their_blocks_not_the_sidebar() -> None:
    body = ('<div class="sidebar"><p data-fa-box="1100,200,200,20" data-fa-visible="1">'
            '友情链接 粤ICP备11111111号-1</p></div>'
            f'<div class="info"><p data-fa-box="300,1800,600,24" data-fa-visible="1">{ICP}</p>'
            "</div>")
    region = footer_region(_page(body), margin=0)
    assert region == Region(300, 1800, 600, 24, "marks")


def test_a_tall_footer_is_cut_to_the_part_ending_at_the_marks() -> None:
    links = "".join(f'<li data-fa-box="100,{1000 + i * 30},200,20" data-fa-visible="1">'
                    f"栏目{i}</li>" for i in range(80))
    tall = (f'<footer><ul>{links}</ul><p data-fa-box="400,3500,500,20" data-fa-visible="1">'
            f"{ICP}</p><p data-fa-box=\"400,3800,500,20\" data-fa-visible=\"1\">联系</p>"
            "</footer>")
    region = footer_region(_page(tall, doc="1366,4000,1366,768"), margin=10, max_height=1200)
    assert region.height == 1200
    assert region.y + region.height == 3520 + 10  # ends just below the ICP block
    assert region.y <= 3500


def test_fractional_boxes_never_exceed_the_caps() -> None:
    links = "".join(f'<li data-fa-box="100.4,{1000.6 + i * 30},200,20" data-fa-visible="1">'
                    f"栏目{i}</li>" for i in range(80))
    tall = f'<footer><ul>{links}</ul><p data-fa-box="400.3,3500.7,500,20">{ICP}</p></footer>'
    region = footer_region(_page(tall, doc="1366,4000,1366,768"), margin=10, max_height=1200,
                           max_width=300)
    assert (region.width, region.height) == (300, 1200)


def test_width_is_capped() -> None:
    wide = FOOTER.replace('"400,1700,500,20"', '"0,1700,5000,20"')
    region = footer_region(_page(wide, doc="5000,2000,1366,768"), margin=0, max_width=1920)
    assert region.width == 1920


def test_unrendered_page_has_no_region() -> None:
    html = f'<html><body><footer><a href="https://beian.miit.gov.cn/">{ICP}</a></footer></body>'
    assert footer_region(html) is None
    assert footer_region("") is None
    assert footer_region('<html data-fa-doc="junk"><body></body></html>') is None
