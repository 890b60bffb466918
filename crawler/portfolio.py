"""The portfolio file: organisations, their domains and apps, loaded and validated in one place.

`load_portfolio(path)` reads the YAML, validates it with the pydantic models below and returns a
`Portfolio`; any problem raises `PortfolioError` naming the file, the line and the field, so a
crawl never starts from a half-understood file. `Portfolio.on_demand(...)` builds the same object
for `footer-audit crawl example.cn`, so both faces share one crawl logic.

The full documented example is `examples/portfolio.yaml`; the reference is `docs/portfolio.md`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.errors import PortfolioError
from crawler.portfolio_lines import line_of
from rules.model import Expectations

__all__ = [
    "AppSpec",
    "CrawlSpec",
    "DomainSpec",
    "OrgSpec",
    "Portfolio",
    "RenderMode",
    "load_portfolio",
    "parse_portfolio",
]

RenderMode = Literal["auto", "always", "never"]
# Rule profile: "government" adds the 网站标识码 and badge rules (default for .gov.cn hosts).
ProfileName = Literal["government", "standard"]
SeverityName = Literal["error", "warning", "info"]

# A host name label: letters, digits, hyphens (IDNs are given in Unicode or punycode).
_HOST_RE = re.compile(r"^(\*\.)?([\w-]{1,63}\.)+[\w-]{2,63}$", re.UNICODE)
_GONGAN_RE = re.compile(r"^\d{14}$")


def _clean_host(value: str) -> str:
    """Lower-case a host name and refuse URLs, paths and ports where a host is expected."""
    host = value.strip().lower().rstrip(".")
    if "://" in host or "/" in host:
        raise ValueError(f"expected a host name such as example.cn, not a URL: {value!r}")
    if not _HOST_RE.match(host):
        raise ValueError(f"not a host name: {value!r}")
    return host


class _Model(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSpec(_Model):
    """An app whose landing or download page must show its APP filing number."""

    name: str = Field(min_length=1)
    url: str  # landing or download page
    icp: str | None = None  # expected APP filing number, e.g. 京ICP备12345678号-3A
    owner: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected an http(s) URL: {value!r}")
        return value


class DomainSpec(_Model):
    """One registrable domain (or host) of an organisation and what its sites should show."""

    domain: str
    icp: str | None = None  # expected website number (-n), overrides the organisation's
    gongan: str | None = None  # expected 14-digit 公安 code
    gongan_required: bool | None = None  # None: the organisation's policy
    copyright_required: bool | None = None  # None: the organisation's policy
    profile: ProfileName | None = None  # None: the organisation's, else by host (.gov.cn)
    render: RenderMode = "auto"
    start_urls: tuple[str, ...] = ()  # extra pages to audit beside the homepage
    skip_subdomains: tuple[str, ...] = ()  # hosts (or *.zone) never crawled
    add_subdomains: tuple[str, ...] = ()  # hosts audited even if no link leads to them
    own_filing: tuple[str, ...] = ()  # subdomains with a filing of their own
    owner: str | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        host = _clean_host(value)
        if host.startswith("*."):
            raise ValueError("a domain cannot be a wildcard; use skip_subdomains to exclude")
        return host

    @field_validator("skip_subdomains", "add_subdomains", "own_filing")
    @classmethod
    def _hosts(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_clean_host(v) for v in values)

    @field_validator("gongan", mode="before")
    @classmethod
    def _gongan(cls, value: object) -> str | None:
        # An unquoted code reaches us as an int: accept it, its first digit is never 0.
        if value is None:
            return None
        text = str(value).strip()
        if not _GONGAN_RE.match(text):
            raise ValueError(f"a 公安 code has 14 digits: {value!r}")
        return text

    @field_validator("start_urls")
    @classmethod
    def _urls(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for v in values:
            if not re.match(r"^https?://[^/\s]+", v):
                raise ValueError(f"expected an http(s) URL: {v!r}")
        return values


class OrgSpec(_Model):
    """A filing subject (主办单位) and the policy its sites are audited against."""

    name: str = Field(min_length=1)  # the filing subject, as registered
    province: str | None = None  # 北京, 广东, ... or the ICP abbreviation 京, 粤
    icp: str | None = None  # the subject number, e.g. 京ICP备12345678号
    owner: str | None = None  # team or person findings are routed to
    commercial: bool = False  # runs 经营性 services: must show its 经营许可证
    licence: str | None = None  # 经营许可证 number, e.g. 京ICP证030173号
    copyright_required: bool | None = None  # None: the province's default
    gongan_required: bool = False
    profile: ProfileName | None = None  # None: government for .gov.cn hosts, else standard
    layout_checks: bool = False  # render every homepage to check position and covering
    severity: dict[str, SeverityName] = Field(default_factory=dict)  # rule code -> severity
    disabled_rules: tuple[str, ...] = ()
    domains: tuple[DomainSpec, ...] = ()
    apps: tuple[AppSpec, ...] = ()

    def owner_of(self, domain: DomainSpec | None) -> str | None:
        return (domain.owner if domain and domain.owner else None) or self.owner

    def expectations(self, domain: DomainSpec | None = None, *, host: str | None = None,
                     subdomain: bool = False, app: AppSpec | None = None) -> Expectations:
        """What a page of this organisation should show (`rules.model.Expectations`).

        A discovered subdomain gets its parent domain's expectations with `subdomain=True`;
        an app's landing page adds the APP number it must show.
        """
        gongan_code = domain.gongan if domain else None
        gongan_required = self.gongan_required
        if domain and domain.gongan_required is not None:
            gongan_required = domain.gongan_required
        copyright_required = self.copyright_required
        if domain and domain.copyright_required is not None:
            copyright_required = domain.copyright_required
        own = bool(subdomain and domain and host and host in domain.own_filing)
        profile = (domain.profile if domain and domain.profile else None) or self.profile
        return Expectations(
            org=self.name,
            province=self.province,
            expected_icp=(domain.icp if domain and domain.icp else None) or self.icp,
            expected_gongan=gongan_code,
            gongan_required=gongan_required or bool(gongan_code),
            commercial=self.commercial,
            licence_number=self.licence,
            copyright_required=copyright_required,
            profile=profile,
            subdomain=subdomain,
            own_filing=own,
            app_page=app is not None,
            expected_app_number=app.icp if app else None,
            severity_overrides=dict(self.severity),
            disabled=frozenset(self.disabled_rules),
        )


class CrawlSpec(_Model):
    """How far and how politely to crawl (defaults suit a nightly run)."""

    subdomain_cap: int = Field(default=200, ge=0)  # discovered hosts per domain
    link_depth: int = Field(default=2, ge=0)  # link hops from a homepage while discovering
    inner_pages: int = Field(default=3, ge=0)  # inner pages sampled per site (distinct templates)
    user_agent: str | None = None  # default: the tool's own, naming footer-audit
    # Politeness per registrable domain (all its hosts together: one organisation's servers).
    per_domain: int = Field(default=4, ge=1)  # requests at once
    delay: float = Field(default=0.0, ge=0, le=60)  # seconds between two requests


class Portfolio(_Model):
    """The whole file: crawl settings and organisations."""

    crawl: CrawlSpec = CrawlSpec()
    organisations: tuple[OrgSpec, ...]
    source: str = Field(default="<memory>", exclude=True)

    @classmethod
    def on_demand(cls, sites: list[str], *, org: str | None = None,
                  province: str | None = None, render: RenderMode = "auto",
                  layout_checks: bool = False, crawl: CrawlSpec | None = None) -> Portfolio:
        """A one-organisation portfolio for `footer-audit crawl SITE...`."""
        domains = []
        for site in sites:
            host = re.sub(r"^https?://", "", site.strip()).split("/")[0].split(":")[0]
            try:
                domains.append(DomainSpec(domain=host, render=render))
            except ValidationError as exc:
                msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
                raise PortfolioError(f"{site}: {msg}") from None
        return cls(crawl=crawl or CrawlSpec(), source="<command line>", organisations=(
            OrgSpec(name=org or "(unspecified)", province=province,
                    layout_checks=layout_checks, domains=tuple(domains)),
        ))

    def domain_count(self) -> int:
        return sum(len(o.domains) for o in self.organisations)


def parse_portfolio(text: str, source: str = "<string>") -> Portfolio:
    """Validate portfolio YAML text; errors name `source`, the line and the field."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise PortfolioError(f"{where}: not valid YAML: {exc.problem or exc}") from None
    if not isinstance(data, dict):
        raise PortfolioError(f"{source}:1: expected a mapping with an 'organisations' list")
    try:
        portfolio = Portfolio.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise PortfolioError(_describe(exc, node, source)) from None
    if not portfolio.organisations:
        line = line_of(node, ("organisations",))
        raise PortfolioError(f"{source}:{line}: organisations: list at least one organisation")
    return portfolio


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file (`PortfolioError` on any problem)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PortfolioError(f"{p}: cannot read the portfolio: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PortfolioError(f"{p}: not UTF-8 text") from None
    return parse_portfolio(text, str(p))


def _describe(exc: ValidationError, node: Any, source: str) -> str:
    """One line per problem: `file:LINE: field.path: message` (the first few problems)."""
    lines = []
    errors = exc.errors()
    for err in errors[:5]:
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (misspelt?)"
        lines.append(f"{source}:{line_of(node, loc)}: {field}: {msg}")
    if len(errors) > 5:
        lines.append(f"... and {len(errors) - 5} more problems")
    return "; ".join(lines)
