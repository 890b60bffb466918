"""Serve every site of examples/portfolio.yaml on 127.0.0.1, so the example portfolio can be
crawled on any machine (its example.cn-style domains do not exist on the internet).

    python examples/demo_farm.py          # prints the port and the command, serves until Ctrl-C
    python examples/demo_farm.py --run    # starts the farm, runs that command, stops the farm

The sites follow the portfolio file (read with the crawler's own loader): every domain and its
www. variant, add_subdomains, start_urls and app pages get a realistic Chinese homepage showing
what the portfolio expects (ICP number linked to beian.miit.gov.cn, 公安 badge, 经营许可证,
copyright line). A domain with `render: always` gets a JavaScript-only footer. On the first
domain of the first organisation a few typical violations are planted (see PLANTED); the
apex redirects to www., which links to one subdomain, while its sitemap reveals another.
One farm server (crawler/demo/farm.py) answers for every host over http and https
(self-signed certificate); `footer-audit run --resolve '*:127.0.0.1:PORT'` sends every connection
there.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.demo.farm import serve_farm  # noqa: E402
from crawler.demo.pages import footer, page  # noqa: E402
from crawler.portfolio.model import DomainSpec, OrgSpec, Portfolio, load_portfolio  # noqa: E402
from rules.data import resolve_province  # noqa: E402

PORTFOLIO = ROOT / "examples" / "portfolio.yaml"

# What the demo gets wrong on purpose, by page role, and the rule codes that report it.
PLANTED: dict[str, tuple[str, ...]] = {
    "news": ("subdomain_icp_missing",),  # news.DOMAIN, linked from the homepage: no marks
    "bbs": ("copyright_year_stale", "gongan_missing_link", "gongan_missing_icon"),  # via sitemap
    "add_subdomain": ("icp_link_missing",),  # the first add_subdomains host: number unlinked
    "start_url": ("icp_mismatch",),  # the first start URL: another site's number
}

_NEWS = ("<section><h2>新闻动态</h2><ul><li>公司荣获年度优秀创新企业称号</li>"
         "<li>关于系统升级维护的公告</li><li>新一代云服务平台正式发布</li></ul></section>")
_NAV = "<nav>首页 | 产品服务 | 解决方案 | 新闻中心 | 关于我们 | 联系我们</nav>"


class _Site:
    """What one domain's pages should show, from the portfolio's expectations."""

    def __init__(self, org: OrgSpec, domain: DomainSpec, year: int):
        region = resolve_province(org.province)
        self.org, self.domain, self.year = org, domain, year
        self.prefix = region.gongan if region else "京"
        subject = org.icp if org.icp and "-" not in org.icp else None
        self.icp = domain.icp or (f"{subject}-1" if subject else org.icp)
        # A 公安 code where the portfolio names or requires one (a made-up one in the province).
        required = domain.gongan_required if domain.gongan_required is not None \
            else org.gongan_required
        code = (region.code if region else "11") + "010502030199"
        self.gongan = domain.gongan or (code if required else None)

    def footer(self, *, icp: str | None = "", link: bool = True, gongan: bool = True,
               year: int | None = None, extra: str = "") -> str:
        lic = self.org.licence if self.org.commercial else None
        lines = [f"<p>增值电信业务经营许可证：{lic}</p>" if lic else "", extra]
        return footer(self.icp if icp == "" else icp, gongan=self.gongan if gongan else None,
                      copyright_holder=self.org.name, link=link, year=year or self.year,
                      gongan_prefix=self.prefix, extra="".join(lines))

    def home(self, title: str, foot: str, links: tuple[str, ...] = (), body: str = "") -> str:
        if self.domain.render == "always":  # the portfolio says: a JavaScript-only site
            script = f"document.getElementById('app').innerHTML = {json.dumps(foot)};"
            return page('<div id="app">加载中…</div>', title=title, foot="", script=script)
        return page(_NAV + body + _NEWS, title=title, foot=foot, links=links)


def build_spec(portfolio: Portfolio, today: datetime.date | None = None) -> dict[str, Any]:
    """The farm spec (crawler/demo/farm.py) serving every site the portfolio names."""
    year = (today or datetime.date.today()).year
    hosts: dict[str, dict[str, Any]] = {}

    def put(url: str, body: str, **extra: Any) -> None:
        parts = urlsplit(url)
        site = hosts.setdefault(parts.hostname or "", {"pages": {}})
        site["pages"].setdefault(parts.path or "/", {"body": body, **extra})

    planted = False
    for org in portfolio.organisations:
        sites = [_Site(org, d, year) for d in org.domains]
        for site in sites:
            d, name = site.domain, site.domain.domain
            www = name if name.startswith("www.") else f"www.{name}"
            bare = www[4:]
            title = f"{org.name} - 官方网站"
            if not planted:  # the first domain carries the planted violations
                planted = True
                _plant(put, site, sites, www, bare, title)
            put(f"https://{www}/", site.home(title, site.footer()))
            put(f"https://{bare}/", site.home(title, site.footer()))
            for host in d.add_subdomains:
                put(f"https://{host}/", site.home(f"{host} - {org.name}", site.footer()))
            for url in d.start_urls:
                put(url, site.home(f"{org.name}", site.footer()))
        for app in org.apps:
            site = next((s for s in sites if urlsplit(app.url).hostname in
                         (s.domain.domain, f"www.{s.domain.domain}")), sites[0])
            app_line = (f'<p>APP备案号：<a href="https://beian.miit.gov.cn/">{app.icp}</a></p>'
                        if app.icp else "")
            put(app.url, page(f"<section><h2>{app.name}</h2><p>扫码下载，iOS 与 Android 版"
                              "</p></section>", title=app.name, foot=site.footer(extra=app_line)))
    return {"hosts": hosts}


def _plant(put: Any, site: _Site, sites: list[_Site], www: str, bare: str, title: str) -> None:
    """The first domain: apex -> www., a linked news. subdomain, a bbs. one in the sitemap,
    inner news pages, links to skipped hosts, and the PLANTED violations."""
    d = site.domain
    put(f"https://{bare}/", "", status=301, location=f"https://{www}/")  # http too: one host
    skipped = [h for h in d.skip_subdomains if not h.startswith("*.")]
    zones = [f"wiki.{h[2:]}" for h in d.skip_subdomains if h.startswith("*.")]
    links = (f"https://news.{bare}/", "/news/2025/1120.html", "/news/2025/1118.html",
             *(f"https://{h}/" for h in skipped))
    put(f"https://{www}/", site.home(title, site.footer(), links=links))
    for path in ("/news/2025/1120.html", "/news/2025/1118.html"):
        put(f"https://{www}{path}", site.home("新闻动态", site.footer()))
    put(f"https://{www}/robots.txt", f"User-agent: *\nSitemap: https://{www}/sitemap.xml\n",
        type="text/plain")
    locs = (f"https://{www}/", f"https://bbs.{bare}/", *(f"https://{h}/" for h in zones))
    put(f"https://{www}/sitemap.xml", "<?xml version='1.0' encoding='UTF-8'?><urlset>"
        + "".join(f"<url><loc>{u}</loc></url>" for u in locs) + "</urlset>",
        type="application/xml")
    put(f"https://news.{bare}/", page(_NEWS, title="新闻中心", foot="<footer>联系我们</footer>"))
    plain_gongan = f"<p>{site.prefix}公网安备{site.gongan}号</p>" if site.gongan else ""
    put(f"https://bbs.{bare}/", page("<section><h2>社区论坛</h2><p>最新帖子</p></section>",
                                     title="社区论坛", foot=site.footer(
                                         gongan=False, year=site.year - 6, extra=plain_gongan)))
    for host in d.add_subdomains[:1]:
        put(f"https://{host}/", site.home(f"{host} - 商城", site.footer(link=False)))
    other = next((s.icp for s in sites if s.icp and s.icp != site.icp), None)
    for url in d.start_urls[:1]:
        put(url, site.home("关于我们", site.footer(icp=other or f"{site.icp}9")))


def command(portfolio: str, port: int) -> list[str]:
    return ["footer-audit", "run", portfolio, "--resolve", f"*:127.0.0.1:{port}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Other arguments go to `footer-audit run` with --run.")
    ap.add_argument("--portfolio", default=str(PORTFOLIO), help="portfolio file to serve")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (default: any)")
    ap.add_argument("--run", action="store_true",
                    help="run `footer-audit run` against the farm, then stop it")
    args, run_args = ap.parse_known_args()
    if run_args and not args.run:
        ap.error(f"unrecognised arguments: {' '.join(run_args)}")
    spec = build_spec(load_portfolio(args.portfolio))
    shown = os.path.relpath(args.portfolio)  # the command as typed from here
    if shown.startswith(".."):
        shown = os.path.abspath(args.portfolio)
    # Stop through the farm's cleanup (not a bare kill) when terminated, so no server lingers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="footer-audit-demo-") as tmp, \
            serve_farm(spec, Path(tmp), port=args.port) as farm:
        cmd = command(shown, farm.port)
        print(f"demo farm: {len(spec['hosts'])} hosts of {shown} on 127.0.0.1:{farm.port}",
              flush=True)
        if args.run:
            # This Python's own footer-audit, not whichever one PATH finds first.
            argv = [sys.executable, "-c", "from crawler.app.cli import main; main()"]
            print("$ " + shlex.join(cmd + run_args), flush=True)
            try:
                code = subprocess.call([*argv, *cmd[1:], *run_args], cwd=os.getcwd())
            except KeyboardInterrupt:
                code = 130
            sys.exit(code)
        print(f"run in another terminal:\n  {shlex.join(cmd)}\nCtrl-C stops the farm.",
              flush=True)
        try:
            farm.process.wait()
        except KeyboardInterrupt:
            print()


if __name__ == "__main__":
    main()
