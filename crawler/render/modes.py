"""The render modes: the one carrier of a page's render mode, from the command line (typer lists
and checks the choices), the portfolio file (pydantic checks it) and `FOOTER_AUDIT_RENDER`
(checked once by `RenderConfig.from_settings`) down to each request. No import beyond the
standard library: the portfolio model and the commands use it without loading Scrapy."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RenderMode"]


class RenderMode(StrEnum):
    """How a page is read: `auto` renders in Chromium only when the static HTML needs it."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"
