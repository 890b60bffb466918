"""Faults under a real crawl: for each, pages expected, audited, stored, lost, the run's final
state, its exit status and the time to end.

    python bench/faults.py                          # every fault, 30-40 sites each
    python bench/faults.py --sites 100 sigkill redis-frozen

Each fault is a scenario of bench/fault_runs.py (the fault suite, tests/test_faults_store.py,
asserts on the same ones): a `footer-audit run` against the crawl farm on 127.0.0.1, into a
SQLite file or a redis-server of its own, broken while it runs; what the run spooled is then
replayed as an operator would once the fault is gone. Columns:

    expected  pages of the farm: what a whole run audits
    audited   pages the run audited before it ended (its JSON Lines output, on an intact disk)
    stored    of those, pages in the store after the replay
    lost      audited but not stored (such pages are still in the JSON Lines output)
    state     the run's status in the store afterwards, exit its exit status, seconds from the
              start of the crawl to the end of its process

Goal: 0 lost, every run ends in bounded time, and the state says the truth. The disk faults mount
a tmpfs (root, or a machine that allows it); where it cannot, they are listed as skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fault_runs import SCENARIOS, Unavailable, run_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("faults", nargs="*", metavar="FAULT",
                    help=f"some of: {', '.join(SCENARIOS)} (default: all)")
    ap.add_argument("--sites", type=int, default=None,
                    help="sites per fault (each has a www. host too; default: the scenario's)")
    args = ap.parse_args()
    names = args.faults or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown fault(s) {', '.join(unknown)}: use {', '.join(SCENARIOS)}")
    kw = {"sites": args.sites} if args.sites else {}
    head = (f"{'fault':<42} {'expected':>8} {'audited':>7} {'stored':>6} {'lost':>4} "
            f"{'state':<10} {'exit':>4} {'seconds':>7}")
    print(head)
    print("-" * len(head))
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"footer-audit-fault-{name}-") as tmp:
            try:
                r = run_scenario(name, Path(tmp), **kw)
            except Unavailable as exc:
                print(f"{name:<42} skipped: {exc}")
                continue
        print(f"{r.fault:<42} {r.expected:>8} {r.audited:>7} {r.stored:>6} {r.lost:>4} "
              f"{r.status:<10} {r.exit_code:>4} {r.seconds:>7.1f}", flush=True)
        if r.note:
            print(f"{'':<42} note: {r.note[:150]}")
        if r.tracebacks:
            print(f"{'':<42} {r.tracebacks} traceback(s) on stderr")


if __name__ == "__main__":
    main()
