"""Faults against a real `footer-audit run`: the scenarios `bench/faults.py` measures, which the
fault suite (tests/test_faults_store.py) asserts on.

Each scenario crawls a farm of sites on 127.0.0.1 (crawler/demo/farm.py) into a real store (a SQLite
file, or a redis-server the scenario starts, kills, freezes and restarts: bench/redis_server.py),
breaks something while the run goes on (a full disk: a small tmpfs; a read-only store directory;
Redis killed and restarted empty; Redis frozen with SIGSTOP; SIGTERM or SIGKILL of the crawl), lets
the run end, then replays what the run spooled once the fault is gone (as an operator would), and
counts: pages expected (every page of the farm: what a whole run audits), pages audited (the JSON
Lines output, written to an intact disk), pages stored (in the store, after the replay), pages lost
(audited but not stored), the run's final state, its exit status and the time from the start of the
crawl to the end of its process.

Mounting a tmpfs needs root (or a user namespace that allows it); `Unavailable` says when the
machine does not allow it, and the suite skips those scenarios with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.redis_server import RedisServer
from crawler.demo.farm import Farm, serve_farm
from crawler.demo.pages import footer, page

__all__ = ["SCENARIOS", "FaultResult", "Unavailable", "run_scenario", "tmpfs"]

ROOT = Path(__file__).resolve().parent.parent


class Unavailable(Exception):
    """The machine does not allow this fault (no tmpfs mount)."""


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "1m") -> Iterator[Path]:
    """A small tmpfs mounted at `path` for the block (unmounted after, lazily if busy)."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(path)], capture_output=True, text=True)
    if done.returncode:
        raise Unavailable(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True,
                   capture_output=True)


# ---- the farm and the portfolio ------------------------------------------------------------------

def farm_spec(sites: int, *, delay: float = 0.0, pad: int = 0) -> dict[str, Any]:
    """`sites` sites (and their www.), each a homepage with the usual footer; `pad` characters of
    extra footer text make each stored page bigger (to fill a disk), `delay` slows each page."""
    extra = f"<p>{'友情链接 ' * (pad // 5)}</p>" if pad else ""
    body = page(foot=footer(extra=extra))
    hosts = {}
    for i in range(sites):
        for host in (f"s{i}.example.cn", f"www.s{i}.example.cn"):
            hosts[host] = {"pages": {"/": {"body": body, "delay": delay}}}
    return {"hosts": hosts}


def portfolio_yaml(sites: int) -> str:
    domains = "".join(f"      - domain: s{i}.example.cn\n" for i in range(sites))
    return ("crawl:\n  inner_pages: 0\n  subdomain_cap: 0\norganisations:\n"
            "  - name: 北京某某科技有限公司\n    province: 北京\n    icp: 京ICP备12345678号\n"
            f"    domains:\n{domains}")


@dataclass
class Crawl:
    """A `footer-audit run` in a subprocess, against the farm."""

    proc: subprocess.Popen[str]
    workdir: Path
    started: float
    output: Path
    expected: int  # pages a whole run audits

    def records(self) -> list[dict[str, Any]]:
        if not self.output.exists():
            return []
        out = []
        for line in self.output.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):  # a line cut by SIGKILL
                record = json.loads(line)
                if record.get("kind") != "portfolio":
                    out.append(record)
        return out

    def wait(self, timeout: float = 240) -> tuple[int, str, float]:
        try:
            _, err = self.proc.communicate(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate()
        return self.proc.returncode, err, time.monotonic() - self.started


def start_crawl(workdir: Path, farm: Farm, sites: int, *args: str,
                env: dict[str, str] | None = None, output: Path | None = None) -> Crawl:
    workdir.mkdir(parents=True, exist_ok=True)
    pf = workdir / "portfolio.yaml"
    pf.write_text(portfolio_yaml(sites), encoding="utf-8")
    out = output or workdir / "out.jsonl"
    cmd = [sys.executable, "-c", "from crawler.app.cli import main; main()", "run", str(pf),
           "--format", "jsonl", "--output", str(out), "--render", "never", "--timeout", "10",
           "--quiet", "--resolve", farm.resolve, *args]
    full_env = {**os.environ, "XDG_DATA_HOME": str(workdir / "data"),
                "TMPDIR": str(workdir / "tmp"), **(env or {})}
    Path(full_env["TMPDIR"]).mkdir(parents=True, exist_ok=True)
    full_env.pop("REDIS_URL", None)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get(
        "PYTHONPATH")]))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return Crawl(proc, workdir, time.monotonic(), out, 2 * sites)


def report(workdir: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    """`footer-audit report ARGS` with the crawl's data directory."""
    full_env = {**os.environ, "XDG_DATA_HOME": str(workdir / "data"), **(env or {})}
    full_env.pop("REDIS_URL", None)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get(
        "PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", "from crawler.app.cli import main; main()",
                           "report", *args], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=120)


def spool_files(workdir: Path) -> list[Path]:
    found = []
    for base in (workdir / "data" / "footer-audit" / "spool", workdir / "tmp" /
                 "footer-audit-spool"):
        found += sorted(base.glob("*.jsonl")) if base.is_dir() else []
    return found


def stored_run(store_args: tuple[str, ...], workdir: Path) -> dict[str, Any] | None:
    """The newest run of the store (via `report list --json`) and its page URLs."""
    listed = report(workdir, *store_args, "list", "--json", "--limit", "1")
    if listed.returncode:
        return None
    runs = json.loads(listed.stdout or "[]")
    if not runs:
        return None
    run = runs[0]
    exported = report(workdir, *store_args, "export", run["id"], "--format", "json", "-o", "-")
    pages = json.loads(exported.stdout)["pages"] if exported.returncode == 0 else []
    return {**run, "urls": sorted(p["url"] for p in pages)}


def wait_for_pages(crawl: Crawl, n: int, timeout: float = 60) -> None:
    """Until the crawl has written `n` pages to its output."""
    deadline = time.monotonic() + timeout
    while len(crawl.records()) < n:
        if crawl.proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the crawl wrote {len(crawl.records())} page(s), not {n}")
        time.sleep(0.05)


# ---- the scenarios -------------------------------------------------------------------------------

@dataclass
class FaultResult:
    fault: str
    expected: int  # pages of the farm: what a whole run audits
    audited: int  # pages the crawl audited before it ended (its JSON Lines output)
    stored: int  # of those, pages of the run in the store, after any replay
    status: str  # the run's final state in the store ("-" when there is no run)
    exit_code: int
    seconds: float  # from the start of the crawl to the end of its process
    note: str = ""
    stderr: str = ""
    tracebacks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        """Audited but not in the store (such pages are still in the JSON Lines output)."""
        return self.audited - self.stored


def _result(fault: str, crawl: Crawl, code: int, err: str, secs: float,
            run: dict[str, Any] | None, **extra: Any) -> FaultResult:
    audited = {r["url"] for r in crawl.records()}
    stored = set(run["urls"]) if run else set()
    return FaultResult(fault, crawl.expected, len(audited), len(audited & stored),
                       run["status"] if run else "-", code, secs,
                       (run or {}).get("note", ""), err, err.count("Traceback"), extra)


def disk_full(workdir: Path, sites: int = 40) -> FaultResult:
    """The SQLite store and its spool directory on a tmpfs that fills during the run; the
    spool moves to the temporary directory. Then the disk grows and the spool is replayed."""
    with serve_farm(farm_spec(sites, pad=6000), workdir / "farm") as farm, \
            tmpfs(workdir / "data", "400k") as disk:
        crawl = start_crawl(workdir, farm, sites)
        code, err, secs = crawl.wait()
        spools = spool_files(workdir)
        remount(disk, "size=64m")
        replayed = report(workdir, "replay", *map(str, spools)) if spools else None
        run = stored_run((), workdir)
        return _result("disk full (store and spool on one tmpfs)", crawl, code, err, secs, run,
                       spools=len(spools), replay=replayed.returncode if replayed else None)


def disk_full_nowhere(workdir: Path, sites: int = 40) -> FaultResult:
    """As `disk_full`, but the temporary directory is on the same full disk: the crawl must stop
    early with one error line; the output (on an intact disk) keeps what it audited."""
    with serve_farm(farm_spec(sites, pad=6000), workdir / "farm") as farm, \
            tmpfs(workdir / "full", "400k") as disk:
        (disk / "tmp").mkdir()
        crawl = start_crawl(workdir, farm, sites, env={"XDG_DATA_HOME": str(disk / "data"),
                                                       "TMPDIR": str(disk / "tmp")})
        code, err, secs = crawl.wait()
        remount(disk, "size=64m")
        spools = sorted((disk / "data" / "footer-audit" / "spool").glob("*.jsonl")) + sorted(
            (disk / "tmp" / "footer-audit-spool").glob("*.jsonl"))
        env = {"XDG_DATA_HOME": str(disk / "data")}
        if spools:
            report(workdir, "replay", *map(str, spools), env=env)
        listed = report(workdir, "list", "--json", env=env)
        runs = json.loads(listed.stdout or "[]") if listed.returncode == 0 else []
        run = None
        if runs:
            exported = report(workdir, "export", runs[0]["id"], "--format", "json", "-o", "-",
                              env=env)
            pages = json.loads(exported.stdout)["pages"] if exported.returncode == 0 else []
            run = {**runs[0], "urls": [p["url"] for p in pages]}
        return _result("disk full, no other place to spool", crawl, code, err, secs, run)


def output_full(workdir: Path, sites: int = 40) -> FaultResult:
    """The JSON Lines output on a tmpfs that fills up: the crawl stops early with one error line;
    the store keeps every page audited (here `audited` counts the store's pages: the output is
    the part that failed)."""
    with serve_farm(farm_spec(sites, pad=6000), workdir / "farm") as farm, \
            tmpfs(workdir / "out", "24k") as disk:
        crawl = start_crawl(workdir, farm, sites, output=disk / "out.jsonl")
        code, err, secs = crawl.wait()
        written = len(crawl.records())
        run = stored_run((), workdir)
        stored = len(run["urls"]) if run else 0
        return FaultResult("output disk full", crawl.expected, stored, stored,
                           run["status"] if run else "-", code, secs, (run or {}).get("note", ""),
                           err, err.count("Traceback"), {"output_lines": written})


def store_read_only(workdir: Path, sites: int = 20) -> FaultResult:
    """The store's directory is read-only from the start: results go to the spool in the
    temporary directory; once the directory is writable again, the spool is replayed."""
    with serve_farm(farm_spec(sites), workdir / "farm") as farm, \
            tmpfs(workdir / "data", "8m") as disk:
        (disk / "footer-audit").mkdir()
        remount(disk, "ro")
        crawl = start_crawl(workdir, farm, sites)
        code, err, secs = crawl.wait()
        remount(disk, "rw")
        spools = spool_files(workdir)
        if spools:
            report(workdir, "replay", *map(str, spools))
        run = stored_run((), workdir)
        return _result("store directory read-only at start", crawl, code, err, secs, run,
                       spools=len(spools))


def _redis_crawl(workdir: Path, sites: int, fault: Callable[[RedisServer, Crawl], None],
                 name: str, *, delay: float = 0.15) -> FaultResult:
    with RedisServer() as server, \
            serve_farm(farm_spec(sites, delay=delay), workdir / "farm") as farm:
        crawl = start_crawl(workdir, farm, sites, "--store", server.url,
                            "--concurrency", "4")
        fault(server, crawl)
        code, err, secs = crawl.wait()
        server.thaw()
        spools = spool_files(workdir)
        if spools:
            report(workdir, "--store", server.url, "replay", *map(str, spools))
        run = stored_run(("--store", server.url), workdir)
        return _result(name, crawl, code, err, secs, run, spools=len(spools))


def no_fault(workdir: Path, sites: int = 30) -> FaultResult:
    """The same Redis crawl with nothing broken: the time the others compare with."""
    return _redis_crawl(workdir, sites, lambda server, crawl: None, "none (Redis)")


def redis_restarted_empty(workdir: Path, sites: int = 30) -> FaultResult:
    def fault(server: RedisServer, crawl: Crawl) -> None:
        wait_for_pages(crawl, sites // 2)
        server.stop()
        time.sleep(1.0)
        server.start()  # no persistence: empty
    return _redis_crawl(workdir, sites, fault, "Redis killed and restarted empty")


def redis_frozen(workdir: Path, sites: int = 30) -> FaultResult:
    """Redis frozen (SIGSTOP) from a quarter of the run until its end; thawed afterwards and the
    spool replayed."""
    def fault(server: RedisServer, crawl: Crawl) -> None:
        wait_for_pages(crawl, sites // 2)
        server.freeze()
    return _redis_crawl(workdir, sites, fault, "Redis frozen (SIGSTOP) until the end")


def redis_frozen_a_while(workdir: Path, sites: int = 30) -> FaultResult:
    """Redis frozen for 4 s in the middle of the run, then thawed: the run drains its spool."""
    def fault(server: RedisServer, crawl: Crawl) -> None:
        wait_for_pages(crawl, sites // 2)
        server.freeze()
        time.sleep(4)
        server.thaw()
    return _redis_crawl(workdir, sites, fault, "Redis frozen (SIGSTOP) for 4 s")


def _signalled(workdir: Path, sites: int, sig: signal.Signals, name: str,
               times: int = 1) -> FaultResult:
    with serve_farm(farm_spec(sites, delay=0.15), workdir / "farm") as farm:
        crawl = start_crawl(workdir, farm, sites, "--concurrency", "4")
        wait_for_pages(crawl, sites // 2)
        for n in range(times):
            if n:
                time.sleep(0.05)
            crawl.proc.send_signal(sig)
        code, err, secs = crawl.wait()
        # What the store says before any other command looked at it.
        before = _newest_status(workdir / "data" / "footer-audit" / "reports.sqlite3")
        # Any later command marks a dead run incomplete: `report list` here.
        run = stored_run((), workdir)
        return _result(name, crawl, code, err, secs, run, status_before=before)


def _newest_status(db: Path) -> str | None:
    from crawler.reports.store.sqlite import SQLiteStore

    if not db.exists():
        return None
    store = SQLiteStore(db)
    try:
        runs = store.list_runs(limit=1)
        return runs[0].status if runs else None
    finally:
        store.close()


def sigterm(workdir: Path, sites: int = 30) -> FaultResult:
    return _signalled(workdir, sites, signal.SIGTERM, "SIGTERM mid-run")


def sigterm_twice(workdir: Path, sites: int = 30) -> FaultResult:
    """The second SIGTERM forces Scrapy to stop at once, without closing the spider."""
    return _signalled(workdir, sites, signal.SIGTERM, "SIGTERM twice (forced stop)", times=2)


def sigkill(workdir: Path, sites: int = 30) -> FaultResult:
    return _signalled(workdir, sites, signal.SIGKILL, "SIGKILL mid-run")


SCENARIOS: dict[str, Callable[..., FaultResult]] = {
    "none": no_fault,
    "disk-full": disk_full,
    "disk-full-nowhere": disk_full_nowhere,
    "read-only": store_read_only,
    "output-full": output_full,
    "redis-restarted-empty": redis_restarted_empty,
    "redis-frozen": redis_frozen,
    "redis-frozen-a-while": redis_frozen_a_while,
    "sigterm": sigterm,
    "sigterm-twice": sigterm_twice,
    "sigkill": sigkill,
}


def run_scenario(name: str, workdir: Path, **kw: Any) -> FaultResult:
    return SCENARIOS[name](workdir, **kw)
