"""Runs last: no Chromium or throwaway redis-server started by this session is still running.

Processes are recognised by the session mark that conftest puts in the environment, which every
process the session starts inherits (a browser left behind is reparented to init).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import SESSION_MARK

_BROWSER_NAMES = ("chrom", "headless_shell")


def _session_processes() -> list[tuple[int, str]]:
    mark = f"{SESSION_MARK}={os.environ[SESSION_MARK]}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if mark in (proc / "environ").read_bytes().split(b"\0"):
                found.append((int(proc.name), (proc / "comm").read_text().strip()))
        except OSError:  # the process ended meanwhile, or is not ours to read
            continue
    return found


def test_no_chromium_left_running() -> None:
    if not Path("/proc/self/environ").exists():
        return  # no /proc (macOS): nothing to inspect
    left = [(pid, name) for pid, name in _session_processes()
            if any(n in name.lower() for n in _BROWSER_NAMES)]
    assert left == []


def test_no_throwaway_redis_server_left_running() -> None:
    from bench.redis_server import RedisServer

    alive = [pid for pid in RedisServer.running if Path(f"/proc/{pid}").exists()]
    assert alive == []
