"""Request bodies of the API, validated by pydantic (a bad field is a 422 problem naming it)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crawler.app.commands.expectations import valid_gongan_code, valid_icp, valid_province
from crawler.errors import UsageError

__all__ = ["AuditRequest", "CheckRequest", "LayoutSummary", "PageExpectations"]

_MAX_URL = 8192


def _http_url(value: str) -> str:
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueError("not a URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError("expected an http or https URL with a host")
    if any(c.isspace() for c in text):
        raise ValueError("a URL has no spaces")
    return text if parts.path else text + "/"


def _usage(check, value):
    try:
        return check(value)
    except UsageError as exc:
        raise ValueError(str(exc).removeprefix("--")) from None


class PageExpectations(BaseModel):
    """What the page should show; absent fields come from the server's portfolio by host."""

    org: str | None = Field(None, max_length=200, description="The filing subject (主办单位).")
    province: str | None = Field(None, max_length=20, description="北京, 广东... or 京, 粤...")
    expect_icp: str | None = Field(None, max_length=60,
                                   description="The ICP number the page must show.")
    expect_gongan: str | None = Field(None, max_length=20,
                                      description="The 14-digit 公安 code the page must show.")

    @field_validator("org")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("province")
    @classmethod
    def _province(cls, value: str | None) -> str | None:
        return _usage(valid_province, value)

    @field_validator("expect_icp")
    @classmethod
    def _icp(cls, value: str | None) -> str | None:
        return _usage(valid_icp, value)

    @field_validator("expect_gongan")
    @classmethod
    def _gongan(cls, value: str | None) -> str | None:
        return _usage(valid_gongan_code, value)


class LayoutSummary(BaseModel):
    """What the layout probe (`layout_probe.js`) returned in the page. Its facts themselves ride
    in the HTML as `data-fa-*` attributes; this summary is informative."""

    model_config = ConfigDict(extra="allow")

    annotated: int | None = Field(None, ge=0)
    visible: int | None = Field(None, ge=0)
    links: int | None = Field(None, ge=0)
    hits: int | None = Field(None, ge=0)
    ms: float | None = Field(None, ge=0)


class AuditRequest(PageExpectations):
    """A page as the browser has it."""

    url: str = Field(max_length=_MAX_URL, description="The page's URL (http or https).")
    html: str = Field(min_length=1, description="The page's DOM, serialised after the layout "
                                                "probe ran in it.")
    layout: LayoutSummary | None = Field(None, description="The layout probe's return value.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)


class CheckRequest(PageExpectations):
    """A URL for the server to fetch and render itself."""

    url: str = Field(max_length=_MAX_URL, description="An http or https URL.")
    render: Literal["auto", "always", "never"] | None = Field(
        None, description="Render in Chromium: always (default when the server has a browser), "
                          "auto, never.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)
