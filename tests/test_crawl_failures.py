"""A dead, a slow, a huge and a looping site never stop a portfolio run: every page gets a
status, every site is accounted for. A bad portfolio file stops the run before anything starts."""

from __future__ import annotations

import time

import pytest

from tests.farm import closed_port, page, run_crawl, serve_farm

pytestmark = pytest.mark.slow  # crawls a farm in a subprocess

HUGE = 60 * 1024 * 1024  # beyond DOWNLOAD_MAXSIZE: cut off, never loaded whole

SITES = {"hosts": {
    "fine.cn": {"pages": {"/": {"body": page()}}},
    "www.fine.cn": {"pages": {"/": {"body": page()}}},
    "slow.cn": {"pages": {"/": {"body": page(), "delay": 8}}},
    "www.slow.cn": {"pages": {"/": {"body": page(), "delay": 8}}},
    "huge.cn": {"pages": {"/": {"size": HUGE}}},
    "www.huge.cn": {"pages": {"/": {"size": HUGE}}},
    "loop.cn": {"pages": {"/": {"status": 302, "location": "https://loop.cn/a"},
                          "/a": {"status": 302, "location": "https://loop.cn/"}}},
    "www.loop.cn": {"pages": {"/": {"status": 503, "body": "maintenance"}}},
}}

PORTFOLIO = """
organisations:
  - name: 某某公司
    domains:
      - domain: fine.cn
      - domain: dead.cn
      - domain: slow.cn
      - domain: huge.cn
      - domain: loop.cn
"""


def test_failures_get_statuses_and_the_run_goes_on(tmp_path):
    dead = closed_port()
    with serve_farm(SITES, tmp_path / "farm") as farm:
        started = time.monotonic()
        run = run_crawl(PORTFOLIO, tmp_path, "--render", "never", "--timeout", "2",
                        resolve=(f"*.dead.cn:127.0.0.1:{dead}", farm.resolve))
        elapsed = time.monotonic() - started
    assert run.returncode in (0, 1), run.stderr[-3000:]
    pages = run.by_url()
    # Every homepage of every site has a record: nothing lost.
    for domain in ("fine.cn", "dead.cn", "slow.cn", "huge.cn", "loop.cn"):
        for host in (domain, "www." + domain):
            assert f"https://{host}/" in pages, (host, sorted(pages))
    assert pages["https://fine.cn/"]["status"] in ("ok", "needs_review")
    dead_page = pages["https://dead.cn/"]
    assert dead_page["status"] == "unreachable"
    assert dead_page["final_url"] == "http://dead.cn/"  # https failed, http was tried too
    assert "refused" in dead_page["error"]
    assert pages["https://slow.cn/"]["status"] == "timeout"
    huge = pages["https://huge.cn/"]
    assert huge["status"] == "too_large" and "10 MB limit" in huge["error"]
    loop = pages["https://loop.cn/"]
    assert loop["status"] == "redirect_loop" and "redirect loop" in loop["error"]
    www_loop = pages["https://www.loop.cn/"]
    assert www_loop["status"] == "http_error" and www_loop["http_status"] == 503
    for record in run.pages():
        if record["status"] not in ("ok", "needs_review", "needs_rendering"):
            assert record["violations"] == [] and record["error"]
    # Timeouts (2 s, one retry) bound the run, not the slow site's 8 s per answer.
    assert elapsed < 60
    assert "error:" not in run.stderr and "Traceback" not in run.stderr


def test_bad_portfolio_file_names_line_and_field_and_nothing_starts(tmp_path):
    bad = ("organisations:\n  - name: 某公司\n    domains:\n      - domain: fine.cn\n"
           "        render: sometimes\n")
    with serve_farm(SITES, tmp_path / "farm") as farm:
        run = run_crawl(bad, tmp_path, resolve=(farm.resolve,), timeout=60)
        requested = farm.requests()
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert "portfolio.yaml:5" in lines[0]
    assert "organisations.0.domains.0.render" in lines[0]
    assert requested == [] and run.records == []
