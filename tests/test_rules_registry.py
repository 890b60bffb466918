"""The registry: codes equal docs/marks.md §3, every rule module is registered, and every
rule's explanation has the sections STYLE.md asks for."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import rules
import rules.checks
from rules.registry import REDIRECTS, RULES, get_rule

RULES_MD = Path(__file__).resolve().parents[1] / "docs" / "marks.md"
# The catalogue as of docs/marks.md §3, used when the spec file is not beside the checkout.
CATALOGUE = [
    "icp_missing", "icp_format_invalid", "icp_prefix_unknown", "icp_prefix_nonstandard",
    "icp_province_mismatch", "icp_suffix_missing", "icp_subject_number_guangdong_with_suffix",
    "icp_app_number_instead_of_site", "icp_mismatch", "icp_number_suspicious", "icp_link_missing",
    "icp_link_wrong_target", "icp_link_http", "icp_link_wraps_partial_text",
    "icp_link_script_only", "icp_not_visible", "charset_undeclared_marks_garbled",
    "icp_number_only_in_image", "icp_not_in_footer",
    "icp_link_covered", "icp_position_not_bottom_centre", "license_missing", "gongan_missing",
    "gongan_mismatch", "gongan_format_invalid", "gongan_legacy_format",
    "gongan_code_province_mismatch", "gongan_prefix_nonstandard", "gongan_wording_nonstandard",
    "gongan_number_not_shown", "gongan_missing_link",
    "gongan_link_wrong_target", "gongan_link_legacy", "gongan_link_without_code",
    "gongan_code_link_mismatch", "gongan_missing_icon", "copyright_missing",
    "copyright_holder_mismatch", "copyright_holder_only_in_sponsor_line", "copyright_year_stale",
    "fullwidth_characters_in_marks", "icp_spacing_nonstandard", "app_filing_missing",
    "app_filing_format_invalid", "subdomain_icp_missing", "subject_inconsistent",
    "gov_site_identifier_missing", "gov_site_identifier_format_invalid", "gov_badge_missing",
    "gov_badge_link_missing",
]
SECTIONS = ("What it checks", "Why it matters", "Example", "Use instead", "Needs",
            "Known problems", "References")
SEVERITIES = {"error", "warning", "info"}


def catalogue_codes() -> list[str]:
    if not RULES_MD.is_file():
        return CATALOGUE
    text = RULES_MD.read_text(encoding="utf-8")
    table = text.split("## §3 Rule codes", 1)[1].split("### Page statuses", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.M)


def test_codes_equal_the_catalogue_in_order() -> None:
    assert [r.code for r in RULES] == catalogue_codes()


def test_the_kept_copy_matches_the_spec_when_present() -> None:
    assert catalogue_codes() == CATALOGUE


def test_default_severities_match_the_catalogue() -> None:
    if not RULES_MD.is_file():
        return
    text = RULES_MD.read_text(encoding="utf-8")
    for code, default in re.findall(r"^\| `([a-z0-9_]+)` \| (\w+)", text, re.M):
        assert get_rule(code).severity == default, code


def test_every_check_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(rules.checks.__path__)
               if not m.name.startswith("_")}
    assert modules == {r.code for r in RULES}
    for name in modules:
        mod = importlib.import_module(f"rules.checks.{name}")
        assert mod.RULE.code == name
        assert mod.RULE in RULES


def test_every_explanation_has_the_sections() -> None:
    for rule in RULES:
        headings = re.findall(r"^## (.+)$", rule.explain, re.M)
        assert tuple(headings) == SECTIONS, (rule.code, headings)
        for section in SECTIONS:
            body = rule.explain.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
            assert body.strip(), (rule.code, section)


def test_rule_metadata() -> None:
    for rule in RULES:
        assert rule.severity in SEVERITIES
        assert rule.tags and rule.since and rule.summary
        assert rule.message_en and rule.message_zh
        assert rule.explain.startswith(f"{rule.code}: ")
    assert len({r.code for r in RULES}) == len(RULES)


def test_get_rule_and_redirects() -> None:
    assert get_rule("icp_link_missing").code == "icp_link_missing"
    assert get_rule("no_such_rule") is None
    for old, new in REDIRECTS.items():
        assert get_rule(old) is get_rule(new)


def test_rules_version_is_exported() -> None:
    assert isinstance(rules.RULES_VERSION, str) and rules.RULES_VERSION
