"""Command-line usage answered in-process (typer's CliRunner): bad options and input files are
refused with one line and exit status 2 before anything is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.app.cli import app
from crawler.fetch.limits import MAX_PAGE_BYTES

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=True)


def _usage_error(result) -> str:
    """The message of a refused command (main() prints it; in-process it is the exception)."""
    assert result.exit_code != 0
    exc = result.exception
    assert exc is not None and getattr(exc, "exit_code", None) == 2, result.output
    return str(exc)


@pytest.mark.parametrize("command", [["check", "examples/homepage.html"], ["crawl", "example.cn"]])
def test_unknown_province_lists_the_provinces(command: list[str]) -> None:
    message = _usage_error(invoke(*command, "--province", "火星"))
    assert "火星" in message and "广东(粤)" in message and "北京(京)" in message


@pytest.mark.parametrize("command", [["check", "examples/homepage.html"], ["crawl", "example.cn"]])
def test_malformed_expected_icp_shows_the_form(command: list[str]) -> None:
    message = _usage_error(invoke(*command, "--expect-icp", "garbage"))
    assert "garbage" in message and "京ICP备12345678号-1" in message


def test_malformed_expected_gongan_code() -> None:
    message = _usage_error(invoke("check", "examples/homepage.html", "--expect-gongan", "123"))
    assert "14-digit" in message


def test_empty_local_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    message = _usage_error(invoke("check", str(empty)))
    assert "is empty" in message and "server" not in message


def test_local_file_over_the_page_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as f:  # sparse: no need to write 10 MiB
        f.truncate(MAX_PAGE_BYTES + 1)
    message = _usage_error(invoke("check", str(big), "--render", "never"))
    assert "MiB" in message and str(big) in message


@pytest.mark.parametrize("args", [
    ["check", "./no-such-page.html"],
    ["check", "ftp://example.cn/"],
    ["check", "not a domain"],
    ["check", "example.cn", "--render", "sometimes"],
    ["check", "example.cn", "--expect-gongan", "1101"],
    ["check", "example.cn", "--timeout", "0"],
    ["check"],
])
def test_bad_usage_exits_2_before_anything_is_fetched(args: list[str]) -> None:
    result = invoke(*args)
    if isinstance(result.exception, SystemExit):  # refused by typer itself, which printed it
        assert result.exit_code == 2, result.output
    else:  # refused by our checks: a UsageError (exit 2) that main() prints in one line
        _usage_error(result)
    assert result.stdout == ""


@pytest.mark.parametrize("command", [["crawl", "a.cn"], ["run", "examples/portfolio.yaml"]])
def test_bad_resolve_rule_is_refused_before_anything_starts(command: list[str],
                                                            tmp_path: Path) -> None:
    result = runner.invoke(app, [*command, "--resolve", "a.cn:not-an-address"],
                           env={"XDG_DATA_HOME": str(tmp_path), "REDIS_URL": ""})
    assert "--resolve" in _usage_error(result) and "not-an-address" in _usage_error(result)


def test_help_shows_flags_without_a_value() -> None:
    out = invoke("check", "--help").output
    assert "<bool>" not in out
    assert "--json " in out and "--help " in out


@pytest.mark.slow
@pytest.mark.parametrize(("code", "heavy"), [
    # `footer-audit --help` and every command's help: no crawl engine, browser driver or parser.
    ("import crawler.app.cli", {"scrapy", "twisted", "playwright", "scrapy_playwright", "lxml",
                                "fastapi", "starlette", "uvicorn", "limits"}),
    # `footer-audit rules`: the registry, still without the HTML parser.
    ("import crawler.app.cli, rules.registry", {"scrapy", "twisted", "playwright", "lxml"}),
])
def test_commands_import_what_they_need_when_they_run(code: str, heavy: set[str]) -> None:
    import subprocess
    import sys

    probe = f"{code}; import sys; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, check=True)
    assert not heavy & set(out.stdout.split())


@pytest.mark.parametrize("command", [["check", "examples/homepage.html"], ["crawl", "example.cn"],
                                     ["run", "examples/portfolio.yaml"],
                                     ["schedule", "examples/portfolio.yaml"]])
def test_render_mode_is_one_choice_checked_by_the_command_line(command: list[str]) -> None:
    result = invoke(*command, "--render", "sometimes")
    assert result.exit_code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in result.output


def test_run_refuses_an_organisation_or_domain_not_in_the_portfolio(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text("organisations:\n  - name: 某某公司\n    domains:\n"
                         "      - domain: example.cn\n", encoding="utf-8")
    message = _usage_error(invoke("run", str(portfolio), "--org", "别的公司", "--no-store"))
    assert "--org '别的公司': no such organisation" in message and "某某公司" in message
    message = _usage_error(invoke("run", str(portfolio), "--domain", "other.cn", "--no-store"))
    assert "--domain 'other.cn': no such domain" in message


def test_a_run_id_is_a_plain_word() -> None:
    message = _usage_error(invoke("crawl", "example.cn", "--run-id", "../x y", "--no-store"))
    assert message.startswith("--run-id '../x y'")


@pytest.mark.parametrize(("args", "says"), [
    (["--rate", "lots"], "--rate"),
    (["--rate", "0/minute"], "--rate"),
    (["--allow-origin", "*"], "no wildcard"),
    (["--allow-network", "not-a-range"], "--allow-network"),
    (["--max-body", "5 parsecs"], "--max-body"),
])
def test_serve_refuses_bad_options_before_it_listens(args: list[str], says: str) -> None:
    assert says in _usage_error(invoke("serve", "--port", "1", *args))
