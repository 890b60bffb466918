"""POST /check: `crawler.app.check.check_pages`, the path of `footer-audit check`, in a child
process per check (`crawler/api/check_worker.py`), a bounded number at a time.

Checks beyond the bound wait their turn; beyond a queue of four times the bound the server says
503 with Retry-After rather than let requests pile up. A child that overruns its time (the page
timeout plus the browser's start) or whose client went away is killed with its process group
(its Chromium included).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from crawler.api.check_worker import expectations_json
from rules.model import Expectations

__all__ = ["CheckBusy", "CheckFailed", "CheckRunner"]

_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder holding `crawler/`
# Beyond the page's own timeout: the interpreter, Scrapy and Chromium starting, the audit.
_STARTUP_ALLOWANCE = 45.0


class CheckBusy(Exception):
    """Too many checks queued."""


class CheckFailed(Exception):
    """The check could not run; `usage` when the request itself was at fault."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


class CheckRunner:
    def __init__(self, concurrency: int, timeout: float, allow_networks: tuple[str, ...]) -> None:
        self.concurrency = concurrency
        self.timeout = timeout
        self.allow_networks = allow_networks
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting = 0

    async def check(self, url: str, expect: Expectations, render: str) -> dict[str, Any]:
        if self._waiting >= self.concurrency * 5:
            raise CheckBusy(f"{self._waiting} checks are queued already")
        self._waiting += 1
        try:
            async with self._slots:
                return await self._run(url, expect, render)
        finally:
            self._waiting -= 1

    async def _run(self, url: str, expect: Expectations, render: str) -> dict[str, Any]:
        request = json.dumps({"url": url, "expect": expectations_json(expect), "render": render,
                              "timeout": self.timeout,
                              "allow_networks": list(self.allow_networks)})
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.api.check_worker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
            start_new_session=True)  # its own process group: killed with its browser
        try:
            out, err = await asyncio.wait_for(proc.communicate(request.encode()),
                                              self.timeout + _STARTUP_ALLOWANCE)
        except (TimeoutError, asyncio.CancelledError):
            _kill_group(proc)
            await proc.wait()
            raise
        if proc.returncode != 0 or not out:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise CheckFailed(f"the check process ended with status {proc.returncode}: "
                              f"{tail[0][:300]}")
        answer = json.loads(out)
        if "error" in answer:
            raise CheckFailed(answer["error"], usage=bool(answer.get("usage")))
        return answer["result"]


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # the group this runner created for the child
