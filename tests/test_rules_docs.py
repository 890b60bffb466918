"""docs/rules.md is generated from the registry and CONTRIBUTING.md tells how to add a rule."""

from __future__ import annotations

from pathlib import Path

from rules.docgen import rules_markdown
from rules.registry import RULES

ROOT = Path(__file__).resolve().parent.parent


def test_rules_md_is_up_to_date() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_markdown(), (
        "docs/rules.md is stale: regenerate it with "
        "python -c \"from rules.docgen import rules_markdown; print(rules_markdown(), end='')\" "
        "> docs/rules.md")


def test_every_rule_has_a_section() -> None:
    text = rules_markdown()
    for rule in RULES:
        assert f"\n## {rule.code}\n" in text
        assert "### What it checks" in text.split(f"\n## {rule.code}\n", 1)[1]


def test_contributing_has_the_adding_a_rule_steps() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Adding a rule", 1)[1]
    assert "1. " in section and "rules/registry.py" in section and "tests/rule_cases" in section
