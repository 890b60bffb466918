"""`footer-audit snippet` and rules/snippet.py: the compliant footer, and `check` passing on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crawler.app.cli import app
from crawler.errors import UsageError
from rules.snippet import GONGAN_BADGE_SRC, SnippetError, footer_facts, footer_snippet
from tests.mockserver import page

runner = CliRunner()

# (province, org, website number, 公安 code): the number the footer must show differs in 广东.
SITES = [
    ("北京", "北京某某科技有限公司", "京ICP备12345678号-1", "11010502030143"),
    ("广东", "广州某某网络科技有限公司", "粤ICP备10085786号-2", "44010602003743"),
    ("江苏", "江苏某某信息技术有限公司", "苏ICP备2021012345号-3", "32010202010456"),
    ("四川", "成都某某软件有限公司", "蜀ICP备10200063号-1", "51078202110037"),
]


def test_snippet_prints_the_marks_linked() -> None:
    out = runner.invoke(app, ["snippet", "--org", "北京某某科技有限公司", "--icp",
                              "京ICP备12345678号-1", "--gongan", "11010502030143"])
    assert out.exit_code == 0, out.output
    html = out.stdout
    assert '<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">' \
           "京ICP备12345678号-1</a>" in html
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143"' in html
    assert f'<img src="{GONGAN_BADGE_SRC}"' in html and "京公网安备11010502030143号</a>" in html
    assert "北京某某科技有限公司 版权所有" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # no remote fetch


def test_guangdong_shows_the_subject_number() -> None:
    facts = footer_facts("广州某某网络科技有限公司", "粤ICP备10085786号-2")
    assert facts.icp == "粤ICP备10085786号"
    assert facts.province.name == "广东"
    html = footer_snippet(facts, year=2026)
    assert ">粤ICP备10085786号</a>" in html and "-2" not in html
    assert "公网安备" not in html  # no 公安 code given: no 公安 line


@pytest.mark.parametrize(("args", "words"), [
    (["--icp", "京ICP备12345678号-1"], "--org"),
    (["--org", "某某"], "--icp must be the ICP filing number"),
    (["--org", "某某", "--icp", "京ICP备12345678号"], "outside 广东"),
    (["--org", "某某", "--icp", "萌ICP备20240001号"], "--icp must be"),
    (["--org", "某某", "--icp", "京ICP备12345678号-3A"], "APP"),
    (["--org", "某某", "--icp", "京ICP备12345678号-1", "--province", "火星"], "广东"),
    (["--org", "某某", "--icp", "京ICP备12345678号-1", "--province", "上海"], "not 上海"),
    (["--org", "某某", "--icp", "京ICP备12345678号-1", "--gongan", "1101050203"], "14-digit"),
    (["--org", "某某", "--portfolio", "x.yaml"], "go together"),
])
def test_bad_facts_are_a_usage_error(args: list[str], words: str) -> None:
    out = runner.invoke(app, ["snippet", *args])
    assert isinstance(out.exception, UsageError), out.output
    assert words in str(out.exception)
    assert out.stdout == ""


def test_snippet_error_is_a_value_error_for_library_callers() -> None:
    with pytest.raises(SnippetError, match="outside 广东"):
        footer_facts("某某", "沪ICP备2025152989号")


def test_portfolio_site(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.yaml"
    path.write_text(
        "organisations:\n"
        "  - name: 深圳某某科技有限公司\n"
        "    province: 广东\n"
        "    icp: 粤ICP备10085786号\n"
        "    domains:\n"
        "      - domain: example.cn\n"
        "        icp: 粤ICP备10085786号-1\n"
        '        gongan: "44030502001234"\n'
        "      - domain: example.com.cn\n", encoding="utf-8")
    out = runner.invoke(app, ["snippet", "--portfolio", str(path), "--site", "www.example.cn"])
    assert out.exit_code == 0, out.output
    assert "深圳某某科技有限公司 版权所有" in out.stdout
    assert ">粤ICP备10085786号</a>" in out.stdout
    assert "code=44030502001234" in out.stdout and "粤公网安备44030502001234号" in out.stdout
    # The organisation's subject number is enough in 广东; no 公安 code, no 公安 line.
    out = runner.invoke(app, ["snippet", "--portfolio", str(path), "--site", "example.com.cn"])
    assert out.exit_code == 0 and "公网安备" not in out.stdout
    out = runner.invoke(app, ["snippet", "--portfolio", str(path), "--site", "other.cn"])
    assert isinstance(out.exception, UsageError)
    assert "example.cn, example.com.cn" in str(out.exception)


def _snippet_page(tmp_path: Path, province: str, org: str, icp: str, gongan: str) -> Path:
    out = runner.invoke(app, ["snippet", "--org", org, "--icp", icp, "--gongan", gongan,
                              "--province", province])
    assert out.exit_code == 0, out.output
    path = tmp_path / f"{province}.html"
    path.write_text(page(out.stdout), encoding="utf-8")
    return path


def _check(run_cli: Any, path: Path | str, province: str, org: str, icp: str, gongan: str,
           render: str) -> dict[str, Any]:
    proc = run_cli("check", "--json", str(path), "--render", render, "--org", org,
                   "--province", province, "--expect-icp", icp, "--expect-gongan", gongan)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize(("province", "org", "icp", "gongan"), SITES)
def test_check_passes_on_the_snippet(run_cli: Any, tmp_path: Path, province: str, org: str,
                                     icp: str, gongan: str) -> None:
    result = _check(run_cli, _snippet_page(tmp_path, province, org, icp, gongan), province, org,
                    icp, gongan, "never")
    assert result["status"] == "ok"
    assert result["violations"] == []
    assert len(result["findings"]["icp"]) == 1 and len(result["findings"]["gongan"]) == 1


@pytest.mark.browser
def test_rendered_check_passes_on_the_guangdong_snippet(run_cli: Any, tmp_path: Path) -> None:
    # Rendered, the layout rules (visible, bottom centre, not covered) judge it as well.
    province, org, icp, gongan = SITES[1]
    path = _snippet_page(tmp_path, province, org, icp, gongan)
    result = _check(run_cli, str(path), province, org, icp, gongan, "always")
    assert result["rendered"] is True
    assert result["violations"] == [] and result["status"] == "ok"
