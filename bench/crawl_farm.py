"""Crawl a farm of N sites on loopback and print throughput and memory figures.

    python bench/crawl_farm.py --sites 2000

One farm server (tests/farm.py) serves every site as a virtual host over http and https; the
crawler reaches it through `--resolve '*:127.0.0.1:PORT'`. About 80% of the sites are static and
compliant, 10% static with violations, 10% JavaScript-rendered footers; each has 0-5 subdomains
linked from its homepage. Printed, in one run:

- the static part (`footer-audit run`, render auto, no page needs Chromium): pages/s over the
  whole run and from first to last page, peak PSS of the crawler;
- the rendered part (the JavaScript sites, render auto: static first, then Chromium): pages/s,
  peak PSS of the crawler and of Chromium (all its processes, PSS so shared pages count once);
  then the same again, when the render memory sends those hosts straight to Chromium;
- what `layout_checks: true` costs: a sample of static sites (`--layout-sites`) crawled with
  every homepage rendered, against the same sample read statically;
- the baseline: the static part's pages fetched (same URLs, same concurrency) by a bare asyncio
  HTTP client and parsed with lxml, and the ratio crawler / baseline;
- whether every site is accounted for (a result for each homepage).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from crawler.render.processes import chromium_pss, pss_bytes  # noqa: E402
from tests.farm import footer, page, serve_farm  # noqa: E402

ICP = "京ICP备12345678号-1"
YEAR = date.today().year  # a compliant site's copyright line is current (copyright_year_stale)
ORG = "北京某某科技有限公司"
JS_FOOTER = ("document.getElementById('app').innerHTML = '<section>欢迎</section><footer>"
             f"<a href=\"https://beian.miit.gov.cn/\">{ICP}</a> ©{YEAR} {ORG} 版权所有</footer>';")


def build_farm(n: int, seed: int = 7) -> tuple[dict, list[str], list[str]]:
    """The farm spec and the static / JavaScript domain lists."""
    rnd = random.Random(seed)
    hosts: dict[str, dict] = {}
    static, scripted = [], []
    for i in range(n):
        domain = f"site{i:05d}.cn"
        kind = "js" if i % 10 == 9 else "bad" if i % 10 == 8 else "ok"
        subs = [f"s{j}.{domain}" for j in range(rnd.randint(0, 5))]
        links = tuple(f"https://{s}/" for s in subs)
        for host in (domain, f"www.{domain}", *subs):
            body = _page(kind, links if host != f"s0.{domain}" else ())
            hosts[host] = {"pages": {"/": {"body": body}}}
        (scripted if kind == "js" else static).append(domain)
    return {"hosts": hosts}, static, scripted


def _page(kind: str, links: tuple[str, ...]) -> str:
    filler = "<p>" + "新闻动态 产品服务 关于我们 " * 40 + "</p>"
    if kind == "js":
        return page('<div id="app"></div>', foot="", links=links, script=JS_FOOTER)
    if kind == "bad":  # unlinked number, no copyright line
        return page(filler, links=links, foot=footer(ICP, link=False, copyright_holder=None))
    return page(filler, links=links, foot=footer(ICP, copyright_holder=ORG, year=YEAR))


def portfolio_yaml(domains: list[str], layout_checks: bool = False) -> str:
    lines = ["crawl:", "  inner_pages: 0", "  link_depth: 1", "organisations:",
             f"  - name: {ORG}", "    province: 北京",
             f"    layout_checks: {'true' if layout_checks else 'false'}", "    domains:"]
    lines += [f"      - domain: {d}" for d in domains]
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    wall: float = 0.0
    first: float | None = None  # seconds from start to the first result line
    last: float | None = None
    lines: int = 0
    crawler_peak: int = 0  # KiB PSS
    chromium_peak: int = 0
    records: list[dict] = field(default_factory=list)

    def rate(self) -> float:
        return self.lines / self.wall if self.wall else 0.0

    def steady_rate(self) -> float:
        if self.first is None or self.last is None or self.last <= self.first:
            return 0.0
        return (self.lines - 1) / (self.last - self.first)


def crawl(domains: list[str], resolve: str, workdir: Path, timeout: float,
          data_dir: Path | None = None, layout_checks: bool = False) -> Run:
    """One `footer-audit run` in a subprocess, sampled for memory every 0.25 s; `data_dir` holds
    the render memory (a second run with the same one renders remembered hosts at once)."""
    workdir.mkdir(parents=True, exist_ok=True)
    pf, out = workdir / "portfolio.yaml", workdir / "out.jsonl"
    pf.write_text(portfolio_yaml(domains, layout_checks), encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(data_dir or workdir / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-c", "from crawler.app.cli import main; main()", "run", str(pf),
           "--format", "jsonl", "--output", str(out), "--resolve", resolve, "--quiet",
           "--timeout", "20", "--no-store"]
    run = Run()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "crawl.log", "w"))  # noqa: SIM115
    crawler = psutil.Process(proc.pid)
    seen = 0
    while proc.poll() is None:
        now = time.monotonic() - start
        if now > timeout:
            proc.kill()
            break
        run.crawler_peak = max(run.crawler_peak, pss_bytes(crawler) // 1024)
        run.chromium_peak = max(run.chromium_peak, chromium_pss(proc.pid) // 1024)
        if out.exists():
            size = out.stat().st_size
            if size != seen:
                seen = size
                run.first = run.first if run.first is not None else now
                run.last = now
        time.sleep(0.25)
    proc.wait()
    run.wall = time.monotonic() - start
    if out.exists():
        text = out.read_text(encoding="utf-8")
        run.records = [json.loads(line) for line in text.splitlines() if line.strip()]
        run.lines = sum(1 for r in run.records if r.get("kind") != "portfolio")
        if run.last is not None:
            run.last = min(run.last, run.wall)
    return run


# ---- baseline: a bare asyncio HTTP client with lxml ----

async def _fetch(url: str, port: int, tls: ssl.SSLContext) -> int:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=tls if secure else None,
        server_hostname=parts.hostname if secure else None)
    path = parts.path or "/"
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nConnection: close\r\n"
                 "Accept-Encoding: identity\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    _head, _, body = data.partition(b"\r\n\r\n")
    import lxml.html

    tree = lxml.html.fromstring(body or b"<html/>")
    text = " ".join(tree.xpath("//footer//text()"))
    return len(text)


async def _baseline(urls: list[str], port: int, concurrency: int) -> float:
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    sem = asyncio.Semaphore(concurrency)

    async def one(u: str) -> None:
        async with sem:
            await _fetch(u, port, tls)

    start = time.monotonic()
    await asyncio.gather(*(one(u) for u in urls))
    return time.monotonic() - start


def baseline(urls: list[str], port: int, concurrency: int) -> float:
    return asyncio.run(_baseline(urls, port, concurrency))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=1800, help="per crawl, seconds")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--layout-sites", type=int, default=60,
                    help="static sites crawled again with layout_checks (every homepage rendered)")
    args = ap.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="crawl-farm-"))
    spec, static, scripted = build_farm(args.sites)
    print(f"farm: {args.sites} sites ({len(static)} static, {len(scripted)} JavaScript), "
          f"{len(spec['hosts'])} hosts; workdir {workdir}")
    with serve_farm(spec, workdir / "farm") as farm:
        farm_process = psutil.Process(farm.process.pid)
        peak_farm = [0]
        stop = threading.Event()

        def watch_farm() -> None:
            while not stop.is_set():
                peak_farm[0] = max(peak_farm[0], pss_bytes(farm_process) // 1024)
                time.sleep(0.5)

        threading.Thread(target=watch_farm, daemon=True).start()
        s = crawl(static, farm.resolve, workdir / "static", args.timeout)
        memory = workdir / "rendered-data"
        r = crawl(scripted, farm.resolve, workdir / "rendered", args.timeout, memory)
        r2 = crawl(scripted, farm.resolve, workdir / "rendered-again", args.timeout, memory)
        sample = static[:args.layout_sites]
        ls = crawl(sample, farm.resolve, workdir / "layout-static", args.timeout)
        lc = crawl(sample, farm.resolve, workdir / "layout-checks", args.timeout,
                   layout_checks=True)
        urls = [rec["final_url"] for rec in s.records
                if rec.get("kind") != "portfolio" and rec.get("http_status") == 200]
        base_wall = baseline(urls, farm.port, 16)
        stop.set()

    def accounted(run: Run, domains: list[str]) -> int:
        got = {rec.get("url") for rec in run.records}
        return sum(1 for d in domains if f"https://{d}/" in got and f"https://www.{d}/" in got)

    mib = 1024
    rendered_pages = sum(1 for rec in r.records if rec.get("rendered"))
    print(f"static part:   {s.lines} pages in {s.wall:.1f} s = {s.rate():.1f} pages/s "
          f"(first to last page {s.steady_rate():.1f} pages/s); crawler peak PSS "
          f"{s.crawler_peak / mib:.0f} MiB")
    print(f"rendered part: {r.lines} pages ({rendered_pages} rendered) in {r.wall:.1f} s = "
          f"{r.rate():.2f} pages/s (first to last {r.steady_rate():.2f} pages/s); crawler peak "
          f"PSS {r.crawler_peak / mib:.0f} MiB, Chromium peak PSS {r.chromium_peak / mib:.0f} MiB,"
          f" together {(r.crawler_peak + r.chromium_peak) / mib:.0f} MiB")
    print(f"rendered again (hosts remembered, no render decision): {r2.lines} pages in "
          f"{r2.wall:.1f} s = {r2.rate():.2f} pages/s (first to last {r2.steady_rate():.2f} "
          f"pages/s); Chromium peak PSS {r2.chromium_peak / mib:.0f} MiB")
    if sample:
        layout_rendered = sum(1 for rec in lc.records if rec.get("rendered"))
        print(f"layout_checks: {len(sample)} static sites, {lc.lines} pages ({layout_rendered} "
              f"rendered) in {lc.wall:.1f} s = {lc.rate():.2f} pages/s, against {ls.wall:.1f} s "
              f"= {ls.rate():.1f} pages/s without: {lc.wall / max(ls.wall, 0.001):.1f}x the time;"
              f" Chromium peak PSS {lc.chromium_peak / mib:.0f} MiB")
    base_rate = len(urls) / base_wall if base_wall else 0.0
    print(f"baseline:      {len(urls)} pages fetched + parsed (asyncio + lxml, 16 at a time) in "
          f"{base_wall:.1f} s = {base_rate:.1f} pages/s")
    if base_rate:
        print(f"ratio crawler/baseline: {s.rate() / base_rate:.2f} whole run, "
              f"{s.steady_rate() / base_rate:.2f} first to last page")
    print(f"sites accounted for: static {accounted(s, static)}/{len(static)}, "
          f"rendered {accounted(r, scripted)}/{len(scripted)}")
    statuses: dict[str, int] = {}
    for rec in s.records + r.records:
        if rec.get("kind") != "portfolio":
            statuses[rec["status"]] = statuses.get(rec["status"], 0) + 1
    print(f"statuses: {dict(sorted(statuses.items()))}; farm server peak PSS "
          f"{peak_farm[0] / mib:.0f} MiB")


if __name__ == "__main__":
    main()
