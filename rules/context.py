"""What every rule sees: the page, the expectations, the findings, and derived facts.

The derived facts answer the questions several rules share, once: which of the ICP numbers on the
page are *this site's* (`site_icp`), which province applies (`province`), what year it is, whether
the page could be fully seen (`blind_reason`).

Which number is the site's: the displayed numbers in the footer region. If there are none, the
displayed numbers elsewhere count only when they read as one filing (one subject serial) or are
linked to the MIIT system; a list of different subjects outside the footer is someone else's
(partners, newly filed sites) and does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from rules.charset import repair_mojibake
from rules.data import (
    GOV_HOST_SUFFIXES,
    GOV_PROFILE,
    Region,
    region_by_icp_prefix,
    resolve_province,
)
from rules.extract import Extraction, extract, host_of
from rules.model import (
    CopyrightLine,
    Expectations,
    Findings,
    GonganMark,
    IcpMark,
    PageInput,
    garbled_marks,
)

__all__ = ["Context"]


_SITE_LABEL = re.compile(r"^.*?网站标识[码号][ :：]*")


def _subject(mark: IcpMark) -> str:
    return mark.number.split("号")[0]


@dataclass
class Context:
    page: PageInput
    expect: Expectations
    extraction: Extraction

    @property
    def findings(self) -> Findings:
        return self.extraction.findings

    @property
    def rendered(self) -> bool:
        return self.page.rendered

    @cached_property
    def today(self) -> date:
        return self.expect.today or date.today()

    @cached_property
    def site_icp_all(self) -> list[IcpMark]:
        """The site's ICP marks, shown or hidden (hidden ones matter to icp_not_visible)."""
        marks = self.findings.icp
        inside = [m for m in marks if m.in_footer]
        if inside:
            return inside
        outside = [m for m in marks if not m.in_footer]
        subjects = {_subject(m) for m in outside}
        if len(subjects) <= 1:
            return outside
        from rules.data import MIIT_HOST, MIIT_RETIRED_HOSTS

        hosts = {MIIT_HOST, *MIIT_RETIRED_HOSTS}
        return [m for m in outside if host_of(m.link) in hosts]

    @cached_property
    def site_icp(self) -> list[IcpMark]:
        """The site's ICP marks that are displayed (not hidden)."""
        return [m for m in self.site_icp_all if m.visible is not False]

    @cached_property
    def site_icp_numbers(self) -> list[IcpMark]:
        """Displayed marks that are numbers at all: a region before ICP (not a vanity prefix)."""
        return [m for m in self.site_icp if m.prefix_status in ("ok", "nonstandard")]

    @cached_property
    def gongan(self) -> list[GonganMark]:
        return [m for m in self.findings.gongan if m.visible is not False]

    @cached_property
    def copyright(self) -> list[CopyrightLine]:
        return list(self.findings.copyright)

    @cached_property
    def province(self) -> Region | None:
        """The filing subject's province: the expectation, else the site's ICP prefix."""
        region = resolve_province(self.expect.province)
        if region is not None:
            return region
        for m in self.site_icp_numbers:
            region = region_by_icp_prefix(m.region)
            if region is not None:
                return region
        return None

    @cached_property
    def government(self) -> bool:
        """The government profile applies: set for the site, or by default on a .gov.cn host."""
        profile = self.expect.profile
        if profile is not None:
            return profile == GOV_PROFILE
        host = host_of(self.page.final_url or self.page.url)
        return host.endswith(GOV_HOST_SUFFIXES)

    @cached_property
    def site_codes(self) -> list[str]:
        """The 网站标识码 shown on the page, as written after the label."""
        out = []
        for lic in self.findings.licences:
            if lic.kind == "site_id":
                code = _SITE_LABEL.sub("", lic.number).replace(" ", "")
                if code not in out:
                    out.append(code)
        return out

    @cached_property
    def garbled(self) -> Findings | None:
        """The marks of a rendered page whose text the browser garbled (a page that declares no
        charset, decoded as windows-1252): read from the text as it was meant. None when the
        rendered page shows marks, or is not garbled, or holds none either way."""
        if not self.page.rendered or self.findings.icp or self.findings.gongan:
            return None
        fixed = repair_mojibake(self.page.html)
        if fixed is None:
            return None
        meant = extract(PageInput(url=self.page.url, html=fixed, final_url=self.page.final_url,
                                  rendered=True)).findings
        return meant if meant.icp or meant.gongan else None

    @cached_property
    def blind_reason(self) -> tuple[str, dict[str, Any]] | None:
        """Why the page could not be fully seen, if it could not (a rule then never passes)."""
        ext = self.extraction
        if self.garbled is not None:
            return "charset_garbled", {"marks": garbled_marks(self.garbled)}
        if ext.image_links:
            return "number_only_in_image", {"href": ext.image_links[0][0]}
        if ext.cross_frames:
            return "cross_origin_iframe", {"src": ext.cross_frames[0][0]}
        if self.page.review_reasons:
            return self.page.review_reasons[0], {}
        return None
