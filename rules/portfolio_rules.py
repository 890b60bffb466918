"""Rules over a whole portfolio run rather than one page.

`subject_inconsistent(sites)`: one organisation's sites show different ICP subject numbers. Input:
a mapping site -> the ICP numbers found there (strings) or the AuditResults; output: Violations
(one, listing the subjects, with the sites of each as evidence), empty when consistent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rules.messages import fill
from rules.model import AuditResult, Expectations, Violation
from rules.normalize import compact
from rules.parsers.icp import parse_icp
from rules.registry import get_rule

__all__ = ["subject_inconsistent", "subject_of"]

_SEQ = re.compile(r"-\d{1,4}[AXK]?$")


def subject_of(number: str) -> str | None:
    """The subject part of a valid ICP number: `京ICP备12345678号-1` -> `京ICP备12345678号`."""
    parsed = parse_icp(compact(number))
    if parsed is None or not parsed.valid:
        return None
    return _SEQ.sub("", parsed.number)  # 京ICP备12345678号-1 -> 京ICP备12345678号


def _numbers(value: AuditResult | Iterable[str]) -> list[str]:
    if isinstance(value, AuditResult):
        return [m.number for m in value.findings.icp
                if m.visible is not False and m.in_footer and m.kind != "app"]
    return [str(v) for v in value]


def subject_inconsistent(sites: Mapping[str, AuditResult | Iterable[str]],
                         expect: Expectations | None = None) -> list[Violation]:
    rule = get_rule("subject_inconsistent")
    assert rule is not None
    if expect is not None and rule.code in expect.disabled:
        return []
    by_subject: dict[str, list[str]] = {}
    for site, value in sites.items():
        for number in _numbers(value):
            subject = subject_of(number)
            if subject:
                by_subject.setdefault(subject, [])
                if site not in by_subject[subject]:
                    by_subject[subject].append(site)
    if len(by_subject) < 2:
        return []
    params = {"count": len(by_subject), "subjects": ", ".join(sorted(by_subject))}
    evidence = "; ".join(f"{s}: {', '.join(v)}" for s, v in sorted(by_subject.items()))
    severity = (expect.severity_overrides.get(rule.code) if expect else None) or rule.severity
    return [Violation(rule.code, severity, fill(rule.message_en, params),
                      fill(rule.message_zh, params), evidence=evidence)]
