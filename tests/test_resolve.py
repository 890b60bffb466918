"""`--resolve`: parsing, and real connections (Scrapy and Chromium) sent to a loopback farm while
the URL keeps its real host."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.errors import UsageError
from crawler.fetch.resolve import chromium_args, find_rule, parse_resolve
from tests.farm import serve_farm

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"


def test_parse_rules():
    rules = parse_resolve(["www.Example.cn:10.0.0.1", "*.example.cn:127.0.0.1:8080",
                           "v6.example.cn:[::1]:8443", "*:127.0.0.2"])
    assert [(r.pattern, r.address, r.port) for r in rules] == [
        ("www.example.cn", "10.0.0.1", None), ("*.example.cn", "127.0.0.1", 8080),
        ("v6.example.cn", "::1", 8443), ("*", "127.0.0.2", None)]
    assert find_rule(rules, "www.example.cn").address == "10.0.0.1"  # exact beats zone
    assert find_rule(rules, "example.cn").port == 8080  # a zone covers its apex
    assert find_rule(rules, "other.com").address == "127.0.0.2"
    assert find_rule(rules[:2], "other.com") is None
    (idn,) = parse_resolve(["*.例子.中国:127.0.0.1"])
    assert idn.pattern == "*.xn--fsqu00a.xn--fiqs8s"  # as the crawl's hosts are written


@pytest.mark.parametrize("bad", ["example.cn", "example.cn:notanip", "example.cn:1.2.3.4:99999",
                                 "http://example.cn:1.2.3.4", "a.cn:300.1.1.1"])
def test_bad_rules_are_usage_errors(bad):
    with pytest.raises(UsageError, match="--resolve"):
        parse_resolve([bad])


def test_chromium_rules_put_exact_names_first():
    (arg,) = chromium_args(parse_resolve(["*:127.0.0.1:9", "*.a.cn:[::1]:8", "w.a.cn:10.0.0.1"]))
    assert arg == ("--host-resolver-rules=MAP w.a.cn 10.0.0.1, MAP a.cn [::1]:8, "
                   "MAP *.a.cn [::1]:8, MAP * 127.0.0.1:9")
    assert chromium_args(()) == []


SPEC = {"hosts": {
    "www.example.cn": {"pages": {"/": {"body": "<p>www home</p>"}}},
    "plain.example.cn": {"https": False, "pages": {"/": {"body": "<p>plain only</p>"}}},
}}

CRAWL_SCRIPT = textwrap.dedent("""
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Probe(scrapy.Spider):
        name = "probe"
        async def start(self):
            for url in sys.argv[2:]:
                yield scrapy.Request(url, errback=self.failed, dont_filter=True)
        def parse(self, response):
            print(json.dumps({"url": response.url, "status": response.status,
                              "text": response.text, "ip": str(response.ip_address)}))
        def failed(self, failure):
            print(json.dumps({"url": failure.request.url, "error": failure.type.__name__}))

    process = CrawlerProcess({
        "TWISTED_DNS_RESOLVER": "crawler.fetch.resolve.ResolvingHostnameResolver",
        "FOOTER_AUDIT_RESOLVE": [sys.argv[1]], "LOG_LEVEL": "ERROR", "RETRY_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })
    process.crawl(Probe)
    process.start()
""")


@pytest.mark.slow
def test_static_fetches_go_to_the_mapped_address_and_port(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(CRAWL_SCRIPT, encoding="utf-8")
    with serve_farm(SPEC, tmp_path) as farm:
        urls = ["https://www.example.cn/", "http://www.example.cn/", "http://plain.example.cn/",
                "https://plain.example.cn/"]
        out = subprocess.run([sys.executable, str(script), f"*.example.cn:127.0.0.1:{farm.port}",
                              *urls], capture_output=True, text=True, timeout=60, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        served = farm.requests()
    rows = {r["url"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows["https://www.example.cn/"]["text"] == "<p>www home</p>"
    assert rows["https://www.example.cn/"]["ip"] == "127.0.0.1"
    assert rows["http://plain.example.cn/"]["text"] == "<p>plain only</p>"
    assert "error" in rows["https://plain.example.cn/"]  # the TLS handshake is refused
    # The server saw the real host names (Host header and SNI), over the right scheme.
    assert ("https", "www.example.cn", "/") in served
    assert ("http", "plain.example.cn", "/") in served


@pytest.mark.slow
def test_rendered_fetches_use_the_same_mapping(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium")
    from playwright.async_api import async_playwright

    async def render(port: int) -> list[tuple[str, int, str]]:
        args = chromium_args(parse_resolve([f"*.example.cn:127.0.0.1:{port}"]))
        seen = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", *args])
            try:
                context = await browser.new_context(ignore_https_errors=True)
                tab = await context.new_page()
                for url in ("https://www.example.cn/", "http://plain.example.cn/"):
                    response = await tab.goto(url)
                    seen.append((tab.url, response.status, await tab.inner_text("p")))
            finally:
                await browser.close()
        return seen

    with serve_farm(SPEC, tmp_path) as farm:
        seen = asyncio.run(render(farm.port))
    assert seen == [("https://www.example.cn/", 200, "www home"),
                    ("http://plain.example.cn/", 200, "plain only")]


FILTER_SCRIPT = textwrap.dedent("""
    import json
    from twisted.internet import asyncioreactor
    asyncioreactor.install()
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred, ensureDeferred
    from twisted.internet.interfaces import IResolutionReceiver
    from zope.interface import provider
    from scrapy.resolver import CachingHostnameResolver
    from crawler.net.addresses import AddressPolicy, parse_networks
    from crawler.middlewares.address_policy import AddressGuard
    from crawler.fetch.resolve import ResolvingHostnameResolver, parse_resolve

    def answer(resolver, host):
        done, found = Deferred(), []

        @provider(IResolutionReceiver)
        class Collect:
            def resolutionBegan(resolution): pass
            def addressResolved(address): found.append(address.host)
            def resolutionComplete(): done.callback(sorted(found))

        resolver.resolveHostName(Collect, host, 80)
        return done

    async def main():
        fallback = CachingHostnameResolver(reactor, 100)
        resolver = ResolvingHostnameResolver(reactor, parse_resolve(["mapped.cn:127.0.0.9"]),
                                             fallback)
        out = {"unguarded": await answer(resolver, "localhost")}
        resolver.guard = AddressGuard(AddressPolicy(), resolver.rules, resolver=resolver)
        out["refused"] = await answer(resolver, "localhost")
        out["mapped"] = await answer(resolver, "mapped.cn")
        out["lookup"] = sorted(await resolver.lookup("localhost"))
        resolver.guard = AddressGuard(AddressPolicy(allowed=parse_networks(["127.0.0.0/8"])),
                                      resolver=resolver)
        out["allowed"] = await answer(resolver, "localhost")
        resolver.guard = AddressGuard(AddressPolicy(), explicit_hosts=["localhost"])
        out["explicit"] = await answer(resolver, "localhost")
        print(json.dumps(out))

    d = ensureDeferred(main())
    d.addBoth(lambda r: (reactor.stop(), r)[1])
    reactor.run()
""")


@pytest.mark.slow
def test_dns_answers_lose_refused_addresses(tmp_path):
    """At connection time the resolver hands on only allowed addresses (no traffic: the names
    are answered from /etc/hosts and --resolve rules)."""
    script = tmp_path / "filter.py"
    script.write_text(FILTER_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this tree's crawler, not an installed one
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
    assert result, out.stderr[-2000:]
    assert "127.0.0.1" in result["unguarded"]
    assert result["refused"] == []  # localhost is loopback: dropped
    assert result["mapped"] == ["127.0.0.9"]  # a --resolve mapping is the operator's choice
    assert result["lookup"] == result["unguarded"]  # what the policy judges: the whole answer
    assert result["allowed"] == ["127.0.0.1"]  # ::1 stays refused
    assert result["explicit"] == result["unguarded"]
