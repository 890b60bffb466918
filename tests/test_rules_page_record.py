"""audit_record and PageRecord (rules/audit.py, rules/page_record.py): the status decided in one
place, and the one serializer's three forms (check JSON, JSON Lines, the store's record)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date

import pytest

from rules import RULES_VERSION
from rules.audit import audit_record
from rules.model import FETCH_FAILURES, Expectations, PageInput, PageStatus
from rules.page_record import PageRecord, Screenshot

GOOD = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main>内容</main>
<footer><p>© 2010-2026 北京某某科技有限公司 版权所有</p>
<p><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></p></footer></body></html>"""
# No marks in the static HTML, a footer drawn by a script: rendering decides.
SCRIPTED = """<!DOCTYPE html><html><body><div id="app"></div>
<script>document.getElementById("app").innerHTML = "<footer>京ICP备12345678号-1</footer>";
</script></body></html>"""
URL = "https://www.example.cn/"
EXPECT = Expectations(today=date(2026, 6, 1))

CHECK_KEYS = {"url", "final_url", "status", "http_status", "rendered", "encoding", "findings",
              "violations", "review", "rules_version", "redirect_chain", "error"}
CONTEXT_KEYS = {"org", "owner", "domain", "host", "discovered_from"}


def test_the_status_enum_is_its_strings() -> None:
    assert json.dumps({"status": PageStatus.TOO_LARGE}) == '{"status": "too_large"}'
    assert PageStatus("needs_rendering") is PageStatus.NEEDS_RENDERING
    assert PageStatus.OK not in FETCH_FAILURES and PageStatus.REDIRECT_LOOP in FETCH_FAILURES


@pytest.mark.parametrize("status", sorted(FETCH_FAILURES))
def test_a_fetch_failure_keeps_its_status_and_is_not_audited(status: PageStatus) -> None:
    # Even with HTML at hand (an error page's body), nothing is audited: never a pass.
    record = audit_record(PageInput(url=URL, html=GOOD, status=status, error="why"), EXPECT,
                          snapshot=True)
    assert record.status is status and not record.audited and record.snapshot == ""
    out = record.to_json()
    assert set(out) == CHECK_KEYS
    assert out["findings"] == {"icp": [], "gongan": [], "copyright": [], "licences": []}
    assert (out["violations"], out["review"], out["rules_version"], out["error"]) == (
        [], [], "", "why")


def test_an_unrendered_script_driven_page_needs_rendering_a_rendered_one_is_judged() -> None:
    static = audit_record(PageInput(url=URL, html=SCRIPTED), EXPECT)
    assert static.status is PageStatus.NEEDS_RENDERING and static.audited
    rendered = audit_record(PageInput(url=URL, html=SCRIPTED, rendered=True), EXPECT)
    assert rendered.status is PageStatus.OK
    assert "icp_missing" in {v.code for v in rendered.violations}


@pytest.mark.parametrize("reason", ["render_timeout", "render_crashed"])
def test_a_render_that_failed_under_review_is_never_a_pass(reason: str) -> None:
    record = audit_record(PageInput(url=URL, html=GOOD, review_reasons=(reason,)), EXPECT)
    assert record.status is PageStatus.NEEDS_REVIEW
    assert [(r.code, r.reason) for r in record.reviews] == [("page", reason)]


def test_an_audit_that_fails_on_a_page_is_needs_review_with_the_reason() -> None:
    record = audit_record(PageInput(url=URL, html=GOOD), EXPECT, extraction=object())  # type: ignore[arg-type]
    assert record.status is PageStatus.NEEDS_REVIEW and not record.audited
    assert record.error is not None and record.error.startswith("the audit failed on this page")
    assert isinstance(record.failure, AttributeError)
    assert record.to_json()["findings"]["icp"] == []


def test_the_three_forms_of_one_record() -> None:
    record = audit_record(PageInput(url=URL, html=GOOD, http_status=200, encoding="utf-8",
                                    redirect_chain=("https://example.cn/",)), EXPECT,
                          snapshot=True)
    record = replace(
        record, org="北京某某科技有限公司", owner="web", domain="example.cn",
        host="www.example.cn", fetched_at="2026-06-01T00:00:00+00:00",
        audited_at="2026-06-01T00:00:01+00:00", tool_version="1.2.3", expectations=replace(
            EXPECT, disabled=frozenset({"b", "a"})),
        notes={"redirected_offsite": "other.cn", "status": "a note never hides a field"},
        screenshot=Screenshot(data=b"\xff\xd8\xffjpeg", type="image/jpeg", clip=(0, 1, 2, 3)))

    check = record.to_json()
    assert set(check) == CHECK_KEYS
    assert (check["status"], check["rules_version"], check["redirect_chain"]) == (
        "ok", RULES_VERSION, ["https://example.cn/"])
    assert type(check["status"]) is str  # the enum's value, plain in every JSON encoder

    lines = record.to_json("lines")
    assert set(lines) == CHECK_KEYS | CONTEXT_KEYS | {
        "fetched_at", "tool_version", "screenshot", "redirected_offsite"}
    assert {k: lines[k] for k in CHECK_KEYS} == check
    assert lines["screenshot"] is True and lines["status"] == "ok"
    assert (lines["tool_version"], lines["redirected_offsite"]) == ("1.2.3", "other.cn")

    store = record.to_json("store")
    assert set(store) == CHECK_KEYS | CONTEXT_KEYS | {
        "snapshot", "fetched_at", "audited_at", "expectations", "screenshot"}
    assert {k: store[k] for k in CHECK_KEYS} == check
    assert "京ICP备12345678号-1" in store["snapshot"]
    assert store["expectations"]["disabled"] == ["a", "b"]
    assert store["expectations"]["today"] == "2026-06-01"
    assert store["screenshot"] == {"type": "image/jpeg", "clip": [0, 1, 2, 3], "size": 7,
                                   "data": base64.b64encode(b"\xff\xd8\xffjpeg").decode()}
    json.dumps(store)  # JSON-ready as it is


def test_a_record_without_crawl_context_has_no_optional_store_fields() -> None:
    store = PageRecord(url=URL, final_url=URL, status=PageStatus.TIMEOUT).to_json("store")
    assert set(store) == CHECK_KEYS | CONTEXT_KEYS
    lines = PageRecord(url=URL, final_url=URL, status=PageStatus.TIMEOUT).to_json("lines")
    assert lines["screenshot"] is False and lines["org"] is None


def test_check_md_names_every_status_in_its_table_and_field() -> None:
    from pathlib import Path

    check_md = (Path(__file__).resolve().parent.parent / "docs" / "check.md").read_text(
        encoding="utf-8")
    table = check_md.split("The `status` field:", 1)[1].split("\n\n", 2)[1]
    field_row = next(line for line in check_md.splitlines() if line.startswith("| `status` |"))
    for status in PageStatus:
        assert f"| `{status.value}` |" in table, status
        assert f"`{status.value}`" in field_row, status
