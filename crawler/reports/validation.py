"""pydantic's adapters of the stored records (runs, lifecycles, waivers, violation rows, spool
lines), built on first use: a command that stores nothing (`footer-audit --help`, `rules`)
does not import pydantic."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = ["adapter"]


@cache
def adapter(kind: Any) -> TypeAdapter[Any]:
    """The TypeAdapter of `kind` (a dataclass, or any type pydantic validates)."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)
