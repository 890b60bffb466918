"""`audit_page`: extraction plus every enabled rule, into an `AuditResult`; `audit_record`: one
fetched page's `PageRecord`, its status decided.

Pure and total: any text in, a result out. A rule that raises is a bug in that rule; it is turned
into a needs-review entry with reason `rule_error` so one faulty rule cannot sink an audit run.
"""

from __future__ import annotations

from dataclasses import replace

from rules import RULES_VERSION
from rules.context import Context
from rules.extract import Extraction, extract
from rules.fixes import fix_text, fix_values
from rules.messages import PAGE_REVIEW_REASONS, fill, review_message
from rules.model import (
    AuditResult,
    Expectations,
    Outcome,
    PageInput,
    PageStatus,
    Review,
    Violation,
)
from rules.page_record import PageRecord
from rules.registry import RULES
from rules.render_decision import needs_rendering
from rules.rule import Result, Rule
from rules.snapshot import footer_snapshot

__all__ = ["audit_page", "audit_record"]


def audit_record(page: PageInput, expect: Expectations | None = None, *,
                 extraction: Extraction | None = None, snapshot: bool = False) -> PageRecord:
    """The record of one fetched page (`page.status` and the fetch facts are the fetch path's);
    `extraction`: the static page's `extract()` when the render decision already parsed it;
    `snapshot`: keep the compact footer copy (the report store's, for re-audit).

    The page's status is decided here, and only here:

    - a fetch failure (`FETCH_FAILURES`) keeps its status: nothing is audited, findings are
      empty, `error` says why;
    - `needs_review` when a rule could not decide, when the page was not seen as it should have
      been (a render that timed out or crashed the browser: `page.review_reasons`), or when the
      audit itself failed on the page (`error` says so; never a pass);
    - `needs_rendering` when the page was not rendered (rendering off or failed) and its static
      HTML shows no footer marks but is script-driven (`rules.render_decision`): rendering decides;
    - otherwise `ok`: the violations say the rest.
    """
    record = PageRecord(
        url=page.url, final_url=page.final_url or page.url, status=PageStatus(page.status),
        http_status=page.http_status, rendered=page.rendered, encoding=page.encoding,
        redirect_chain=tuple(page.redirect_chain), error=page.error,
    )
    if record.status is not PageStatus.OK:
        return record
    try:
        result = audit_page(page, expect, extraction=extraction)
    except Exception as exc:  # one unreadable page must not end a portfolio run
        return replace(record, status=PageStatus.NEEDS_REVIEW, failure=exc,
                       error=f"the audit failed on this page: {type(exc).__name__}: {exc}")
    status = result.status
    if status is PageStatus.OK and not page.rendered and needs_rendering(
            page.html, extraction=result.extraction):
        status = PageStatus.NEEDS_RENDERING
    return replace(
        record, status=status, findings=result.findings, violations=tuple(result.violations),
        reviews=tuple(result.reviews), rules_version=result.rules_version,
        snapshot=footer_snapshot(page.html, record.final_url, extraction=result.extraction)
        if snapshot else "",
        outcomes=result.outcomes, extraction=result.extraction,
    )


def audit_page(page: PageInput, expect: Expectations | None = None, *,
               extraction: Extraction | None = None) -> AuditResult:
    """Audit one page; `extraction` is `extract(page)` when the caller already has it."""
    expect = expect or Expectations()
    ext = extraction if extraction is not None else extract(page)
    ctx = Context(page, expect, ext)
    violations: list[Violation] = []
    reviews: list[Review] = []
    outcomes: dict[str, str] = {}
    values: dict[str, str] | None = None  # what fixes may name: derived at the first violation
    for rule in RULES:
        if rule.code in expect.disabled or "portfolio" in rule.tags:
            continue
        try:
            results = rule.run(ctx)
        except Exception as exc:
            reviews.append(Review(rule.code, "rule_error", f"rule failed: {exc!r}",
                                  f"规则执行出错：{exc!r}"))
            outcomes[rule.code] = Outcome.NEEDS_REVIEW.value
            continue
        seen: set[tuple[str, str]] = set()
        worst = Outcome.PASS
        for res in results:
            if res.outcome is Outcome.VIOLATION:
                worst = Outcome.VIOLATION
                if values is None:
                    values = fix_values(ctx)
                v = _violation(rule, res, expect, values)
                if (v.message, v.evidence) not in seen:
                    seen.add((v.message, v.evidence))
                    violations.append(v)
            elif res.outcome is Outcome.NEEDS_REVIEW:
                if worst is not Outcome.VIOLATION:
                    worst = Outcome.NEEDS_REVIEW
                en, zh = review_message(res.reason, res.params)
                reviews.append(Review(rule.code, res.reason, en, zh))
            elif res.outcome is Outcome.INAPPLICABLE and worst is Outcome.PASS:
                worst = Outcome.INAPPLICABLE
        outcomes[rule.code] = worst.value
    # The page was not seen as it should have been (e.g. it crashed the browser): never a pass,
    # even when every rule found its mark in the HTML there was.
    for reason in dict.fromkeys(page.review_reasons):
        if reason in PAGE_REVIEW_REASONS and reason not in {r.reason for r in reviews}:
            en, zh = review_message(reason, {})
            reviews.append(Review("page", reason, en, zh))
    result = AuditResult(
        url=page.url, final_url=page.final_url or page.url, rendered=page.rendered,
        findings=ext.findings, violations=violations, reviews=reviews, rules_version=RULES_VERSION,
    )
    result.outcomes = outcomes
    result.extraction = ext
    return result


def _violation(rule: Rule, res: Result, expect: Expectations,
               values: dict[str, str]) -> Violation:
    mark = res.mark
    params = dict(res.params)
    if mark is not None:
        params.setdefault("number", getattr(mark, "number", getattr(mark, "text", "")))
    severity = expect.severity_overrides.get(rule.code) or res.severity or rule.severity
    evidence = res.evidence or (getattr(mark, "number", None) or getattr(mark, "text", "") or "")
    html = res.html or getattr(mark, "evidence", "") or ""
    href = res.href if res.href is not None else getattr(mark, "link", None)
    fix, fix_zh = fix_text(rule, params, values)
    return Violation(
        code=rule.code, severity=severity, message=fill(rule.message_en, params),
        message_zh=fill(rule.message_zh, params), evidence=evidence, html=html, href=href,
        selector=getattr(mark, "selector", "") or "", fix=fix, fix_zh=fix_zh,
    )
