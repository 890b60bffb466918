"""`footer-audit check` as a user runs it: a subprocess against pages served on 127.0.0.1,
checking the JSON contract (docs/check.md) and every exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.mockserver import GONGAN, ICP, MockServer, footer_html, page

CONTRACT_KEYS = {"url", "final_url", "status", "http_status", "rendered", "encoding",
                 "findings", "violations"}
TRANSPORT_KEYS = {"redirect_chain", "error"}


def check_json(run_cli: Any, *args: str,
               env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    proc = run_cli("check", "--json", *args, env=env)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def test_json_contract_on_a_compliant_gbk_page(run_cli: Any, mockserver: MockServer) -> None:
    code, result, stderr = check_json(run_cli, mockserver.url("/gbk"), "--render", "never",
                                      "--expect-icp", ICP, "--expect-gongan", GONGAN)
    assert code == 0, stderr
    assert set(result) >= CONTRACT_KEYS | TRANSPORT_KEYS
    assert (result["status"], result["http_status"], result["encoding"]) == ("ok", 200, "gbk")
    assert result["rendered"] is False
    (icp,) = result["findings"]["icp"]
    assert icp["number"] == ICP
    assert (icp["kind"], icp["region"], icp["valid"]) == ("site", "京", True)
    assert icp["link"] == "https://beian.miit.gov.cn/"
    assert icp["visible"] is None  # not rendered
    (gongan,) = result["findings"]["gongan"]
    assert (gongan["code"], gongan["icon"]) == (GONGAN, True)
    assert not [v for v in result["violations"] if v["severity"] == "error"]


def test_violation_of_severity_error_exits_1(run_cli: Any, mockserver: MockServer) -> None:
    code, result, _ = check_json(run_cli, mockserver.url("/unlinked"), "--render", "never")
    assert code == 1
    codes = {v["code"]: v for v in result["violations"]}
    violation = codes["icp_link_missing"]
    assert violation["severity"] == "error"
    assert violation["message"] and violation["message_zh"]
    assert ICP in violation["evidence"]


def test_expectation_mismatch(run_cli: Any, mockserver: MockServer) -> None:
    code, result, _ = check_json(run_cli, mockserver.url("/ok"), "--render", "never",
                                 "--expect-icp", "京ICP备87654321号-1")
    assert code == 1
    assert "icp_mismatch" in {v["code"] for v in result["violations"]}


def test_readable_report(run_cli: Any, mockserver: MockServer) -> None:
    proc = run_cli("check", mockserver.url("/unlinked"), "--render", "never")
    assert proc.returncode == 1
    out = proc.stdout
    assert ICP in out
    assert "icp_link_missing" in out and "ERROR" in out
    assert out.strip().splitlines()[-1].startswith("FAIL")


def test_local_file(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(page(footer_html()), encoding="utf-8")
    code, result, _ = check_json(run_cli, str(path), "--render", "never")
    assert code == 0
    assert result["url"] == path.resolve().as_uri()
    assert result["findings"]["icp"][0]["number"] == ICP


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/not-html", "http_error", "not an HTML page"),
    ("/empty", "http_error", "empty page"),
    ("/status/503", "http_error", "HTTP 503"),
    ("/drop", "unreachable", "connection closed"),
])
def test_unfetchable_pages_exit_3(run_cli: Any, mockserver: MockServer, path: str, status: str,
                                  words: str) -> None:
    proc = run_cli("check", mockserver.url(path), "--render", "never")
    assert proc.returncode == 3
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert words in lines[0] and status in lines[0]


def test_dead_host_exits_3_with_one_line_and_json(run_cli: Any, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/"
    code, result, stderr = check_json(run_cli, url)  # the default render mode
    assert code == 3
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "connection refused" in lines[0] and url in lines[0]
    assert (result["status"], result["error"]) == ("unreachable", "connection refused")
    assert result["findings"] == {"icp": [], "gongan": [], "copyright": [], "licences": []}


def test_timeout_exits_3(run_cli: Any, mockserver: MockServer) -> None:
    proc = run_cli("check", mockserver.url("/delay?s=5"), "--render", "never", "--timeout", "1")
    assert proc.returncode == 3
    assert "timed out" in proc.stderr and "(timeout)" in proc.stderr


def test_resolve_sends_a_real_host_name_to_the_test_server(run_cli: Any,
                                                           mockserver: MockServer) -> None:
    port = mockserver.base.rsplit(":", 1)[1]
    code, result, _ = check_json(run_cli, "http://www.example.cn/ok", "--render", "never",
                                 "--resolve", f"*.example.cn:127.0.0.1:{port}")
    assert code == 0
    assert result["final_url"] == "http://www.example.cn/ok"
    assert result["findings"]["icp"][0]["number"] == ICP


NO_BROWSER = {"FOOTER_AUDIT_CHROMIUM": "/nonexistent/chromium"}


def test_no_browser_default_falls_back_to_static(run_cli: Any, mockserver: MockServer) -> None:
    code, result, stderr = check_json(run_cli, mockserver.url("/ok"), env=NO_BROWSER)
    assert code == 0
    assert result["rendered"] is False
    assert stderr.strip().splitlines() == [
        "notice: no Chromium found, reading the page statically (set FOOTER_AUDIT_CHROMIUM to "
        "a Chromium executable or run `playwright install chromium`)"]


def test_no_browser_and_render_always_asked_is_an_error(run_cli: Any,
                                                         mockserver: MockServer) -> None:
    proc = run_cli("check", mockserver.url("/ok"), "--render", "always", env=NO_BROWSER)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--render always needs Chromium" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_browser_that_fails_to_start_leaves_the_static_html(run_cli: Any,
                                                              mockserver: MockServer) -> None:
    # An executable that is no browser: Playwright's launch fails, the page is read statically
    # and, its static HTML showing no marks, is needs_rendering (never a pass).
    code, result, stderr = check_json(run_cli, mockserver.url("/js-footer"),
                                      env={"FOOTER_AUDIT_CHROMIUM": "/bin/false"})
    assert (result["status"], result["rendered"]) == ("needs_rendering", False)
    assert code == 1  # the static HTML shows no ICP number
    assert "launch" in result["error"]  # the reason is in the result, not in log lines
    assert stderr.strip() == ""  # no log lines without -v


def test_check_logs_only_with_verbose(run_cli: Any, mockserver: MockServer) -> None:
    proc = run_cli("check", mockserver.url("/js-footer"), "--json", "-v",
                   env={"FOOTER_AUDIT_CHROMIUM": "/bin/false"})
    assert "Rendering" in proc.stderr and "Traceback" not in proc.stderr



@pytest.mark.browser
def test_rendered_check_finds_the_js_footer(run_cli: Any, mockserver: MockServer) -> None:
    # The default render mode is "always" when a browser exists.
    code, result, stderr = check_json(run_cli, mockserver.url("/js-footer"))
    assert code == 0, stderr
    assert result["rendered"] is True
    (icp,) = result["findings"]["icp"]
    assert (icp["number"], icp["visible"]) == (ICP, True)


@pytest.mark.browser
def test_static_check_misses_the_js_footer(run_cli: Any, mockserver: MockServer) -> None:
    code, result, _ = check_json(run_cli, mockserver.url("/js-footer"), "--render", "never")
    assert result["rendered"] is False
    assert result["findings"]["icp"] == []
    assert result["status"] == "needs_rendering"
    assert code == 1  # never a pass: the static HTML shows no ICP number


@pytest.mark.browser
def test_render_auto_decides_end_to_end(run_cli: Any, mockserver: MockServer) -> None:
    code, js, _ = check_json(run_cli, mockserver.url("/js-footer"), "--render", "auto")
    assert (js["rendered"], js["status"]) == (True, "ok")
    assert [m["number"] for m in js["findings"]["icp"]] == [ICP]
    code, static, _ = check_json(run_cli, mockserver.url("/ok"), "--render", "auto")
    assert (code, static["rendered"], static["status"]) == (0, False, "ok")


@pytest.mark.browser
def test_layout_facts_reach_the_verdict(run_cli: Any, mockserver: MockServer) -> None:
    _, hidden, _ = check_json(run_cli, mockserver.url("/hidden-footer"))
    assert hidden["rendered"] is True
    assert "icp_not_visible" in {v["code"] for v in hidden["violations"]}
    _, covered, _ = check_json(run_cli, mockserver.url("/covered"))
    assert "icp_link_covered" in {v["code"] for v in covered["violations"]}


@pytest.mark.browser
def test_render_timeout_is_needs_review_never_a_pass(run_cli: Any,
                                                     mockserver: MockServer) -> None:
    code, result, stderr = check_json(run_cli, mockserver.url("/slow-script"), "--timeout", "2")
    assert code == 0  # no violation is claimed either: the rules that could not look say so
    assert result["status"] == "needs_review"
    assert result["rendered"] is False
    assert "render_timeout" in {r["reason"] for r in result["review"]}
    assert "Traceback" not in stderr


@pytest.mark.browser
def test_local_file_is_rendered_with_its_relative_script(run_cli: Any, tmp_path: Path) -> None:
    """A saved page whose footer a script beside it writes: rendered like a live page, with
    layout facts, and reported under the file's own name."""
    (tmp_path / "footer.js").write_text(
        "document.getElementById('f').innerHTML = " + json.dumps(footer_html()) + ";",
        encoding="utf-8")
    path = tmp_path / "saved page.html"
    path.write_text(page('<footer id="f"></footer><script src="footer.js"></script>'),
                    encoding="utf-8")
    code, result, stderr = check_json(run_cli, str(path), "--render", "always")
    assert code == 0, stderr
    assert result["url"] == result["final_url"] == path.resolve().as_uri()
    assert result["rendered"] is True
    (icp,) = result["findings"]["icp"]
    assert (icp["number"], icp["visible"]) == (ICP, True)
    static_code, static, _ = check_json(run_cli, str(path), "--render", "never")
    assert static["findings"]["icp"] == [] and static["status"] == "needs_rendering"
    assert static_code == 1  # never a pass


def test_readable_report_orders_by_severity_and_says_how_to_fix(run_cli: Any,
                                                                tmp_path: Path) -> None:
    # One error (unlinked number), one warning (no badge), one info (legacy 公安 link), in the
    # catalogue order error, info, warning... printed errors first.
    footer = (f"<footer><p>© 2026 北京某某科技有限公司 版权所有</p><p>{ICP}</p>"
              f'<p><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
              f'{GONGAN}">京公网安备{GONGAN}号</a></p></footer>')
    path = tmp_path / "page.html"
    path.write_text(page(footer), encoding="utf-8")
    proc = run_cli("check", str(path), "--render", "never", "--org", "北京某某科技有限公司")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    severities = re.findall(r"^  (ERROR|WARNING|INFO) +(\w+)$", out, re.M)
    assert [s for s, _ in severities] == ["ERROR", "WARNING", "INFO"], out
    assert [c for _, c in severities] == ["icp_link_missing", "gongan_missing_icon",
                                          "gongan_link_legacy"]
    # Each violation: Chinese then English message, the fix in both, the command to read more.
    block = out.split("icp_link_missing", 1)[1].split("WARNING", 1)[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    assert lines[0] == f"{ICP} 未链接到工信部备案系统"
    assert lines[1] == f"{ICP} is not linked to the MIIT filing system"
    assert lines.index("修改: 把备案号放在指向工信部备案系统的链接中") \
        < lines.index("fix: Put the number inside a link to the MIIT system")
    assert f'<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">{ICP}</a>' \
        in lines
    assert lines[-1] == "详情 more: footer-audit rules icp_link_missing"
    legacy = out.split("gongan_link_legacy", 1)[1]
    assert f"https://beian.mps.gov.cn/#/query/webSearch?code={GONGAN}" in legacy
    assert (f"Compliant footer: footer-audit snippet --org '北京某某科技有限公司' --icp '{ICP}' "
            f"--gongan {GONGAN}") in out
    assert out.strip().splitlines()[-1] == "FAIL: 1 error, 1 warning, 1 info (status ok)"
    # The JSON carries the same fixes.
    code, result, _ = check_json(run_cli, str(path), "--render", "never")
    assert code == 1
    fixes = {v["code"]: (v["fix"], v["fix_zh"]) for v in result["violations"]}
    assert fixes["icp_link_missing"][0].startswith("Put the number inside a link")
    assert fixes["icp_link_missing"][1].startswith("把备案号放在")


def test_verdict_plurals() -> None:
    from io import StringIO

    from rich.console import Console

    from crawler.app.commands.check_cmd import print_report
    from rules.audit import audit_page
    from rules.model import PageInput

    def verdict(footer: str) -> str:
        result = audit_page(PageInput("https://www.example.cn/", page(footer))).to_json()
        buf = StringIO()
        print_report(result, Console(file=buf, width=200, no_color=True))
        return buf.getvalue().strip().splitlines()[-1]

    assert verdict(footer_html()) == "PASS: 0 errors, 0 warnings, 0 info"
    assert verdict(f"<footer><p>{ICP}</p><p>京ICP备1234567号</p></footer>").startswith(
        "FAIL: 2 errors, ")
    assert verdict(footer_html(link=False)) == "FAIL: 1 error, 0 warnings, 0 info (status ok)"


def test_snippet_hint_never_proposes_another_provinces_number() -> None:
    from crawler.app.commands.check_cmd import _snippet_hint
    from rules.audit import audit_page
    from rules.model import Expectations, PageInput

    result = audit_page(PageInput("https://www.example.cn/", page(footer_html()))).to_json()
    assert "--icp '<ICP备案号>'" in _snippet_hint(result, Expectations(province="上海"))
    hint = _snippet_hint(result, Expectations(province="北京", org="北京某某科技有限公司"))
    assert hint == (f"footer-audit snippet --org '北京某某科技有限公司' --icp '{ICP}' "
                    f"--gongan {GONGAN} --province '北京'")
