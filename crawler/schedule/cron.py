"""Fire times of a portfolio's schedule, from croniter.

croniter (maintained in the Pallets community ecosystem) reads crontab fields exactly as cron
does, in an IANA time zone with DST handled, and takes an optional sixth field for seconds.
APScheduler 3's `CronTrigger.from_crontab` was the other candidate, but it numbers weekdays from
Monday (its issue 286, fixed only in the 4.x pre-releases), so `1-5` would not mean Monday to
Friday there.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

__all__ = ["Cron", "check_cron", "check_timezone"]


def check_cron(expr: str) -> str:
    """The expression with its spaces normalised; ValueError naming the problem otherwise."""
    text = " ".join(str(expr).split())
    if len(text.split()) not in (5, 6):
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday) and an "
                         f"optional 6th for seconds: {expr!r}")
    if not croniter.is_valid(text):
        raise ValueError(f"not a valid cron expression: {expr!r}")
    return text


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") \
            from None
    return name


class Cron:
    """One schedule: the fire times of `expr` read in `timezone`."""

    def __init__(self, expr: str, timezone: str) -> None:
        self.expr = check_cron(expr)
        self.zone = ZoneInfo(check_timezone(timezone))

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment` (aware, in the schedule's zone)."""
        return croniter(self.expr, moment.astimezone(self.zone)).get_next(datetime)

    def last_at_or_before(self, moment: datetime) -> datetime:
        """The latest fire time at or before `moment`."""
        local = moment.astimezone(self.zone)
        nxt = self.next_after(local)
        prev = croniter(self.expr, nxt).get_prev(datetime)
        return prev if prev <= local else croniter(self.expr, prev).get_prev(datetime)

    def __str__(self) -> str:
        return f"{self.expr} ({self.zone.key})"
