"""How long `footer-audit check` takes for one page, static and rendered, as a user runs it.

    python bench/check_latency.py [--runs 5]

Each run is a fresh `footer-audit check --json` process against the test server
(tests/mockserver.py) on loopback, so the figures include Python start-up, imports, the Scrapy
crawl and, when rendered, starting Chromium. Printed: the median and the range of wall time per
mode, the import time of the CLI alone, and (rendered) the extra cost over static.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.browser import find_chromium  # noqa: E402
from tests.mockserver import MockServer  # noqa: E402

CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - start, proc


def measure(label: str, cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        seconds, proc = timed(cmd)
        if proc.returncode not in (0, 1):
            sys.exit(f"{label}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
        json.loads(proc.stdout)  # a complete answer, not just an exit status
        times.append(seconds)
    print(f"{label:<34} median {statistics.median(times):5.2f} s   "
          f"min {min(times):5.2f} s   max {max(times):5.2f} s   ({runs} runs)")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    imports = [timed([sys.executable, "-c", "import crawler.cli"])[0] for _ in range(args.runs)]
    print(f"{'import crawler.cli':<34} median {statistics.median(imports):5.2f} s")
    with MockServer() as server:
        static = measure("check --render never (1 page)",
                         [*CLI, "check", "--json", "--render", "never", server.url("/gbk")],
                         args.runs)
        if find_chromium() is None:
            print("rendered: skipped, no Chromium on this machine")
            return
        rendered = measure("check --render always (1 page)",
                           [*CLI, "check", "--json", "--render", "always", server.url("/gbk")],
                           args.runs)
        measure("check --render auto, JS footer",
                [*CLI, "check", "--json", "--render", "auto", server.url("/js-footer")],
                args.runs)
        print(f"{'rendering costs (median)':<34} "
              f"+{statistics.median(rendered) - statistics.median(static):5.2f} s")


if __name__ == "__main__":
    main()
