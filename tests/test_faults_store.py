"""The fault suite for results and runs: a real `footer-audit run` against the crawl farm while
its disk fills up, its store directory is read-only, its Redis is killed, frozen or restarted
empty, or the crawl itself gets SIGTERM or SIGKILL (scenarios in bench/fault_runs.py, which
bench/faults.py measures). Every run must end in bounded time, lose nothing it audited (or stop
early with one error line and say so), never print a traceback per page, and leave a truthful
state in the store and in its exit status."""

from __future__ import annotations

import pytest

from bench.fault_runs import Unavailable, run_scenario
from crawler.app.commands.crawl_cmd import EXIT_INCOMPLETE, EXIT_SPOOLED
from crawler.reports.store.base import ABANDONED_NOTE

pytestmark = pytest.mark.faults


def _run(name: str, tmp_path, **kw):
    try:
        return run_scenario(name, tmp_path, **kw)
    except Unavailable as exc:
        pytest.skip(str(exc))


def _quiet(result, most: int = 8) -> None:
    """No traceback, and a handful of lines, not one per page."""
    assert result.tracebacks == 0, result.stderr[-3000:]
    assert len(result.stderr.splitlines()) <= most, result.stderr[-3000:]


def test_disk_full_spools_elsewhere_and_loses_nothing(tmp_path):
    r = _run("disk-full", tmp_path)
    _quiet(r)
    assert "No space left on device" in r.stderr
    assert r.exit_code == EXIT_SPOOLED, r.stderr[-2000:]
    assert r.audited == r.expected and r.extra["spools"] >= 1 and r.extra["replay"] == 0
    # Once the disk has room again, the replayed spool completes the run.
    assert (r.stored, r.lost, r.status) == (r.expected, 0, "finished")


def test_disk_full_with_nowhere_to_spool_stops_early_with_one_error(tmp_path):
    r = _run("disk-full-nowhere", tmp_path)
    _quiet(r)
    # Said once as an error; the closing summary may repeat it as the stored run's note.
    logged = [line for line in r.stderr.splitlines() if not line.startswith("run ")]
    assert sum("results cannot be kept" in line for line in logged) == 1, r.stderr
    assert r.exit_code == EXIT_INCOMPLETE
    assert r.audited < r.expected  # stopped early
    # Whatever the store holds is marked incomplete; the output kept every audited page.
    assert r.status == "incomplete" and r.stored < r.audited


def test_full_output_disk_stops_the_crawl_with_one_error(tmp_path):
    r = _run("output-full", tmp_path)
    _quiet(r)
    assert r.stderr.count("cannot write the results") == 1, r.stderr
    assert r.exit_code == EXIT_INCOMPLETE
    assert r.audited < r.expected  # stopped early
    assert r.status == "incomplete" and "output_failed" in r.note
    assert r.stored >= r.extra["output_lines"] > 0  # the store has what the output lost


def test_store_that_cannot_be_opened_spools_instead_of_switching_off(tmp_path):
    r = _run("read-only", tmp_path)
    _quiet(r)
    assert r.stderr.count("cannot be opened") == 1
    assert r.exit_code == EXIT_SPOOLED and "not stored" in r.stderr
    assert "stored, " not in r.stderr  # "run X stored" only when it was
    assert (r.audited, r.stored, r.status) == (r.expected, r.expected, "finished")


def test_redis_restarted_empty_gets_the_lost_pages_again_from_the_journal(tmp_path):
    """The pages written before the restart went with Redis's memory: the writer notices at
    once, and at close writes them again from the run's journal, and says so. (Without a
    journal the run is incomplete and names the missing sites: test_store_spool.)"""
    r = _run("redis-restarted-empty", tmp_path)
    _quiet(r)
    assert "lost run" in r.stderr and "written again from the run's journal" in r.stderr
    assert r.exit_code in (0, 1), r.stderr[-2000:]
    assert (r.audited, r.stored, r.lost, r.status) == (r.expected, r.expected, 0, "finished")
    assert "written again from the run's journal" in r.note


def test_frozen_redis_does_not_stall_the_crawl(tmp_path):
    base = _run("none", tmp_path / "base")
    assert base.exit_code in (0, 1) and base.status == "finished" and base.lost == 0
    r = _run("redis-frozen", tmp_path / "frozen")
    _quiet(r)
    # Frozen from mid-run to the end: a few seconds of timeouts at most, not 30 s per call.
    assert r.seconds < base.seconds + 15, (r.seconds, base.seconds)
    assert r.exit_code == EXIT_SPOOLED
    assert (r.audited, r.stored, r.status) == (r.expected, r.expected, "finished")


def test_redis_frozen_a_while_drains_its_spool_when_thawed(tmp_path):
    r = _run("redis-frozen-a-while", tmp_path)
    _quiet(r)
    assert r.exit_code in (0, 1), r.stderr[-2000:]
    assert r.extra["spools"] == 0 and "is back" in r.stderr
    assert (r.audited, r.stored, r.status) == (r.expected, r.expected, "finished")


def test_sigterm_ends_incomplete_with_its_own_exit_status(tmp_path):
    r = _run("sigterm", tmp_path)
    _quiet(r)
    assert r.exit_code == EXIT_INCOMPLETE
    assert r.status == "incomplete" and r.note.startswith("interrupted")
    assert 0 < r.audited < r.expected and r.lost == 0
    assert "stored, incomplete" in r.stderr


def test_a_forced_stop_exits_incomplete_and_the_next_command_closes_the_run(tmp_path):
    r = _run("sigterm-twice", tmp_path)
    _quiet(r)
    assert r.exit_code == EXIT_INCOMPLETE
    assert "was not closed" in r.stderr and "stored," not in r.stderr
    assert r.extra["status_before"] in ("running", "incomplete")
    assert r.status == "incomplete" and 0 < r.audited < r.expected and r.lost == 0


def test_sigkill_leaves_a_run_the_next_command_marks_incomplete(tmp_path):
    r = _run("sigkill", tmp_path)
    assert r.exit_code == -9
    assert r.extra["status_before"] == "running"
    assert r.status == "incomplete" and r.note.startswith(ABANDONED_NOTE)
    # What the writer thread had not stored yet comes from the run's journal.
    assert 0 < r.audited < r.expected and r.lost == 0
