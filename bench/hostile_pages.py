"""`footer-audit check` against each hostile page of tests/hostile.py: the status it ends with, the
time to end and the peak memory of the Chromium it drove.

    python bench/hostile_pages.py [--timeout 5] [--limit 60] [--root CHECKOUT] [PATH...]

Each page is one fresh `footer-audit check --json --timeout T` process (the default render mode:
always, when Chromium exists). A process still running after `--limit` seconds is sent SIGTERM,
then SIGKILL 10 s later, and reported as such: that is the figure for a page that hangs. Memory is
the peak of the summed proportional set size (PSS) of the Chromium processes under the check,
sampled every 0.2 s. `--root` measures another checkout of the project (an older commit
exported with `git archive`, to compare), with the hostile server of this one.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.render.processes import chromium_pss  # noqa: E402
from tests.hostile import HostileServer  # noqa: E402

PATHS = ("/ok", "/late-loop", "/load-loop", "/gzip-bomb", "/endless", "/endless-frame",
         "/big", "/big-stream",
         "/popup", "/dialogs", "/png-as-html", "/html-as-png", "/redirect-loop", "/refresh-loop")


def run_one(root: Path, url: str, timeout: float, limit: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    with tempfile.TemporaryFile("w+") as out:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from crawler.app.cli import main; main()", "check", url,
             "--json", "--timeout", str(timeout)],
            cwd=root, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
        peak, ended = 0, "exit"
        while proc.poll() is None:
            peak = max(peak, chromium_pss(proc.pid))
            elapsed = time.monotonic() - start
            if elapsed > limit and ended == "exit":
                proc.send_signal(signal.SIGTERM)
                ended = "SIGTERM"
            elif elapsed > limit + 10 and ended == "SIGTERM":
                proc.kill()
                ended = "SIGKILL"
            time.sleep(0.2)
        seconds = time.monotonic() - start
        stderr = proc.stderr.read() if proc.stderr else ""
        out.seek(0)
        try:
            result = json.loads(out.read() or "{}")
        except json.JSONDecodeError:
            result = {}
    return {"seconds": seconds, "ended": ended, "code": proc.returncode, "peak": peak,
            "status": result.get("status", "-"), "rendered": result.get("rendered"),
            "error": (result.get("error") or "")[:70],
            "log_lines": sum(1 for line in stderr.splitlines() if " WARNING: " in line)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=list(PATHS))
    parser.add_argument("--timeout", type=float, default=5.0, help="check --timeout (seconds)")
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds before the check is sent SIGTERM")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    print(f"checkout {args.root}, check --timeout {args.timeout:g}, SIGTERM after "
          f"{args.limit:g} s")
    print(f"{'page':<15} {'ended':<8} {'exit':>4} {'time s':>7} {'Chromium MB':>11} "
          f"{'warn':>4}  status (rendered): error")
    with HostileServer() as server:
        for path in args.paths:
            row = run_one(args.root, server.url(path), args.timeout, args.limit)
            print(f"{path:<15} {row['ended']:<8} {row['code']:>4} {row['seconds']:>7.1f} "
                  f"{row['peak'] / 1e6:>11.0f} {row['log_lines']:>4}  {row['status']} "
                  f"({row['rendered']}): {row['error']}", flush=True)


if __name__ == "__main__":
    main()
