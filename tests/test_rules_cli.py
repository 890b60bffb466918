"""`footer-audit rules [CODE]` (crawler/app/commands/rules_cmd.py): listings and explanations
in-process (typer's CliRunner), an unknown code's exit status as a process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner, Result

from crawler.app.cli import app
from rules.registry import RULES

CLI = [sys.executable, "-c", "from crawler.app.cli import main; main()"]


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def test_list_and_explain() -> None:
    out = invoke("rules")
    for rule in RULES:
        assert rule.code in out.stdout
    out = invoke("rules", "icp_link_wrong_target")
    assert "icp_link_wrong_target (error; tags: icp, link" in out.stdout
    for section in ("What it checks", "Why it matters", "Use instead", "References"):
        assert section in out.stdout


def test_json_forms() -> None:
    listing = json.loads(invoke("rules", "--json").stdout)
    assert [r["code"] for r in listing["rules"]] == [r.code for r in RULES]
    one = json.loads(invoke("rules", "gongan_missing_icon", "--json").stdout)
    assert one["severity"] == "warning" and one["explanation"].startswith("gongan_missing_icon:")
    tagged = json.loads(invoke("rules", "--json", "--tag", "layout").stdout)
    assert {r["code"] for r in tagged["rules"]} == {
        "icp_not_visible", "icp_link_covered", "icp_position_not_bottom_centre"}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.slow
def test_unknown_code_is_one_line_and_exit_2() -> None:
    # As a process: main() turns the error into one line on stderr and the exit status.
    out = run("rules", "icp_no_such_rule")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "icp_no_such_rule" in out.stderr
    assert "Traceback" not in out.stderr


def test_explanation_in_chinese_first() -> None:
    from typer.testing import CliRunner

    from crawler.app.cli import app

    out = CliRunner().invoke(app, ["rules", "gongan_missing_icon"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    text = out.stdout
    zh = [text.index(h) for h in ("检查内容", "为何重要", "改用", "所需条件")]
    en = [text.index(h) for h in ("What it checks", "Why it matters", "Use instead", "Needs")]
    assert zh == sorted(zh) and en == sorted(en) and zh[-1] < en[0]
    assert "gongan_missing_icon：备案号旁没有公安备案图标" in text
    # Chinese paragraphs wrapped in the source read as one line (no space at the joins).
    assert "公安链接内或其旁边（或备案号旁边）没有 src 非空的 <img>。旧版代码中的" in text
    one = json.loads(CliRunner().invoke(app, ["rules", "gongan_missing_icon", "--json"]).stdout)
    assert one["summary_zh"] == "备案号旁没有公安备案图标（或 src=\"\"）"
    assert one["explanation_zh"].startswith("## 检查内容")
