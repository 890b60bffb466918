"""The dashboard's overview over a large store: 2,000 sites and 30 nightly runs (generated).

Generates a SQLite report store through the store API (50 organisations of 40 sites, one page
each, 0 to 4 violations per page varying from night to night, a few unreachable sites and pages
to review, a few waivers), closes each run with its counts as a crawl does, then asks the real
app (FastAPI's TestClient, signed in with a token) for the overview 100 times and prints the
latency p50 / p99 / max and the page's size: as served (the per-site sums of closed runs kept
between requests, crawler/api/dashboard/views.py) and cold (read from the store on every request).
Goal on a 2-core machine: p99 under 300 ms. The load average is printed: the machine's other
work shows in the tail.

    python bench/dashboard.py [--sites 2000] [--runs 30] [--requests 100] [--db FILE]

`--db FILE` keeps the generated store (generated only when the file does not exist yet).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.reports.lifecycle import Waiver  # noqa: E402
from crawler.reports.store import Run, open_store, summarise_run  # noqa: E402
from crawler.reports.store.base import run_counts  # noqa: E402

ORG_SIZE = 40
RULES = (("icp_missing", "error"), ("icp_link_missing", "error"), ("gongan_missing", "error"),
         ("copyright_stale", "warning"), ("copyright_missing", "warning"),
         ("gongan_link_missing", "warning"), ("icp_format", "info"))


def _record(site: str, org: str, rng: random.Random, night: int) -> dict:
    roll = rng.random()
    status = "unreachable" if roll < 0.02 else "needs_review" if roll < 0.05 else "ok"
    violations = []
    if status != "unreachable":
        # Each site has its own weak spots; some are fixed, some come back, night to night.
        for code, severity in rng.sample(RULES, rng.randint(0, 4)):
            violations.append({"code": code, "severity": severity,
                               "message": f"{code} on {site}", "message_zh": f"{code}：{site}",
                               "evidence": f"{code} {night % 3}", "html": "<footer>…</footer>",
                               "fix": "", "fix_zh": ""})
    url = f"https://{site}/"
    return {"url": url, "final_url": url, "status": status, "http_status": 200,
            "rendered": False, "encoding": "utf-8", "redirect_chain": [],
            "findings": {"icp": [], "gongan": [], "copyright": [], "licences": []},
            "violations": violations, "review": [], "rules_version": "bench",
            "org": org, "owner": f"{org} 网站组", "domain": site, "host": site,
            "discovered_from": None, "snapshot": f"<footer>{site}</footer>"}


def generate(db: Path, sites: int, runs: int) -> None:
    start = time.perf_counter()
    store = open_store(str(db))
    names = [(f"site{i:05d}.example{i // ORG_SIZE:03d}.cn", f"单位{i // ORG_SIZE:03d}")
             for i in range(sites)]
    first = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    for night in range(runs):
        started = first + timedelta(days=night)
        run = Run(id=f"{started:%Y%m%dT%H%M%S}-{night:06x}", portfolio="portfolio.yaml",
                  trigger="nightly", started=started.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        store.create_run(run)
        for i, (site, org) in enumerate(names):
            store.put_page(run.id, _record(site, org, random.Random(i * 1000 + night), night))
        run.status = "finished"
        run.finished = (started + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        run.counts = run_counts(summarise_run(store, run.id))
        store.update_run(run)
        print(f"  night {night + 1}/{runs}: {run.counts['violations']} open violations",
              flush=True)
    for site, _org in names[::97]:
        store.put_waiver(Waiver(site, "copyright_stale", "改版中", "bench",
                                datetime.now(UTC).date() + timedelta(days=7)))
    store.close()
    print(f"generated {sites} sites x {runs} runs in {time.perf_counter() - start:.0f} s")


def measure(db: Path, requests: int) -> None:
    from fastapi.testclient import TestClient

    from crawler.api.app import create_app
    from crawler.api.config import ApiConfig
    from crawler.api.dashboard import views
    from crawler.api.tokens import create_token

    with open_store(str(db)) as store:
        token, _ = create_token(store, f"bench-{time.time_ns()}", "audit")
    app = create_app(ApiConfig(store_url=str(db), crawl_slots=0, audit_workers=0))
    with TestClient(app) as client:
        form = client.get("/dashboard/signin").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        signed = client.post("/dashboard/signin", data={"csrf": csrf, "token": token},
                             follow_redirects=False)
        assert signed.status_code == 303, signed.text
        first = client.get("/dashboard/")
        assert first.status_code == 200, first.text[:500]
        chips = first.text.count('class="chip ')
        bars = first.text.count('<rect class="bar"')
        print(f"overview: {chips} sites, {bars} bars, {len(first.content) // 1024} KiB")
        for label, cold in (("as served (closed runs' sums kept)", False),
                            ("cold (every run read again)", True)):
            times = []
            for _ in range(requests):
                if cold:
                    views.run_sites.clear()
                t0 = time.perf_counter()
                answer = client.get("/dashboard/")
                times.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"{requests} requests, {label}: p50 {statistics.median(times):.1f} ms, "
                  f"p99 {p99:.1f} ms, max {times[-1]:.1f} ms  (goal: p99 < 300 ms)")


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "dashboard.sqlite3"
        if not db.exists():
            generate(db, args.sites, args.runs)
        measure(db, args.requests)
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
