"""Runs last: no Chromium or throwaway redis-server started by this session is still running.

Processes are recognised by the session mark that conftest puts in the environment, which every
process the session starts inherits (a browser left behind is reparented to init).
"""

from __future__ import annotations

import os

import psutil

from crawler.render.processes import is_browser_name
from tests.conftest import SESSION_MARK


def _session_processes() -> list[psutil.Process]:
    """Every process (but this one) whose environment carries this session's mark."""
    mark = os.environ[SESSION_MARK]
    found = []
    for proc in psutil.process_iter(["environ"]):
        # None: the process ended meanwhile, or is not ours to read.
        if proc.pid != os.getpid() and (proc.info["environ"] or {}).get(SESSION_MARK) == mark:
            found.append(proc)
    return found


def test_no_chromium_left_running() -> None:
    left = []
    for proc in _session_processes():
        try:
            if is_browser_name(proc.name()):
                left.append((proc.pid, proc.name()))
        except psutil.NoSuchProcess:
            continue
    assert left == []


def test_no_throwaway_redis_server_left_running() -> None:
    from tests.redis_server import RedisServer

    alive = [pid for pid in RedisServer.running if psutil.pid_exists(pid)]
    assert alive == []
