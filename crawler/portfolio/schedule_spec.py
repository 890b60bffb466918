"""The portfolio's `schedule:`: when `footer-audit schedule` starts its nightly run.

    schedule:
      cron: "0 2 * * *"          # minute hour day-of-month month day-of-week (crontab)
      timezone: Asia/Shanghai     # an IANA zone; the cron fields are read in it

`schedule: "30 1 * * *"` is short for a cron in the default zone. A sixth field gives seconds
(`0 2 * * * 30` is 02:00:30). Fire times come from croniter (`crawler/schedule/cron.py`), so the
fields mean what they mean to cron (weekday 0 and 7 are Sunday).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = ["DEFAULT_CRON", "DEFAULT_TIMEZONE", "ScheduleSpec"]

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"


class ScheduleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"cron": value} if isinstance(value, str) else value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from crawler.schedule.cron import check_cron

        return check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from crawler.schedule.cron import check_timezone

        return check_timezone(value)
