"""The portfolio crawl: every domain's homepages, subdomains found in links and sitemaps, sampled
inner pages and app landing pages. `footer-audit run FILE`, `footer-audit crawl SITE...` and
`scrapy crawl portfolio -a file=FILE` (or `-a sites=a.cn,b.cn`) all run this spider.

Per domain: `https://HOST/` falling back to `http://HOST/`, for the domain and its `www.` variant.
Links (and the sitemaps robots.txt names, else /sitemap.xml) to other hosts of the same
registrable domain are subdomains, crawled up to `crawl.subdomain_cap` per domain and
`crawl.link_depth` link hops, each audited with the parent's expectations (`subdomain=True`).
Same-host links with distinct path shapes are sampled (`crawl.inner_pages`) to confirm the
homepage's footer is the site's.
Fetching, rendering and statuses are the base spider's (`spiders/_pages.py`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure

from crawler.extensions.progress import SITES_DONE_STAT, SITES_TOTAL_STAT
from crawler.fetch.resolve import chromium_args, parse_resolve
from crawler.fetch.statuses import PageStatus
from crawler.items import FetchedPage
from crawler.net.domains import SiteScope, host_of, registrable_domain
from crawler.portfolio.model import AppSpec, DomainSpec, OrgSpec, Portfolio, load_portfolio
from crawler.reports.store.base import normalise_url
from spiders._pages import PageSpider

__all__ = ["PortfolioSpider", "template_key"]

# Request.meta key: where this request sits in the crawl (see _Where).
META_WHERE = "footer_audit_where"

_LOC_RE = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)
_SITEMAP_LINE_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_SKIP_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|zip|rar|gz|mp4|mp3|apk|exe|"
                       r"docx?|xlsx?|pptx?)$", re.IGNORECASE)
_MAX_SITEMAPS_PER_SITE = 8  # robots.txt and sitemap files per site


def template_key(url: str) -> str:
    """A URL's path shape: `/news/2024/0312.html` -> `/news/*/#.html`. Pages sharing a shape
    usually share a template, so one of each is enough to sample."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    shape = []
    for i, part in enumerate(parts):
        stem, dot, ext = part.rpartition(".")
        if not dot:
            stem, ext = part, ""
        if i == 0 and not stem.isdigit() and dot == "":
            shape.append(part.lower())
        elif stem.isdigit() or re.fullmatch(r"[0-9a-f_-]{6,}", stem, re.IGNORECASE):
            shape.append("#" + (f".{ext.lower()}" if dot else ""))
        else:
            shape.append("*" + (f".{ext.lower()}" if dot else ""))
    return "/" + "/".join(shape)


@dataclass(frozen=True)
class _Where:
    """A request's place in the crawl."""

    site: str  # key of the portfolio site (org/domain or org/app name) it counts towards
    org_index: int
    domain_index: int | None  # None for an app page
    depth: int = 0  # link hops from the domain's homepage
    kind: str = "home"  # home | subdomain | inner | extra | app


class PortfolioSpider(PageSpider):
    """One crawl logic for a portfolio file and for on-demand sites."""

    name = "portfolio"

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Wire the writer and the crawl's extensions, also for `scrapy crawl portfolio`;
        a project setting that names them (or disables them with None) wins."""
        super().update_settings(settings)
        _add_components(settings, "ITEM_PIPELINES", (
            ("pipelines.jsonl.JsonlWriterPipeline", 800),
            # Results go to the report store too (off: FOOTER_AUDIT_STORE_ENABLED=False).
            ("pipelines.report.ReportPipeline", 900)))
        # Findings first: the summary printed at close includes them.
        _add_components(settings, "EXTENSIONS", (
            ("crawler.portfolio.findings.PortfolioFindingsExtension", 500),
            ("crawler.render.memory.RenderMemoryExtension", 510),
            ("crawler.extensions.progress.ProgressExtension", 520)))
        for name, value in (
                # A callback yields a page and a few requests: Scrapy's 100 parallel item
                # workers per response cost 100 asyncio tasks each time for nothing.
                ("CONCURRENT_ITEMS", 8),
                # Every host is its own download slot. The downloader-aware queue scans all
                # slots with pending requests on each pop: thousands of hosts make that
                # quadratic, and with one or two requests per host it balances nothing.
                ("SCHEDULER_PRIORITY_QUEUE", "scrapy.pqueues.ScrapyPriorityQueue")):
            if settings.getpriority(name) <= SETTINGS_PRIORITIES["default"]:
                settings.set(name, value, priority="spider")
        options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        rules = settings.getlist("FOOTER_AUDIT_RESOLVE")
        if rules and not any(str(a).startswith("--host-resolver-rules=")
                             for a in options.get("args", [])):
            # `scrapy crawl portfolio -s FOOTER_AUDIT_RESOLVE=...`: Chromium gets the same map.
            options["args"] = [*options.get("args", []), *chromium_args(parse_resolve(rules))]
            # Spider priority at least, like _add_components: `scrapy crawl` re-applies the
            # project's own value after update_settings.
            priority = max(settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0,
                           SETTINGS_PRIORITIES["spider"])
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, priority=priority)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The portfolio's politeness becomes the download slots' (one slot per registrable
        # domain, see _page); `-s` on the command line still wins (higher priority).
        spec = spider.portfolio.crawl
        for name, value in (("CONCURRENT_REQUESTS_PER_DOMAIN", spec.per_domain),
                            ("DOWNLOAD_DELAY", spec.delay)):
            crawler.settings.set(name, value, priority="spider")
        return spider

    def __init__(self, file: str | None = None, portfolio: Portfolio | None = None,
                 sites: str | list[str] | None = None, org: str | None = None,
                 province: str | None = None, render: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if portfolio is None:
            if file:
                portfolio = load_portfolio(file)
            elif sites:
                names = sites.split(",") if isinstance(sites, str) else list(sites)
                portfolio = Portfolio.on_demand(names, org=org, province=province)
            else:
                raise ValueError("give a portfolio: -a file=portfolio.yaml or -a sites=a.cn,b.cn")
        self.portfolio = portfolio
        self.allow_networks = portfolio.crawl.allow_networks  # the address policy's
        # The report store files runs under this name (the portfolio file's stem).
        self.portfolio_name = portfolio.name
        self.render_override = render
        self.scopes: dict[tuple[int, int], SiteScope] = {}
        self.sampled: dict[str, set[str]] = {}  # host -> template keys already requested
        self.aux_urls: dict[str, set[str]] = {}  # site key -> robots/sitemap URLs requested
        self.sitemap_sites: set[str] = set()  # site keys whose sitemaps were asked for
        self.pending: dict[str, int] = {}  # site key -> homepage answers still awaited
        # Pages the file names (start URLs, app pages): audited as such, never sampled again.
        self.named_urls = {normalise_url(url) for org in portfolio.organisations
                           for url in (*(u for d in org.domains for u in d.start_urls),
                                       *(a.url for a in org.apps))}

    # ---- start ----

    async def start(self) -> AsyncIterator[Any]:
        spec = self.portfolio.crawl
        total = sum(len(o.domains) + len(o.apps) for o in self.portfolio.organisations)
        self.crawler.stats.set_value(SITES_TOTAL_STAT, total)
        self.crawler.stats.set_value(SITES_DONE_STAT, 0)
        for oi, org in enumerate(self.portfolio.organisations):
            for di, domain in enumerate(org.domains):
                scope = SiteScope(domain.domain, skip=domain.skip_subdomains,
                                  cap=spec.subdomain_cap)
                self.scopes[(oi, di)] = scope
                site = f"{oi}/{domain.domain}"
                homes = scope.homepage_hosts()
                self.pending[site] = len(homes)
                for host in homes:
                    yield self._home_request(host, _Where(site, oi, di, 0, "home"))
                for host in domain.add_subdomains:
                    if scope.contains(host):
                        scope.admitted.add(host)
                        yield self._home_request(host, _Where(site, oi, di, 1, "subdomain"))
                for url in domain.start_urls:
                    yield self._page(url, _Where(site, oi, di, 1, "extra"), None)
            for app in org.apps:
                site = f"{oi}/app:{app.name}"
                self.pending[site] = 1
                di = _domain_index(org, app)
                yield self._page(app.url, _Where(site, oi, di, 0, "app"), None, app=app)

    # ---- requests ----

    def _home_request(self, host: str, where: _Where, discovered_from: str | None = None,
                      scheme: str = "https") -> scrapy.Request:
        url = f"{scheme}://{host}/"
        fallback = f"http://{host}/" if scheme == "https" else None
        return self._page(url, where, discovered_from, fallback=fallback)

    def _page(self, url: str, where: _Where, discovered_from: str | None, *,
              fallback: str | None = None, app: AppSpec | None = None) -> scrapy.Request:
        org = self.portfolio.organisations[where.org_index]
        domain = org.domains[where.domain_index] if where.domain_index is not None else None
        host = host_of(url)
        subdomain = where.kind == "subdomain"
        context = {
            "org": org.name,
            "domain": registrable_domain(domain.domain if domain else host),
            "host": host,
            "discovered_from": discovered_from,
            "owner": (app.owner if app and app.owner else None) or org.owner_of(domain),
            "expectations": org.expectations(domain, host=host, subdomain=subdomain, app=app),
        }
        request = self.page_request(url, render=self._render_mode(org, domain, host, where),
                                    fallback_url=fallback, context=context,
                                    priority=-where.depth)
        request.meta[META_WHERE] = where
        request.meta["download_slot"] = _slot(host)
        ua = self.portfolio.crawl.user_agent
        if ua:
            request.headers["User-Agent"] = ua
        return request

    def _render_mode(self, org: OrgSpec, domain: DomainSpec | None, host: str,
                     where: _Where) -> str:
        if self.render_override:
            return self.render_override
        mode = domain.render if domain else "auto"
        if mode == "auto":
            if org.layout_checks and where.kind in ("home", "subdomain", "app"):
                mode = "always"  # the page the law looks at gets its layout checked
            memory = getattr(self.crawler, "render_memory", None)
            if memory is not None and memory.needs_rendering(host):
                mode = "always"
        return mode

    # ---- answers ----

    def parse_page(self, response: Response) -> Iterator[Any]:
        page = self.page_from_response(response)
        where: _Where | None = response.meta.get(META_WHERE)
        if where is None:  # a request made by the base class only
            yield page
            return
        self._note_offsite_redirect(page, where)
        # The audit's parse of a static page (taken before the item leaves: the audit drops it)
        # serves the link extraction too.
        root = page.extraction.tree.root if page.extraction is not None else None
        yield page
        self._site_answered(where)
        if page.status == PageStatus.OK and isinstance(response, HtmlResponse):
            yield from self._follow_links(response, where, root)
            if where.kind == "home" and where.depth == 0 and where.site not in self.sitemap_sites:
                # Once per site: the apex and www. usually share robots.txt and sitemaps.
                self.sitemap_sites.add(where.site)
                yield from self._sitemap_requests(response, where)

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        where: _Where | None = failure.request.meta.get(META_WHERE)  # type: ignore[attr-defined]
        for out in super().page_failed(failure):
            if isinstance(out, scrapy.Request):
                out.meta[META_WHERE] = where  # the http:// fallback counts for the same site
                out.meta["download_slot"] = _slot(host_of(out.url))
            elif isinstance(out, FetchedPage) and where is not None:
                self._site_answered(where)
            yield out

    def _site_answered(self, where: _Where) -> None:
        if where.kind not in ("home", "app") or where.depth != 0:
            return
        left = self.pending.get(where.site, 0) - 1
        self.pending[where.site] = left
        if left == 0:
            self.crawler.stats.inc_value(SITES_DONE_STAT)

    def _note_offsite_redirect(self, page: FetchedPage, where: _Where) -> None:
        """A homepage that lands on another registrable domain is reported on the page."""
        if where.kind not in ("home", "subdomain"):
            return
        landed = registrable_domain(host_of(page.final_url))
        if landed and page.domain and landed != page.domain:
            page.notes["redirected_offsite"] = landed
            self.crawler.stats.inc_value("footer_audit/redirected_offsite")

    # ---- discovery ----

    def _follow_links(self, response: HtmlResponse, where: _Where,
                      root: Any = None) -> Iterator[scrapy.Request]:
        """Subdomains and inner pages linked from this page; `root`: its lxml tree when the
        audit already parsed it, else the response is parsed here."""
        if where.domain_index is None:
            return
        scope = self.scopes[(where.org_index, where.domain_index)]
        spec = self.portfolio.crawl
        here = host_of(response.url)
        base = response.url
        hrefs = ([el.get("href") for el in root.iter("a", "area") if el.get("href") is not None]
                 if root is not None else
                 response.css("a::attr(href), area::attr(href)").getall())
        for href in hrefs:
            url = urljoin(base, href.strip())
            if not url.startswith(("http://", "https://")) or _SKIP_EXT.search(
                    urlsplit(url).path):
                continue
            host = host_of(url)
            if host != here:
                if where.depth < spec.link_depth and scope.admit(host):
                    scheme = urlsplit(url).scheme
                    yield self._home_request(
                        host, _Where(where.site, where.org_index, where.domain_index,
                                     where.depth + 1, "subdomain"),
                        discovered_from=response.url, scheme=scheme)
                continue
            if where.kind in ("home", "subdomain") and spec.inner_pages:
                yield from self._sample_inner(url, host, where, response.url)

    def _sample_inner(self, url: str, host: str, where: _Where,
                      source: str) -> Iterator[scrapy.Request]:
        key = template_key(url)
        if key == "/" or normalise_url(url) in self.named_urls:  # the homepage, a named page
            return
        seen = self.sampled.setdefault(host, set())
        if key in seen or len(seen) >= self.portfolio.crawl.inner_pages:
            return
        seen.add(key)
        yield self._page(url, _Where(where.site, where.org_index, where.domain_index,
                                     where.depth + 1, "inner"), source)

    def _sitemap_requests(self, response: Response, where: _Where) -> Iterator[scrapy.Request]:
        if self.portfolio.crawl.link_depth < 1 or not self.portfolio.crawl.subdomain_cap:
            return
        root = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        # robots.txt first; /sitemap.xml only when robots.txt names no sitemap (one request
        # fewer per site on a large portfolio).
        yield from self._aux_request(root + "/robots.txt", self.parse_robots, where,
                                     errback=self._robots_failed)

    def _aux_request(self, url: str, callback: Any, where: _Where,
                     errback: Any = None) -> Iterator[scrapy.Request]:
        done = self.aux_urls.setdefault(where.site, set())
        if url in done or len(done) >= _MAX_SITEMAPS_PER_SITE:
            return
        done.add(url)
        yield scrapy.Request(url, callback=callback, errback=errback or self._aux_failed,
                             meta={META_WHERE: where, "footer_audit_aux": True,
                                   "download_slot": _slot(host_of(url))},
                             priority=-2)

    def _aux_failed(self, failure: Failure) -> None:
        self.logger.debug("%s: %s", failure.request.url, failure.value)  # type: ignore[attr-defined]

    def _robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self._aux_failed(failure)
        request = failure.request  # type: ignore[attr-defined]
        yield from self._default_sitemap(request.url, request.meta[META_WHERE])

    def _default_sitemap(self, robots_url: str, where: _Where) -> Iterator[scrapy.Request]:
        yield from self._aux_request(urljoin(robots_url, "/sitemap.xml"), self.parse_sitemap,
                                     where)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        where: _Where = response.meta[META_WHERE]
        named = (_SITEMAP_LINE_RE.findall(response.text)
                 if isinstance(response, TextResponse) and response.status == 200 else [])
        if not named:
            yield from self._default_sitemap(response.url, where)
            return
        scope = self.scopes[(where.org_index, where.domain_index)]  # type: ignore[index]
        for url in named:
            if registrable_domain(host_of(url)) == scope.registrable:
                yield from self._aux_request(url, self.parse_sitemap, where)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        where: _Where = response.meta[META_WHERE]
        scope = self.scopes[(where.org_index, where.domain_index)]  # type: ignore[index]
        for raw in _LOC_RE.findall(response.body[: 5 * 1024 * 1024]):
            url = raw.decode("utf-8", "replace").replace("&amp;", "&")
            host = host_of(url)
            if url.endswith(".xml") and scope.contains(host):
                yield from self._aux_request(url, self.parse_sitemap, where)
            elif host != host_of(response.url) and scope.admit(host):
                yield self._home_request(
                    host, _Where(where.site, where.org_index, where.domain_index, 1,
                                 "subdomain"),
                    discovered_from=response.url, scheme=urlsplit(url).scheme or "https")


def _add_components(settings: Any, name: str, components: tuple[tuple[str, int], ...]) -> None:
    """Add components to a priority dict unless it already names them (even as None).

    Set at spider priority at least: `scrapy crawl` re-applies the process settings over the
    crawler's after `update_settings`, which would drop additions made at project priority.
    """
    current = settings.getdict(name)
    named = {k if isinstance(k, str) else f"{k.__module__}.{k.__qualname__}" for k in current}
    merged = dict(current)
    for path, order in components:
        if path not in named:
            merged[path] = order
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, merged, priority=priority)


def _slot(host: str) -> str:
    """The download slot of a host: its registrable domain, so the per-domain concurrency and delay
    hold for an organisation's servers as a whole, not for each of its 200 subdomains."""
    return registrable_domain(host) or host


def _domain_index(org: OrgSpec, app: AppSpec) -> int | None:
    """The portfolio domain an app's landing page lives under (for its expectations)."""
    reg = registrable_domain(host_of(app.url))
    for i, domain in enumerate(org.domains):
        if registrable_domain(domain.domain) == reg:
            return i
    return None

