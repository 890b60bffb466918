"""`footer-audit rules [CODE]` (crawler/commands/rules_cmd.py), run as a process."""

from __future__ import annotations

import json
import subprocess
import sys

from rules.registry import RULES

CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def test_list_and_explain() -> None:
    out = run("rules")
    assert out.returncode == 0
    for rule in RULES:
        assert rule.code in out.stdout
    out = run("rules", "icp_link_wrong_target")
    assert out.returncode == 0
    assert "icp_link_wrong_target (error; tags: icp, link" in out.stdout
    for section in ("What it checks", "Why it matters", "Use instead", "References"):
        assert section in out.stdout


def test_json_forms() -> None:
    listing = json.loads(run("rules", "--json").stdout)
    assert [r["code"] for r in listing["rules"]] == [r.code for r in RULES]
    one = json.loads(run("rules", "gongan_missing_icon", "--json").stdout)
    assert one["severity"] == "warning" and one["explanation"].startswith("gongan_missing_icon:")
    tagged = json.loads(run("rules", "--json", "--tag", "layout").stdout)
    assert {r["code"] for r in tagged["rules"]} == {
        "icp_not_visible", "icp_link_covered", "icp_position_not_bottom_centre"}


def test_unknown_code_is_one_line_and_exit_2() -> None:
    out = run("rules", "icp_no_such_rule")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "icp_no_such_rule" in out.stderr
    assert "Traceback" not in out.stderr
