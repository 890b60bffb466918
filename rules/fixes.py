"""How to fix one violation on this page, in English and Chinese.

A rule's `fix_en` / `fix_zh` template is filled from the violation's parameters (`{number}`,
`{host}`...), from values derived from them (`{number_html}`: the number inside the MIIT link) and
from what is known of the site (`fix_values`): the expectations first, then the marks the page
shows that can be trusted. When the rule has no template, or a value it needs is unknown, the fix
is the explanation's "Use instead" section (改用 in Chinese): generic, never wrong.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from rules.context import Context
from rules.data import GONGAN_CODE, region_by_code, region_by_icp_prefix
from rules.normalize import compact
from rules.parsers.icp import parse_icp
from rules.rule import Rule
from rules.snippet import (
    copyright_html,
    gongan_html,
    gongan_link,
    gongan_number,
    icp_display,
    icp_html,
    snippet_command,
)

__all__ = ["FIX_VALUES", "fix_text", "fix_values", "use_instead"]

# The names a fix template may use besides the violation's own parameters.
FIX_VALUES = (
    "org", "icp", "icp_html", "gongan", "gongan_number", "gongan_link", "gongan_html",
    "province", "this_year", "copyright_html", "licence", "app_number", "snippet",
    "number_html", "number_subject", "number_html_subject", "code_number",
)


class _Unknown(KeyError):
    pass


class _Strict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise _Unknown(key)


def _site_icp(ctx: Context) -> str | None:
    """The ICP number the footer should show: the expected one, else a well-formed number on
    the page from the subject's province (a nonstandard prefix corrected)."""
    province = ctx.province
    expected = ctx.expect.expected_icp
    if expected:
        parsed = parse_icp(compact(expected))
        if parsed is None or not parsed.valid or parsed.form != "filing":
            return None
        if parsed.kind == "site" or (parsed.kind == "subject"
                                     and icp_display(parsed.number + "-1", province)
                                     == parsed.number):
            return icp_display(parsed.number, province)
        return None
    for mark in ctx.site_icp_numbers:
        if not (mark.valid and mark.form == "filing" and mark.kind == "site"):
            continue
        region = region_by_icp_prefix(mark.region)
        if region is None or (province is not None and region != province):
            continue
        number = region.icp + mark.number[1:] if mark.prefix_status == "nonstandard" \
            else mark.number
        return icp_display(number, province)
    return None


def _site_gongan(ctx: Context) -> str | None:
    if ctx.expect.expected_gongan:
        return ctx.expect.expected_gongan
    for mark in ctx.gongan:
        code = mark.code or ""
        if mark.valid and GONGAN_CODE.fullmatch(code) and region_by_code(code) is not None:
            return code
    return None


def _site_org(ctx: Context) -> str | None:
    if ctx.expect.org:
        return ctx.expect.org
    sponsors = set(ctx.findings.sponsors)
    return sponsors.pop() if len(sponsors) == 1 else None


def fix_values(ctx: Context) -> dict[str, str]:
    """What is known of this site for fix templates (absent keys are unknown)."""
    out: dict[str, str] = {"this_year": str(ctx.today.year)}
    org, icp, code = _site_org(ctx), _site_icp(ctx), _site_gongan(ctx)
    province = ctx.province
    if org:
        out["org"] = org
        out["copyright_html"] = copyright_html(org, ctx.today.year)
    if icp:
        out["icp"] = icp
        out["icp_html"] = icp_html(icp)
    if code:
        out.update(gongan=code, gongan_number=gongan_number(code), gongan_link=gongan_link(code),
                   gongan_html=gongan_html(code))
    if province is not None:
        out["province"] = province.name
    if ctx.expect.licence_number:
        out["licence"] = ctx.expect.licence_number
    if ctx.expect.expected_app_number:
        out["app_number"] = ctx.expect.expected_app_number
    out["snippet"] = snippet_command(org, icp, code, province.name if province else None)
    return out


def _derived(params: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    number = params.get("number")
    if isinstance(number, str) and "ICP" in number:
        out["number_html"] = icp_html(number)
        subject = number.split("号", 1)[0] + "号"
        out["number_subject"] = subject
        out["number_html_subject"] = icp_html(subject)
    code = params.get("code")
    if isinstance(code, str) and GONGAN_CODE.fullmatch(code) and region_by_code(code) is not None:
        out["code_number"] = gongan_number(code)
    return out


@cache  # a rule's explanation is fixed: parse its section once, not at every violation
def use_instead(explain: str, heading: str = "Use instead") -> str:
    """The body of an explanation's "Use instead" (or 改用) section, on one line."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", explain, re.M | re.S)
    if not match:
        return ""
    body = match.group(1).strip()
    body = re.sub(r"^```\w*\n|\n```$", "", body)  # a fenced example: its code only
    return " ".join(line.strip() for line in body.splitlines() if line.strip())


def fix_text(rule: Rule, params: dict[str, Any], values: dict[str, str]) -> tuple[str, str]:
    """(English, Chinese) fix for one violation of `rule`."""
    known = _Strict({**values, **_derived(params), **params})
    out = []
    for template, explain, heading, label in (
            (rule.fix_en, rule.explain, "Use instead", "Use instead: "),
            (rule.fix_zh, rule.explain_zh, "改用", "改用：")):
        text = ""
        if template:
            try:
                text = template.format_map(known)
            except (_Unknown, ValueError, IndexError, AttributeError):
                text = ""
        if not text:
            generic = use_instead(explain, heading)
            text = label + generic if generic else ""
        out.append(text)
    return out[0], out[1]
