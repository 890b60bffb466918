"""Helpers shared by several checks (link hosts, grouping, the "could not look" outcome)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rules.data import (
    GONGAN_HOST_CURRENT,
    GONGAN_HOST_LEGACY,
    MIIT_HOST,
    MIIT_RETIRED_HOSTS,
)
from rules.rule import Result, review, violation
from rules.urls import host_of

if TYPE_CHECKING:  # the context parses HTML (lxml); the registry stays light
    from rules.context import Context

__all__ = ["gongan_link_code", "host_of", "is_gongan_host", "missing", "scheme_of",
           "stale_note", "stale_note_zh"]


def scheme_of(url: str | None) -> str:
    try:
        return urlsplit((url or "").strip()).scheme.lower()
    except ValueError:
        return ""


def stale_note(host: str) -> str:
    retired = MIIT_RETIRED_HOSTS.get(host)
    return f" (stale since {retired.since})" if retired else ""


def stale_note_zh(host: str) -> str:
    retired = MIIT_RETIRED_HOSTS.get(host)
    return f"（该地址自{retired.since_zh}起已停用）" if retired else ""


def is_gongan_host(host: str) -> bool:
    return host == GONGAN_HOST_CURRENT or host in GONGAN_HOST_LEGACY


_CODE_PARAM = re.compile(r"[?&#/](?P<name>[A-Za-z_]*)=(?P<code>\d{6,})")


def gongan_link_code(url: str | None) -> tuple[str | None, str | None]:
    """(parameter name, code) of a 公安 link: `recordcode=…` (legacy) or `code=…` (current)."""
    m = _CODE_PARAM.search(url or "")
    return (m.group("name"), m.group("code")) if m else (None, None)


def missing(ctx: Context, **params: Any) -> Result:
    """A mark is absent: a violation, unless the page could not be fully seen (then review)."""
    blind = ctx.blind_reason
    if blind is not None:
        reason, extra = blind
        return review(reason, **{**params, **extra})
    return violation(**params)


MIIT_HOSTS = frozenset({MIIT_HOST, *MIIT_RETIRED_HOSTS})
