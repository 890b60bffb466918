"""`footer-audit report ...` driven through the CLI, on both backends."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from crawler.app.cli import app
from crawler.errors import StoreError, UsageError
from crawler.reports.store import Run, open_store
from crawler.reports.store.writer import close_run
from tests.redis_server import (
    SHARED_REDIS,
    free_port,
    page_record,
    redis_prefix_cleanup,
    unique_prefix,
)

runner = CliRunner()


@pytest.fixture(params=["sqlite", "redis"])
def target(request, tmp_path):
    """(global options, store) with two closed runs of portfolio `acme`."""
    if request.param == "sqlite":
        db = str(tmp_path / "cli.sqlite3")
        opts, store = ["--db", db], open_store(db)
    else:
        prefix = unique_prefix()
        opts = ["--redis", SHARED_REDIS, "--redis-prefix", prefix]
        store = open_store(SHARED_REDIS, prefix=prefix)
    for day, ids, pages in (
        (1, "20260501T000000-aaaaaa", {"a.example.cn": [("icp_missing", "")],
                                       "b.example.cn": [("copyright_missing", "")]}),
        (2, "20260502T000000-bbbbbb", {"a.example.cn": [("gongan_missing", "x, \"y\"")],
                                       "b.example.cn": [("copyright_missing", "")]}),
    ):
        run = Run(id=ids, portfolio="acme", trigger="nightly",
                  started=f"2026-05-{day:02d}T00:00:00.000000Z")
        store.create_run(run)
        for host, violations in pages.items():
            store.put_page(run.id, page_record(f"https://{host}/", violations))
        close_run(store, run.id, "finished")
    yield opts, store
    store.close()
    if request.param == "redis":
        redis_prefix_cleanup(SHARED_REDIS, opts[-1])


def invoke(opts, *args):
    return runner.invoke(app, ["report", *opts, *args], catch_exceptions=True)


def test_list_show_and_diff(target):
    opts, _ = target
    out = invoke(opts, "list", "--json")
    assert out.exit_code == 0, out.output
    assert [r["id"] for r in json.loads(out.output)] == ["20260502T000000-bbbbbb",
                                                         "20260501T000000-aaaaaa"]
    table = invoke(opts, "list").output
    assert "20260502T000000-bbbbbb" in table and "nightly" in table

    shown = json.loads(invoke(opts, "show", "20260502", "--json").output)
    assert shown["summary"]["violations"] == 2
    assert shown["changes"]["against"] == "20260501T000000-aaaaaa"
    assert "2 violation(s)" in invoke(opts, "show").output  # default: the latest run

    diff = json.loads(invoke(opts, "diff", "--json").output)
    assert diff["counts"]["new"] == 1 and diff["counts"]["fixed"] == 1
    assert diff["counts"]["still_open"] == 1
    assert diff["violations"]["fixed"][0]["rule"] == "icp_missing"
    text = invoke(opts, "diff", "20260502T000000-bbbbbb", "--against",
                  "20260501T000000-aaaaaa").output
    assert "new: 1" in text and "gongan_missing" in text


def test_ack_hides_a_violation_until_it_lapses(target):
    opts, _ = target
    out = invoke(opts, "ack", "B.example.cn", "copyright_missing", "--reason", "legal review",
                 "--owner", "王", "--until", "2999-01-01")
    assert out.exit_code == 0 and "until 2999-01-01" in out.output
    shown = json.loads(invoke(opts, "show", "--json").output)
    assert (shown["summary"]["violations"], shown["summary"]["waived"]) == (1, 1)
    assert "legal review" in invoke(opts, "waivers").output
    invoke(opts, "ack", "b.example.cn", "copyright_missing", "--reason", "x", "--until",
           "2000-01-01")  # lapsed: counted again
    assert json.loads(invoke(opts, "show", "--json").output)["summary"]["waived"] == 0
    assert invoke(opts, "ack", "b.example.cn", "copyright_missing", "--reason", "x",
                  "--remove").exit_code == 0
    assert invoke(opts, "waivers", "--json").output.strip() == "[]"
    bad = invoke(opts, "ack", "b.example.cn", "x", "--reason", "r", "--until", "tomorrow")
    assert isinstance(bad.exception, UsageError)


def test_export_each_format(target, tmp_path):
    opts, _ = target
    out = invoke(opts, "export", "-o", str(tmp_path / "r.csv"))
    assert out.exit_code == 0 and "2 violation(s)" in out.output
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["evidence"] for r in rows} == {'x, "y"', ""}
    assert invoke(opts, "export", "--format", "json", "-o", str(tmp_path / "r.txt")).exit_code == 0
    assert json.loads((tmp_path / "r.txt").read_text())["run"]["id"] == "20260502T000000-bbbbbb"
    assert invoke(opts, "export", "20260501", "-o", str(tmp_path / "r.html")).exit_code == 0
    assert "<table id=\"violations-table\">" in (tmp_path / "r.html").read_text()
    assert isinstance(invoke(opts, "export", "-o", str(tmp_path / "r.pdf")).exception, UsageError)
    assert isinstance(invoke(opts, "export", "nope", "-o", str(tmp_path / "x.csv")).exception,
                      StoreError)



def test_export_to_standard_output(target, tmp_path, monkeypatch):
    opts, _ = target
    monkeypatch.chdir(tmp_path)
    out = invoke(opts, "export", "--format", "json", "-o", "-")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["run"]["id"] == "20260502T000000-bbbbbb"
    assert "2 violation(s)" in out.stderr
    assert not (tmp_path / "-").exists()  # never a file named "-"
    assert isinstance(invoke(opts, "export", "-o", "-").exception, UsageError)  # format needed


def test_prune(target):
    opts, store = target
    assert "would delete 20260501T000000-aaaaaa" in invoke(opts, "prune", "--keep", "1",
                                                           "--dry-run").output
    assert len(store.list_runs()) == 2
    out = invoke(opts, "prune", "--keep", "1")
    assert "1 run(s) pruned" in out.output
    assert [r.id for r in store.list_runs()] == ["20260502T000000-bbbbbb"]
    assert isinstance(invoke(opts, "prune").exception, UsageError)


def test_reaudit_reports_what_todays_rules_change(tmp_path):
    pytest.importorskip("rules.audit")
    from rules.audit import audit_page
    from rules.model import PageInput

    footer = ("<html><body><div class=footer>© 2024 某某公司 版权所有 "
              "京ICP备12345678号-1</div></body></html>")
    today = {v.code for v in audit_page(PageInput("https://a.example.cn/", footer)).violations}
    assert "icp_link_missing" in today
    db = str(tmp_path / "re.sqlite3")
    with open_store(db) as store:
        run = Run(id="20260503T000000-cccccc", portfolio="acme", rules_version="2020.1")
        store.create_run(run)
        # Stored under old rules: one code today's rules no longer report, one they still do.
        store.put_page(run.id, page_record("https://a.example.cn/",
                                           [("retired_rule", ""), ("icp_link_missing", "x")],
                                           snapshot=footer))
        store.put_page(run.id, page_record("https://b.example.cn/", [], status="timeout",
                                           snapshot=""))
        close_run(store, run.id, "finished")
    result = json.loads(invoke(["--db", db], "reaudit", "--json").output)
    assert result["counts"]["pages"] == 2 and result["counts"]["no_snapshot"] == 1
    removed = {c["code"] for c in result["changes"]["removed"]}
    added = {c["code"] for c in result["changes"]["added"]}
    assert "retired_rule" in removed
    assert added | {c for c in today if c not in added} == today
    assert result["counts"]["added"] + result["counts"]["unchanged"] == len(today)


@pytest.mark.slow
def test_errors_are_one_line_with_their_exit_status(tmp_path):
    env_db = str(tmp_path / "none.sqlite3")
    proc = subprocess.run(
        [sys.executable, "-c", "from crawler.app.cli import main; main()", "report", "--redis",
         f"redis://127.0.0.1:{free_port()}/0", "list"], capture_output=True, text=True,
        timeout=60)
    assert proc.returncode == 4
    assert proc.stderr.strip().startswith("error: Redis at") and "\n" not in proc.stderr.strip()
    proc = subprocess.run(
        [sys.executable, "-c", "from crawler.app.cli import main; main()", "report", "--db", env_db,
         "show", "missing"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4 and "no run 'missing'" in proc.stderr


@pytest.mark.slow
def test_export_to_a_closed_pipe_is_quiet(tmp_path):
    """`report export ... -o - | head`: the reader leaves early; no error line, no traceback."""
    db = tmp_path / "pipe.sqlite3"
    store = open_store(str(db))
    run = Run(id="20260501T000000-cccccc", portfolio="acme", trigger="nightly",
              started="2026-05-01T00:00:00.000000Z")
    store.create_run(run)
    for i in range(3000):  # more than a pipe buffer holds
        store.put_page(run.id, page_record(f"https://s{i}.example.cn/", [("icp_missing", "")]))
    close_run(store, run.id, "finished")
    store.close()
    cli = f"{sys.executable} -c 'from crawler.app.cli import main; main()'"
    out = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {cli} report --db {db} export --format csv -o - "
                       "| head -n 2; echo \"status ${PIPESTATUS[0]}\" >&2"],
        capture_output=True, text=True, timeout=120)
    assert len(out.stdout.splitlines()) == 2
    assert "Broken pipe" not in out.stderr and "Traceback" not in out.stderr
    assert "error" not in out.stderr.lower()
    assert "status 0" not in out.stderr  # it did not finish: it stopped when the reader left
