"""Portfolio crawls of virtual-host sites on 127.0.0.1 (through --resolve): homepages, www.,
redirects, https-to-http fallback, subdomain discovery within the registrable domain, caps."""

from __future__ import annotations

import pytest

from tests.farm import footer, page, run_crawl, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess

ORG = "北京某某科技有限公司"
ICP = "京ICP备12345678号-1"

HOME_LINKS = (
    "https://news.example.cn/", "http://blog.example.cn/post/1", "https://plain.example.cn/",
    "https://skip.example.cn/", "https://other.cn/", "https://example.com.cn/",
    "https://example.cn.evil.cn/", "/about/", "/news/2024/0101.html", "/news/2024/0102.html",
    "mailto:web@example.cn", "javascript:void(0)",
)

DISCOVERY_SITES = {"hosts": {
    "example.cn": {"pages": {"/": {"status": 301, "location": "https://www.example.cn/"}}},
    "www.example.cn": {"pages": {
        "/": {"body": page(links=HOME_LINKS, foot=footer(ICP))},
        "/about/": {"body": page("about", foot=footer(ICP))},
        "/news/2024/0101.html": {"body": page("n1", foot=footer(ICP))},
        "/news/2024/0102.html": {"body": page("n2", foot=footer(ICP))},
        "/robots.txt": {"type": "text/plain",
                        "body": "User-agent: *\nSitemap: https://www.example.cn/sm.xml\n"},
        "/sm.xml": {"type": "application/xml", "body":
                    "<urlset><url><loc>https://map.example.cn/</loc></url>"
                    "<url><loc>https://www.example.cn/about/</loc></url></urlset>"},
    }},
    "news.example.cn": {"pages": {"/": {"body": page(links=("https://deep.example.cn/",))}}},
    "deep.example.cn": {"pages": {"/": {"body": page(links=("https://deeper.example.cn/",))}}},
    "deeper.example.cn": {"pages": {"/": {"body": page()}}},
    "blog.example.cn": {"https": False, "pages": {"/": {"body": page()}}},
    "plain.example.cn": {"https": False, "pages": {"/": {"body": page()}}},
    "map.example.cn": {"pages": {"/": {"body": page()}}},
    "skip.example.cn": {"pages": {"/": {"body": page()}}},
    "other.cn": {"pages": {"/": {"body": page()}}},
    "example.com.cn": {"pages": {"/": {"body": page()}}},
    "example.cn.evil.cn": {"pages": {"/": {"body": page()}}},
    "moved.cn": {"pages": {"/": {"status": 302, "location": "https://landing.other.cn/"}}},
    "www.moved.cn": {"pages": {"/": {"body": page()}}},
    "landing.other.cn": {"pages": {"/": {"body": page()}}},
}}

PORTFOLIO = f"""
organisations:
  - name: {ORG}
    province: 北京
    domains:
      - domain: example.cn
        icp: {ICP}
        skip_subdomains: [skip.example.cn]
        start_urls: [https://www.example.cn/about/]
      - domain: moved.cn
"""


@pytest.fixture(scope="module")
def discovery(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("discovery")
    with serve_farm(DISCOVERY_SITES, workdir / "farm") as farm:
        # Render mode auto, as a portfolio runs by default: links come from the audit's parse.
        run = run_crawl(PORTFOLIO, workdir, "--render", "auto", "--timeout", "5", "--quiet",
                        resolve=(farm.resolve,))
        requested = farm.hosts_requested()
        fetched = {(host, path) for _, host, path in farm.requests()}
    assert run.returncode in (0, 1), run.stderr[-3000:]
    return run, requested, fetched


def test_homepages_www_and_redirect_chain(discovery):
    run, _, _ = discovery
    pages = run.by_url()
    apex = pages["https://example.cn/"]
    assert apex["final_url"] == "https://www.example.cn/"
    assert apex["redirect_chain"] == ["https://example.cn/"]
    assert apex["http_status"] == 200 and apex["status"] in ("ok", "needs_review")
    www = pages["https://www.example.cn/"]
    assert www["org"] == ORG and www["domain"] == "example.cn" and www["host"] == "www.example.cn"
    assert www["discovered_from"] is None
    assert any(m["number"] == ICP for m in www["findings"]["icp"])
    assert www["tool_version"] and www["fetched_at"]


def test_subdomains_found_in_links_and_sitemaps_within_the_registrable_domain(discovery):
    run, requested, _ = discovery
    example_hosts = {r["host"] for r in run.pages() if r["domain"] == "example.cn"}
    assert example_hosts == {"example.cn", "www.example.cn", "news.example.cn",
                             "blog.example.cn", "plain.example.cn", "map.example.cn",
                             "deep.example.cn"}
    # Never fetched: other registrable domains, a skipped host, beyond the link depth.
    for host in ("other.cn", "example.com.cn", "example.cn.evil.cn", "skip.example.cn",
                 "deeper.example.cn"):
        assert host not in requested
    by_host = {r["host"]: r for r in run.pages() if r["url"].endswith(".cn/")}
    assert by_host["news.example.cn"]["discovered_from"] == "https://www.example.cn/"
    assert by_host["deep.example.cn"]["discovered_from"] == "https://news.example.cn/"
    assert by_host["map.example.cn"]["discovered_from"] == "https://www.example.cn/sm.xml"


def test_https_falls_back_to_http(discovery):
    run, _, _ = discovery
    plain = run.by_url()["https://plain.example.cn/"]
    assert plain["final_url"] == "http://plain.example.cn/"
    assert plain["http_status"] == 200
    blog = run.by_url()["http://blog.example.cn/"]  # linked over http: fetched over http
    assert blog["http_status"] == 200


def test_inner_pages_sampled_by_template(discovery):
    run, _, _ = discovery
    inner = sorted(r["url"] for r in run.pages()
                   if r["host"] == "www.example.cn" and r["url"] != "https://www.example.cn/")
    # /about/ is a start URL the homepage also links: audited once, as the file names it.
    assert inner.count("https://www.example.cn/about/") == 1
    # Two news articles share a template: one of them is enough.
    assert len([u for u in inner if "/news/" in u]) == 1


def test_homepage_redirecting_to_another_domain_is_reported(discovery):
    run, requested, _ = discovery
    moved = run.by_url()["https://moved.cn/"]
    assert moved["final_url"] == "https://landing.other.cn/"
    assert moved["redirected_offsite"] == "other.cn"
    assert "landing.other.cn" in requested
    assert "redirected_offsite" not in run.by_url()["https://www.example.cn/"]


def test_subdomain_cap(tmp_path):
    links = tuple(f"https://s{i}.capped.cn/" for i in range(6))
    sites = {"hosts": {"capped.cn": {"pages": {"/": {"body": page(links=links)}}}}}
    for i in range(6):
        sites["hosts"][f"s{i}.capped.cn"] = {"pages": {"/": {"body": page()}}}
    portfolio = ("crawl:\n  subdomain_cap: 2\norganisations:\n  - name: 某公司\n"
                 "    domains:\n      - domain: capped.cn\n")
    with serve_farm(sites, tmp_path / "farm") as farm:
        run = run_crawl(portfolio, tmp_path, "--render", "never", "--timeout", "5", "--quiet",
                        resolve=(farm.resolve,))
        requested = farm.hosts_requested()
    assert run.returncode in (0, 1), run.stderr[-3000:]
    subdomains = run.hosts() - {"capped.cn", "www.capped.cn"}
    assert subdomains == {"s0.capped.cn", "s1.capped.cn"}  # the first two links, in page order
    assert not any(h in requested for h in ("s2.capped.cn", "s5.capped.cn"))


def test_sitemap_xml_is_asked_for_only_when_robots_txt_names_none(discovery):
    _, _, fetched = discovery
    # www.example.cn's robots.txt names sm.xml: /sitemap.xml is not guessed.
    assert ("www.example.cn", "/robots.txt") in fetched
    assert ("www.example.cn", "/sm.xml") in fetched
    assert ("www.example.cn", "/sitemap.xml") not in fetched
    # www.moved.cn has no robots.txt (404): its /sitemap.xml is asked for instead.
    assert ("www.moved.cn", "/robots.txt") in fetched
    assert ("www.moved.cn", "/sitemap.xml") in fetched


def test_politeness_holds_per_registrable_domain_not_per_host(tmp_path):
    subs = [f"s{i}.busy.cn" for i in range(6)]
    slow = {"body": page(), "delay": 1.0}
    sites = {"hosts": {
        "busy.cn": {"pages": {"/": {"body": page(links=tuple(f"https://{s}/" for s in subs))}}},
        "www.busy.cn": {"pages": {"/": {"body": page()}}},
        **{s: {"pages": {"/": slow}} for s in subs},
        "calm.cn": {"pages": {"/": {"body": page(), "delay": 1.5}}},
        "www.calm.cn": {"pages": {"/": {"body": page()}}},
    }}
    portfolio = ("crawl:\n  per_domain: 2\n  inner_pages: 0\norganisations:\n  - name: 某某公司\n"
                 "    domains:\n      - domain: busy.cn\n      - domain: calm.cn\n")
    with serve_farm(sites, tmp_path / "farm") as farm:
        run = run_crawl(portfolio, tmp_path, "--render", "never", "--quiet",
                        resolve=(farm.resolve,))
        arrivals = farm.arrivals()
    assert run.returncode in (0, 1), run.stderr[-3000:]
    assert {r["host"] for r in run.pages()} >= set(subs)
    times = sorted(t for t, host, target in arrivals if host in subs and target == "/")
    assert len(times) == 6
    # Two at a time across all of busy.cn's hosts: each third page waits for one of the slow ones.
    assert all(later - earlier >= 0.9 for earlier, later in zip(times, times[2:], strict=False))
    # Another registrable domain has slots of its own: calm.cn is not queued behind busy.cn.
    calm = min(t for t, host, target in arrivals if host == "calm.cn")
    assert calm < times[2]
