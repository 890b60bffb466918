"""The compliant footer of one filing subject, as HTML: `footer-audit snippet` and the fixes that
`check` prints are built here, so both (and later the API) say the same thing.

The footer holds the copyright line naming the subject, the ICP number linked to the MIIT system
(the subject number without `-n` in Guangdong, the website number elsewhere) and, when the site
has a 公安 filing, the badge, the number and the link to the platform's record of the code. It is
centred, as Order No. 33 §13 asks ("主页底部的中央位置").

The badge is an inline `data:` image (a small shield drawn in SVG), so the snippet works as it is,
offline and without a remote fetch; operators may swap in the official badge image the platform
lets them download.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date
from html import escape

from rules.data import (
    GONGAN_CODE,
    GONGAN_HOST_CURRENT,
    MIIT_HOST,
    REGIONS,
    SUBJECT_NUMBER_PROVINCES,
    Region,
    region_by_code,
    region_by_icp_prefix,
    resolve_province,
)
from rules.normalize import compact
from rules.parsers.icp import parse_icp

__all__ = [
    "GONGAN_BADGE_SRC",
    "FooterFacts",
    "SnippetError",
    "copyright_html",
    "footer_facts",
    "footer_snippet",
    "gongan_html",
    "gongan_link",
    "gongan_number",
    "icp_display",
    "icp_html",
    "snippet_command",
]

MIIT_URL = f"https://{MIIT_HOST}/"

# A shield in the platform's blue and gold; percent-encoded where URLs need it.
_BADGE_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 20'>"
    "<path d='M10 1 3 4v5c0 5 3 8 7 10 4-2 7-5 7-10V4z' fill='%231f4ea3'/>"
    "<circle cx='10' cy='9' r='3.5' fill='%23f2c12e'/></svg>"
)
GONGAN_BADGE_SRC = "data:image/svg+xml," + _BADGE_SVG.replace("<", "%3C").replace(">", "%3E")


class SnippetError(ValueError):
    """The given facts cannot make a compliant footer; the message says what to give instead."""


@dataclass(frozen=True)
class FooterFacts:
    org: str
    icp: str  # as the footer shows it (Guangdong: the subject number)
    province: Region
    gongan: str | None = None  # 14-digit code


def icp_display(number: str, province: Region | None) -> str:
    """The ICP number as the footer should show it: Guangdong's subject number (no `-n`)."""
    if province is not None and province.icp in SUBJECT_NUMBER_PROVINCES:
        return number.split("号", 1)[0] + "号"
    return number


def gongan_number(code: str) -> str:
    """`京公网安备11010502030143号` for a 14-digit code (the prefix from its province digits)."""
    region = region_by_code(code)
    prefix = region.gongan if region is not None else ""
    return f"{prefix}公网安备{code}号"


def gongan_link(code: str) -> str:
    return f"https://{GONGAN_HOST_CURRENT}/#/query/webSearch?code={code}"


def icp_html(number: str) -> str:
    return (f'<a href="{MIIT_URL}" target="_blank" rel="noopener">{escape(number)}</a>')


def gongan_html(code: str) -> str:
    return (f'<a href="{escape(gongan_link(code))}" target="_blank" rel="noopener">'
            f'<img src="{GONGAN_BADGE_SRC}" alt="公安备案图标" width="20" height="20" '
            f'style="vertical-align:middle;margin-right:4px">{gongan_number(code)}</a>')


def copyright_html(org: str, year: int) -> str:
    return f"Copyright © {year} {escape(org)} 版权所有"


def _province_list() -> str:
    return "、".join(r.name for r in REGIONS)


def footer_facts(org: str | None, icp: str | None, gongan: str | None = None,
                 province: str | None = None) -> FooterFacts:
    """Check and complete what `footer-audit snippet` is given; `SnippetError` says what is wrong.

    The province defaults to the ICP number's prefix. Outside Guangdong the number must be the
    website number (`-n`); in Guangdong a website number is shown as its subject number.
    """
    org = (org or "").strip()
    if not org:
        raise SnippetError("give the filing subject (主办单位) with --org, e.g. "
                           "--org 北京某某科技有限公司")
    parsed = parse_icp(compact(icp or "")) if icp and icp.strip() else None
    if parsed is None or not parsed.valid or parsed.form != "filing" \
            or parsed.prefix_status != "ok":
        shown = f" not {icp!r}" if icp else ""
        raise SnippetError(f"--icp must be the ICP filing number as on record, in the form "
                           f"京ICP备12345678号-1{shown}")
    if parsed.kind not in ("site", "subject"):
        raise SnippetError(f"{parsed.number} is an APP / mini program number: give the website "
                           "number (-n without A/X/K)")
    region = region_by_icp_prefix(parsed.region)
    if province:
        wanted = resolve_province(province)
        if wanted is None:
            raise SnippetError(f"unknown province {province!r}: one of {_province_list()}")
        if region is not None and wanted != region:
            raise SnippetError(f"{parsed.number} is a {region.name} number, not {wanted.name}: "
                               "give the subject's own number")
        region = wanted
    assert region is not None  # a valid filing number has a known prefix
    if parsed.kind == "subject" and region.icp not in SUBJECT_NUMBER_PROVINCES:
        raise SnippetError(f"{parsed.number} is a subject number; outside 广东 the footer shows "
                           f"the website number (its own -n), e.g. --icp {parsed.number}-1")
    code = None
    if gongan is not None and gongan.strip():
        code = gongan.strip()
        if not GONGAN_CODE.fullmatch(code) or region_by_code(code) is None:
            raise SnippetError(f"--gongan must be the 14-digit 公安 code from the platform "
                               f"(e.g. 11010502030143), not {gongan!r}")
    return FooterFacts(org=org, icp=icp_display(parsed.number, region), province=region,
                       gongan=code)


def footer_snippet(facts: FooterFacts, *, year: int | None = None) -> str:
    """The footer HTML: copyright line, linked ICP number, 公安 badge, number and link."""
    year = year or date.today().year
    lines = [f"  <p>{copyright_html(facts.org, year)}</p>", f"  <p>{icp_html(facts.icp)}</p>"]
    if facts.gongan:
        lines.append(f"  <p>{gongan_html(facts.gongan)}</p>")
    return ('<footer style="text-align:center">\n' + "\n".join(lines) + "\n</footer>\n")


def snippet_command(org: str | None = None, icp: str | None = None, gongan: str | None = None,
                    province: str | None = None) -> str:
    """The `footer-audit snippet` command line for these facts, `<...>` where one is unknown."""
    args = ["footer-audit", "snippet"]
    for option, value, hint in (("--org", org, "主办单位"), ("--icp", icp, "ICP备案号"),
                                ("--gongan", gongan, None),
                                ("--province", province, None)):
        if value:
            args += [option, shlex.quote(value)]
        elif hint:
            args += [option, f"'<{hint}>'"]
    return " ".join(args)
