"""The rule registry: every rule, in the catalogue order of docs/marks.md §3.

Codes are never reused. A renamed code goes into `REDIRECTS` (old -> new); a removed rule stays
listed with `status="removed"`.
"""

from __future__ import annotations

from rules.checks import (  # isort: skip
    icp_missing,
    icp_format_invalid,
    icp_prefix_unknown,
    icp_prefix_nonstandard,
    icp_province_mismatch,
    icp_suffix_missing,
    icp_subject_number_guangdong_with_suffix,
    icp_app_number_instead_of_site,
    icp_mismatch,
    icp_number_suspicious,
    icp_link_missing,
    icp_link_wrong_target,
    icp_link_http,
    icp_link_wraps_partial_text,
    icp_link_script_only,
    icp_not_visible,
    charset_undeclared_marks_garbled,
    icp_number_only_in_image,
    icp_not_in_footer,
    icp_link_covered,
    icp_position_not_bottom_centre,
    license_missing,
    gongan_missing,
    gongan_mismatch,
    gongan_format_invalid,
    gongan_legacy_format,
    gongan_code_province_mismatch,
    gongan_prefix_nonstandard,
    gongan_wording_nonstandard,
    gongan_number_not_shown,
    gongan_missing_link,
    gongan_link_wrong_target,
    gongan_link_legacy,
    gongan_link_without_code,
    gongan_code_link_mismatch,
    gongan_missing_icon,
    copyright_missing,
    copyright_holder_mismatch,
    copyright_holder_only_in_sponsor_line,
    copyright_year_stale,
    fullwidth_characters_in_marks,
    icp_spacing_nonstandard,
    app_filing_missing,
    app_filing_format_invalid,
    subdomain_icp_missing,
    subject_inconsistent,
    gov_site_identifier_missing,
    gov_site_identifier_format_invalid,
    gov_badge_missing,
    gov_badge_link_missing,
)
from rules.rule import Rule

__all__ = ["REDIRECTS", "RULES", "get_rule"]

RULES: tuple[Rule, ...] = (
    icp_missing.RULE,
    icp_format_invalid.RULE,
    icp_prefix_unknown.RULE,
    icp_prefix_nonstandard.RULE,
    icp_province_mismatch.RULE,
    icp_suffix_missing.RULE,
    icp_subject_number_guangdong_with_suffix.RULE,
    icp_app_number_instead_of_site.RULE,
    icp_mismatch.RULE,
    icp_number_suspicious.RULE,
    icp_link_missing.RULE,
    icp_link_wrong_target.RULE,
    icp_link_http.RULE,
    icp_link_wraps_partial_text.RULE,
    icp_link_script_only.RULE,
    icp_not_visible.RULE,
    charset_undeclared_marks_garbled.RULE,
    icp_number_only_in_image.RULE,
    icp_not_in_footer.RULE,
    icp_link_covered.RULE,
    icp_position_not_bottom_centre.RULE,
    license_missing.RULE,
    gongan_missing.RULE,
    gongan_mismatch.RULE,
    gongan_format_invalid.RULE,
    gongan_legacy_format.RULE,
    gongan_code_province_mismatch.RULE,
    gongan_prefix_nonstandard.RULE,
    gongan_wording_nonstandard.RULE,
    gongan_number_not_shown.RULE,
    gongan_missing_link.RULE,
    gongan_link_wrong_target.RULE,
    gongan_link_legacy.RULE,
    gongan_link_without_code.RULE,
    gongan_code_link_mismatch.RULE,
    gongan_missing_icon.RULE,
    copyright_missing.RULE,
    copyright_holder_mismatch.RULE,
    copyright_holder_only_in_sponsor_line.RULE,
    copyright_year_stale.RULE,
    fullwidth_characters_in_marks.RULE,
    icp_spacing_nonstandard.RULE,
    app_filing_missing.RULE,
    app_filing_format_invalid.RULE,
    subdomain_icp_missing.RULE,
    subject_inconsistent.RULE,
    gov_site_identifier_missing.RULE,
    gov_site_identifier_format_invalid.RULE,
    gov_badge_missing.RULE,
    gov_badge_link_missing.RULE,
)

REDIRECTS: dict[str, str] = {}

_BY_CODE = {r.code: r for r in RULES}


def get_rule(code: str) -> Rule | None:
    """The rule for `code` (following redirects), or None."""
    return _BY_CODE.get(REDIRECTS.get(code, code))
