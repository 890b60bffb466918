"""Evidence screenshots (pipelines/evidence.py) with a real Chromium: the clipped footer of
rendered pages with violations, kept in the report store (SQLite and Redis), written out by
`report screenshot`, embedded in the HTML export; no screenshot for clean or static pages; a crawl
of many rendered pages finishes (no Playwright page is left open)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from pathlib import Path

import pytest

from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page
from crawler.render.browser import VIEWPORT, launch_options
from crawler.render.policy import probe_source
from crawler.reports.store import open_store
from pipelines.evidence import EvidenceConfig, take_screenshot
from tests.crawl_runs import run_crawl
from tests.images import image_size
from tests.redis_server import SHARED_REDIS, redis_prefix_cleanup, unique_prefix

pytestmark = pytest.mark.browser

ICP = "京ICP备12345678号-1"
ORG = "北京某某科技有限公司"
CENTRE = "<style>footer{text-align:center}</style>"
FILLER = "<p>新闻动态 产品服务 关于我们</p>" * 60  # the footer sits below the first screen
BAD = page(FILLER, foot=footer(ICP, link=False, copyright_holder=ORG))  # icp_link_missing
CLEAN = page(FILLER + CENTRE, foot=footer(ICP, copyright_holder=ORG))  # no violation
NO_MARKS = page(FILLER, foot="<footer><p>联系我们</p></footer>")  # icp_missing


def _config(**overrides) -> EvidenceConfig:
    values = dict(enabled=True, format="jpeg", max_bytes=250_000, max_height=1200, quality=70,
                  timeout=10.0)
    values.update(overrides)
    return EvidenceConfig(**values)


# ---- take_screenshot on a page in Chromium (no crawl) ----

async def _shots(html: str, configs: list[EvidenceConfig], probe: bool = True) -> list:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        try:
            tab = await browser.new_page(viewport=dict(VIEWPORT))
            await tab.set_content(html)
            if probe:
                await tab.evaluate(probe_source())
            rendered = await tab.content()
            footer_box = await tab.evaluate(
                "(() => { const r = document.querySelector('footer').getBoundingClientRect();"
                " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()")
            out = [await take_screenshot(tab, rendered, c) for c in configs]
        finally:
            await browser.close()
    return [footer_box, *out]


def test_screenshot_is_the_footer_clip_as_jpeg_and_png():
    footer_box, jpeg, png = asyncio.run(_shots(BAD, [_config(), _config(format="png")]))
    for shot, kind in ((jpeg, "jpeg"), (png, "png")):
        assert shot is not None
        assert shot.mime == f"image/{kind}"
        assert image_size(shot.data) == (kind, shot.region.width, shot.region.height)
    region = jpeg.region
    assert region == png.region and region.basis == "footer"
    # The clip frames the <footer> the browser laid out (its text boxes, plus the margin).
    _x, y, _w, h = footer_box
    assert y > VIEWPORT["height"]  # below the first screen: full-page coordinates
    assert region.y <= y + 1 and region.y + region.height >= y + h - 1
    assert region.height < 300  # the footer, not the page
    assert region.x >= 0 and region.x + region.width <= VIEWPORT["width"]


def test_oversized_screenshot_falls_back_to_a_small_jpeg_then_none():
    # Coloured noise behind the footer: costly as a PNG, cheaper as a JPEG.
    rnd = random.Random(1)
    noise = "".join(f'<i style="display:inline-block;width:4px;height:4px;background:#'
                    f'{rnd.randrange(1 << 24):06x}"></i>' for _ in range(6000))
    striped = BAD.replace("</footer>", f'<div style="line-height:0">{noise}</div></footer>')
    _, png, small = asyncio.run(_shots(striped, [_config(format="png"), _config(quality=40)]))
    assert len(small.data) < len(png.data)
    cap = (len(small.data) + len(png.data)) // 2
    _, fallback, none = asyncio.run(_shots(striped, [_config(format="png", max_bytes=cap),
                                                     _config(max_bytes=50)]))
    assert fallback is not None and fallback.mime == "image/jpeg"
    assert len(fallback.data) <= cap
    assert image_size(fallback.data) == ("jpeg", png.region.width, png.region.height)
    assert none is None


def test_no_layout_facts_no_screenshot():
    _, shot = asyncio.run(_shots(BAD, [_config()], probe=False))
    assert shot is None


# ---- whole crawls ----

SITES = {"hosts": {
    "bad.cn": {"pages": {"/": {"body": BAD}}}, "www.bad.cn": {"pages": {"/": {"body": BAD}}},
    "clean.cn": {"pages": {"/": {"body": CLEAN}}},
    "www.clean.cn": {"pages": {"/": {"body": CLEAN}}},
    "static.cn": {"pages": {"/": {"body": BAD}}},
    "www.static.cn": {"pages": {"/": {"body": BAD}}},
    "nomarks.cn": {"pages": {"/": {"body": NO_MARKS}}},
    "www.nomarks.cn": {"pages": {"/": {"body": NO_MARKS}}},
}}

PORTFOLIO = f"""
crawl:
  inner_pages: 0
  link_depth: 0
organisations:
  - name: {ORG}
    province: 北京
    domains:
      - domain: bad.cn
        render: always
      - domain: clean.cn
        render: always
      - domain: nomarks.cn
        render: always
      - domain: static.cn
        render: never
"""


def _check_crawl(crawl, store) -> dict:
    """What every backend must show after crawling SITES; returns the bad page's screenshot."""
    assert crawl.returncode in (0, 1), crawl.stderr[-3000:]
    pages = crawl.by_url()
    assert len(pages) == 8
    bad, clean, static = (pages["https://bad.cn/"], pages["https://clean.cn/"],
                          pages["https://static.cn/"])
    assert bad["rendered"] and bad["violations"] and bad["screenshot"] is True
    assert clean["rendered"] and clean["violations"] == [] and clean["screenshot"] is False
    assert not static["rendered"] and static["violations"] and static["screenshot"] is False
    assert pages["https://nomarks.cn/"]["screenshot"] is True
    assert all("data" not in json.dumps(r.get("screenshot")) for r in crawl.pages())

    run = store.resolve_run(None)
    shot = store.get_screenshot(run.id, "https://bad.cn/")
    assert shot is not None and shot.type == "image/jpeg"
    assert image_size(shot.data) == ("jpeg", shot.clip[2], shot.clip[3])
    assert 0 < shot.clip[3] < 400 and shot.clip[1] > VIEWPORT["height"]
    records = {r["url"]: r for r in store.iter_pages(run.id)}
    assert records["https://bad.cn/"]["screenshot"] == {"type": "image/jpeg", "clip": shot.clip,
                                                         "size": len(shot.data)}
    for url in ("https://clean.cn/", "https://static.cn/"):
        assert store.get_screenshot(run.id, url) is None
        assert "screenshot" not in records[url]
    # No marks at all: the bottom band of the document.
    bottom = store.get_screenshot(run.id, "https://nomarks.cn/")
    assert bottom is not None and bottom.clip[0] == 0 and bottom.clip[2] == VIEWPORT["width"]
    assert image_size(bottom.data)[1:] == (bottom.clip[2], bottom.clip[3])
    return {"run": run.id, "data": shot.data, "clip": shot.clip}


def _img_widths_in_chromium(html_path: Path) -> list[int]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options())
        try:
            tab = browser.new_page()
            requests: list[str] = []
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(html_path.as_uri())
            # Lazy images load only near the viewport: open them all, load them now.
            widths = tab.evaluate(
                "document.querySelectorAll('details').forEach(d => d.open = true);"
                "Promise.race([new Promise((_, no) => setTimeout(() => no('timeout'), 10000)),"
                " Promise.all([...document.images].map(i => { i.loading = 'eager';"
                " return i.decode().then(() => i.naturalWidth); }))])")
        finally:
            browser.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    return widths


def test_sqlite_store_report_screenshot_and_html_export(tmp_path, run_cli):
    with serve_farm(SITES, tmp_path / "farm") as farm:
        crawl = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                          resolve=(farm.resolve,))
    db = tmp_path / "data" / "footer-audit" / "reports.sqlite3"
    with open_store(str(db)) as store:
        found = _check_crawl(crawl, store)
    env = {"FOOTER_AUDIT_DB": str(db)}

    out = tmp_path / "bad.jpg"
    done = run_cli("report", "screenshot", found["run"], "https://bad.cn/", "-o", str(out),
                   env=env)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == found["data"]
    missing = run_cli("report", "screenshot", found["run"], "https://clean.cn/", "-o",
                      str(tmp_path / "none.jpg"), env=env)
    assert missing.returncode == 4 and "no screenshot" in missing.stderr
    assert not (tmp_path / "none.jpg").exists()

    html = tmp_path / "report.html"
    done = run_cli("report", "export", found["run"], "-o", str(html), env=env)
    assert done.returncode == 0, done.stderr
    text = html.read_text(encoding="utf-8")
    assert f"data:image/jpeg;base64,{base64.b64encode(found['data']).decode()}" in text
    # One per rendered page with violations: bad.cn, nomarks.cn and their www. twins.
    assert text.count("<img ") == 4
    assert sorted(_img_widths_in_chromium(html)) == sorted(
        [found["clip"][2]] * 2 + [VIEWPORT["width"]] * 2)


def test_redis_store_keeps_the_screenshot(tmp_path, run_cli):
    prefix = unique_prefix()
    try:
        with serve_farm(SITES, tmp_path / "farm") as farm:
            crawl = run_crawl(PORTFOLIO, tmp_path, "--timeout", "15", "--quiet",
                              "--store", SHARED_REDIS, resolve=(farm.resolve,),
                              env={"FOOTER_AUDIT_REDIS_PREFIX": prefix})
        with open_store(SHARED_REDIS, prefix=prefix) as store:
            found = _check_crawl(crawl, store)
        out = tmp_path / "bad.jpg"
        done = run_cli("report", "--store", SHARED_REDIS, "--redis-prefix", prefix,
                       "screenshot", found["run"][:15], "https://bad.cn/", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert out.read_bytes() == found["data"]
    finally:
        redis_prefix_cleanup(SHARED_REDIS, prefix)


def test_many_rendered_pages_finish_and_every_kept_page_is_closed(tmp_path):
    """24 rendered pages through 4 page slots: with violations (screenshot), without, https
    that fails (errback, then http://), a render that times out (static fallback). A page left
    open holds a slot for good: a few leaks stall the crawl until the test's timeout."""
    hosts: dict[str, dict] = {}
    domains = []
    for i in range(12):
        kind = ("bad", "clean", "tls", "slow")[i % 4] if i < 8 else ("bad", "clean")[i % 2]
        name = f"{kind}{i}.cn"
        body = CLEAN if kind == "clean" else BAD
        spec: dict = {"pages": {"/": {"body": body}}}
        if kind == "tls":
            spec["https"] = False
        if kind == "slow":
            spec["pages"]["/"]["delay"] = 4
        hosts[name] = spec
        hosts[f"www.{name}"] = spec
        domains.append(name)
    portfolio = (f"crawl:\n  inner_pages: 0\n  link_depth: 0\norganisations:\n  - name: {ORG}\n"
                 "    province: 北京\n    domains:\n"
                 + "".join(f"      - domain: {d}\n        render: always\n" for d in domains))
    with serve_farm({"hosts": hosts}, tmp_path / "farm") as farm:
        crawl = run_crawl(portfolio, tmp_path, "--timeout", "3", "--quiet",
                          resolve=(farm.resolve,), timeout=150)
    assert crawl.returncode in (0, 1), crawl.stderr[-3000:]
    pages = crawl.pages()
    assert {r["host"] for r in pages} == set(hosts)
    shots = {r["host"] for r in pages if r.get("screenshot")}
    rendered_bad = {r["host"] for r in pages if r["rendered"] and r["violations"]
                    and r["host"].removeprefix("www.").startswith(("bad", "tls"))}
    assert len(rendered_bad) >= 10
    assert shots >= rendered_bad
    assert not any(r.get("screenshot") for r in pages if "clean" in r["host"])


# ---- the pipeline on its own: every item's kept page is closed ----

async def _through_pipeline(items_html: list[tuple[str, str, bool, bool]]) -> tuple[list, dict]:
    """(kind, html, violations, close_first) per item: each gets a fresh tab, goes through
    EvidencePipeline.process_item; returns (item, tab closed afterwards) pairs and the stats."""
    from playwright.async_api import async_playwright
    from scrapy.utils.test import get_crawler

    from crawler import settings as project
    from crawler.items import AuditedPage, FetchedPage
    from pipelines.evidence import EvidencePipeline
    from rules.model import PageStatus, Violation
    from rules.page_record import PageRecord

    crawler = get_crawler(settings_dict={k: v for k, v in vars(project).items()
                                         if k.startswith("FOOTER_AUDIT_EVIDENCE_")})
    pipeline = EvidencePipeline.from_crawler(crawler)
    out = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        try:
            for kind, html, violations, close_first in items_html:
                tab = await browser.new_page(viewport=dict(VIEWPORT))
                await tab.set_content(html)
                await tab.evaluate(probe_source())
                rendered = await tab.content()
                record = PageRecord(
                    url="https://x.cn/", final_url="https://x.cn/", status=PageStatus.OK,
                    rendered=True, violations=(Violation(
                        "icp_link_missing", "error", "not linked", "未链接"),) if violations
                    else ())
                cls = AuditedPage if kind == "audited" else FetchedPage
                extra = {"record": record} if cls is AuditedPage else {}
                item = cls(url="https://x.cn/", final_url="https://x.cn/", status="ok",
                           html=rendered, rendered=True, browser_page=tab, **extra)
                if close_first:
                    await tab.close()  # the context was recycled or the renderer crashed
                result = await pipeline.process_item(item)
                out.append((result, tab.is_closed()))
        finally:
            await browser.close()
    return out, crawler.stats.get_stats()


def test_pipeline_always_closes_the_page():
    (shot, clean, failed, fetched), stats = asyncio.run(_through_pipeline([
        ("audited", BAD, True, False), ("audited", CLEAN, False, False),
        ("audited", BAD, True, True), ("fetched", BAD, True, False)]))
    assert all(closed for _, closed in (shot, clean, failed, fetched))
    assert all(item.browser_page is None for item, _ in (shot, clean, failed, fetched))
    taken = shot[0].record.screenshot
    assert taken is not None and taken.type == "image/jpeg"
    assert image_size(taken.data) == ("jpeg", taken.clip[2], taken.clip[3])
    assert clean[0].record.screenshot is None and failed[0].record.screenshot is None
    assert stats["footer_audit/evidence/screenshots"] == 1
    assert stats["footer_audit/evidence/failed"] == 1
