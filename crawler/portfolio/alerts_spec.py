"""The portfolio's `alerts:`: where the changes of each run are sent, and to whom.

    alerts:
      report_url: https://audit.example.cn/runs/{run}   # the dashboard's page of a run
      channels:
        - type: dingtalk                 # dingtalk | feishu | lark | wecom | email | webhook
          url: https://oapi.dingtalk.com/robot/send?access_token=...
          secret: ${DINGTALK_SECRET}     # 加签 secret (dingtalk, feishu, lark)
          owners: [web@example.cn]       # which owners' changes it receives (default: all)
        - type: email
          smtp_host: smtp.example.cn
          to: [ops@example.cn]

A value written `${NAME}` is read from the environment when the portfolio is loaded, so secrets
stay out of the file. The reference is docs/portfolio.md, "Alerts".
"""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CHANNEL_TYPES", "AlertsSpec", "ChannelSpec", "RetrySpec"]

CHANNEL_TYPES = ("dingtalk", "feishu", "lark", "wecom", "email", "webhook")
ChannelType = Literal["dingtalk", "feishu", "lark", "wecom", "email", "webhook"]
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_URL = re.compile(r"^https?://[^/\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _from_env(value: str | None) -> str | None:
    """`${NAME}`: the environment variable's value (an error when it is not set)."""
    if value is None:
        return None
    match = _ENV_REF.match(value.strip())
    if not match:
        return value
    name = match.group(1)
    if name not in os.environ:
        raise ValueError(f"environment variable {name} is not set")
    return os.environ[name]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelSpec(_Model):
    """One destination: a chat robot, an SMTP mailbox list or a JSON webhook."""

    type: ChannelType
    name: str | None = None  # how logs and `alerts test` name it (default: type and host)
    url: str | None = None  # the robot's or webhook's URL, as the platform shows it
    secret: str | None = None  # signing secret of a DingTalk (SEC...) or Feishu/Lark robot
    # E-mail over SMTP.
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # default: by smtp_security
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    sender: str | None = Field(default=None, alias="from")  # default: smtp_user
    to: tuple[str, ...] = ()
    # Whose changes it receives: owners and organisations named in the portfolio; both empty:
    # everyone's.
    owners: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("url", "secret", "smtp_password", "smtp_user", mode="before")
    @classmethod
    def _env(cls, value: object) -> object:
        return _from_env(value) if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for v in values:
            if not _EMAIL.match(v):
                raise ValueError(f"not an e-mail address: {v!r}")
        return values

    @model_validator(mode="after")
    def _complete(self) -> ChannelSpec:
        if self.type == "email":
            if not self.smtp_host:
                raise ValueError("an email channel needs smtp_host")
            if not self.to:
                raise ValueError("an email channel needs to: [addresses]")
            if not (self.sender or self.smtp_user or "").count("@"):
                raise ValueError("an email channel needs from: (an address) or an smtp_user "
                                 "that is one")
        else:
            if not self.url or not _URL.match(self.url):
                raise ValueError(f"a {self.type} channel needs url: its http(s) webhook URL")
            if self.secret and self.type not in ("dingtalk", "feishu", "lark"):
                raise ValueError(f"a {self.type} channel has no signing secret")
        return self

    def serves(self, owner: str, org: str) -> bool:
        if not self.owners and not self.orgs:
            return True
        return owner in self.owners or org in self.orgs

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.type == "email":
            return f"email {','.join(self.to)}"
        host = re.sub(r"^https?://", "", self.url or "").split("/")[0].split("?")[0]
        return f"{self.type} {host}"


class RetrySpec(_Model):
    attempts: int = Field(default=4, ge=1, le=10)  # tries per channel and message
    backoff: float = Field(default=2.0, ge=0, le=300)  # seconds before the 2nd try, doubling


class AlertsSpec(_Model):
    # The report's page on the dashboard; `{run}` is replaced by the run id.
    report_url: str | None = None
    max_items: int = Field(default=5, ge=1, le=50)  # worst items listed per owner
    retry: RetrySpec = RetrySpec()
    channels: tuple[ChannelSpec, ...] = ()

    @field_validator("report_url")
    @classmethod
    def _report_url(cls, value: str | None) -> str | None:
        if value is not None and not _URL.match(value):
            raise ValueError(f"expected an http(s) URL: {value!r}")
        return value

    def link(self, run_id: str) -> str | None:
        if not self.report_url:
            return None
        if "{run}" in self.report_url:
            return self.report_url.replace("{run}", run_id)
        return f"{self.report_url.rstrip('/')}/runs/{run_id}"
