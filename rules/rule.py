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

__all__ = ["CheckResult", "Result", "Rule", "inapplicable", "passed", "review", "violation"]


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


CheckResult = Result | Iterable[Result]  # what a check returns: one result, or one per mark
CheckFn = Callable[[Any], CheckResult]


@dataclass(frozen=True)
class Rule:
    """One catalogue entry: code, default severity, tags, version added, both messages, the
    explanation (the module docstring, and its Chinese version) and the check.

    `fix_en` / `fix_zh` say how to fix one violation on this page: templates filled from the
    violation's parameters and the facts of `rules.fixes.FIX_VALUES` (the subject, its ICP number,
    its 公安 code...). They are optional: without one, or when a fact it needs is unknown, the
    fix is the explanation's "Use instead".
    """

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
    summary_zh: str = ""
    explain_zh: str = ""  # sections 检查内容, 为何重要, 改用, 所需条件
    fix_en: str = ""
    fix_zh: str = ""

    def run(self, ctx: Any) -> list[Result]:
        out = self.check(ctx)
        if isinstance(out, Result):
            return [out]
        results = list(out)
        return results or [passed()]
