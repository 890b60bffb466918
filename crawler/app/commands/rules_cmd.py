"""`footer-audit rules [CODE]`: list the rule catalogue, or explain one rule (as `ruff rule`).

The list and the explanations come from `rules.registry` (each rule module's docstring), so they
cannot drift from the code.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.errors import UsageError
from rules import RULES_VERSION

if TYPE_CHECKING:
    from rules.rule import Rule

__all__ = ["rule_json", "rules"]


def rule_json(rule: Rule, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": rule.code, "severity": rule.severity, "tags": list(rule.tags),
        "since": rule.since, "status": rule.status, "summary": rule.summary,
        "summary_zh": rule.summary_zh, "message": rule.message_en, "message_zh": rule.message_zh,
    }
    if explain:
        out["explanation"] = rule.explain.strip()
        out["explanation_zh"] = rule.explain_zh.strip()
    return out


def rules(
    code: Annotated[str | None, typer.Argument(
        metavar="[CODE]", help="A rule code, e.g. icp_link_missing: print its explanation.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    tag: Annotated[str | None, typer.Option(
        metavar="TAG", help="Only rules with this tag (icp, gongan, copyright, layout...).")
    ] = None,
) -> None:
    """List the rules, or explain one."""
    from rules.registry import RULES, get_rule  # every rule module: only when asked

    out = Console(soft_wrap=True)
    if code is not None:
        rule = get_rule(code.strip())
        if rule is None:
            raise UsageError(f"unknown rule code {code!r} (see `footer-audit rules`)")
        if as_json:
            typer.echo(json.dumps(rule_json(rule, explain=True), ensure_ascii=False, indent=2))
            return
        out.print(f"[bold]{rule.code}[/] ({rule.severity}; tags: {', '.join(rule.tags)}; "
                  f"since {rule.since})", highlight=False)
        from rich.markdown import Markdown

        from rules.docgen import unwrap_cjk

        # Chinese first, as in `footer-audit check`; the English explanation follows.
        if rule.explain_zh:
            out.print(f"[bold]{rule.code}：{rule.summary_zh}[/]", highlight=False)
            out.print(Markdown(unwrap_cjk(rule.explain_zh.strip())))
            out.print()
        out.print(Markdown(rule.explain.strip()))
        return
    selected = [r for r in RULES if tag is None or tag in r.tags]
    if tag is not None and not selected:
        raise UsageError(f"no rule has the tag {tag!r}")
    if as_json:
        typer.echo(json.dumps({"rules_version": RULES_VERSION,
                               "rules": [rule_json(r) for r in selected]},
                              ensure_ascii=False, indent=2))
        return
    table = Table(title=f"footer-audit rules ({RULES_VERSION})", show_lines=False)
    for col in ("code", "severity", "tags", "摘要 summary"):
        table.add_column(col, overflow="fold")
    for r in selected:
        summary = f"{r.summary_zh}\n{r.summary}" if r.summary_zh else r.summary
        table.add_row(r.code, r.severity, ",".join(r.tags), summary)
    out.print(table)
