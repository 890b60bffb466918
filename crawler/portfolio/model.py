"""The portfolio file: organisations, their domains and apps, loaded and validated in one place.

`load_portfolio(path)` reads the YAML, validates it with the pydantic models below and returns a
`Portfolio`; any problem raises `PortfolioError` naming the file, the line and the field, so a
crawl never starts from a half-understood file. `Portfolio.on_demand(...)` builds the same object
for `footer-audit crawl example.cn`, so both faces share one crawl logic.

The full documented example is `examples/portfolio.yaml`; the reference is `docs/portfolio.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from crawler.errors import PortfolioError, UsageError
from crawler.net.addresses import parse_networks
from crawler.net.host_names import normalise_host
from crawler.portfolio.alerts_spec import AlertsSpec
from crawler.portfolio.lines import line_of
from crawler.portfolio.overlaps import Problem, find_overlaps
from crawler.portfolio.schedule_spec import ScheduleSpec
from rules.data import GONGAN_CODE
from rules.model import Expectations

__all__ = [
    "AlertsSpec",
    "AppSpec",
    "CrawlSpec",
    "DomainSpec",
    "OrgSpec",
    "Portfolio",
    "RenderMode",
    "ScheduleSpec",
    "SiteMatch",
    "load_portfolio",
    "parse_portfolio",
]

RenderMode = Literal["auto", "always", "never"]
# Rule profile: "government" adds the 网站标识码 and badge rules (default for .gov.cn hosts).
ProfileName = Literal["government", "standard"]
SeverityName = Literal["error", "warning", "info"]

# Problems listed in a PortfolioError's one-line message; `PortfolioError.lines` has them all.
_MESSAGE_PROBLEMS = 5


def _network(value: str) -> str:
    """An address range in CIDR form (`10.0.0.0/8`; a single address becomes `/32` or `/128`)."""
    try:
        return str(parse_networks([value], origin="range")[0])
    except UsageError as exc:
        raise ValueError(str(exc)) from None


Network = Annotated[str, AfterValidator(_network)]


def _clean_host(value: str) -> str:
    """The canonical form of a host name (`crawler/net/host_names.py`: IDNA, labels, lengths, public
    suffix); `*.zone` is accepted, the domain field refuses it itself."""
    return normalise_host(value, wildcard=True)


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
        if not GONGAN_CODE.fullmatch(text):
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
    # Address ranges the crawl may connect to beside public ones (crawler/net/addresses.py).
    allow_networks: tuple[Network, ...] = ()


class Portfolio(_Model):
    """The whole file: crawl settings, organisations, the nightly schedule and alerts."""

    crawl: CrawlSpec = CrawlSpec()
    organisations: tuple[OrgSpec, ...]
    schedule: ScheduleSpec = ScheduleSpec()  # when `footer-audit schedule` runs it
    alerts: AlertsSpec = AlertsSpec()  # where each run's changes are sent
    source: str = Field(default="<memory>", exclude=True)
    # Problems that do not stop the crawl (crawler/portfolio/overlaps.py), one line each.
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def warnings(self) -> tuple[str, ...]:
        return self._warnings

    @classmethod
    def on_demand(cls, sites: list[str], *, org: str | None = None,
                  province: str | None = None, render: RenderMode = "auto",
                  layout_checks: bool = False, crawl: CrawlSpec | None = None) -> Portfolio:
        """A one-organisation portfolio for `footer-audit crawl SITE...`; a site named twice
        (`example.cn www.example.cn`, or in Unicode and punycode) is crawled once."""
        domains = []
        seen = set()
        for site in sites:
            host = re.sub(r"^https?://", "", site.strip()).split("/")[0].split(":")[0]
            try:
                spec = DomainSpec(domain=host, render=render)
            except ValidationError as exc:
                msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
                raise PortfolioError(f"{site}: {msg}") from None
            key = spec.domain.removeprefix("www.")
            if key not in seen:
                seen.add(key)
                domains.append(spec)
        return cls(crawl=crawl or CrawlSpec(), source="<command line>", organisations=(
            OrgSpec(name=org or "(unspecified)", province=province,
                    layout_checks=layout_checks, domains=tuple(domains)),
        ))

    @property
    def name(self) -> str:
        """What its runs are filed under in the store: the file's name without `.yaml`."""
        return Path(self.source).stem if self.source.endswith((".yaml", ".yml")) else "on-demand"

    def domain_count(self) -> int:
        return sum(len(o.domains) for o in self.organisations)

    def site(self, host: str) -> SiteMatch | None:
        """The organisation and domain a host belongs to (the longest domain that is the host
        or a parent of it), None when no domain of the file covers it. A host other than the
        domain and its `www.` is a subdomain, audited as the crawl audits one it discovers."""
        host = host.strip().rstrip(".").lower()
        best: SiteMatch | None = None
        for org in self.organisations:
            for domain in org.domains:
                if host != domain.domain and not host.endswith("." + domain.domain):
                    continue
                if best is None or len(domain.domain) > len(best.domain.domain):
                    sub = host not in (domain.domain, "www." + domain.domain)
                    best = SiteMatch(org, domain, host, sub)
        return best


@dataclass(frozen=True)
class SiteMatch:
    """One host's place in a portfolio (`Portfolio.site`)."""

    org: OrgSpec
    domain: DomainSpec
    host: str
    subdomain: bool

    def expectations(self) -> Expectations:
        return self.org.expectations(self.domain, host=self.host, subdomain=self.subdomain)


def parse_portfolio(text: str, source: str = "<string>") -> Portfolio:
    """Validate portfolio YAML text; errors name `source`, the line and the field.

    Every problem of the file is reported at once (`PortfolioError.lines`): the model's, then
    duplicates and conflicts between entries (`crawler/portfolio/overlaps.py`), in file order.
    Warnings are kept in `Portfolio.warnings`.
    """
    try:
        # One parse (libyaml's when present): the node tree gives the lines, the data is built
        # from it (the pure-Python parser took most of the time of a 5,000-domain file).
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise PortfolioError(f"{where}: not valid YAML: {exc.problem or exc}") from None
    if not isinstance(data, dict):
        raise PortfolioError(f"{source}:1: expected a mapping with an 'organisations' list")
    problems: list[Problem] = []
    portfolio = None
    try:
        portfolio = Portfolio.model_validate({**data, "source": source})
    except ValidationError as exc:
        problems.extend(_problems(exc, node))
    errors, warnings = find_overlaps(data, node)
    problems.extend(errors)
    if problems:
        problems.sort(key=lambda p: p.line)  # stable: the model's first on one line
        lines = [p.render(source) for p in problems]
        message = "; ".join(lines[:_MESSAGE_PROBLEMS])
        if len(lines) > _MESSAGE_PROBLEMS:
            message += f"; ... and {len(lines) - _MESSAGE_PROBLEMS} more problems"
        raise PortfolioError(message, lines=lines)
    assert portfolio is not None
    if not portfolio.organisations:
        line = line_of(node, ("organisations",))
        raise PortfolioError(f"{source}:{line}: organisations: list at least one organisation")
    portfolio._warnings = tuple(w.render(source) for w in warnings)
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


def _problems(exc: ValidationError, node: Any) -> list[Problem]:
    """One problem per validation error, at its line and field."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (misspelt?)"
        problems.append(Problem(line_of(node, loc), field, msg))
    return problems
