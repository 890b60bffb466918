"""How long the command line takes, as a user runs it: `--help`, `rules`, and `check` of one
page (a local file and a page of the site farm on 127.0.0.1), static and rendered.

    python bench/check_latency.py [--runs 5]

Each run is a fresh process, so the figures include Python start-up, imports, the Scrapy crawl
and, when rendered, starting Chromium. Printed per command: the median and range of wall time,
the median CPU time (user + system, which a busy machine inflates less than wall time), and the
goal. Goals: `--help` and `rules` under 0.3 s, a static check of a local file under 1 s, a
rendered check of a local page under 2.5 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.demo.farm import serve_farm  # noqa: E402
from crawler.demo.pages import HOLDER, footer, page  # noqa: E402
from crawler.render.browser import find_chromium  # noqa: E402

CLI = [sys.executable, "-c", "from crawler.app.cli import main; main()"]

# GBK bytes whose charset only a <meta> after <title> declares (none in the header), and "Copyright"
# for the © GBK does not have.
_GBK = page(head='<meta charset="gbk">', foot=footer(
    copyright_holder=None, extra=f"<p>Copyright 2025 {HOLDER} 版权所有</p>")).replace(
    '<meta charset="utf-8">', "", 1)
# No footer in the HTML: a script adds it 100 ms after the load event.
_JS_FOOTER = page(foot="", script=(
    "window.addEventListener('load', () => setTimeout(() => {"
    f"const f = document.createElement('div'); f.innerHTML = {json.dumps(footer())};"
    "document.body.appendChild(f.firstChild); }, 100));"))
FARM = {"hosts": {"127.0.0.1": {"https": False, "pages": {
    "/gbk": {"body": _GBK, "encoding": "gbk", "type": "text/html"},
    "/js-footer": {"body": _JS_FOOTER},
}}}}


def timed(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds of one run of `cmd` (CPU: the child and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def measure(label: str, cmd: list[str], runs: int, goal: float | None = None, *,
            json_out: bool = True) -> list[float]:
    times, cpus = [], []
    timed(cmd)  # warm-up: file caches, compiled bytecode
    for _ in range(runs):
        seconds, cpu, proc = timed(cmd)
        if proc.returncode not in (0, 1):
            sys.exit(f"{label}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
        if json_out:
            json.loads(proc.stdout)  # a complete answer, not just an exit status
        times.append(seconds)
        cpus.append(cpu)
    median = statistics.median(times)
    verdict = "" if goal is None else (f"   goal < {goal:.1f} s: "
                                       f"{'met' if median < goal else 'NOT met'}")
    print(f"{label:<38} median {median:5.2f} s   min {min(times):5.2f} s   "
          f"max {max(times):5.2f} s   cpu {statistics.median(cpus):5.2f} s   "
          f"({runs} runs){verdict}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    measure("footer-audit --help", [*CLI, "--help"], args.runs, 0.3, json_out=False)
    measure("footer-audit rules", [*CLI, "rules"], args.runs, 0.3, json_out=False)
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "page.html"
        local.write_text(page(), encoding="utf-8")
        measure("check local.html --render never", [*CLI, "check", "--json", "--render", "never",
                                                     str(local)], args.runs, 1.0)
        if find_chromium() is not None:
            measure("check local.html --render always",
                    [*CLI, "check", "--json", "--render", "always", str(local)], args.runs, 2.5)
    with tempfile.TemporaryDirectory() as tmp, serve_farm(FARM, Path(tmp)) as farm:
        base = f"http://127.0.0.1:{farm.port}"
        static = measure("check --render never (1 page)",
                         [*CLI, "check", "--json", "--render", "never", f"{base}/gbk"],
                         args.runs)
        if find_chromium() is None:
            print("rendered: skipped, no Chromium on this machine")
            return
        rendered = measure("check --render always (1 page)",
                           [*CLI, "check", "--json", "--render", "always", f"{base}/gbk"],
                           args.runs)
        measure("check --render auto, JS footer",
                [*CLI, "check", "--json", "--render", "auto", f"{base}/js-footer"],
                args.runs)
        print(f"{'rendering costs (median)':<38} "
              f"+{statistics.median(rendered) - statistics.median(static):5.2f} s")


if __name__ == "__main__":
    main()
