"""One /check in a child process: `python -m crawler.api.check_worker` reads a JSON request on
stdin and writes the check JSON (docs/check.md) on stdout.

A check is a Scrapy crawl, and Twisted's reactor runs once per process: the server starts one
child per check (`crawler/api/check_runner.py`). The URL came from an API client, not from the
operator, so its own host gets no exemption from the address policy (`operator_targets=False`).

    stdin:  {"url": ..., "expect": {Expectations fields}, "render": "always"|"auto"|"never",
             "timeout": 20, "allow_networks": ["10.1.0.0/16"]}
    stdout: {"result": {check JSON}} or {"error": "one line", "usage": true|false}
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, fields
from typing import Any

from rules.model import Expectations

__all__ = ["expectations_from_json", "expectations_json", "main"]


def expectations_json(expect: Expectations) -> dict[str, Any]:
    data = asdict(expect)
    data["disabled"] = sorted(expect.disabled)
    data["today"] = expect.today.isoformat() if expect.today else None
    return data


def expectations_from_json(data: dict[str, Any]) -> Expectations:
    from datetime import date

    names = {f.name for f in fields(Expectations)}
    values = {k: v for k, v in data.items() if k in names}
    values["disabled"] = frozenset(values.get("disabled") or ())
    if values.get("today"):
        values["today"] = date.fromisoformat(values["today"])
    return Expectations(**values)


def main() -> int:
    from crawler.app.check import check_pages
    from crawler.errors import FooterAuditError

    request = json.loads(sys.stdin.read())
    try:
        (result,) = check_pages(
            [request["url"]], expectations_from_json(request.get("expect") or {}),
            render=request.get("render", "always"), timeout=float(request.get("timeout", 20)),
            allow_networks=request.get("allow_networks") or (), operator_targets=False)
        out: dict[str, Any] = {"result": result}
    except FooterAuditError as exc:
        out = {"error": str(exc), "usage": exc.exit_code == 2}
    sys.stdout.write(json.dumps(out, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
