"""Dead runs: a crawl killed outright leaves its run `running`; any later command closes it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from crawler.reports.store import Run, new_run_id
from crawler.reports.store.base import ABANDONED_NOTE
from crawler.reports.store.closing import close_run
from crawler.reports.store.liveness import STALE_AFTER, is_dead, mark_dead_runs, this_worker
from tests.redis_server import BACKENDS, open_test_store, page_record


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_test_store(request.param, tmp_path) as s:
        yield s


def _ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dead_worker() -> str:
    """The worker id of a process that ran here and is gone."""
    code = "from crawler.reports.store.liveness import this_worker; print(this_worker())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_runs_of_dead_processes_are_closed_incomplete_and_live_ones_kept(store):
    dead = Run(id=new_run_id(), portfolio="acme", worker=_dead_worker(), heartbeat=_ago(1))
    live = Run(id=new_run_id(), portfolio="acme", worker=this_worker(), heartbeat=_ago(3600))
    far_silent = Run(id=new_run_id(), portfolio="acme", worker="elsewhere:1:1",
                     heartbeat=_ago(STALE_AFTER + 60))
    far_alive = Run(id=new_run_id(), portfolio="acme", worker="elsewhere:1:1",
                    heartbeat=_ago(5))
    for run in (dead, live, far_silent, far_alive):
        store.create_run(run)
    store.put_page(dead.id, page_record("https://a.example.cn/", [("icp_missing", "")]))

    closed = mark_dead_runs(store)
    assert sorted(r.id for r in closed) == sorted([dead.id, far_silent.id])
    got = store.get_run(dead.id)
    assert got.status == "incomplete" and got.note.startswith(ABANDONED_NOTE)
    assert got.finished == dead.heartbeat and got.counts["pages"] == 1
    assert store.get_run(live.id).status == "running"  # this very process: alive
    assert store.get_run(far_alive.id).status == "running"
    assert mark_dead_runs(store) == []  # nothing left to do


def test_a_reused_pid_is_not_taken_for_the_crawl():
    host, pid, ticks = this_worker().split(":")
    assert not is_dead(Run(id="r", portfolio="p", worker=f"{host}:{pid}:{ticks}"))
    assert is_dead(Run(id="r", portfolio="p", worker=f"{host}:{pid}:{int(ticks) + 1}"))


def test_a_writer_that_comes_back_may_still_close_an_abandoned_run(store):
    """Marked dead while its results waited in a spool elsewhere: the replayed close wins."""
    run = Run(id=new_run_id(), portfolio="acme", worker=_dead_worker())
    store.create_run(run)
    mark_dead_runs(store)
    assert store.get_run(run.id).status == "incomplete"
    assert close_run(store, run.id, "finished").status == "finished"
    assert store.get_run(run.id).note == ""
    # A run closed normally keeps its first status.
    assert close_run(store, run.id, "incomplete").status == "finished"
