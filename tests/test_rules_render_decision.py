"""needs_rendering (rules/render_decision.py): the `--render auto` decision."""

from __future__ import annotations

import pytest

from rules.render_decision import needs_rendering

MARKS = '<footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></footer>'


@pytest.mark.parametrize(("name", "html"), [
    ("spa-mount-app", '<html><body><div id="app"></div><script src="/js/app.3f2a.js"></script>'
                      "</body></html>"),
    ("spa-mount-root", '<html><body><div id="root"></div><script src="/main.js"></script>'
                       "</body></html>"),
    ("document-write-footer", "<html><body><p>内容</p><div class='bottom'><script>"
                              "document.write('<p>京ICP备' + n + '号</p>')</script></div>"
                              "</body></html>"),
    ("empty-footer-container", '<html><body><p>很多内容</p><div id="footer"></div>'
                               '<script src="/common.js"></script></body></html>'),
    ("script-mentions-beian", "<html><body><p>内容</p><script>fetch('/api/beian').then(r => "
                              "r.json()).then(d => show(d))</script></body></html>"),
    ("script-src-footer", '<html><body><p>内容</p><script src="/js/footer.js"></script>'
                          "</body></html>"),
    ("noscript-asks-for-js", "<html><body><noscript>请开启 JavaScript 以浏览本站</noscript>"
                             '<script src="/bundle.js"></script></body></html>'),
])
def test_script_driven_pages_without_marks_need_rendering(name: str, html: str) -> None:
    assert needs_rendering(html), name


@pytest.mark.parametrize(("name", "html"), [
    ("static-marks", f"<html><body>{MARKS}<script src='/app.js'></script></body></html>"),
    ("static-marks-spa-shell", f'<html><body><div id="app"></div>{MARKS}'
                               "<script src='/app.js'></script></body></html>"),
    ("plain-static-no-marks", "<html><body><p>只有内容</p><footer>联系我们</footer></body></html>"),
    ("analytics-document-write", "<html><body><footer>版权所有：某某</footer><script>"
                                 "document.write(unescape(\"%3Cscript src='//hm.baidu.com/h.js'"
                                 "%3E%3C/script%3E\"))</script></body></html>"),
    ("gongan-only-static", "<html><body><footer>京公网安备11010502030143号</footer>"
                           "<script src='/x.js'></script></body></html>"),
    ("empty", ""),
])
def test_static_pages_do_not_need_rendering(name: str, html: str) -> None:
    assert not needs_rendering(html), name


def test_hidden_static_marks_do_not_count_as_shown() -> None:
    html = ('<html><body><div id="footer" style="display:none">京ICP备12345678号-1</div>'
            '<script src="/footer.js"></script></body></html>')
    assert needs_rendering(html)
