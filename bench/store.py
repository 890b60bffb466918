"""Report store figures: pages written per second on each backend, and export time and peak
Python memory for a large run (CSV and HTML), at two sizes so a flat profile shows.

    python bench/store.py                       # 10,000 pages; exports of 10,000 and 100,000
    python bench/store.py --redis redis://127.0.0.1:6379/0 --pages 2000 --violations 20000

Redis keys go under a unique prefix and are deleted at the end. Figures go to standard output.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from crawler.reports.exports import write_csv, write_html
from crawler.reports.store import Run, new_run_id, open_store
from crawler.reports.store.base import ReportStore
from crawler.reports.store.closing import close_run

CODES = ("icp_missing", "icp_link_missing", "gongan_missing", "gongan_missing_icon",
         "copyright_missing", "copyright_year_stale", "icp_link_http", "license_missing",
         "icp_not_in_footer", "fullwidth_characters_in_marks")


def page(i: int, per_page: int) -> dict:
    host = f"s{i:06d}.example{i % 50}.cn"
    return {
        "url": f"https://{host}/", "final_url": f"https://{host}/", "status": "ok",
        "http_status": 200, "rendered": False, "encoding": "utf-8",
        "findings": {"icp": [{"number": f"京ICP备{i:08d}号-1", "kind": "site", "region": "京",
                              "valid": True, "link": None, "in_footer": True, "visible": None,
                              "evidence": f"<span>京ICP备{i:08d}号-1</span>"}],
                     "gongan": [], "copyright": [], "licences": []},
        "violations": [{"code": CODES[k % len(CODES)], "severity": ("error", "warning",
                                                                     "info")[k % 3],
                        "message": "The ICP number is not linked to beian.miit.gov.cn",
                        "message_zh": "ICP备案号未链接至 beian.miit.gov.cn",
                        "evidence": f"京ICP备{i:08d}号-{k}, \"quoted\"",
                        "html": f"<span>京ICP备{i:08d}号-{k}</span>"} for k in range(per_page)],
        "review": [], "rules_version": "bench", "org": f"组织{i % 40}", "owner": "web team",
        "domain": f"example{i % 50}.cn", "host": host, "discovered_from": None,
        "snapshot": f"<footer><span>京ICP备{i:08d}号-1</span> © 2024 某某公司</footer>" * 3,
    }


def fill(store: ReportStore, pages: int, per_page: int) -> tuple[Run, float]:
    run = Run(id=new_run_id(), portfolio=f"bench-{uuid.uuid4().hex[:6]}", trigger="nightly")
    store.create_run(run)
    t0 = time.perf_counter()
    for i in range(pages):
        store.put_page(run.id, page(i, per_page))
    elapsed = time.perf_counter() - t0
    return close_run(store, run.id, "finished"), elapsed


def export_figures(store: ReportStore, run: Run, out_dir: Path, label: str) -> None:
    for name, fn in (("csv", write_csv), ("html", write_html)):
        path = out_dir / f"{run.id}.{name}"
        t0 = time.perf_counter()
        n = fn(store, run, path)
        elapsed = time.perf_counter() - t0
        tracemalloc.start()
        fn(store, run, path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = path.stat().st_size
        print(f"  {label:>7} export {name:4}: {n:>7} violations in {elapsed:6.2f} s "
              f"({n / elapsed:8.0f}/s), file {size / 1e6:6.1f} MB, "
              f"peak Python memory {peak / 2**20:6.1f} MiB")


def bench_backend(name: str, url: str, prefix: str | None, args: argparse.Namespace,
                  out_dir: Path) -> None:
    store = open_store(url, prefix=prefix)
    try:
        _run, elapsed = fill(store, args.pages, 1)
        print(f"{name}: wrote {args.pages} pages (1 violation each) in {elapsed:.2f} s: "
              f"{args.pages / elapsed:.0f} pages/s")
        if args.violations:
            per_page = 10
            small_pages = max(args.violations // 10 // per_page, 1)
            big_pages = max(args.violations // per_page, 1)
            small, _ = fill(store, small_pages, per_page)
            big, t_big = fill(store, big_pages, per_page)
            print(f"{name}: wrote {big_pages} pages x {per_page} violations in {t_big:.1f} s")
            export_figures(store, small, out_dir, f"{small_pages * per_page}")
            export_figures(store, big, out_dir, f"{big_pages * per_page}")
    finally:
        if prefix is not None:
            import redis

            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(match=prefix + "*", count=5000))
            for i in range(0, len(keys), 1000):
                client.unlink(*keys[i:i + 1000])
            client.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--violations", type=int, default=100_000,
                        help="size of the large export (0: skip exports)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    parser.add_argument("--backend", choices=("sqlite", "redis", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footer-audit-bench-") as tmp:
        out = Path(tmp)
        if args.backend in ("sqlite", "both"):
            bench_backend("sqlite", str(out / "bench.sqlite3"), None, args, out)
        if args.backend in ("redis", "both"):
            bench_backend("redis", args.redis, f"footer-audit-bench:{uuid.uuid4().hex[:8]}:",
                          args, out)


if __name__ == "__main__":
    main()
