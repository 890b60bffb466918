"""crawler/tls.py: static connections share one OpenSSL context unless certificates are verified.
(The https crawls of tests/test_crawl_*.py fetch through it end to end.)"""

from __future__ import annotations

from scrapy.core.downloader.contextfactory import _get_creator_context
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.tls import SharedContextFactory


def _factory(verify: bool) -> SharedContextFactory:
    crawler = get_crawler(settings_dict={"DOWNLOAD_VERIFY_CERTIFICATES": verify})
    return SharedContextFactory.from_crawler(crawler)


def test_connections_to_many_hosts_share_one_context() -> None:
    factory = _factory(verify=False)
    contexts = {id(_get_creator_context(factory.creatorForNetloc(host, 443)))
                for host in (b"a.example.cn", b"b.example.cn", b"www.other.cn")}
    assert len(contexts) == 1


def test_verifying_certificates_keeps_scrapy_s_own_context_per_connection() -> None:
    factory = _factory(verify=True)
    first = _get_creator_context(factory.creatorForNetloc(b"a.example.cn", 443))
    second = _get_creator_context(factory.creatorForNetloc(b"b.example.cn", 443))
    assert first is not second


def test_the_project_settings_use_it() -> None:
    assert project_settings.DOWNLOADER_CLIENTCONTEXTFACTORY == "crawler.tls.SharedContextFactory"
