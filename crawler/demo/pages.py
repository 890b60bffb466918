"""Pages of the stand-in sites: a footer with the usual marks, and a whole page around it.

The demo farm (`crawler/demo/farm.py`, `examples/demo_farm.py`), the benchmarks and the tests
build the sites they serve from these, so a page of the demo looks like a page of the tests.
"""

from __future__ import annotations

__all__ = ["HOLDER", "ICP", "PNG_PIXEL", "footer", "page"]

ICP = "京ICP备12345678号-1"  # a well-formed site number (not a real site's)
HOLDER = "北京某某科技有限公司"
# A 1x1 PNG: the badge image of the stand-in pages, and bytes that are no HTML.
PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

def footer(icp: str | None = ICP, *, gongan: str | None = None,
           copyright_holder: str | None = HOLDER, link: bool = True,
           extra: str = "", year: int = 2025, gongan_prefix: str = "京") -> str:
    """A footer block with the usual marks; `link=False` leaves the ICP number unlinked.
    `gongan_prefix` is the province character before 公网安备 (its code's region)."""
    parts = []
    if copyright_holder:
        parts.append(f"<p>©{year} {copyright_holder} 版权所有</p>")
    if icp:
        mark = (f'<a href="https://beian.miit.gov.cn/" target="_blank">{icp}</a>' if link
                else f"<span>{icp}</span>")
        parts.append(f"<p>{mark}</p>")
    if gongan:
        parts.append(
            f'<p><a href="https://beian.mps.gov.cn/#/query/webSearch?code={gongan}">'
            f'<img src="/gongan.png" alt="">{gongan_prefix}公网安备{gongan}号</a></p>')
    return f'<footer id="footer">{"".join(parts)}{extra}</footer>'


def page(body: str = "", *, title: str = "首页", foot: str | None = None,
         links: tuple[str, ...] = (), script: str = "", head: str = "") -> str:
    """A whole HTML page: a body, links (to discover), a footer (default: `footer()`), an
    optional script at the end of the body and more markup for the head."""
    anchors = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'{head}</head><body><header><h1>{title}</h1></header><main>{body}<ul>{anchors}</ul></main>'
            f'{foot if foot is not None else footer()}'
            f'{f"<script>{script}</script>" if script else ""}</body></html>')
