"""What changed between runs: fingerprints, lifecycle, diffs and waivers, on both backends."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.reports.changes import diff_runs, iter_changes, previous_finished_run
from crawler.reports.lifecycle import Waiver, fingerprint, normalise_evidence
from crawler.reports.store import Run, new_run_id, summarise_run
from crawler.reports.store.base import active_waivers
from crawler.reports.store.closing import close_run
from tests.redis_server import BACKENDS, open_test_store, page_record


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_test_store(request.param, tmp_path) as s:
        yield s


def test_fingerprint_is_stable_under_formatting_only():
    base = fingerprint("www.example.cn", "icp_link_missing", "京ICP备12345678号-1")
    assert fingerprint("WWW.example.cn", "icp_link_missing", "  京ICP备12345678号－１ ") == base
    assert fingerprint("www.example.cn", "icp_link_missing", "京ICP备\u200b12345678号-1") == base
    assert fingerprint("www.example.cn", "icp_link_missing", "京ICP备12345679号-1") != base
    assert fingerprint("m.example.cn", "icp_link_missing", "京ICP备12345678号-1") != base
    assert fingerprint("www.example.cn", "icp_mismatch", "京ICP备12345678号-1") != base
    assert normalise_evidence("A\n  B\tC") == "a b c"


def _stored_run(store, day: int, pages: dict[str, list[tuple[str, str]] | str],
                status: str = "finished", portfolio: str = "acme") -> Run:
    """A closed run; a page given as a string is a fetch status (no audit)."""
    run = Run(id=new_run_id(), portfolio=portfolio, started=f"2026-05-{day:02d}T00:00:00.000000Z")
    store.create_run(run)
    for host, spec in pages.items():
        if isinstance(spec, str):
            store.put_page(run.id, page_record(f"https://{host}/", [], status=spec))
        else:
            store.put_page(run.id, page_record(f"https://{host}/", spec))
    return close_run(store, run.id, status)


A = ("icp_missing", "")
B = ("gongan_missing_icon", "京公网安备11010502030143号")
C = ("copyright_missing", "")


def test_lifecycle_and_diff_over_three_runs(store):
    r1 = _stored_run(store, 1, {"x.example.cn": [A, B]})
    r2 = _stored_run(store, 2, {"x.example.cn": [A, C]})
    r3 = _stored_run(store, 3, {"x.example.cn": [A, B]})

    assert previous_finished_run(store, r3).id == r2.id
    assert previous_finished_run(store, r1) is None
    assert diff_runs(store, r1).counts["new"] == 2
    d2 = diff_runs(store, r2)
    assert (d2.against, d2.counts["still_open"], d2.counts["new"], d2.counts["fixed"]) == (
        r1.id, 1, 1, 1)
    d3 = diff_runs(store, r3)
    assert d3.counts == {"new": 0, "regressed": 1, "still_open": 1, "fixed": 1,
                         "unverified": 0, "waived": 0}
    kinds = {(kind, row.code) for kind, row in iter_changes(store, r3, r2)}
    assert kinds == {("still_open", "icp_missing"), ("regressed", "gongan_missing_icon"),
                     ("fixed", "copyright_missing")}
    # Against an explicit older run instead of the previous one.
    assert diff_runs(store, r3, r1).counts["still_open"] == 2

    fp = {code: fingerprint("x.example.cn", code, ev) for code, ev in (A, B, C)}
    lc = store.get_lifecycle(fp.values())
    assert (lc[fp["icp_missing"]].first_run, lc[fp["icp_missing"]].last_run) == (r1.id, r3.id)
    b = lc[fp["gongan_missing_icon"]]
    assert (b.first_run, b.reopened_at, b.reopen_count, b.fixed_at) == (r1.id, r3.started, 1, None)
    c = lc[fp["copyright_missing"]]
    assert (c.first_run, c.fixed_run, c.status) == (r2.id, r3.id, "fixed")
    assert {x.fingerprint for x in store.open_lifecycle("x.example.cn")} == {
        fp["icp_missing"], fp["gongan_missing_icon"]}


def test_unreachable_site_proves_no_fix(store):
    r1 = _stored_run(store, 1, {"x.example.cn": [A], "y.example.cn": [A]})
    r2 = _stored_run(store, 2, {"x.example.cn": "timeout", "y.example.cn": []})
    d = diff_runs(store, r2, r1)
    assert (d.counts["unverified"], d.counts["fixed"]) == (1, 1)
    x_fp = fingerprint("x.example.cn", *A)
    assert store.get_lifecycle([x_fp])[x_fp].status == "open"


def test_incomplete_runs_are_not_the_baseline(store):
    r1 = _stored_run(store, 1, {"x.example.cn": [A]})
    _stored_run(store, 2, {"x.example.cn": []}, status="incomplete")
    _stored_run(store, 3, {"x.example.cn": [A]}, portfolio="other")
    r4 = _stored_run(store, 4, {"x.example.cn": [A]})
    assert previous_finished_run(store, r4).id == r1.id


def test_waivers_listed_apart_and_back_after_expiry(store):
    r1 = _stored_run(store, 1, {"x.example.cn": [A, B]})
    store.put_waiver(Waiver("x.example.cn", "icp_missing", "new host in June", owner="li",
                            until=date(2026, 6, 1)))
    before = date(2026, 5, 31)
    assert diff_runs(store, r1, today=before).counts["waived"] == 1
    summary = summarise_run(store, r1.id, active_waivers(store, before))
    assert (summary["violations"], summary["waived"]) == (1, 1)
    assert summary["by_rule"] == {"gongan_missing_icon": {"severity": "warning", "violations": 1,
                                                          "sites": 1}}
    on_the_day = date(2026, 6, 1)
    assert diff_runs(store, r1, today=on_the_day).counts["waived"] == 0
    assert summarise_run(store, r1.id, active_waivers(store, on_the_day))["violations"] == 2


def test_a_domain_pattern_waives_the_domain_and_every_host_under_it(store):
    from crawler.reports.lifecycle import waiver_covers, waiver_for
    from crawler.reports.store.base import active_waivers

    r1 = _stored_run(store, 1, {"example.cn": [A], "news.example.cn": [A, B],
                                "a.b.example.cn": [A], "example.com.cn": [A],
                                "notexample.cn": [A]})
    store.put_waiver(Waiver("*.example.cn", "icp_missing", "迁移中", owner="li"))
    waivers = active_waivers(store)
    assert waivers.patterns
    assert waiver_for("a.b.example.cn", "icp_missing", waivers).site == "*.example.cn"
    assert waiver_for("notexample.cn", "icp_missing", waivers) is None
    assert waiver_for("news.example.cn", "gongan_missing_icon", waivers) is None
    # The site's own waiver comes first; a nearer pattern before a farther one.
    store.put_waiver(Waiver("*.b.example.cn", "icp_missing", "nearer"))
    store.put_waiver(Waiver("news.example.cn", "icp_missing", "own"))
    waivers = active_waivers(store)
    assert waiver_for("news.example.cn", "icp_missing", waivers).reason == "own"
    assert waiver_for("a.b.example.cn", "icp_missing", waivers).reason == "nearer"
    # example.cn, news and a.b waived; example.com.cn and notexample.cn are other domains.
    summary = summarise_run(store, r1.id, waivers)
    assert (summary["violations"], summary["waived"]) == (3, 3)
    assert diff_runs(store, r1).counts["waived"] == 3
    assert waiver_covers("*.example.cn", "example.cn") and not waiver_covers("*.example.cn",
                                                                             "example.com.cn")


def test_close_run_is_idempotent_and_keeps_first_status(store):
    r1 = _stored_run(store, 1, {"x.example.cn": [A]}, status="incomplete")
    again = close_run(store, r1.id, "finished")
    assert again.status == "incomplete" and again.finished == r1.finished
    assert again.counts["pages"] == 1 and again.counts["error"] == 1


def test_diff_against_a_half_run_compares_only_sites_both_audited(store):
    """A run killed halfway reached two of five sites: a later full run diffed against it must
    not call the other three sites' old problems new or regressed."""
    hosts = [f"s{i}.example.cn" for i in range(5)]
    full = _stored_run(store, 1, {h: [A] for h in hosts})
    half = _stored_run(store, 2, {h: [A] for h in hosts[:2]}, status="incomplete")
    again = _stored_run(store, 3, {**{h: [A] for h in hosts[:4]}, hosts[4]: "timeout"})

    d = diff_runs(store, again, half)
    assert d.counts["still_open"] == 2  # s0, s1: both runs audited them
    assert d.counts["new"] == d.counts["regressed"] == d.counts["fixed"] == 0
    # s2, s3: only this run audited them; s4: neither did.
    assert d.not_compared.to_json() == {"sites": 2, "violations": 2}
    assert d.to_json()["not_compared"] == {"sites": 2, "violations": 2}
    # The half run against the full one: the sites it never reached are unverified, not fixed.
    back = diff_runs(store, half, full)
    assert (back.counts["still_open"], back.counts["unverified"], back.counts["fixed"]) == (
        2, 3, 0)
    assert back.not_compared.sites == 3
    # Without --against, an incomplete run is never the baseline.
    assert diff_runs(store, again).against == full.id
