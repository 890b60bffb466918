"""The audit core's data model: what goes into an audit and what comes out.

Everything here is plain data. The crawler, the API and the store exchange these objects; one
audited page as a whole (fetch facts, audit, crawl context) is a `rules.page_record.PageRecord`,
whose JSON form is the contract of docs/check.md.

Layout facts travel inside the HTML: a rendered page is annotated in the browser by the layout probe
(`crawler/render/layout_probe.js`) before its DOM is serialised, so the pure core reads them as
attributes (constants below) and needs no browser of its own. A page that was not rendered has
none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias

__all__ = [
    "ATTR_BOX",
    "ATTR_DOC",
    "ATTR_HIT",
    "ATTR_VISIBLE",
    "AUDITED_STATUSES",
    "FETCH_FAILURES",
    "AuditResult",
    "CopyrightLine",
    "Element",
    "Expectations",
    "Findings",
    "GonganMark",
    "IcpKind",
    "IcpMark",
    "Licence",
    "Outcome",
    "PageInput",
    "PageStatus",
    "Review",
    "Severity",
    "Violation",
    "garbled_marks",
]

# An element of a parsed page (lxml.html.HtmlElement): lxml ships no type information, so the
# core names it here rather than spreading `Any` (or `object`) through its signatures.
Element: TypeAlias = Any

Severity = Literal["error", "warning", "info"]
IcpKind = Literal["site", "subject", "app", "miniprogram", "quickapp", "licence"]

# Attributes the layout probe writes on a rendered page's elements.
ATTR_VISIBLE = "data-fa-visible"  # "1" shown at desktop width, "0" not
ATTR_BOX = "data-fa-box"  # "x,y,w,h" in CSS pixels, document coordinates
ATTR_HIT = "data-fa-hit"  # on links: "1" a click at the box's centre reaches the link, "0" covered
ATTR_DOC = "data-fa-doc"  # on <html>: "doc_width,doc_height,viewport_width,viewport_height"


class Outcome(StrEnum):
    """The four results of one rule on one page (axe-core's passes/violations/incomplete/...)."""

    VIOLATION = "violation"
    PASS = "pass"
    NEEDS_REVIEW = "needs_review"
    INAPPLICABLE = "inapplicable"


class PageStatus(StrEnum):
    """The status of one page (docs/check.md): `ok`, the two undecided ones, or why it could not
    be fetched. A `StrEnum`, so the strings stored and printed are the values themselves."""

    OK = "ok"
    NEEDS_RENDERING = "needs_rendering"
    NEEDS_REVIEW = "needs_review"
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls_error"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    BLOCKED = "blocked"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"


# Statuses that mean "the page could not be fetched": nothing was audited.
FETCH_FAILURES = frozenset({
    PageStatus.UNREACHABLE, PageStatus.TLS_ERROR, PageStatus.HTTP_ERROR, PageStatus.TIMEOUT,
    PageStatus.BLOCKED, PageStatus.TOO_LARGE, PageStatus.REDIRECT_LOOP,
})
# Statuses of a page whose marks were read and judged (needs_review: some rule could not decide,
# the others did): the page's violations count, a run can compare them.
AUDITED_STATUSES = frozenset({PageStatus.OK, PageStatus.NEEDS_REVIEW})


@dataclass(frozen=True)
class Expectations:
    """What the portfolio (or the command line) says this site should show.

    Every field is optional: a rule that needs an absent expectation is `inapplicable`.
    """

    org: str | None = None  # filing subject (主办单位), e.g. "北京某某科技有限公司"
    province: str | None = None  # "北京", "广东", ... or an ICP abbreviation "京"
    expected_icp: str | None = None  # subject or website number, e.g. "京ICP备12345678号-1"
    expected_gongan: str | None = None  # 14-digit 公安 code
    gongan_required: bool = False  # the site has a 公安 filing (also implied by expected_gongan)
    commercial: bool = False  # 经营性: must show its 经营许可证 number
    licence_number: str | None = None  # expected 经营许可证 number, e.g. "京ICP证030173号"
    copyright_required: bool | None = None  # None: the province's default (required in 江苏)
    subdomain: bool = False  # this page is a discovered subdomain's homepage
    own_filing: bool = False  # with subdomain: the subdomain has a filing of its own
    app_page: bool = False  # an app's landing page: must show the APP filing number
    expected_app_number: str | None = None  # e.g. "京ICP备12345678号-3A"
    # Rule profile: "government" (party and government sites: 网站标识码 and badge), "standard"
    # (none), or None: government for .gov.cn hosts, else standard.
    profile: str | None = None
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()  # rule codes switched off
    today: date | None = None  # for copyright_year_stale; None means date.today()


@dataclass(frozen=True)
class PageInput:
    """One page to audit. `html` is decoded text; layout facts ride in it as ATTR_* attributes.

    The fetch facts after `review_reasons` are what the fetch path knows of the answer (or of the
    failure); `rules.audit.audit_record` decides the page's status from them and the audit."""

    url: str
    html: str
    final_url: str | None = None
    rendered: bool = False
    # Reasons the fetcher already knows the page cannot be fully decided (render timed out, ...).
    review_reasons: tuple[str, ...] = ()
    status: PageStatus = PageStatus.OK  # the fetch's: ok, or one of FETCH_FAILURES
    http_status: int | None = None
    encoding: str | None = None  # the charset the page declares, by its codec name
    redirect_chain: tuple[str, ...] = ()  # URLs that redirected, in order
    error: str | None = None  # one line: why it could not be fetched or rendered, or a note


@dataclass
class IcpMark:
    number: str  # normalised (NFKC, no spaces), as displayed
    kind: IcpKind
    region: str | None  # the character before ICP / B2, None for provinceless B2
    valid: bool
    link: str | None = None  # href of the enclosing <a>
    in_footer: bool = True
    visible: bool | None = None  # None when not rendered and not hidden inline
    evidence: str = ""  # HTML fragment
    text: str = ""  # the displayed text around the mark
    raw: str = ""  # as displayed before normalisation (to detect spaces / full-width)
    in_image: bool = False  # read from an <img> alt/title
    link_wraps_all: bool = True
    link_script_only: bool = False
    hit: bool | None = None  # rendered: centre of the link reachable by a click
    box: tuple[float, float, float, float] | None = None
    selector: str = ""
    # How the number parsed (rules/parsers/icp.py): filing (ICP备), licence (ICP证) or b2; the
    # prefix read as ok / nonstandard (rules.data.ICP_NONSTANDARD) / unknown (vanity) / missing;
    # the serial digits, the -n sequence, and whether whitespace sat inside the number as shown.
    form: str = "filing"
    prefix_status: str = "ok"
    serial: str = ""
    seq: str | None = None
    spaced: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "kind": self.kind, "region": self.region,
            "valid": self.valid, "link": self.link, "in_footer": self.in_footer,
            "visible": self.visible, "evidence": self.evidence,
        }


@dataclass
class GonganMark:
    number: str  # normalised, e.g. "京公网安备11010502030143号"
    code: str | None  # digits as shown
    valid: bool  # prefix + 14 digits + 号
    prefix: str | None = None
    link: str | None = None
    icon: bool = False
    in_footer: bool = True
    visible: bool | None = None
    legacy: bool = False
    evidence: str = ""
    text: str = ""
    selector: str = ""
    region_code: str | None = None  # province code of the prefix, None when unknown
    wording: str = "公网安备"  # as displayed: 公安备案号, 公安网备号... are nonstandard

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "code": self.code, "valid": self.valid, "link": self.link,
            "icon": self.icon, "in_footer": self.in_footer,
        }


@dataclass
class CopyrightLine:
    text: str
    holder: str | None
    years: list[int] = field(default_factory=list)
    in_footer: bool = True
    sponsor: str | None = None  # 主办单位 named nearby, if any
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "holder": self.holder, "years": self.years}


@dataclass
class Licence:
    number: str
    kind: str  # "icp_licence" (ICP证), "b2", "network_culture", "news", "drug", ...
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind}


@dataclass
class Findings:
    icp: list[IcpMark] = field(default_factory=list)
    gongan: list[GonganMark] = field(default_factory=list)
    copyright: list[CopyrightLine] = field(default_factory=list)
    licences: list[Licence] = field(default_factory=list)
    sponsors: list[str] = field(default_factory=list)  # 主办单位 named on the page (not in JSON)

    def to_json(self) -> dict[str, Any]:
        return {
            "icp": [m.to_json() for m in self.icp],
            "gongan": [m.to_json() for m in self.gongan],
            "copyright": [c.to_json() for c in self.copyright],
            "licences": [lic.to_json() for lic in self.licences],
        }


@dataclass
class Violation:
    code: str
    severity: Severity
    message: str  # English
    message_zh: str
    evidence: str = ""  # the text that shows the problem
    html: str = ""  # the HTML fragment
    href: str | None = None
    selector: str = ""
    fix: str = ""  # how to fix it on this page (English), see rules/fixes.py
    fix_zh: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code, "severity": self.severity, "message": self.message,
            "message_zh": self.message_zh, "evidence": self.evidence, "fix": self.fix,
            "fix_zh": self.fix_zh,
        }
        if self.html:
            out["html"] = self.html
        if self.href:
            out["href"] = self.href
        return out


@dataclass
class Review:
    """A rule that could not decide: never a pass."""

    code: str
    reason: str  # key: "number_only_in_image", "render_timeout", "cross_origin_iframe", ...
    message: str
    message_zh: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "reason": self.reason, "message": self.message,
                "message_zh": self.message_zh}


@dataclass
class AuditResult:
    url: str
    final_url: str
    rendered: bool
    findings: Findings
    violations: list[Violation]
    reviews: list[Review] = field(default_factory=list)
    rules_version: str = ""
    outcomes: dict[str, str] = field(default_factory=dict)  # rule code -> Outcome value
    # The rules.extract.Extraction the audit read (never in the JSON): the footer snapshot and
    # the render decision reuse its parse instead of parsing the page again.
    extraction: Any = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> PageStatus:
        """`needs_review` when any rule could not decide, else `ok` (`rules.audit.audit_record`
        adds what the fetch and the render decision say)."""
        return PageStatus.NEEDS_REVIEW if self.reviews else PageStatus.OK


def garbled_marks(findings: Findings) -> str:
    """The marks of `findings` as one line: `京ICP备12345678号-1、京公网安备11010502030143号`."""
    return "、".join([m.number for m in findings.icp] + [g.number for g in findings.gongan])
