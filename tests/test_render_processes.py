"""Process trees through psutil (crawler/render/processes.py), on a tree of real processes; the
Chromium side is exercised by tests/test_crawl_render.py and bench/crawl_farm.py."""

from __future__ import annotations

import subprocess
import sys
import time

from crawler.render.processes import (
    browser_process,
    chromium_processes,
    descendants,
    is_browser_name,
    pss_bytes,
    renderer_processes,
)

# A parent that starts a child and waits: two levels below the test.
TREE = ("import subprocess, sys; "
        "subprocess.run([sys.executable, '-c', 'import time; time.sleep(30)'])")


def test_descendants_of_a_tree_and_none_of_them_a_browser() -> None:
    parent = subprocess.Popen([sys.executable, "-c", TREE])
    try:
        deadline = time.monotonic() + 20
        while len(descendants(parent.pid)) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        (child,) = descendants(parent.pid)
        assert child.ppid() == parent.pid
        assert pss_bytes(child) > 0
        assert chromium_processes(parent.pid) == [] and renderer_processes(parent.pid) == []
        assert browser_process(parent.pid) is None
    finally:
        for proc in descendants(parent.pid):
            proc.kill()
        parent.kill()
        parent.wait()
    assert descendants(parent.pid) == []  # gone: an empty tree, not an error


def test_browser_names() -> None:
    for name in ("chromium", "chrome", "chrome-headless-shell", "chromium-headless-shell",
                 "headless_shell", "Google Chrome"):
        assert is_browser_name(name), name
    assert not is_browser_name("python3") and not is_browser_name("redis-server")
