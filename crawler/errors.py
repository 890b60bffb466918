"""User-facing errors: each carries the one line the CLI prints and the exit status it uses.

    FooterAuditError        exit 2 unless a subclass says otherwise
    ├── UsageError          bad arguments or input file (2)
    ├── PortfolioError      a portfolio file that does not validate (2)
    ├── FetchError          the page could not be fetched (3)
    └── StoreError          the report store cannot be reached or read (4)
"""

from __future__ import annotations

__all__ = ["FetchError", "FooterAuditError", "PortfolioError", "StoreError", "UsageError"]


class FooterAuditError(Exception):
    exit_code = 2


class UsageError(FooterAuditError):
    exit_code = 2


class PortfolioError(FooterAuditError):
    """`str()` is one line; `lines` holds every problem of the file, one line each."""

    exit_code = 2

    def __init__(self, message: str, *, lines: list[str] | None = None):
        super().__init__(message)
        self.lines = list(lines) if lines else [message]


class FetchError(FooterAuditError):
    exit_code = 3


class StoreError(FooterAuditError):
    exit_code = 4
