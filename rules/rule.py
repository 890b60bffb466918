"""The rule object and the four outcomes a rule can give (axe-core's passes, violations,
incomplete, inapplicable).

A check is a function of the audit context that returns one `Result` or several (one per mark that
breaks the rule). `violation(...)` carries the parameters its message templates need (`{number}`,
`{host}`, `{stale}`), the mark it is about (for evidence) and, where the catalogue says so, a
severity that depends on the page (error in 江苏).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rules.model import Outcome, Severity

__all__ = ["Result", "Rule", "inapplicable", "passed", "review", "violation"]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # needs_review / inapplicable: a key such as "number_only_in_image"
    mark: Any = None  # IcpMark / GonganMark / CopyrightLine the result is about
    severity: Severity | None = None  # page-dependent default severity
    evidence: str = ""
    html: str = ""
    href: str | None = None


def violation(mark: Any = None, *, severity: Severity | None = None, evidence: str = "",
              html: str = "", href: str | None = None, **params: Any) -> Result:
    return Result(Outcome.VIOLATION, params, "", mark, severity, evidence, html, href)


def passed() -> Result:
    return Result(Outcome.PASS)


def review(reason: str, **params: Any) -> Result:
    return Result(Outcome.NEEDS_REVIEW, params, reason)


def inapplicable(reason: str = "") -> Result:
    return Result(Outcome.INAPPLICABLE, {}, reason)


CheckFn = Callable[[Any], "Result | Iterable[Result]"]


@dataclass(frozen=True)
class Rule:
    """One catalogue entry: code, default severity, tags, version added, both messages, the
    explanation (the module docstring) and the check."""

    code: str
    severity: Severity
    tags: tuple[str, ...]
    since: str
    message_en: str
    message_zh: str
    explain: str
    check: CheckFn
    summary: str = ""
    status: str = "stable"  # stable, preview, removed

    def run(self, ctx: Any) -> list[Result]:
        out = self.check(ctx)
        if isinstance(out, Result):
            return [out]
        results = list(out)
        return results or [passed()]
