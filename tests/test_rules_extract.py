"""Footer extraction (rules/extract.py, rules/dom.py, rules/footer.py): the traps real pages set."""

from __future__ import annotations

import pytest

from rules.extract import extract
from rules.model import PageInput


def findings(body: str, *, rendered: bool = False, head: str = ""):
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}</body></html>")
    return extract(PageInput(url="https://www.example.cn/", html=html, rendered=rendered)).findings


def numbers(f) -> list[str]:
    return [m.number for m in f.icp]


def test_number_split_across_inline_elements_is_joined_without_spaces() -> None:
    f = findings('<footer><span>京ICP备</span><b>1234</b><i>5678</i>号<span>-1</span></footer>')
    assert numbers(f) == ["京ICP备12345678号-1"]
    assert not f.icp[0].spaced


def test_block_boundaries_separate_text() -> None:
    f = findings("<footer><div>京ICP备12345678号</div><div>-1 友情链接</div></footer>")
    assert numbers(f) == ["京ICP备12345678号"]


def test_fullwidth_traditional_zero_width_and_nbsp() -> None:
    f = findings("<footer>京ＩＣＰ備１２３４\u200b５６７８號－１ &nbsp; 粵ICP備11018438號</footer>")
    assert numbers(f) == ["京ICP备12345678号-1", "粤ICP备11018438号"]
    assert f.icp[0].raw.startswith("京ＩＣＰ")


@pytest.mark.parametrize("hidden", [
    '<p style="display:none">{}</p>', '<p style="visibility: hidden">{}</p>', "<p hidden>{}</p>",
])
def test_hidden_marks_are_recorded_not_visible(hidden: str) -> None:
    f = findings("<footer>" + hidden.format("京ICP备12345678号-1") + "</footer>")
    assert [(m.number, m.visible) for m in f.icp] == [("京ICP备12345678号-1", False)]


def test_rendered_visibility_comes_from_the_layout_probe() -> None:
    f = findings('<footer><p data-fa-visible="1">京ICP备12345678号-1</p>'
                 '<p data-fa-visible="0">京公网安备11010502030143号</p></footer>', rendered=True)
    assert f.icp[0].visible is True and f.gongan[0].visible is False
    assert findings("<footer>京ICP备12345678号-1</footer>").icp[0].visible is None


def test_a_hidden_duplicate_of_a_shown_mark_is_dropped() -> None:
    f = findings('<div class="footer" style="display:none">京ICP备12345678号-1</div>'
                 '<div class="footer_ma">京ICP备12345678号-1</div>')
    assert [(m.number, m.visible) for m in f.icp] == [("京ICP备12345678号-1", None)]


@pytest.mark.parametrize("body", [
    "<footer><!-- 京ICP备12345678号-1 --></footer>",
    "<footer><script>var s='京ICP备12345678号-1'</script></footer>",
    "<footer><style>/* 京ICP备12345678号-1 */</style></footer>",
    "<footer><template><p>京ICP备12345678号-1</p></template></footer>",
    "<footer><noscript>京ICP备12345678号-1</noscript></footer>",
])
def test_text_that_is_not_displayed_gives_no_mark(body: str) -> None:
    assert numbers(findings(body)) == []


def test_srcdoc_iframes_are_read() -> None:
    f = findings('<footer><iframe srcdoc="&lt;p&gt;&lt;a href=&quot;https://beian.miit.gov.cn/&quot;'
                 '&gt;京ICP备12345678号-1&lt;/a&gt;&lt;/p&gt;"></iframe></footer>')
    assert numbers(f) == ["京ICP备12345678号-1"]
    assert f.icp[0].link == "https://beian.miit.gov.cn/" and f.icp[0].in_footer


def test_image_alt_and_title_are_read_as_image_text() -> None:
    f = findings('<footer><img src="a.png" alt="京ICP备12345678号-1">'
                 '<img src="b.png" title="京公网安备11010502030143号"></footer>')
    assert numbers(f) == ["京ICP备12345678号-1"] and f.icp[0].in_image
    assert f.gongan[0].code == "11010502030143"


def test_partners_numbers_in_a_sidebar_are_not_in_the_footer() -> None:
    f = findings('<div class="left_Box"><div class="beian_demo"><span>辽ICP备05025012号-1</span>'
                 '<span>鲁ICP备05010073号-1</span></div></div>'
                 '<div class="footer_ma"><span>京ICP备05006316号-4</span></div>')
    assert [(m.number, m.in_footer) for m in f.icp] == [
        ("辽ICP备05025012号-1", False), ("鲁ICP备05010073号-1", False),
        ("京ICP备05006316号-4", True)]


def test_without_footer_markup_the_marks_block_is_the_footer() -> None:
    f = findings('<div style="height:25px">桂ICP备05001920号 雨无声 版权所有◎2005-2010</div>')
    assert f.icp[0].in_footer and f.copyright[0].holder == "雨无声"
    f = findings('<aside><p>辽ICP备05025012号-1</p></aside><div>版权所有：某某中心</div>')
    assert not f.icp[0].in_footer


def test_marks_after_the_footer_block_count_as_bottom_of_page() -> None:
    f = findings('<div id="footer">版权所有：某某中心</div><div><p>京ICP备12345678号-1</p></div>')
    assert f.icp[0].in_footer


def test_links_partial_links_and_script_links() -> None:
    f = findings('<footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>'
                 '<p>沪ICP备<a href="https://beian.miit.gov.cn/">12345678号-1</a></p>'
                 "<p><span onclick=\"location.href='https://beian.miit.gov.cn/'\">"
                 "苏ICP备12345678号-1</span></p></footer>")
    a, b, c = f.icp
    assert (a.link, a.link_wraps_all, a.link_script_only) == \
        ("https://beian.miit.gov.cn/", True, False)
    assert (b.link, b.link_wraps_all) == ("https://beian.miit.gov.cn/", False)
    assert (c.link, c.link_script_only) == ("https://beian.miit.gov.cn/", True)


def test_gongan_badge_inside_or_next_to_the_link_only() -> None:
    f = findings('<footer><p><img src="/1.png"><a href="http://www.beian.gov.cn/portal/'
                 'registerSystemInfo?recordcode=44010602003743"><img src=""><p>粤公网安备 '
                 '44010602003743号</p></a></p></footer>')
    assert f.gongan[0].icon and f.gongan[0].link.endswith("44010602003743")
    f = findings('<footer><table><tr><td><img src="/logo.gif"></td><td><a href="/about">关于</a> '
                 '| 南宁网警备4501200373号</td></tr></table></footer>')
    assert not f.gongan[0].icon


def test_evidence_and_selector() -> None:
    f = findings('<footer class="site-footer"><p><a href="https://beian.miit.gov.cn/">'
                 "京ICP备12345678号-1</a></p></footer>")
    m = f.icp[0]
    assert m.evidence == '<a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>'
    assert m.selector == "footer.site-footer > p > a"


def test_licences_are_findings_and_shown_licence_numbers_count_as_icp_display() -> None:
    f = findings("<footer>ICP备案/许可证号：<a href='https://beian.miit.gov.cn/'>粤B2-20090059</a>"
                 " 增值电信业务经营许可证：沪B2-20201234 粤网文〔2018〕2196-775号</footer>")
    assert [(m.number, m.kind) for m in f.icp] == [("粤B2-20090059", "licence")]
    assert [(lic.number, lic.kind) for lic in f.licences] == [
        ("粤B2-20090059", "b2"), ("沪B2-20201234", "b2"),
        ("粤网文〔2018〕2196-775号", "network_culture")]


@pytest.mark.parametrize("html", [
    "", "   ", "\x00\x01\x02", "<", "<html><body><footer>", "\ud800 lone surrogate 京ICP备",
    "<div>" * 5000 + "京ICP备12345678号-1", bytes(range(256)).decode("latin-1"),
    "<svg><foreignObject>京ICP备12345678号</foreignObject></svg>",
])
def test_any_text_extracts_without_raising(html: str) -> None:
    extract(PageInput(url="https://www.example.cn/", html=html))


def test_deep_nesting_still_finds_the_number() -> None:
    # libxml2 stops nesting at about 2,000 levels; the walk itself has no recursion limit.
    f = extract(PageInput(url="", html="<div>" * 1500 + "京ICP备12345678号-1")).findings
    assert numbers(f) == ["京ICP备12345678号-1"]


@pytest.mark.parametrize("depth", [300, 2100, 5_000])
@pytest.mark.parametrize("opener", ["<div>", "<span>", "<table><tr><td>"])
def test_a_footer_past_the_parsers_depth_limit_is_read_whole(depth: int, opener: str) -> None:
    # libxml2 drops everything past 2,048 levels (256 without huge_tree); the page is parsed
    # again with the deep part flattened, as Chromium does past 512 levels.
    body = (opener * depth + '<p><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a>'
            '</p><script>var s = "<div><div>";</script>' + "</div>" * depth
            + '<div class="footer"><a href="https://beian.mps.gov.cn/">京公网安备11010502030143号'
              '</a><p>© 2026 北京某某科技有限公司 版权所有</p></div>')
    f = findings(body)
    assert numbers(f) == ["京ICP备12345678号-1"]
    assert f.icp[0].link == "https://beian.miit.gov.cn/"
    assert [g.code for g in f.gongan] == ["11010502030143"]
    assert [c.holder for c in f.copyright] == ["北京某某科技有限公司"]


def test_flattening_keeps_every_text_and_link_in_order() -> None:
    from lxml import etree

    from rules.dom import flatten_deep, parse_html

    html = flatten_deep('<div><div><script>"<div>"</script><div><b>x</b><a href="/y">y</a>z'
                        '</div></div></div><p>after</p>', 2)
    root = parse_html(html)
    assert "".join(root.itertext()) == '"<div>"xyzafter'
    assert root.find(".//a").get("href") == "/y"
    assert etree.tostring(root.find(".//p"), encoding="unicode") == "<p>after</p>"


def test_content_after_an_early_html_end_tag_is_read() -> None:
    # A header include that closes the document: libxml2 drops the rest, browsers do not.
    html = ('<html><head><meta charset="utf-8"></head><body><div class="header">站点</div></html>'
            '\n<!--end header--><div class="footer"><a href="https://beian.miit.gov.cn/">'
            '京ICP备05070218号</a></div></body></html>')
    f = extract(PageInput(url="https://www.example.cn/", html=html)).findings
    assert numbers(f) == ["京ICP备05070218号"]


def test_a_chinese_holder_comes_before_a_latin_one() -> None:
    f = findings('<div class="footer"><p>Copyright © 1998 - 2026 Tencent. All Rights Reserved</p>'
                 '<p>某讯公司 版权所有</p></div>')
    assert [c.holder for c in f.copyright] == ["某讯公司", "Tencent"]


def test_a_badge_without_a_number_is_a_gongan_mark_without_code() -> None:
    f = findings('<div class="footer"><a href="https://beian.miit.gov.cn/">滇ICP备11001234号-1</a>'
                 '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                 '53010202001234"><img src="/b.jpg" alt="网监备案"></a></div>')
    assert [(g.code, g.wording, g.icon, g.in_footer) for g in f.gongan] == [
        (None, "badge", True, True)]


def _big(footer: str, *, one_line: bool = False) -> str:
    nl = "" if one_line else "\n"
    block = ('<div class="item"><a href="/n/{i}">第{i}条新闻标题</a><p>摘要文字，'
             '<span>标签</span>。</p><script>var s{i} = 1;</script></div>' + nl)
    body = "".join(block.format(i=i) for i in range(6000))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{nl}<div>{body}"
            f"</div>{nl}{footer}{nl}</body></html>")


@pytest.mark.parametrize("one_line", [False, True])
def test_a_large_page_read_from_its_source_lines_finds_what_the_full_pass_finds(
        one_line: bool) -> None:
    from rules.dom import BIG_PAGE, parse_page, walk

    footer = (
        '<div class="footer">\n<p>&copy; 2026 北京某某科技有限公司\n版权所有</p>'
        '<p><a href="https://beian.miit.gov.cn/"\n  target="_blank">京ICP备12345678号-1</a>'
        '<img src="/ga.png"><a href="http://www.beian.gov.cn/portal/registerSystemInfo?'
        'recordcode=11010502030143">京公网安备\n11010502030143号</a></p>'
        '<p><a href="https://www.beian.gov.cn/x"><img src="/b.png" alt="网监备案"></a>'
        '<img src="/i.png" alt="京ICP证030173号"> 网站标识码：&#49;100000001</p>\n'
        '<a href="https://bszs.conac.cn/sitename?id=1"><img src="/red.png"></a></div>'
        '<b>tail</b>沪ICP备11111111号 after a bold tag')
    html = _big(footer, one_line=one_line)
    assert len(html) > BIG_PAGE
    page = PageInput(url="https://www.example.cn/", html=html)
    fast = extract(page)
    root, _source = parse_page(html)
    slow_tree = walk(root, page.url, None)
    assert [line.text for line in fast.tree.lines] == [line.text for line in slow_tree.lines]
    f = fast.findings
    assert sorted(numbers(f)) == ["京ICP备12345678号-1", "沪ICP备11111111号"]
    assert {lic.kind for lic in f.licences} == {"icp_licence", "site_id"}
    assert [g.code for g in f.gongan] == ["11010502030143", None]
    assert [c.holder for c in f.copyright] == ["北京某某科技有限公司"]
    assert fast.gov_badges
