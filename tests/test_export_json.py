"""JSON export: one valid document with run, summary, changes, violations and pages."""

from __future__ import annotations

import json

from crawler.reports.exports import write_json
from crawler.reports.store import Run, new_run_id
from crawler.reports.store.closing import close_run
from tests.redis_server import open_test_store, page_record


def test_json_export_is_complete_and_valid(tmp_path):
    with open_test_store("sqlite", tmp_path) as store:
        first = Run(id=new_run_id(), portfolio="acme", started="2026-04-01T00:00:00.000000Z")
        store.create_run(first)
        store.put_page(first.id, page_record("https://a.example.cn/", [("icp_missing", "")]))
        close_run(store, first.id, "finished")
        run = Run(id=new_run_id(), portfolio="acme", started="2026-04-02T00:00:00.000000Z")
        store.create_run(run)
        store.put_page(run.id, page_record("https://a.example.cn/", [("gongan_missing", "x\n,\"")]))
        store.put_page(run.id, page_record("https://b.example.cn/", [], status="timeout"))
        run = close_run(store, run.id, "incomplete")
        path = tmp_path / "run.json"
        assert write_json(store, run, path) == 1
        doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["run"]["id"] == run.id and doc["run"]["status"] == "incomplete"
    assert doc["against"] == first.id
    assert doc["changes"]["new"] == 1 and doc["changes"]["fixed"] == 1
    assert doc["summary"]["page_status"] == {"ok": 1, "timeout": 1}
    [v] = doc["violations"]
    assert (v["code"], v["evidence"], v["status"]) == ("gongan_missing", "x\n,\"", "new")
    assert [p["url"] for p in doc["pages"]] == ["https://a.example.cn/", "https://b.example.cn/"]
    assert all("snapshot" not in p for p in doc["pages"])
