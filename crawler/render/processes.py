"""Chromium's process tree under a crawl or a check: which processes are the browser's, which is
the browser itself, which render pages, and how much memory they use together.

The benchmarks sample it while a crawl runs (peak memory of the browser) and the tests use it to
kill the browser or a renderer mid-page. psutil reads the process table of each platform, so
none of this walks /proc by hand.
"""

from __future__ import annotations

import contextlib
import os

import psutil

__all__ = ["BROWSER_NAMES", "browser_process", "chromium_processes", "chromium_pss", "descendants",
           "is_browser_name", "pss_bytes", "renderer_processes"]

BROWSER_NAMES = ("chrom", "headless_shell")


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below `pid` (children, their children...); empty when `pid` is gone."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _cmdline(proc: psutil.Process) -> list[str]:
    """The process's arguments; empty when it is gone or not ours to read."""
    try:
        return proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


def is_browser_name(name: str) -> bool:
    """A Chromium executable's name: chromium, chrome, chrome-headless-shell,
    chromium-headless-shell, or the headless_shell of older Playwright releases."""
    name = name.lower()
    return any(part in name for part in BROWSER_NAMES)


def _is_chromium(args: list[str]) -> bool:
    # Zygote children rewrite their arguments as one string, so only the name part counts.
    return bool(args) and is_browser_name(os.path.basename(args[0].split(" ", 1)[0]))


def chromium_processes(pid: int) -> list[psutil.Process]:
    """The Chromium processes below `pid`: the browser and its helpers (renderers, GPU,
    network, zygotes)."""
    return [p for p in descendants(pid) if _is_chromium(_cmdline(p))]


def browser_process(pid: int) -> psutil.Process | None:
    """The main Chromium process below `pid` (the one launched; its helpers carry --type=)."""
    for proc in descendants(pid):
        args = _cmdline(proc)
        if _is_chromium(args) and not any(a.startswith("--type=") for a in args):
            return proc
    return None


def renderer_processes(pid: int) -> list[psutil.Process]:
    """Chromium's renderers below `pid` (one or more per open page)."""
    # Matched anywhere in the arguments: a zygote child's are one string.
    return [p for p in descendants(pid) if any("--type=renderer" in a for a in _cmdline(p))]


def pss_bytes(proc: psutil.Process) -> int:
    """The process's proportional set size (pages shared with others count a share each, so a
    sum over a process tree counts shared memory once); its resident size where the platform
    has no PSS; 0 when it is gone or not ours to read."""
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        full = proc.memory_full_info()
        return int(getattr(full, "pss", full.rss))
    return 0


def chromium_pss(pid: int) -> int:
    """Summed PSS, in bytes, of the Chromium processes below `pid`."""
    return sum(pss_bytes(p) for p in chromium_processes(pid))
