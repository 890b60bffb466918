"""The address policy in real crawls: a name that resolves to 127.0.0.1 (`localhost`), a loopback
address written in a URL and a public page's redirect to them are refused, statically and in
Chromium, unless allowed. Every connection goes to the farm on 127.0.0.1 and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.render.browser import find_chromium
from tests.farm import closed_port, footer, page, run_crawl, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess


def _sites(port: int) -> dict:
    local = f"http://localhost:{port}"
    return {"hosts": {
        "safe.cn": {"pages": {
            "/": {"body": page("安全", foot=footer())},
            "/go": {"status": 302, "location": f"{local}/landing"},
        }},
        "www.safe.cn": {"pages": {"/": {"body": page("安全", foot=footer())}}},
        "www.shown.cn": {"pages": {"/": {"body": page(
            f'<script src="{local}/probe.js"></script>'
            f'<iframe src="http://127.0.0.1:{port}/frame"></iframe>', foot=footer())}}},
        "shown.cn": {"pages": {"/": {"status": 301, "location": "https://www.shown.cn/"}}},
        # Rendered at once: Chromium follows the redirect itself.
        "hop.cn": {"pages": {"/": {"status": 302, "location": f"{local}/hop"}}},
        "www.hop.cn": {"pages": {"/": {"status": 302, "location": f"{local}/hop"}}},
        # 例子.中国: requests carry its A-label form.
        "xn--fsqu00a.xn--fiqs8s": {"pages": {"/": {"body": page("例子", foot=footer())}}},
        "www.xn--fsqu00a.xn--fiqs8s": {"pages": {"/": {"body": page("例子", foot=footer())}}},
        "localhost": {"pages": {
            "/landing": {"body": page("内网", foot=footer())},
            "/hop": {"body": page("内网", foot=footer())},
            "/inner": {"body": page("内网", foot=footer())},
            "/probe.js": {"body": "document.title = 'probed';",
                          "type": "application/javascript"},
        }},
        "127.0.0.1": {"pages": {"/frame": {"body": page("框架")},
                                "/literal": {"body": page("地址", foot=footer())}}},
    }}


def _portfolio(port: int, *, allow: str = "") -> str:
    return f"""\
crawl:
  link_depth: 0
  inner_pages: 0
{allow}organisations:
  - name: 北京某某科技有限公司
    icp: 京ICP备12345678号
    domains:
      - domain: safe.cn
        render: never
        start_urls:
          - https://safe.cn/go
          - http://localhost:{port}/inner
          - http://127.0.0.1:{port}/literal
      - domain: shown.cn
        render: always
      - domain: 例子.中国
        render: never
      - domain: hop.cn
        render: always
"""


def _crawl(tmp_path: Path, name: str, *args: str, allow: str = ""):
    port = closed_port()
    with serve_farm(_sites(port), tmp_path / f"farm-{name}", port=port) as farm:
        run = run_crawl(_portfolio(port, allow=allow), tmp_path / name, "--timeout", "10",
                        "--no-store", *args,
                        resolve=(f"*.safe.cn:127.0.0.1:{port}", f"*.shown.cn:127.0.0.1:{port}",
                                 f"*.例子.中国:127.0.0.1:{port}", f"*.hop.cn:127.0.0.1:{port}"))
        served = farm.requests()
    return port, run, served


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_loopback_is_refused_without_an_allowance(tmp_path):
    port, run, served = _crawl(tmp_path, "refused")
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    # A URL whose name resolves to 127.0.0.1, not mapped by --resolve: not sent.
    inner = pages[f"http://localhost:{port}/inner"]
    assert inner["status"] == "unreachable", inner
    assert inner["error"].startswith("not crawled: localhost resolves to "), inner["error"]
    assert "a loopback address" in inner["error"] and "--allow-network" in inner["error"]
    # A loopback address written in the URL.
    literal = pages[f"http://127.0.0.1:{port}/literal"]
    assert literal["status"] == "unreachable"
    assert literal["error"].startswith("not crawled: 127.0.0.1 is a loopback address")
    # A mapped public name redirecting there: the redirect is not followed to it.
    go = pages["https://safe.cn/go"]
    assert go["status"] == "unreachable" and "localhost resolves to" in go["error"]
    # The mapped sites themselves are crawled (the --resolve rule is the operator's allowance).
    assert pages["https://safe.cn/"]["status"] == "ok"
    shown = pages["https://shown.cn/"]
    assert shown["status"] == "ok" and shown["rendered"], shown
    # A homepage set to render that redirects to localhost: every page is fetched statically
    # before Chromium sees it, so the redirect is refused there and the browser never follows it.
    hop = pages["https://hop.cn/"]
    assert hop["status"] == "unreachable", hop
    assert hop["error"].startswith("not crawled: localhost resolves to "), hop["error"]
    assert not hop["violations"] and not hop["findings"]["icp"]
    # Nothing reached the farm under the refused names: not the pages, not the redirect's
    # target, not the rendered page's script and frame.
    refused = [r for r in served if r[1] in ("localhost", "127.0.0.1")]
    assert not refused, served
    assert ("https", "www.shown.cn", "/") in served
    # An internationalised domain is one site in one form, mapped by a rule written in Unicode.
    idn = pages["https://xn--fsqu00a.xn--fiqs8s/"]
    assert idn["status"] == "ok" and idn["domain"] == "xn--fsqu00a.xn--fiqs8s", idn
    assert "redirected_offsite" not in idn


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
@pytest.mark.parametrize("how", ["option", "portfolio"])
def test_an_allowed_network_is_crawled(tmp_path, how):
    if how == "option":
        port, run, served = _crawl(tmp_path, how, "--allow-network", "127.0.0.0/8")
    else:
        port, run, served = _crawl(tmp_path, how,
                                   allow="  allow_networks: [127.0.0.1]\n")
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    assert pages[f"http://localhost:{port}/inner"]["status"] == "ok"
    assert pages[f"http://127.0.0.1:{port}/literal"]["status"] == "ok"
    go = pages["https://safe.cn/go"]
    assert go["status"] == "ok" and go["final_url"] == f"http://localhost:{port}/landing"
    hop = pages["https://hop.cn/"]
    assert hop["status"] == "ok" and hop["rendered"], hop
    assert ("http", "localhost", "/probe.js") in served  # the rendered page's script
    assert ("http", "127.0.0.1", "/frame") in served
