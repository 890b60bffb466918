"""The process a scheduler starts for one run: `footer-audit run ...` that dies with its parent.

    python -m crawler.schedule.child PARENT_PID run portfolio.yaml --trigger nightly ...

Twisted's reactor cannot restart, so every run gets a fresh process; it runs in a session of its
own (a terminal's Ctrl-C reaches only the scheduler, which passes it on once). On Linux the kernel
sends it SIGTERM if the scheduler dies (PR_SET_PDEATHSIG), so a scheduler killed outright leaves
no orphan crawl that nobody holds the lock for: the run stops cleanly and is marked incomplete.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

__all__ = ["main"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the call: act as the kernel would
        os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    _die_with_parent(int(sys.argv[1]))
    sys.argv = ["footer-audit", *sys.argv[2:]]
    from crawler.app.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
