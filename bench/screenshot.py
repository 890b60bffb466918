"""What an evidence screenshot costs: the median time of `take_screenshot` and its size.

    python bench/screenshot.py [--repeat 30] [--pages 24]

Two figures, both with the real Chromium and the pipeline's own function and settings:
- alone: one tab, each farm-style page (short footer, tall footer, no marks) loaded and probed
  once, then its footer photographed `--repeat` times (JPEG 70, and PNG for comparison);
- in a crawl: `footer-audit run` of `--pages` domains (apex and www.) rendered with violations
  (render always, 4 pages at a time), the pipeline's median from the crawl stats
  (`footer_audit/evidence/screenshot_ms_median`), contention with rendering included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.demo.farm import serve_farm  # noqa: E402
from crawler.demo.pages import footer, page  # noqa: E402
from crawler.render.browser import VIEWPORT, launch_options  # noqa: E402
from crawler.render.policy import probe_source  # noqa: E402
from pipelines.evidence import EvidenceConfig, take_screenshot  # noqa: E402

ICP = "京ICP备12345678号-1"
ORG = "北京某某科技有限公司"
FILLER = "<p>新闻动态 产品服务 关于我们</p>" * 60
LINKS = "".join(f"<li>栏目 {i}</li>" for i in range(120))
PAGES = {
    "short footer": page(FILLER, foot=footer(ICP, link=False, copyright_holder=ORG)),
    "tall footer": page(FILLER, foot=footer(ICP, link=False, copyright_holder=ORG,
                                            extra=f"<ul>{LINKS}</ul>")),
    "no marks": page(FILLER, foot="<footer><p>联系我们</p></footer>"),
}


def _config(fmt: str) -> EvidenceConfig:
    return EvidenceConfig(enabled=True, format=fmt, max_bytes=250_000, max_height=1200,
                          quality=70, timeout=10.0)


async def alone(repeat: int) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        tab = await browser.new_page(viewport=dict(VIEWPORT))
        print(f"alone ({repeat} screenshots each, one tab, {VIEWPORT['width']} px wide):")
        for name, html in PAGES.items():
            await tab.set_content(html)
            await tab.evaluate(probe_source())
            rendered = await tab.content()
            for fmt in ("jpeg", "png"):
                times, size, region = [], 0, None
                for _ in range(repeat):
                    shot = await take_screenshot(tab, rendered, _config(fmt))
                    assert shot is not None
                    times.append(shot.seconds * 1000)
                    size, region = len(shot.data), shot.region
                times.sort()
                assert region is not None
                print(f"  {name:13} {fmt:4} {region.width}x{region.height} px ({region.basis}): "
                      f"median {statistics.median(times):6.1f} ms, "
                      f"p90 {times[int(len(times) * 0.9) - 1]:6.1f} ms, {size / 1024:6.1f} KiB")
        await browser.close()


def in_crawl(pages: int, workdir: Path) -> None:
    hosts: dict[str, dict] = {}
    for i in range(pages):
        for host in (f"bad{i}.cn", f"www.bad{i}.cn"):
            hosts[host] = {"pages": {"/": {"body": PAGES["short footer"]}}}
    yaml = ("crawl:\n  inner_pages: 0\n  link_depth: 0\norganisations:\n"
            f"  - name: {ORG}\n    province: 北京\n    domains:\n"
            + "".join(f"      - domain: bad{i}.cn\n        render: always\n"
                      for i in range(pages)))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "portfolio.yaml").write_text(yaml, encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(workdir / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with serve_farm({"hosts": hosts}, workdir / "farm") as farm:
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", "from crawler.app.cli import main; main()", "run",
             str(workdir / "portfolio.yaml"), "--output", str(workdir / "out.jsonl"),
             "--resolve", farm.resolve, "--quiet", "--verbose", "--no-store"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - start
    stats = proc.stderr
    median = re.search(r"'footer_audit/evidence/screenshot_ms_median': ([\d.]+)", stats)
    shots = re.search(r"'footer_audit/evidence/screenshots': (\d+)", stats)
    size = re.search(r"'footer_audit/evidence/bytes': (\d+)", stats)
    if not (median and shots and size):
        print("in a crawl: no screenshot figures in the crawl's stats:\n" + stats[-2000:])
        return
    n = int(shots.group(1))
    print(f"in a crawl: {n} screenshots of {len(hosts)} rendered pages with violations "
          f"(4 at a time) in {wall:.1f} s: median {float(median.group(1)):.1f} ms, "
          f"{int(size.group(1)) / n / 1024:.1f} KiB each")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pages", type=int, default=12, help="domains in the crawl")
    args = ap.parse_args()
    asyncio.run(alone(args.repeat))
    in_crawl(args.pages, Path(tempfile.mkdtemp(prefix="bench-screenshot-")))


if __name__ == "__main__":
    main()
