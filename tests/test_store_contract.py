"""The report store's contract, run against both backends (SQLite file, real Redis server)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.redis_server import free_port
from crawler.errors import StoreError
from crawler.reports.lifecycle import Lifecycle, Waiver
from crawler.reports.store import Run, StoreUnavailable, new_run_id, open_store
from crawler.reports.store.base import ApiToken, normalise_url, runs_to_prune
from crawler.reports.store.sqlite import SQLiteStore
from tests.redis_server import BACKENDS, open_test_store, page_record


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_test_store(request.param, tmp_path) as s:
        yield s


def _run(portfolio="acme", started=None, **kw) -> Run:
    run = Run(id=new_run_id(), portfolio=portfolio, **kw)
    if started:
        run.started = started
    return run


def test_run_round_trip_and_listing_order(store):
    a = _run(started="2026-01-01T00:00:00.000000Z", trigger="nightly", rules_version="1")
    b = _run(started="2026-01-02T00:00:00.000000Z", trigger="api")
    c = _run(portfolio="other", started="2026-01-03T00:00:00.000000Z")
    for r in (a, b, c):
        store.create_run(r)
    store.create_run(Run(id=a.id, portfolio="acme", trigger="api"))  # ignored: exists
    assert store.get_run(a.id) == a
    assert [r.id for r in store.list_runs()] == [c.id, b.id, a.id]
    assert [r.id for r in store.list_runs(portfolio="acme")] == [b.id, a.id]
    assert [r.id for r in store.list_runs(limit=1)] == [c.id]
    assert store.get_run("nope") is None
    b.status, b.finished, b.counts = "finished", "2026-01-02T01:00:00.000000Z", {"pages": 3}
    store.update_run(b)
    assert store.get_run(b.id) == b


def test_put_page_is_idempotent_by_normalised_url(store):
    run = _run()
    store.create_run(run)
    first = page_record("https://WWW.Example.cn:443/#top", [("icp_missing", "none"),
                                                          ("gongan_missing", "none")])
    assert store.put_page(run.id, first) is True
    again = page_record("https://www.example.cn/", [("icp_link_missing", "京ICP备12345678号-1")])
    assert store.put_page(run.id, again) is False
    pages = list(store.iter_pages(run.id))
    assert len(pages) == 1 and pages[0]["url"] == "https://www.example.cn/"
    rows = list(store.iter_violations(run.id))
    assert [r.code for r in rows] == ["icp_link_missing"]
    # The replaced page's violations left every index.
    assert store.find_violations(run.id, rule="icp_missing") == []
    assert store.find_violations(run.id, site="www.example.cn")[0].code == "icp_link_missing"
    meta = list(store.iter_page_meta(run.id))
    assert [(m.site, m.violations) for m in meta] == [("www.example.cn", 1)]
    run.status = "finished"
    store.update_run(run)  # updating the run keeps its pages
    assert len(list(store.iter_violations(run.id))) == 1


def test_violation_indexes_and_order(store):
    run = _run()
    store.create_run(run)
    store.put_page(run.id, page_record("https://b.example.cn/", [("icp_missing", "")], org="乙"))
    store.put_page(run.id, page_record("https://a.example.cn/", [("icp_missing", ""),
                                                                 ("gongan_missing", "")], org="甲"))
    store.put_page(run.id, page_record("https://c.example.cn/", [("gongan_missing", "x")],
                                       org="甲"))
    rows = list(store.iter_violations(run.id, batch=2))  # several batches
    assert [(r.org, r.site, r.seq) for r in rows] == sorted((r.org, r.site, r.seq) for r in rows)
    assert len(rows) == 4
    assert {r.site for r in store.find_violations(run.id, org="甲")} == {"a.example.cn",
                                                                         "c.example.cn"}
    assert [r.site for r in store.find_violations(run.id, rule="gongan_missing", org="甲")] == [
        "a.example.cn", "c.example.cn"]
    assert store.find_violations(run.id, site="b.example.cn", rule="gongan_missing") == []
    fps = [r.fingerprint for r in rows]
    assert store.fingerprints_present(run.id, [*fps, "0" * 20]) == set(fps)
    assert store.fingerprints_present(run.id, []) == set()
    pages = list(store.iter_pages(run.id, batch=1))
    assert [p["host"] for p in pages] == ["a.example.cn", "b.example.cn", "c.example.cn"]
    assert pages[0]["snapshot"] == "<footer>a.example.cn</footer>"


def test_site_history_across_runs(store):
    older = _run(started="2026-02-01T00:00:00.000000Z")
    newer = _run(started="2026-02-02T00:00:00.000000Z")
    for run in (older, newer):
        store.create_run(run)
    store.put_page(older.id, page_record("https://x.example.cn/", [("icp_missing", "")]))
    store.put_page(newer.id, page_record("https://x.example.cn/", [], status="timeout"))
    store.put_page(newer.id, page_record("https://y.example.cn/", []))
    history = store.site_history("X.example.cn")
    assert [(h["run_id"], h["status"], h["violations"]) for h in history] == [
        (newer.id, "timeout", 0), (older.id, "ok", 1)]
    assert history[0]["started"] == newer.started
    assert len(store.site_history("x.example.cn", limit=1)) == 1


def test_delete_run_removes_everything_of_that_run_only(store):
    keep, drop = _run(), _run()
    for run in (keep, drop):
        store.create_run(run)
        store.put_page(run.id, page_record("https://x.example.cn/", [("icp_missing", "")]))
    store.delete_run(drop.id)
    assert store.get_run(drop.id) is None
    assert list(store.iter_violations(drop.id)) == []
    assert list(store.iter_pages(drop.id)) == []
    assert [r.id for r in store.list_runs()] == [keep.id]
    assert [h["run_id"] for h in store.site_history("x.example.cn")] == [keep.id]
    assert len(list(store.iter_violations(keep.id))) == 1


# Not a valid image, on purpose: every byte value, so a text round trip (UTF-8) would break it.
IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 3 + b"\xff\xd9"


def _with_screenshot(record: dict, data: bytes = IMAGE) -> dict:
    import base64

    return {**record, "screenshot": {"type": "image/jpeg", "clip": [0, 1500, 1366, 300],
                                     "size": len(data), "data": base64.b64encode(data).decode()}}


def test_screenshot_stored_apart_from_the_page_record(store):
    run = _run()
    store.create_run(run)
    store.put_page(run.id, _with_screenshot(page_record("https://x.example.cn/",
                                                        [("icp_link_missing", "")])))
    store.put_page(run.id, page_record("https://y.example.cn/", [("icp_missing", "")]))
    shot = store.get_screenshot(run.id, "https://X.example.cn:443/#footer")
    assert shot is not None
    assert (shot.data, shot.type, shot.clip) == (IMAGE, "image/jpeg", [0, 1500, 1366, 300])
    assert store.get_screenshot(run.id, "https://y.example.cn/") is None
    assert store.get_screenshot(run.id, "https://nowhere.example.cn/") is None
    records = {p["url"]: p for p in store.iter_pages(run.id)}
    # The record keeps the metadata only: no image bytes in the JSON.
    assert records["https://x.example.cn/"]["screenshot"] == {
        "type": "image/jpeg", "clip": [0, 1500, 1366, 300], "size": len(IMAGE)}
    assert "screenshot" not in records["https://y.example.cn/"]


def test_screenshot_follows_redelivery_and_pruning(store):
    run, other = _run(), _run()
    for r in (run, other):
        store.create_run(r)
        store.put_page(r.id, _with_screenshot(page_record("https://x.example.cn/")))
    store.put_page(run.id, _with_screenshot(page_record("https://x.example.cn/"), b"\x89PNG2"))
    assert store.get_screenshot(run.id, "https://x.example.cn/").data == b"\x89PNG2"
    store.put_page(run.id, page_record("https://x.example.cn/"))  # delivered again, no image
    assert store.get_screenshot(run.id, "https://x.example.cn/") is None
    store.put_page(run.id, _with_screenshot(page_record("https://x.example.cn/")))
    store.delete_run(run.id)
    assert store.get_screenshot(run.id, "https://x.example.cn/") is None
    assert store.get_screenshot(other.id, "https://x.example.cn/").data == IMAGE


def test_screenshot_survives_the_spool(store, tmp_path):
    from crawler.reports.store.spool import Spool

    run = _run()
    spool = Spool(tmp_path / "spool.jsonl")  # JSON lines: the image travels as base64
    spool.append("run", run=run.to_json())
    spool.append("page", run_id=run.id,
                 record=_with_screenshot(page_record("https://x.example.cn/")))
    assert spool.replay(store) == 1
    assert store.get_screenshot(run.id, "https://x.example.cn/").data == IMAGE


def test_lifecycle_and_waivers_round_trip(store):
    lc = Lifecycle("f" * 20, "x.example.cn", "icp_missing", "ev", first_seen="a", first_run="r1",
                   last_seen="b", last_run="r2")
    store.put_lifecycle([lc])
    assert store.get_lifecycle(["f" * 20, "missing"]) == {"f" * 20: lc}
    assert store.open_lifecycle("x.example.cn") == [lc]
    lc.fixed_at, lc.fixed_run = "c", "r3"
    store.put_lifecycle([lc])
    assert store.open_lifecycle("x.example.cn") == []
    assert store.get_lifecycle(["f" * 20])["f" * 20].status == "fixed"

    w = Waiver("x.example.cn", "icp_missing", "moving host", owner="li", until=date(2030, 1, 1),
               created="now")
    store.put_waiver(w)
    store.put_waiver(Waiver("a.example.cn", "gongan_missing", "no filing needed"))
    assert [x.site for x in store.list_waivers()] == ["a.example.cn", "x.example.cn"]
    assert store.list_waivers()[1] == w
    assert store.delete_waiver("x.example.cn", "icp_missing") is True
    assert store.delete_waiver("x.example.cn", "icp_missing") is False


def test_api_tokens_found_by_digest_listed_by_name_and_revoked(store):
    ci = ApiToken(name="ci", digest="a" * 64, scope="audit")
    ops = ApiToken(name="ops", digest="b" * 64, scope="admin")
    assert store.add_token(ops) is True
    assert store.add_token(ci) is True
    # A name is taken once: the second token of that name is not written, nor its digest.
    assert store.add_token(ApiToken(name="ci", digest="c" * 64, scope="admin")) is False
    assert store.find_token("c" * 64) is None
    assert store.find_token("a" * 64) == ci
    assert [t.name for t in store.list_tokens()] == ["ci", "ops"]
    assert store.revoke_token("ci", "2026-01-01T00:00:00.000000Z") is True
    assert store.revoke_token("ci") is False  # already revoked
    assert store.revoke_token("nobody") is False
    found = store.find_token("a" * 64)
    assert found is not None and found.revoked == "2026-01-01T00:00:00.000000Z"
    assert store.find_token("b" * 64).revoked is None
    assert [t.revoked is None for t in store.list_tokens()] == [False, True]


def test_an_organisation_restriction_round_trips_on_a_token(store):
    token = ApiToken(name="acme-viewer", digest="d" * 64, scope="audit", org="某某公司")
    assert store.add_token(token) is True
    assert store.find_token("d" * 64) == token
    assert store.list_tokens()[0].org == "某某公司"


def test_run_sites_sums_pages_and_violations_per_site(store):
    run = _run()
    store.create_run(run)
    store.put_page(run.id, page_record("https://a.example.cn/", [
        ("icp_missing", "none"), ("copyright_stale", "© 2019"), ("copyright_stale", "© 2018")]))
    store.put_page(run.id, page_record("https://a.example.cn/about", [("icp_missing", "x")]))
    store.put_page(run.id, page_record("https://b.example.cn/", [], org="另一家公司",
                                       owner="ops"))
    store.put_page(run.id, page_record("https://c.example.cn/", [], status="unreachable"))
    # Delivered again: its earlier violations are not summed.
    store.put_page(run.id, page_record("https://a.example.cn/about", [("gongan_missing", "x")]))
    states = {s.site: s for s in store.run_sites(run.id)}
    assert [s.site for s in store.run_sites(run.id)] == [
        "b.example.cn", "a.example.cn", "c.example.cn"]  # by organisation, then site
    a = states["a.example.cn"]
    assert (a.org, a.owner, a.statuses) == ("某某公司", "web team", {"ok": 2})
    assert a.violations == {("icp_missing", "error"): 1, ("copyright_stale", "warning"): 2,
                            ("gongan_missing", "error"): 1}
    assert states["b.example.cn"].violations == {} and states["b.example.cn"].org == "另一家公司"
    assert states["c.example.cn"].statuses == {"unreachable": 1}
    assert store.run_sites("no-such-run") == []
    assert store.count_violations(run.id) == 4
    assert store.count_violations(run.id, org="某某公司") == 4
    assert store.count_violations(run.id, org="另一家公司") == 0


def test_get_page_by_any_spelling_of_its_url(store):
    run = _run()
    store.create_run(run)
    store.put_page(run.id, page_record("https://a.example.cn/", [("icp_missing", "none")]))
    page = store.get_page(run.id, "https://A.example.cn:443/#footer")
    assert page is not None and page["violations"][0]["code"] == "icp_missing"
    assert store.get_page(run.id, "https://a.example.cn/other") is None
    assert store.get_page("no-such-run", "https://a.example.cn/") is None


def test_resolve_run_by_prefix_and_latest(store):
    with pytest.raises(StoreError, match="no runs"):
        store.resolve_run(None)
    a = _run(started="2026-03-01T00:00:00.000000Z")
    store.create_run(a)
    assert store.resolve_run("latest").id == a.id
    assert store.resolve_run(a.id[:12]).id == a.id
    with pytest.raises(StoreError, match="no run"):
        store.resolve_run("1999")


def test_page_without_url_is_rejected_clearly(store):
    run = _run()
    store.create_run(run)
    with pytest.raises(ValueError, match="no url"):
        store.put_page(run.id, {"status": "ok"})


def test_normalise_url():
    assert normalise_url("HTTP://Example.CN:80") == "http://example.cn/"
    assert normalise_url("https://example.cn:8443/a?b=1#c") == "https://example.cn:8443/a?b=1"


def test_runs_to_prune_keeps_newest_per_portfolio_and_running():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    def at(days):
        return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    runs = [Run(id=f"r{i}", portfolio="p", started=at(i), status="finished") for i in range(5)]
    runs.append(Run(id="live", portfolio="p", started=at(50), status="running"))
    runs.append(Run(id="q0", portfolio="q", started=at(40), status="incomplete"))
    assert [r.id for r in runs_to_prune(runs, keep=2, now=now)] == ["r4", "r3", "r2"]
    assert [r.id for r in runs_to_prune(runs, days=3, now=now)] == ["q0", "r4"]
    assert runs_to_prune(runs, now=now) == []


def test_open_store_selection(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("FOOTER_AUDIT_DB", str(tmp_path / "env.sqlite3"))
    with open_store() as s:
        assert isinstance(s, SQLiteStore) and s.path == tmp_path / "env.sqlite3"
    monkeypatch.delenv("FOOTER_AUDIT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with open_store() as s:
        assert s.path == tmp_path / "xdg" / "footer-audit" / "reports.sqlite3"
    with open_store(f"sqlite:///{tmp_path}/u.sqlite3") as s:
        assert s.path == tmp_path / "u.sqlite3"
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("mysql://x")


def test_unreachable_redis_is_a_store_error():
    port_with_nothing = free_port()
    s = open_store(f"redis://127.0.0.1:{port_with_nothing}/0")
    with pytest.raises(StoreUnavailable, match="unreachable"):
        s.ping()
    with pytest.raises(StoreUnavailable):
        s.list_runs()


def test_run_liveness_fields_and_note_round_trip(store):
    run = _run(worker="host:123:456", heartbeat="2026-01-01T00:00:30.000000Z",
               note="interrupted (SIGTERM, SIGINT or Ctrl-C)")
    store.create_run(run)
    assert store.get_run(run.id) == run
    run.heartbeat, run.status, run.note = "2026-01-01T00:01:00.000000Z", "incomplete", "x"
    store.update_run(run)
    assert store.get_run(run.id) == run and store.list_runs()[0] == run


def test_store_ident_names_the_store_without_its_password(tmp_path):
    from crawler.reports.store import store_ident
    from tests.redis_server import SHARED_REDIS

    db = tmp_path / "a" / ".." / "r.sqlite3"
    with open_store(str(db)) as s:
        assert s.ident == f"sqlite:///{(tmp_path / 'r.sqlite3').resolve()}"
        assert store_ident(str(db)) == s.ident
    with open_store(SHARED_REDIS, prefix="p1:") as r1, open_store(SHARED_REDIS, prefix="p2:") as r2:
        assert r1.ident != r2.ident and r1.ident == store_ident(SHARED_REDIS, prefix="p1:")
    assert store_ident("redis://:s3cret@127.0.0.1:6379/2", prefix="x:") == \
        "redis://127.0.0.1:6379/2 prefix=x:"


def test_sqlite_file_of_an_older_version_gains_the_new_run_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, portfolio TEXT NOT NULL, trigger TEXT NOT "
               "NULL, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL, counts TEXT NOT "
               "NULL DEFAULT '{}', rules_version TEXT NOT NULL DEFAULT '', tool_version TEXT NOT "
               "NULL DEFAULT '')")
    db.execute("INSERT INTO runs VALUES ('r1','acme','nightly','2026-01-01T00:00:00.000000Z',"
               "NULL,'running','{}','1','0.1')")
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        old = store.get_run("r1")
        assert (old.status, old.worker, old.heartbeat, old.note) == ("running", "", None, "")
        old.note = "n"
        store.update_run(old)
        assert store.get_run("r1").note == "n"


def test_sqlite_violations_of_an_older_version_sum_by_their_stored_severity(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE violations (run_id TEXT NOT NULL, sort_key TEXT NOT NULL, "
               "url_key TEXT NOT NULL, site TEXT NOT NULL, org TEXT NOT NULL, code TEXT NOT "
               "NULL, fingerprint TEXT NOT NULL, row TEXT NOT NULL, "
               "PRIMARY KEY (run_id, sort_key))")
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        run = _run()
        store.create_run(run)
        store.put_page(run.id, page_record("https://a.example.cn/", [("icp_missing", "x"),
                                                                     ("copyright_stale", "y")]))
        # As rows written before the column was: their severity only in the row's JSON.
        store._db.execute("UPDATE violations SET severity=''")
        [state] = store.run_sites(run.id)
        assert state.violations == {("icp_missing", "error"): 1,
                                    ("copyright_stale", "warning"): 1}


def test_redis_pages_of_an_older_version_sum_by_their_rows_severity(tmp_path):
    import json

    with open_test_store("redis", tmp_path) as store:
        run = _run()
        store.create_run(run)
        store.put_page(run.id, page_record("https://a.example.cn/", [("icp_missing", "x"),
                                                                     ("copyright_stale", "y")]))
        # As entries written before they carried severities: five fields a row.
        key = store.keys.page_meta(run.id)
        entry = json.loads(store._r.hget(key, "https://a.example.cn/"))
        entry["rows"] = [row[:5] for row in entry["rows"]]
        store._r.hset(key, "https://a.example.cn/", json.dumps(entry))
        [state] = store.run_sites(run.id)
        assert state.violations == {("icp_missing", "error"): 1,
                                    ("copyright_stale", "warning"): 1}


def test_a_redis_lost_while_iterating_is_store_unavailable() -> None:
    """Iterators raise from inside the caller's loop: the lost connection is still named."""
    store = open_store(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    for rows in (lambda: store.iter_page_meta("r"), lambda: store.iter_pages("r"),
                 lambda: store.iter_violations("r")):
        with pytest.raises(StoreUnavailable):
            list(rows())


def test_a_malformed_redis_url_is_a_store_error_not_a_passing_outage() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("redis://127.0.0.1:port/0")
    assert not isinstance(caught.value, StoreUnavailable) and "bad Redis URL" in str(caught.value)


# -- crawl jobs: the queue kept in the store (crawler/jobs/queue.py) -----------------------------

def _site_job(target="example.cn", **kw):
    from crawler.jobs.model import Job, JobOptions

    return Job.new("crawl-site", target, JobOptions(render="never", timeout=5), **kw)


def test_jobs_queue_in_order_and_survive_a_restart(store):
    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        first, second = queue.enqueue(_site_job("a.example.cn")), queue.enqueue(_site_job())
        assert queue.get(first.id) == first and first.state == "queued"
    # A server restarted: a new queue object on the same store finds the jobs and their order.
    with queue_for(store) as queue:
        assert [j.id for j in queue.list()] == [second.id, first.id]
        claimed = queue.claim("host:1:1")
        assert claimed.id == first.id and claimed.state == "running"
        assert (claimed.worker, claimed.attempts) == ("host:1:1", 1)
        assert claimed.run_id and claimed.started and claimed.heartbeat
        assert queue.get(first.id) == claimed
        assert queue.claim("host:1:1").id == second.id
        assert queue.claim("host:1:1") is None
        assert [j.id for j in queue.list(state="running", limit=1)] == [second.id]
        assert queue.get("20260101T000000-00000000") is None


def test_a_job_round_trips_every_field(store):
    from crawler.jobs import queue_for
    from crawler.jobs.model import Job, JobOptions

    options = JobOptions(render="always", timeout=7.5, resolve=("*.example.cn:127.0.0.1:8080",),
                         allow_networks=("10.1.0.0/16",), portfolio="/etc/p.yaml",
                         province="北京", org="某某公司", max_subdomains=3, depth=1)
    job = Job.new("crawl-org", "北京某某科技有限公司", options, run_id="20260101T000000-abcdef",
                  max_attempts=2)
    with queue_for(store) as queue:
        queue.enqueue(job)
        assert queue.get(job.id) == job
        assert queue.get(job.id).options.resolve == ("*.example.cn:127.0.0.1:8080",)
        # Jobs sharing a run (a distributed run's) are delivered by their job engine, by id,
        # never taken as "the next queued job"; they keep the run's id on every attempt.
        assert queue.claim("w:1:1") is None
        assert queue.claim("w:1:1", job.id).run_id == "20260101T000000-abcdef"


def test_only_the_holder_of_a_running_job_writes_it(store):
    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        job = queue.enqueue(_site_job())
        queue.claim("w:1:1")
        assert queue.progress(job.id, "w:1:1", pages_done=3, violations=2) is True
        assert queue.progress(job.id, "other:2:2", pages_done=9, violations=9) is False
        assert queue.heartbeat(job.id, "other:2:2") is False
        assert (queue.get(job.id).pages_done, queue.get(job.id).violations) == (3, 2)
        done = queue.finish(job.id, "w:1:1", "finished", pages_done=4)
        assert (done.state, done.pages_done, done.violations, done.worker) == (
            "finished", 4, 2, "")
        assert done.finished and done.run_id
        # Ended: nobody holds it any more, a cancel changes nothing.
        assert queue.heartbeat(job.id, "w:1:1") is False
        assert queue.finish(job.id, "w:1:1", "failed") is None
        assert queue.cancel(job.id) == done


def test_cancel_a_queued_and_a_running_job(store):
    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        running, queued = queue.enqueue(_site_job("a.example.cn")), queue.enqueue(_site_job())
        queue.claim("w:1:1")
        assert queue.cancel(queued.id, "asked by ops").state == "cancelled"
        assert queue.claim("w:1:1") is None  # a cancelled job is never claimed
        assert queue.cancel(running.id).state == "cancelled"
        # The runner learns at its next beat that the job is no longer its own.
        assert queue.heartbeat(running.id, "w:1:1") is False
        assert queue.get(queued.id).error == "asked by ops"
        assert queue.cancel("20260101T000000-00000000") is None


def test_release_gives_a_job_back_without_counting_the_attempt(store):
    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        job = queue.enqueue(_site_job())
        queue.claim("w:1:1")
        assert queue.release(job.id, "other:2:2") is None
        back = queue.release(job.id, "w:1:1", note="server stopped")
        assert (back.state, back.attempts, back.worker, back.run_id) == ("queued", 0, "", None)
        again = queue.claim("w:3:3")
        assert (again.id, again.attempts) == (job.id, 1)


def test_recover_requeues_jobs_of_dead_runners_then_fails_them(store):
    import socket

    from crawler.jobs import queue_for
    from crawler.reports.store.liveness import this_worker

    host = socket.gethostname()
    dead = f"{host}:{2**22 + 7}:1"  # above the kernel's largest pid: no such process
    with queue_for(store) as queue:
        job = queue.enqueue(_site_job(max_attempts=2))
        alive = queue.enqueue(_site_job("alive.example.cn"))
        elsewhere = queue.enqueue(_site_job("far.example.cn"))
        assert queue.claim(dead).id == job.id
        assert queue.claim(this_worker()).id == alive.id  # this process: alive
        assert queue.claim("far-away-host:12:34").id == elsewhere.id  # another host: by beat
        first_run = queue.get(job.id).run_id
        (recovered,) = queue.recover()
        assert (recovered.id, recovered.state, recovered.attempts) == (job.id, "queued", 1)
        assert dead in recovered.error and recovered.run_id is None
        # The next attempt starts a run of its own.
        retry = queue.claim(dead)
        assert retry.id == job.id and retry.attempts == 2 and retry.run_id != first_run
        (failed,) = queue.recover()
        assert (failed.state, failed.attempts) == ("failed", 2)
        assert failed.error.startswith("attempt 2 of 2: its runner") and failed.finished
        assert queue.get(alive.id).state == "running"
        # A worker of another host is dead only once its heartbeat is older than stale_after.
        assert queue.recover(stale_after=3600) == []
        (far,) = queue.recover(stale_after=0)
        assert far.id == elsewhere.id and far.state == "queued"


def test_claim_a_given_job_for_a_worker_its_engine_handed_it_to(store):
    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        first, second = queue.enqueue(_site_job("a.example.cn")), queue.enqueue(_site_job())
        assert queue.claim("w:1:1", job_id=second.id).id == second.id
        assert queue.claim("w:2:2", job_id=second.id) is None  # running on a live worker
        assert queue.claim("w:1:1").id == first.id  # the queue skips the job taken by id
        assert queue.claim("w:1:1") is None


def test_concurrent_claimers_never_take_the_same_job(store, request):
    """Four claimers, each with its own connection (as separate processes would have), race
    for 40 jobs: every job is claimed exactly once."""
    import threading
    import time

    from crawler.jobs import queue_for

    with queue_for(store) as queue:
        ids = {queue.enqueue(_site_job(f"s{i}.example.cn")).id for i in range(40)}
    claimed: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def claimer(name: str) -> None:
        mine = claimed.setdefault(name, [])
        with queue_for(store) as own:
            start.wait()
            while (job := own.claim(f"{name}:1:1")) is not None:
                mine.append(job.id)
                time.sleep(0.002)  # a runner starting its crawl: the others claim meanwhile

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    every = [job_id for jobs in claimed.values() for job_id in jobs]
    assert sorted(every) == sorted(ids)  # each once: no job twice, none lost
    assert sum(1 for jobs in claimed.values() if jobs) >= 2, claimed  # they did race


def test_bad_jobs_are_refused_before_they_are_queued():
    from crawler.errors import UsageError
    from crawler.jobs.model import Job, JobOptions

    with pytest.raises(UsageError, match="unknown job kind"):
        Job.new("crawl-everything", "x")
    with pytest.raises(UsageError, match="needs a target"):
        Job.new("crawl-site", "  ")
    with pytest.raises(UsageError, match="render"):
        Job.new("crawl-site", "example.cn", JobOptions(render="sometimes"))
    with pytest.raises(UsageError, match="timeout"):
        Job.new("crawl-site", "example.cn", JobOptions(timeout=0))
    with pytest.raises(UsageError, match="portfolio"):
        Job.new("crawl-org", "某某公司")
    with pytest.raises(UsageError):
        Job.new("crawl-site", "example.cn", JobOptions(allow_networks=("not-a-range",)))


def test_prune_forgets_only_old_ended_jobs(store):
    from crawler.jobs import queue_for

    long_ago = "2020-01-01T00:00:00.000000Z"
    with queue_for(store) as queue:
        old_done, old_queued, old_running, old_cancelled = (
            queue.enqueue(_site_job(f"s{i}.example.cn").copy(created=long_ago))
            for i in range(4))
        fresh_done = queue.enqueue(_site_job("fresh.example.cn"))
        for job in (old_done, old_running, fresh_done):
            assert queue.claim("w:1:1", job_id=job.id)
        queue.finish(old_done.id, "w:1:1", "finished")
        queue.finish(fresh_done.id, "w:1:1", "failed", error="x")
        queue.cancel(old_cancelled.id)
        assert queue.prune(days=30) == 2
        assert {j.id for j in queue.list()} == {old_queued.id, old_running.id, fresh_done.id}
        assert queue.get(old_done.id) is None and queue.get(old_cancelled.id) is None
        assert queue.claim("w:1:1").id == old_queued.id  # the queue itself is intact
