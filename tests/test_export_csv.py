"""CSV export: read back with the csv module, and as Excel sees the bytes (UTF-8 BOM)."""

from __future__ import annotations

import csv
import io

import pytest

from crawler.reports.exports import CSV_COLUMNS, write_csv
from crawler.reports.lifecycle import Waiver
from crawler.reports.store import Run, new_run_id
from crawler.reports.store.closing import close_run
from tests.redis_server import BACKENDS, open_test_store, page_record

TRICKY = 'Copyright © 2024 "某某", Inc.\n第二行, with ""quotes"" and a comma'


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_test_store(request.param, tmp_path) as s:
        yield s


def _run(store, day, pages):
    run = Run(id=new_run_id(), portfolio="acme", started=f"2026-04-{day:02d}T08:00:00.000000Z")
    store.create_run(run)
    for host, violations in pages.items():
        store.put_page(run.id, page_record(f"https://{host}/", violations, org="某某集团",
                                           owner="网站组, 北京"))
    return close_run(store, run.id, "finished")


def test_csv_round_trip_with_bom_and_statuses(store, tmp_path):
    _run(store, 1, {"a.example.cn": [("copyright_holder_mismatch", TRICKY)]})
    run = _run(store, 2, {"a.example.cn": [("copyright_holder_mismatch", TRICKY),
                                           ("icp_missing", "")],
                          "b.example.cn": [("gongan_missing", "=HYPERLINK(\"http://x\")")]})
    path = tmp_path / "out.csv"
    assert write_csv(store, run, path) == 3

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel detects UTF-8 by the BOM
    assert b"\r\n" in raw and raw.count(b"\r\n") >= 4
    # Excel's view: decode with the BOM stripped, then the RFC 4180 reader.
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    by_rule = {r["rule"]: r for r in rows}
    tricky = by_rule["copyright_holder_mismatch"]
    assert tricky["evidence"] == TRICKY  # commas, quotes and newlines survive
    assert tricky["status"] == "open" and tricky["first_seen"] == "2026-04-01T08:00:00.000000Z"
    assert by_rule["icp_missing"]["status"] == "new"
    assert by_rule["icp_missing"]["first_seen"] == "2026-04-02T08:00:00.000000Z"
    assert tricky["organisation"] == "某某集团" and tricky["owner"] == "网站组, 北京"
    assert tricky["run"] == run.id and tricky["site"] == "a.example.cn"
    assert tricky["url"] == "https://a.example.cn/" and tricky["severity"] == "warning"
    assert tricky["message_zh"].startswith("copyright_holder_mismatch：")
    # A formula from a web page is shown as text, not run.
    assert by_rule["gongan_missing"]["evidence"] == "'=HYPERLINK(\"http://x\")"
    # Without the BOM-aware codec, the first header carries the BOM, as naive readers see it.
    assert next(csv.reader(io.StringIO(raw.decode("utf-8"))))[0] == "\ufeffrun"


def test_waived_rows_are_marked(store, tmp_path):
    run = _run(store, 1, {"a.example.cn": [("icp_missing", "")]})
    store.put_waiver(Waiver("a.example.cn", "icp_missing", "migrating"))
    buf = io.StringIO(newline="")
    write_csv(store, run, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue().removeprefix("\ufeff"))))
    assert [r["status"] for r in rows] == ["waived"]


def test_empty_run_has_only_the_header(store, tmp_path):
    run = _run(store, 1, {"a.example.cn": []})
    path = tmp_path / "empty.csv"
    assert write_csv(store, run, path) == 0
    assert path.read_text(encoding="utf-8-sig").splitlines() == [",".join(CSV_COLUMNS)]
