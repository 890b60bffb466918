"""The installed footer-audit version, recorded with every result and run."""

from __future__ import annotations

from functools import cache

__all__ = ["tool_version"]


@cache
def tool_version() -> str:
    """Read once: the metadata lookup parses the package's METADATA file (about 2 ms)."""
    from importlib.metadata import PackageNotFoundError, version  # ~30 ms to import: on use

    try:
        return version("footer-audit")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
