"""A `footer-audit run` in a subprocess, as the crawl tests run it, and what it wrote.

The sites it crawls are served by the demo farm (`crawler/demo/farm.py`) through
`--resolve '*:127.0.0.1:PORT'`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "CrawlRun", "closed_port", "run_crawl"]

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    """A loopback port nothing listens on (a dead host)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class CrawlRun:
    """A finished `footer-audit run` subprocess and the JSON lines it wrote."""

    returncode: int
    stderr: str
    records: list[dict[str, Any]]

    def pages(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("kind") != "portfolio"]

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {r["url"]: r for r in self.pages()}

    def hosts(self) -> set[str]:
        return {r["host"] for r in self.pages()}


def run_crawl(portfolio_yaml: str, workdir: Path, *args: str, resolve: tuple[str, ...] = (),
              timeout: float = 180, env: dict[str, str] | None = None,
              popen_hook: Any = None) -> CrawlRun:
    """`footer-audit run PORTFOLIO --format jsonl --output FILE` in a subprocess.

    The render memory lives in `workdir` so runs never touch the user's data directory.
    `popen_hook(proc)` is called while the crawl runs (the browser-crash test uses it).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    pf = workdir / "portfolio.yaml"
    pf.write_text(portfolio_yaml, encoding="utf-8")
    out = workdir / "out.jsonl"
    cmd = [sys.executable, "-c", "from crawler.app.cli import main; main()", "run", str(pf),
           "--format", "jsonl", "--output", str(out), *args]
    for rule in resolve:
        cmd += ["--resolve", rule]
    full_env = {**os.environ, "XDG_DATA_HOME": str(workdir / "data"), **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                           full_env.get("PYTHONPATH")]))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        if popen_hook is not None:
            popen_hook(proc)
        _, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    records = []
    if out.exists():
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()
                   if line.strip()]
    return CrawlRun(proc.returncode, stderr, records)
