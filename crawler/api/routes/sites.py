"""GET /api/v1/sites/{host}: what the stored runs say of one site, for the popup ("last night:
3 violations")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.exceptions import HTTPException

from crawler.api.security import require
from crawler.api.state import api_state
from crawler.reports.changes import active_waivers, is_waived
from crawler.reports.store.base import ApiToken

__all__ = ["router"]

router = APIRouter(tags=["sites"])

_SEVERITIES = ("error", "warning", "info")


def _host(text: str) -> str:
    from crawler.net.host_names import host_ascii

    host = text.strip().rstrip(".").lower()
    if not host or len(host) > 253 or any(c in host for c in "/?#@ \\"):
        raise HTTPException(422, f"not a host name: {text!r}")
    if not host.isascii():
        host = host_ascii(host)
    return host


@router.get("/sites/{host}", summary="A site's latest audited state and its history")
def site(host: Annotated[str, Path(max_length=253, description="www.example.cn")],
         request: Request, _token: Annotated[ApiToken, Depends(require("audit"))],
         runs: Annotated[int, Query(ge=1, le=365, description="History: this many runs.")] = 30,
         ) -> dict[str, Any]:
    """`latest`: the newest stored run that audited the site, its pages (status and violation
    count) and its violations (waived ones marked); `history`: one entry per run, newest first.
    A site no stored run audited has `latest: null` and an empty history."""
    host = _host(host)
    store = api_state(request).stores.get()
    entries = store.site_history(host)
    by_run: dict[str, dict[str, Any]] = {}
    for e in entries:  # newest run first
        item = by_run.get(e["run_id"])
        if item is None:
            if len(by_run) >= runs:
                break
            item = by_run[e["run_id"]] = {"run_id": e["run_id"], "started": e["started"],
                                          "pages": 0, "violations": 0, "page_status": {}}
        item["pages"] += 1
        item["violations"] += int(e.get("violations") or 0)
        item["page_status"][e["status"]] = item["page_status"].get(e["status"], 0) + 1
    history = list(by_run.values())
    if not history:
        return {"site": host, "latest": None, "history": []}
    newest = history[0]["run_id"]
    run = store.get_run(newest)
    waivers = active_waivers(store)
    rows = store.find_violations(newest, site=host)
    counts = dict.fromkeys(_SEVERITIES, 0)
    violations = []
    for row in rows:
        waived = is_waived(row, waivers)
        if not waived:
            counts[row.severity] = counts.get(row.severity, 0) + 1
        violations.append({"url": row.url, "code": row.code, "severity": row.severity,
                           "message": row.message, "message_zh": row.message_zh,
                           "evidence": row.evidence, "waived": waived})
    pages = [{"url": e["url"], "status": e["status"], "violations": e["violations"]}
             for e in entries if e["run_id"] == newest]
    latest = {"run": run.to_json() if run else {"id": newest}, "pages": pages,
              "counts": counts, "violations": violations}
    return {"site": host, "latest": latest, "history": history}
