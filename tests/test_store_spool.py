"""A Redis server stopped in the middle of a run and restarted: no result is lost."""

from __future__ import annotations

import json
import logging

from crawler.store import Run, new_run_id, open_store
from crawler.store.spool import Spool, replay_file
from crawler.store.writer import RunWriter
from tests.redis_server import RedisServer, page_record


def _pages(start: int, stop: int) -> list[dict]:
    return [page_record(f"https://s{i}.example.cn/", [("icp_missing", ""), ("copyright_missing",
                                                                              f"page {i}")])
            for i in range(start, stop)]


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
