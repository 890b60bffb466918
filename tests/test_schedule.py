"""`footer-audit schedule`: fire times read as cron reads them, a run at a cron time a few seconds
ahead, two schedulers racing for one fire time on a real Redis (one run), a missed night run once
at start, SIGTERM during a run (the run is marked, nothing is left behind)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page
from crawler.errors import PortfolioError
from crawler.portfolio.cron import Cron
from crawler.portfolio.model import parse_portfolio
from crawler.schedule.coordination import FileCoordinator, RedisCoordinator
from tests.crawl_runs import ROOT
from tests.redis_server import redis_prefix_cleanup, unique_prefix

pytestmark = pytest.mark.slow  # schedulers in subprocesses, crawls of a farm

SHARED_REDIS = "redis://127.0.0.1:6379/0"
SITE = "nightly.cn"
FARM = {"hosts": {SITE: {"pages": {"/": {"body": page(foot=footer())}}},
                  f"www.{SITE}": {"pages": {"/": {"body": page(foot=footer())}}}}}


# -- fire times ------------------------------------------------------------------------------
def test_weekdays_and_zone_read_as_cron_reads_them():
    cron = Cron("0 2 * * 1-5", "Asia/Shanghai")  # Monday to Friday, 02:00 in Shanghai
    friday_noon = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    nxt = cron.next_after(friday_noon)
    assert (nxt.strftime("%a %H:%M"), nxt.utcoffset()) == ("Mon 02:00", timedelta(hours=8))
    assert cron.next_after(friday_noon).astimezone(UTC) == datetime(2026, 12, 6, 18, 0,
                                                                    tzinfo=UTC)
    assert cron.last_at_or_before(friday_noon).strftime("%a %d %H:%M") == "Fri 04 02:00"
    at_fire = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # Friday 02:00 in Shanghai exactly
    assert cron.last_at_or_before(at_fire) == at_fire
    assert Cron("0 2 * * 0", "UTC").next_after(friday_noon).strftime("%a") == "Sun"
    assert Cron("0 2 * * * 30", "UTC").next_after(friday_noon).second == 30


@pytest.mark.parametrize(("schedule", "problem"), [
    ('"61 2 * * *"', "schedule.cron: not a valid cron expression"),
    ('"0 2 * *"', "schedule.cron: a cron expression has 5 fields"),
    ("{cron: '0 2 * * *', timezone: Asia/Beijing}", "schedule.timezone: unknown time zone"),
    ("{at: '0 2 * * *'}", "schedule.at: unknown field"),
])
def test_bad_schedules_are_refused_with_their_line(schedule, problem):
    text = f"organisations:\n  - name: x\n    domains: [{{domain: a.cn}}]\nschedule: {schedule}\n"
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(text, "p.yaml")
    assert f"p.yaml:4: {problem}" in str(err.value)


def test_default_schedule():
    portfolio = parse_portfolio("organisations:\n  - name: x\n    domains: [{domain: a.cn}]\n",
                                "nightly.yaml")
    assert (portfolio.schedule.cron, portfolio.schedule.timezone) == ("0 2 * * *",
                                                                       "Asia/Shanghai")
    assert portfolio.name == "nightly"


# -- the scheduler, as a process -------------------------------------------------------------
def _portfolio(tmp_path: Path, schedule: str) -> Path:
    pf = tmp_path / "nightly.yaml"
    pf.write_text(f"crawl: {{inner_pages: 0}}\nschedule: {schedule}\norganisations:\n"
                  f"  - name: 北京某某科技有限公司\n    province: 北京\n"
                  f"    domains: [{{domain: {SITE}}}]\n", encoding="utf-8")
    return pf


def _start(pf: Path, tmp_path: Path, store: str, farm, *, env: dict | None = None,
           log: str = "scheduler") -> subprocess.Popen:
    full_env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                           full_env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-c", "from crawler.app.cli import main; main()", "schedule", str(pf),
           "--store", store, "--resolve", farm.resolve, "--render", "never", "--timeout", "5"]
    err = (tmp_path / f"{log}.log").open("w", encoding="utf-8")
    return subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=err, stderr=err)


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _runs(store_url: str, prefix: str | None = None) -> list:
    from crawler.reports.store import open_store

    with open_store(store_url, prefix=prefix) as store:
        return store.list_runs(portfolio="nightly")


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _log(tmp_path: Path, name: str = "scheduler") -> str:
    return (tmp_path / f"{name}.log").read_text(encoding="utf-8")


def _cron_and_time(seconds: float) -> tuple[str, datetime]:
    at = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)
    cron = f"{{cron: '{at.minute} {at.hour} {at.day} {at.month} * {at.second}', timezone: UTC}}"
    return cron, at


def test_cron_a_few_seconds_ahead_runs_the_portfolio(tmp_path):
    store = str(tmp_path / "store.sqlite3")
    cron, at = _cron_and_time(15)
    pf = _portfolio(tmp_path, cron)
    # Where the schedule stands: a scheduler slow to start on a busy machine still owes the
    # fire time (then it runs it as missed, at start).
    seed = FileCoordinator(Path(store))
    seed.set_last_fire("nightly", datetime.now(UTC))
    seed.close()
    with serve_farm(FARM, tmp_path / "farm") as farm:
        proc = _start(pf, tmp_path, store, farm)
        try:
            _wait_for(lambda: any(r.status != "running" for r in _runs(store)), 120,
                      "the scheduled run")
            assert proc.poll() is None  # still waiting for the next fire time
        finally:
            code = _stop(proc)
        hosts = farm.hosts_requested()
    assert code == 0, _log(tmp_path)[-3000:]
    (run,) = _runs(store)
    assert (run.trigger, run.status) == ("nightly", "finished")
    assert run.started >= at.strftime("%Y-%m-%dT%H:%M:%S")  # not before its time
    assert SITE in hosts
    log = _log(tmp_path)
    assert "starting the run of nightly" in log and "SIGTERM: stopping" in log
    # The fire time handled is kept in the store for the next start.
    coordinator = FileCoordinator(Path(store))
    try:
        assert coordinator.last_fire("nightly") is not None
    finally:
        coordinator.close()


def test_two_schedulers_race_for_one_fire_time(tmp_path):
    prefix = unique_prefix()
    env = {"FOOTER_AUDIT_REDIS_PREFIX": prefix}
    cron, _ = _cron_and_time(15)
    pf = _portfolio(tmp_path, cron)
    seed = RedisCoordinator(SHARED_REDIS, prefix)
    seed.set_last_fire("nightly", datetime.now(UTC))
    seed.close()
    try:
        with serve_farm(FARM, tmp_path / "farm") as farm:
            procs = [_start(pf, tmp_path, SHARED_REDIS, farm, env=env, log=f"s{i}")
                     for i in (1, 2)]
            try:
                _wait_for(lambda: any(r.status != "running"
                                      for r in _runs(SHARED_REDIS, prefix)), 150, "the run")
                time.sleep(3)  # the loser had its chance to start a second run
            finally:
                codes = [_stop(p) for p in procs]
        assert codes == [0, 0], _log(tmp_path, "s1")[-2000:] + _log(tmp_path, "s2")[-2000:]
        (run,) = _runs(SHARED_REDIS, prefix)
        assert (run.trigger, run.status) == ("nightly", "finished")
        logs = [_log(tmp_path, "s1"), _log(tmp_path, "s2")]
        assert sum("starting the run of nightly" in log for log in logs) == 1
        loser = next(log for log in logs if "starting the run" not in log)
        assert ("another scheduler is running nightly" in loser
                or "already started by another scheduler" in loser), loser
        # The lock was released by its token: nothing left behind.
        coordinator = RedisCoordinator(SHARED_REDIS, prefix)
        try:
            lock = coordinator.try_lock("nightly")
            assert lock is not None
            lock.release()
        finally:
            coordinator.close()
    finally:
        redis_prefix_cleanup(SHARED_REDIS, prefix)


def test_missed_nights_run_once_at_start(tmp_path):
    store = str(tmp_path / "store.sqlite3")
    pf = _portfolio(tmp_path, "'0 2 * * *'")  # nightly, Asia/Shanghai
    cron = Cron("0 2 * * *", "Asia/Shanghai")
    coordinator = FileCoordinator(Path(store))
    # Three nights ago was the last one handled: every scheduler was down since.
    three_nights_ago = cron.last_at_or_before(datetime.now(UTC) - timedelta(days=3))
    coordinator.set_last_fire("nightly", three_nights_ago)
    try:
        with serve_farm(FARM, tmp_path / "farm") as farm:
            proc = _start(pf, tmp_path, store, farm)
            try:
                _wait_for(lambda: any(r.status != "running" for r in _runs(store)), 120,
                          "the catch-up run")
                time.sleep(3)  # no second catch-up run follows
            finally:
                code = _stop(proc)
        assert code == 0, _log(tmp_path)[-3000:]
        (run,) = _runs(store)
        assert (run.trigger, run.status) == ("nightly", "finished")
        assert "was missed while no scheduler ran: running it once now" in _log(tmp_path)
        assert coordinator.last_fire("nightly") == cron.last_at_or_before(datetime.now(UTC))
    finally:
        coordinator.close()


def test_sigterm_during_a_run_marks_it_and_leaves_nothing_behind(tmp_path):
    store = str(tmp_path / "store.sqlite3")
    slow = {"hosts": {SITE: {"pages": {"/": {"body": page(foot=footer()), "delay": 60}}},
                      f"www.{SITE}": {"pages": {"/": {"body": page(foot=footer()),
                                                      "delay": 60}}}}}
    pf = _portfolio(tmp_path, "'0 2 * * *'")
    coordinator = FileCoordinator(Path(store))
    coordinator.set_last_fire("nightly", datetime.now(UTC) - timedelta(days=2))
    try:
        with serve_farm(slow, tmp_path / "farm") as farm:
            proc = _start(pf, tmp_path, store, farm)
            try:
                _wait_for(lambda: farm.hosts_requested(), 90, "the run's first request")
                started = time.monotonic()
                code = _stop(proc, timeout=60)
                took = time.monotonic() - started
            finally:
                _stop(proc)
        log = _log(tmp_path)
        assert code == 0, log[-3000:]
        assert took < 45, log[-3000:]  # the crawl stopped; it did not wait for the slow pages
        (run,) = _runs(store)
        assert run.status == "incomplete", (run, log[-2000:])
        assert "after the run in progress ends (marked incomplete)" in log
        assert "ended with exit status 5" in log
        # The run's process is gone and the lock is free for the next scheduler.
        (pid,) = re.findall(r"starting the run of nightly \(process (\d+)\)", log)
        assert not Path(f"/proc/{pid}").exists()
        lock = coordinator.try_lock("nightly")
        assert lock is not None
        lock.release()
    finally:
        coordinator.close()


# -- the Redis lock --------------------------------------------------------------------------
def test_redis_lock_is_renewed_by_its_holder_and_expires_without_it(tmp_path):
    prefix = unique_prefix()
    holder = RedisCoordinator(SHARED_REDIS, prefix, ttl=1.0)
    other = RedisCoordinator(SHARED_REDIS, prefix, ttl=1.0)
    try:
        lock = holder.try_lock("nightly")
        assert lock is not None
        time.sleep(2.5)  # past the TTL: the holder's renewals keep it
        assert other.try_lock("nightly") is None and not lock.lost
        # The key vanishes (a Redis restarted without it): the holder takes it back.
        import redis

        client = redis.Redis.from_url(SHARED_REDIS)
        client.delete(holder.keys.schedule_lock("nightly"))
        client.close()
        time.sleep(0.8)
        assert other.try_lock("nightly") is None and not lock.lost
        lock.release()
        again = other.try_lock("nightly")
        assert again is not None
        again.release()

        # A holder killed outright (no release) loses the lock once the TTL has passed.
        code = ("import time; from crawler.schedule.coordination import RedisCoordinator; "
                f"c = RedisCoordinator({SHARED_REDIS!r}, {prefix!r}, ttl=1.5); "
                "assert c.try_lock('nightly'); print('held', flush=True); time.sleep(60)")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                                env=env)
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        finally:
            proc.kill()
            proc.wait()
        assert other.try_lock("nightly") is None
        time.sleep(2.0)
        taken = other.try_lock("nightly")
        assert taken is not None
        taken.release()
    finally:
        holder.close()
        other.close()
        redis_prefix_cleanup(SHARED_REDIS, prefix)


def test_a_scheduler_killed_outright_takes_its_run_down_cleanly(tmp_path):
    """SIGKILL leaves no orphan crawl: the kernel sends the run SIGTERM (PR_SET_PDEATHSIG), it
    stops and marks itself incomplete, and the file lock died with the scheduler."""
    store = str(tmp_path / "store.sqlite3")
    slow = {"hosts": {SITE: {"pages": {"/": {"body": page(foot=footer()), "delay": 60}}},
                      f"www.{SITE}": {"pages": {"/": {"body": page(foot=footer()),
                                                      "delay": 60}}}}}
    pf = _portfolio(tmp_path, "'0 2 * * *'")
    coordinator = FileCoordinator(Path(store))
    coordinator.set_last_fire("nightly", datetime.now(UTC) - timedelta(days=2))
    try:
        with serve_farm(slow, tmp_path / "farm") as farm:
            proc = _start(pf, tmp_path, store, farm)
            try:
                _wait_for(lambda: farm.hosts_requested(), 90, "the run's first request")
            finally:
                _stop(proc, signal.SIGKILL)
            (pid,) = re.findall(r"starting the run of nightly \(process (\d+)\)", _log(tmp_path))
            _wait_for(lambda: not Path(f"/proc/{pid}").exists(), 45, "the run to stop")
        (run,) = _runs(store)
        assert run.status == "incomplete"
        lock = coordinator.try_lock("nightly")
        assert lock is not None
        lock.release()
    finally:
        coordinator.close()


def test_a_store_down_at_the_fire_time_delays_the_run_instead_of_losing_it(tmp_path):
    from bench.redis_server import RedisServer

    cron, at = _cron_and_time(25)
    pf = _portfolio(tmp_path, cron)
    with RedisServer() as server, serve_farm(FARM, tmp_path / "farm") as farm:
        proc = _start(pf, tmp_path, server.url, farm)
        try:
            _wait_for(lambda: "schedule of nightly" in _log(tmp_path), 60, "the scheduler")
            assert datetime.now(UTC) < at, "the scheduler took too long to start"
            server.stop()  # down across the fire time
            _wait_for(lambda: "trying again in" in _log(tmp_path), 60, "a failed attempt")
            server.start()
            _wait_for(lambda: any(r.status != "running" for r in _runs(server.url)), 120,
                      "the delayed run")
        finally:
            code = _stop(proc)
        assert code == 0, _log(tmp_path)[-3000:]
        (run,) = _runs(server.url)
        assert run.status == "finished"
        assert "Redis is unreachable" in _log(tmp_path)


@pytest.mark.parametrize(("args", "problem"), [
    (["--timeout", "0"], "--timeout must be positive"),
    (["--allow-network", "not-a-range"], "not-a-range"),
])
def test_bad_options_stop_the_scheduler_before_it_starts(tmp_path, args, problem):
    from typer.testing import CliRunner

    from crawler.app.cli import app

    pf = _portfolio(tmp_path, "'0 2 * * *'")
    result = CliRunner().invoke(app, ["schedule", str(pf), "--store",
                                      str(tmp_path / "s.sqlite3"), *args])
    assert result.exit_code != 0 and getattr(result.exception, "exit_code", None) == 2
    assert problem in str(result.exception)


def test_a_bad_schedule_stops_the_command(tmp_path):
    from typer.testing import CliRunner

    from crawler.app.cli import app

    pf = _portfolio(tmp_path, "'0 25 * * *'")
    result = CliRunner().invoke(app, ["schedule", str(pf), "--store",
                                      str(tmp_path / "s.sqlite3")])
    assert getattr(result.exception, "exit_code", None) == 2
    assert "nightly.yaml:2: schedule.cron: not a valid cron expression" in str(result.exception)
    assert not (tmp_path / "s.sqlite3").exists()  # nothing opened
