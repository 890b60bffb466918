"""A Redis server stopped in the middle of a run and restarted: no result is lost."""

from __future__ import annotations

import json
import logging

import pytest

from crawler.reports.store import Run, new_run_id, open_store
from crawler.reports.store.spool import Spool, replay_file
from crawler.reports.store.writer import RunWriter
from tests.redis_server import RedisServer, page_record


def _pages(start: int, stop: int) -> list[dict]:
    return [page_record(f"https://s{i}.example.cn/", [("icp_missing", ""), ("copyright_missing",
                                                                              f"page {i}")])
            for i in range(start, stop)]


@pytest.mark.slow
def test_redis_stopped_mid_run_and_restarted(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with RedisServer() as server:
        store = open_store(server.url, prefix="fa:")
        run = Run(id=new_run_id(), portfolio="acme", trigger="nightly")
        writer = RunWriter(store, run, tmp_path / "spool" / f"{run.id}.jsonl", retry_interval=0)
        writer.open()
        for record in _pages(0, 5):
            writer.write(record)
        assert writer.written == 5

        server.stop()  # no persistence: the restarted server is empty
        for record in _pages(5, 9):
            writer.write(record)
        assert writer.spooled == 4 and writer.spool.path.exists()
        assert "unavailable" in caplog.text and str(writer.spool.path) in caplog.text
        writer.write(_pages(5, 6)[0])  # a page delivered twice while down

        server.start()
        for record in _pages(9, 12):
            writer.write(record)  # the spool drains first, then these go straight in
        assert not writer.spool.path.exists()
        assert "is back" in caplog.text
        assert "lost run" in caplog.text  # said as soon as the store is back, not only at the end
        closed = writer.close("finished")
        # Restarted empty, the run came back from the spool; pages 0-4 went with the old data:
        # the run is not called finished, and its note names what is missing.
        assert closed is not None and closed.status == "incomplete"
        stored = store.get_run(run.id)
        assert stored.status == "incomplete" and stored.trigger == "nightly"
        urls = [p["url"] for p in store.iter_pages(run.id)]
        assert urls == sorted(f"https://s{i}.example.cn/" for i in range(5, 12))
        assert stored.counts["pages"] == 7 and stored.counts["violations"] == 14
        assert stored.counts["pages_expected"] == 12 and stored.counts["pages_lost"] == 5
        assert "lost 5 of 12 page(s)" in stored.note
        assert "s0.example.cn" in stored.note and "s4.example.cn" in stored.note
        assert "s5.example.cn" not in stored.note
        store.close()


@pytest.mark.slow
def test_redis_down_until_the_end_keeps_a_spool_that_replays(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with RedisServer() as server:
        store = open_store(server.url, prefix="fa:")
        run = Run(id=new_run_id(), portfolio="acme")
        writer = RunWriter(store, run, tmp_path / f"{run.id}.jsonl", retry_interval=0)
        server.stop()
        writer.open()  # unreachable at open: the run itself is spooled
        for record in _pages(0, 3):
            writer.write(record)
        assert writer.close("incomplete") is None
        assert "report replay" in caplog.text
        lines = [json.loads(line) for line in writer.spool.path.read_text().splitlines()]
        ops = [line["op"] for line in lines]
        # The first line names the store and the run the spool is for.
        assert lines[0] == {"op": "spool", "store": store.ident, "run_id": run.id}
        assert ops[1] == "run" and ops.count("page") == 3 and ops[-1] == "close"

        server.start()
        assert replay_file(writer.spool.path, store) == 3
        assert not writer.spool.path.exists()
        stored = store.get_run(run.id)
        assert stored.status == "incomplete" and stored.counts["pages"] == 3
        store.close()


def test_spool_replay_twice_stores_each_page_once(tmp_path):
    path = tmp_path / "s.jsonl"
    run = Run(id=new_run_id(), portfolio="acme")
    with open_store(str(tmp_path / "db.sqlite3")) as store:
        spool = Spool(path, store=store.ident, run_id=run.id)
        spool.append("run", run=run.to_json())
        for record in _pages(0, 2) + _pages(0, 2):
            spool.append("page", run_id=run.id, record=record)
        spool.close()
        path.write_text(path.read_text() + '{"op": "page", "run_id"', encoding="utf-8")
        copy = path.read_text()
        assert replay_file(path, store) == 4
        path.write_text(copy)
        assert replay_file(path, store) == 4
        assert len(list(store.iter_pages(run.id))) == 2
        assert len(list(store.iter_violations(run.id))) == 4


def test_lines_this_version_does_not_know_are_skipped_not_fatal(tmp_path, caplog):
    """A damaged or foreign line (not an object, an operation missing its fields, an unknown
    operation, a run that is no run) is skipped with a warning; the lines around it replay."""
    caplog.set_level(logging.WARNING)
    path = tmp_path / "s.jsonl"
    run = Run(id=new_run_id(), portfolio="acme")
    with open_store(str(tmp_path / "db.sqlite3")) as store:
        spool = Spool(path, store=store.ident, run_id=run.id)
        spool.append("run", run=run.to_json())
        spool.append("page", run_id=run.id, record=_pages(0, 1)[0])
        spool.close()
        bad = [json.dumps(line) for line in (
            [1, 2], "page", {"op": "page", "run_id": run.id},
            {"op": "teleport", "run_id": run.id},
            {"op": "run", "run": {"id": run.id, "counts": "many"}},
            {"op": "close", "run_id": run.id, "status": "finished", "expected": "all"})]
        lines = path.read_text().splitlines()
        path.write_text("\n".join([*lines[:2], *bad, lines[2]]) + "\n")
        assert replay_file(path, store) == 1
        assert [m["url"] for m in store.iter_pages(run.id)] == ["https://s0.example.cn/"]
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == len(bad)


def test_a_live_spool_is_left_alone(tmp_path):
    """A crawl replaying leftovers must not take the spool another crawl is still writing."""
    path = tmp_path / "live.jsonl"
    run = Run(id=new_run_id(), portfolio="acme")
    with open_store(str(tmp_path / "db.sqlite3")) as store:
        spool = Spool(path, store=store.ident, run_id=run.id)
        spool.append("run", run=run.to_json())
        assert replay_file(path, store) is None
        assert path.exists() and store.get_run(run.id) is None
        spool.close()  # the writer is done with it: now it can be replayed
        assert replay_file(path, store) == 0
        assert store.get_run(run.id) is not None and not path.exists()


def test_a_spool_replays_only_into_the_store_it_names(tmp_path, caplog):
    """A Redis run's leftovers must never be poured into the next run's SQLite store."""
    import pytest

    from crawler.reports.store.spool import SpoolElsewhere

    caplog.set_level(logging.WARNING)
    run = Run(id=new_run_id(), portfolio="acme")
    path = tmp_path / "spool" / f"{run.id}.jsonl"
    spool = Spool(path, store="redis://127.0.0.1:1/0 prefix=footer-audit:", run_id=run.id)
    spool.append("run", run=run.to_json())
    for record in _pages(0, 2):
        spool.append("page", run_id=run.id, record=record)
    spool.close()
    with open_store(str(tmp_path / "db.sqlite3")) as store:
        with pytest.raises(SpoolElsewhere, match=r"redis://127\.0\.0\.1:1/0"):
            replay_file(path, store)
        assert path.exists() and store.get_run(run.id) is None
        # A file that names no store is replayed only when asked to (report replay).
        bare = tmp_path / "bare.jsonl"
        bare.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
        with pytest.raises(SpoolElsewhere, match="does not say"):
            replay_file(bare, store)
        assert replay_file(bare, store, any_store=True) == 2


def test_a_spool_replays_only_its_own_run(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    run, other = Run(id=new_run_id(), portfolio="acme"), Run(id="20200101T000000-000000",
                                                            portfolio="acme")
    with open_store(str(tmp_path / "db.sqlite3")) as store:
        spool = Spool(tmp_path / "s.jsonl", store=store.ident, run_id=run.id)
        spool.append("run", run=run.to_json())
        spool.append("page", run_id=run.id, record=_pages(0, 1)[0])
        spool.append("run", run=other.to_json())  # a foreign line: never replayed here
        spool.append("page", run_id=other.id, record=_pages(1, 2)[0])
        spool.close()
        assert replay_file(tmp_path / "s.jsonl", store) == 1
        assert store.get_run(other.id) is None
        assert "not " + run.id in caplog.text


def test_unwritable_spool_directory_moves_on_and_then_fails_in_one_line(tmp_path):
    """A spool directory that cannot be written (here: its place is taken by a file; a full disk
    in the fault suite) moves the spool to the next directory; with none left, one SpoolFailed
    line."""
    import pytest

    from crawler.reports.store.spool import SpoolFailed

    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    name = "r.jsonl"
    spool = Spool(blocked / "spool" / name, store="s", run_id="r",
                  fallback_dirs=[tmp_path / "other"])
    spool.append("page", run_id="r", record={"url": "https://a.cn/"})
    assert spool.path == tmp_path / "other" / name and spool.pages == 1
    assert [e["op"] for e in spool.entries()] == ["page"]
    spool.close()
    stuck = Spool(blocked / "spool" / name, store="s", run_id="r")
    with pytest.raises(SpoolFailed, match="cannot keep results in the spool"):
        stuck.append("page", run_id="r", record={"url": "https://a.cn/"})


@pytest.mark.slow
def test_background_writer_never_waits_for_a_frozen_redis(tmp_path):
    import time

    from crawler.reports.store.writer import BackgroundWriter

    with RedisServer() as server:
        store = open_store(server.url, prefix="fa:", timeout=0.5)
        run = Run(id=new_run_id(), portfolio="acme")
        writer = BackgroundWriter(RunWriter(store, run, tmp_path / f"{run.id}.jsonl",
                                            retry_interval=30))
        writer.start()
        server.freeze()
        try:
            began = time.monotonic()
            for record in _pages(0, 50):
                writer.write(record)
            handed_over = time.monotonic() - began
            closed = writer.close("finished")
            ended = time.monotonic() - began
        finally:
            server.thaw()
        assert handed_over < 0.5  # the crawl's side: no store call at all
        assert ended < 5  # one or two timeouts of 0.5 s, then the spool
        assert closed is None and writer.writer.spool.pages == 50
        assert replay_file(writer.writer.spool.path, store) == 50
        stored = store.get_run(run.id)
        assert stored.status == "finished" and stored.counts["pages"] == 50
        store.close()


@pytest.mark.slow
def test_pages_a_restarted_redis_lost_are_written_again_from_the_journal(tmp_path, caplog):
    from crawler.reports.store.spool import Journal

    caplog.set_level(logging.WARNING)
    with RedisServer() as server:
        store = open_store(server.url, prefix="fa:")
        run = Run(id=new_run_id(), portfolio="acme")
        journal = Journal(tmp_path / f"{run.id}.journal", store=store.ident, run_id=run.id)
        writer = RunWriter(store, run, tmp_path / f"{run.id}.jsonl", retry_interval=0,
                           journal=journal)
        writer.open()
        for record in _pages(0, 6):
            journal.append(record)  # as the pipeline does, before the hand-over
            writer.write(record)
        server.stop()
        server.start()  # empty
        for record in _pages(6, 8):
            journal.append(record)
            writer.write(record)
        closed = writer.close("finished")
        assert closed is not None and closed.status == "finished"
        assert closed.counts["pages"] == 8 and "pages_lost" not in closed.counts
        assert "written again from the run's journal" in closed.note
        assert "lost 6 page(s) of run" in caplog.text
        assert not journal.path.exists()  # removed once the run is closed
        store.close()
