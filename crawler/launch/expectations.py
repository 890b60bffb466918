"""The expectation options `check` and `crawl` share (`--province`, `--expect-icp`,
`--expect-gongan`): a value the audit could not use is a usage error that shows the valid form,
never silently ignored."""

from __future__ import annotations

from crawler.errors import UsageError
from rules.data import GONGAN_CODE, REGIONS, resolve_province
from rules.parsers.icp import parse_icp

__all__ = ["valid_gongan_code", "valid_icp", "valid_province"]



def valid_province(value: str | None) -> str | None:
    """`value` stripped; a usage error listing the provinces when it names none."""
    if value is None:
        return None
    if resolve_province(value) is None:
        names = " ".join(f"{r.name}({r.icp})" for r in REGIONS)
        raise UsageError(f"--province {value!r} is no province; use a name or its ICP "
                         f"abbreviation: {names}")
    return value.strip()


def valid_icp(value: str | None) -> str | None:
    """`value` as written when it parses as a well-formed ICP number or licence."""
    if value is None:
        return None
    parsed = parse_icp(value.strip())
    if parsed is None or not parsed.valid:
        raise UsageError(f"--expect-icp {value!r} is not an ICP number; write it as the page "
                         "should show it: 京ICP备12345678号-1 (website), 粤ICP备12345678号 "
                         "(subject), 京ICP证030173号 or 粤B2-20090059 (licence)")
    return value.strip()


def valid_gongan_code(value: str | None) -> str | None:
    """The 14-digit 公安 code, stripped."""
    if value is None:
        return None
    if not GONGAN_CODE.fullmatch(value.strip()):
        raise UsageError(f"--expect-gongan must be the 14-digit code (11010502030143), "
                         f"not {value!r}")
    return value.strip()
