"""The tests' own web server: one named resource per trap of the fetch path.

Run ``python -m tests.mockserver``: it serves on 127.0.0.1, port 0, and prints its base URL on the
first line of stdout. `MockServer` starts it in a subprocess as a context manager (conftest shares
one per test session).

Resources:
    /ok                    a compliant footer (ICP linked to beian.miit.gov.cn, 公安 mark, ©)
    /unlinked              the ICP number as plain text (icp_link_missing, an error)
    /no-icp                a footer without any ICP number (icp_missing)
    /gbk                   GBK bytes, charset only in a <meta> after <title>, none in the header
    /gb2312                GB2312 declared by <meta http-equiv=Content-Type>
    /gb18030               GB18030 in the header, with a character outside GBK
    /bom                   UTF-8 with a byte order mark and a wrong <meta charset=gbk>
    /status/<code>         that status, with a small HTML body
    /blocked-challenge     200 with an anti-bot JS challenge instead of the site
    /delay?s=N             the /ok page after N seconds
    /drop                  closes the connection without answering
    /redirect-to?url=U[&status=302]   a redirect to U
    /js-footer             no footer in the HTML: a script adds it 100 ms after load
    /slow-script           footer added by script, but a script that takes 30 s holds the load event
    /not-html              a PDF
    /empty                 200 text/html with an empty body
    /covered               the ICP link under a fixed cookie banner at the bottom of the viewport
    /hidden-footer         the ICP mark hidden by a stylesheet rule; the 公安 mark is shown
    /gongan.png            the badge image
"""

from __future__ import annotations

import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.demo.pages import HOLDER, ICP, PNG_PIXEL
from crawler.demo.server import QuietHandler, ServerProcess

__all__ = ["GONGAN", "ICP", "MockServer", "footer_html", "page"]

GONGAN = "11010502030143"


def footer_html(*, icp: str | None = ICP, link: bool = True, gongan: bool = True,
                style: str = "", extra: str = "", sign: str = "©") -> str:
    """A footer with the usual marks; `link=False` leaves the ICP number unlinked; `sign`
    "Copyright" for legacy charsets without ©."""
    parts = [f"<p>{sign} 2025 {HOLDER} 版权所有</p>"]
    if icp:
        mark = (f'<a id="icp" href="https://beian.miit.gov.cn/" target="_blank">{icp}</a>'
                if link else f'<span id="icp">{icp}</span>')
        parts.append(f"<p>{mark}</p>")
    if gongan:
        parts.append(
            f'<p><a id="gongan" href="https://beian.mps.gov.cn/#/query/webSearch?code={GONGAN}">'
            f'<img src="/gongan.png" alt="" width="16" height="16">京公网安备{GONGAN}号</a></p>')
    return (f'<footer id="footer" style="text-align:center;{style}">'
            f'{"".join(parts)}{extra}</footer>')


def page(body: str, *, head: str = "", title: str = "某某科技") -> str:
    """A whole page: some content above the footer so that the footer sits at the bottom."""
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'{head}</head><body style="margin:0"><main style="min-height:900px"><h1>{title}</h1>'
        f"<p>欢迎访问。</p></main>{body}</body></html>"
    )


_JS_FOOTER_SCRIPT = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var f = document.createElement("div");
    f.innerHTML = %s;
    document.body.appendChild(f.firstChild);
  }, 100);
});
</script>"""

_COVERED = page(
    footer_html(gongan=False),
    head=('<style>#cookie{position:fixed;left:0;right:0;bottom:0;height:160px;'
          'background:#333;color:#fff;z-index:1000}</style>'),
) .replace("</body>", '<div id="cookie">本网站使用Cookie。<button>同意</button></div></body>')

_HIDDEN = page(
    footer_html(),
    head="<style>#footer #icp{display:none}</style>",
)

_GBK_PAGE = (
    '<html><head><title>某某科技</title><meta charset="gbk"></head><body>'
    + footer_html(sign="Copyright") + "</body></html>"
).encode("gbk")
_GB2312_PAGE = (
    '<html><head><title>某某</title>'
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
    + footer_html(sign="Copyright") + "</body></html>"
).encode("gb2312")
# 𠮷 is outside GBK: only a real GB18030 decoder reads it.
_GB18030_PAGE = page(footer_html(extra="<p>𠮷野家</p>")).replace(
    '<meta charset="utf-8">', "").encode("gb18030")
_BOM_PAGE = b"\xef\xbb\xbf" + page(footer_html()).replace(
    '<meta charset="utf-8">', '<meta charset="gbk">').encode("utf-8")
_CHALLENGE = (b"<html><head><script>var arg1='3B1E';document.cookie='acw_sc__v2='+arg1;"
              b"location.reload();</script></head><body></body></html>")

_STATIC: dict[str, tuple[int, str, bytes]] = {
    "/ok": (200, "text/html; charset=utf-8", page(footer_html()).encode()),
    "/unlinked": (200, "text/html; charset=utf-8", page(footer_html(link=False)).encode()),
    "/no-icp": (200, "text/html; charset=utf-8", page(footer_html(icp=None)).encode()),
    "/gbk": (200, "text/html", _GBK_PAGE),
    "/gb2312": (200, "text/html", _GB2312_PAGE),
    "/gb18030": (200, "text/html; charset=GB18030", _GB18030_PAGE),
    "/bom": (200, "text/html", _BOM_PAGE),
    "/blocked-challenge": (200, "text/html", _CHALLENGE),
    "/js-footer": (200, "text/html; charset=utf-8",
                   page(_JS_FOOTER_SCRIPT % repr(footer_html())).encode()),
    "/slow-script": (200, "text/html; charset=utf-8",
                     page(_JS_FOOTER_SCRIPT % repr(footer_html())
                          + '<script src="/delay-script?s=30"></script>').encode()),
    "/not-html": (200, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
    "/empty": (200, "text/html; charset=utf-8", b""),
    "/covered": (200, "text/html; charset=utf-8", _COVERED.encode()),
    "/hidden-footer": (200, "text/html; charset=utf-8", _HIDDEN.encode()),
    "/gongan.png": (200, "image/png", PNG_PIXEL),
}


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path in _STATIC:
            self._send(*_STATIC[path])
        elif path.startswith("/status/") and path[8:].isdigit():
            code = int(path[8:])
            self._send(code, "text/html; charset=utf-8",
                       page(f"<p>status {code}</p>", title=str(code)).encode())
        elif path in ("/delay", "/delay-script"):
            time.sleep(float(query.get("s", ["1"])[0]))
            if path == "/delay":
                self._send(*_STATIC["/ok"])
            else:
                self._send(200, "application/javascript", b"/* late */")
        elif path == "/drop":
            self.close_connection = True
            self.connection.close()
        elif path == "/redirect-to":
            status = int(query.get("status", ["302"])[0])
            self._send(status, "text/html", b"", {"Location": query.get("url", ["/ok"])[0]})
        else:
            self._send(404, "text/html; charset=utf-8", page("<p>not found</p>").encode())


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


class MockServer(ServerProcess):
    """The mock server: ``with MockServer() as server: server.url("/gbk")``."""

    module = "tests.mockserver"
    root = Path(__file__).resolve().parent.parent


if __name__ == "__main__":
    serve()
