"""The portfolio file: validation, error locations, and the expectations built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import PortfolioError
from crawler.portfolio import Portfolio, load_portfolio, parse_portfolio

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "portfolio.yaml"


def test_example_file_loads_and_builds_expectations():
    portfolio = load_portfolio(EXAMPLE)
    org = portfolio.organisations[0]
    domain = org.domains[0]
    exp = org.expectations(domain)
    assert exp.org == org.name
    assert exp.expected_icp == domain.icp  # the domain's website number wins over the subject's
    assert exp.expected_gongan == "11010502030143" and exp.gongan_required
    assert exp.commercial and exp.licence_number == org.licence
    assert exp.severity_overrides["icp_link_http"] == "warning"
    assert "icp_position_not_bottom_centre" in exp.disabled
    assert not exp.subdomain and not exp.app_page


def test_subdomain_and_app_expectations():
    org = load_portfolio(EXAMPLE).organisations[0]
    domain = org.domains[0]
    sub = org.expectations(domain, host="shop.example.cn", subdomain=True)
    assert sub.subdomain and sub.own_filing  # shop is listed under own_filing
    other = org.expectations(domain, host="blog.example.cn", subdomain=True)
    assert other.subdomain and not other.own_filing
    assert other.expected_icp == domain.icp
    app = org.expectations(domain, app=org.apps[0])
    assert app.app_page and app.expected_app_number == "京ICP备12345678号-3A"


def test_owner_is_overridable_per_domain():
    org = load_portfolio(EXAMPLE).organisations[0]
    assert org.owner_of(org.domains[0]) == org.owner
    assert org.owner_of(org.domains[1]) == "frontend@example.cn"


def test_subject_number_applies_when_domain_has_none():
    p = parse_portfolio("organisations:\n  - name: X公司\n    icp: 京ICP备1号\n"
                        "    domains:\n      - domain: Example.CN\n")
    org = p.organisations[0]
    assert org.domains[0].domain == "example.cn"
    assert org.expectations(org.domains[0]).expected_icp == "京ICP备1号"



def test_profile_is_set_per_organisation_and_overridden_per_domain():
    p = parse_portfolio("organisations:\n  - name: 某某市人民政府\n    profile: government\n"
                        "    domains:\n      - domain: example.cn\n"
                        "      - domain: mirror.example.gov.cn\n        profile: standard\n"
                        "  - name: X公司\n    domains:\n      - domain: x.gov.cn\n")
    gov, other = p.organisations
    assert gov.expectations(gov.domains[0]).profile == "government"
    assert gov.expectations(gov.domains[1]).profile == "standard"
    assert other.expectations(other.domains[0]).profile is None  # the core decides by host
    with pytest.raises(PortfolioError, match="profile"):
        parse_portfolio("organisations:\n  - name: X\n    profile: gov\n")


BAD = [
    # (yaml, line, field fragment, message fragment)
    ("organisations:\n  - name: X\n    domains:\n      - domain: a.cn\n        render: maybe\n",
     5, "organisations.0.domains.0.render", "'auto', 'always' or 'never'"),
    ("organisations:\n  - name: X\n    domian: []\n", 3, "organisations.0.domian", "unknown field"),
    ("organisations:\n  - name: X\n    domains:\n      - domain: https://a.cn/\n",
     4, "organisations.0.domains.0.domain", "not a URL"),
    ("organisations:\n  - name: X\n    domains:\n      - domain: a.cn\n        gongan: 123\n",
     5, "organisations.0.domains.0.gongan", "14 digits"),
    ("crawl:\n  subdomain_cap: -3\norganisations:\n  - name: X\n", 2, "crawl.subdomain_cap",
     "greater than or equal"),
    ("organisations:\n  - name: X\n    severity:\n      icp_missing: fatal\n",
     4, "organisations.0.severity.icp_missing", "'error', 'warning' or 'info'"),
    ("organisations:\n  - province: 北京\n", 2, "organisations.0.name", "Field required"),
    ("organisations: []\n", 1, "organisations", "at least one"),
    ("organisations:\n  - name: [unclosed\n", 3, "", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD)
def test_bad_file_names_file_line_and_field(tmp_path, text, line, field, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:{line}: "), msg
    assert field in msg and message in msg, msg
    assert "\n" not in msg


def test_unreadable_and_non_mapping_files(tmp_path):
    with pytest.raises(PortfolioError, match="cannot read"):
        load_portfolio(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(PortfolioError, match=r"list\.yaml:1: expected a mapping"):
        load_portfolio(tmp_path / "list.yaml")


def test_on_demand_portfolio():
    p = Portfolio.on_demand(["https://Example.cn/x", "shop.example.com.cn"], org="某公司",
                            province="广东")
    org = p.organisations[0]
    assert [d.domain for d in org.domains] == ["example.cn", "shop.example.com.cn"]
    assert org.expectations(org.domains[0]).province == "广东"
    with pytest.raises(PortfolioError, match="not a host name"):
        Portfolio.on_demand(["not a host"])
