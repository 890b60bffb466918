"""crawler/fetch/tls.py: static connections share one OpenSSL context unless certificates
are verified. (The https crawls of tests/test_crawl_*.py fetch through it end to end.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.fetch.tls import share_tls_context

ROOT = Path(__file__).resolve().parent.parent

# In a subprocess: the handler needs the asyncio reactor installed, which pytest's process is not.
SCRIPT = textwrap.dedent("""
    import sys
    from scrapy.core.downloader.contextfactory import _get_creator_context
    from scrapy.utils.reactor import install_reactor
    from scrapy.utils.test import get_crawler

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from crawler import settings as project
    from crawler.render.handler import SharedPlaywrightDownloadHandler
    from crawler.fetch.tls import share_tls_context

    settings = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    settings["DOWNLOAD_VERIFY_CERTIFICATES"] = sys.argv[1] == "verify"
    handler = SharedPlaywrightDownloadHandler.from_crawler(get_crawler(settings_dict=settings))
    factory = handler._contextFactory
    contexts = {id(_get_creator_context(factory.creatorForNetloc(host, 443)))
                for host in (b"a.example.cn", b"b.example.cn", b"www.other.cn")}
    print(len(contexts), share_tls_context(handler))
""")


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "expected"), [
    ("no-verify", "1 True"),  # the project's default: one context for every host
    ("verify", "3 False"),  # Scrapy's own behaviour: a context per connection
])
def test_static_connections_share_one_tls_context_unless_verifying(mode, expected) -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == expected.split()


def test_a_handler_of_another_shape_is_left_alone() -> None:
    assert share_tls_context(object()) is False
