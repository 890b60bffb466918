"""The portfolio file: validation, error locations, and the expectations built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import PortfolioError
from crawler.portfolio.model import Portfolio, load_portfolio, parse_portfolio

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
    with pytest.raises(PortfolioError, match="other than letters, digits and hyphens"):
        Portfolio.on_demand(["not a host"])
    # One site named twice on the command line is crawled once.
    twice = Portfolio.on_demand(["例子.中国", "www.xn--fsqu00a.xn--fiqs8s", "ｅｘａｍｐｌｅ.cn"])
    assert [d.domain for d in twice.organisations[0].domains] == [
        "xn--fsqu00a.xn--fiqs8s", "example.cn"]


# ---- names, duplicates and conflicts ----

NAMES = [
    # (as written, canonical form)
    ("Example.CN.", "example.cn"),
    ("ｅｘａｍｐｌｅ．ｃｎ", "example.cn"),  # full-width letters and dot (NFKC)
    ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
    ("例子。中国", "xn--fsqu00a.xn--fiqs8s"),  # the ideographic full stop separates labels
    ("XN--FSQU00A.xn--fiqs8s", "xn--fsqu00a.xn--fiqs8s"),
    ("shop.example.com.cn", "shop.example.com.cn"),
    ("a-b.example.cn", "a-b.example.cn"),
]


@pytest.mark.parametrize(("written", "canonical"), NAMES)
def test_domains_are_kept_in_one_form(written, canonical):
    p = parse_portfolio(f"organisations:\n  - name: X\n    domains:\n      - domain: {written}\n")
    assert p.organisations[0].domains[0].domain == canonical


BAD_NAMES = [
    ("10.0.4.14", "is an IP address"),
    ("'[::1]'", "is an IP address"),
    ("-bad-.cn", "starts or ends with a hyphen"),
    ("a_b.cn", "other than letters, digits and hyphens"),
    ("a..cn", "an empty label"),
    ("a" * 64 + ".cn", "64 characters long (at most 63)"),
    (".".join(["a" * 63] * 4) + "." + "b" * 46 + ".cn", "305 characters long (at most 253)"),
    ("example.123", "is all digits"),
    ("com.cn", "is a public suffix"),
    ("github.io", "is a public suffix"),
    ("intranet.local", "not a top-level domain"),
    ("localhost", "single label"),
    ("xn--zz.cn", "not a valid internationalised label"),
    ("ab--cd.cn", "3rd and 4th places"),
    ("a.cn:8080", "no port"),
]


@pytest.mark.parametrize(("written", "message"), BAD_NAMES)
def test_bad_names_are_errors_at_their_line(written, message):
    text = f"organisations:\n  - name: X\n    domains:\n      - domain: ok.cn\n" \
           f"      - domain: {written}\n"
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(text, "p.yaml")
    assert info.value.lines == [info.value.lines[0]]
    line = info.value.lines[0]
    assert line.startswith("p.yaml:5: organisations.0.domains.1.domain: "), line
    assert message in line, line


def _generated_portfolio() -> tuple[str, dict[int, str], int]:
    """A 5,000-domain file, 10 organisations of 500, where 30% of the entries are bad: the text,
    {line: message fragment} of every bad entry, and the number of domain lines."""
    import idna

    lines = ["crawl:", "  per_domain: 2", "organisations:"]
    expected: dict[int, str] = {}
    first_org: list[str] = []
    for oi in range(10):
        lines += [f"  - name: 某某公司{oi}", "    domains:"]
        listed: list[str] = []  # the good names of this organisation, as written
        idns: list[str] = []
        for di in range(500):
            n = oi * 500 + di
            bad = None
            if di >= 20 and di % 10 == 0:
                name, bad = listed[di // 3], "duplicate: "
            elif di >= 20 and di % 10 == 3:
                name, bad = "www." + listed[di // 3], "duplicate site: "
            elif di >= 20 and di % 10 == 6:
                name, bad = [
                    (f"10.0.4.{di % 250}", "is an IP address"),
                    ("-bad-.cn", "starts or ends with a hyphen"),
                    (".".join(["a" * 63] * 4) + "." + "b" * 46 + ".cn",
                     "305 characters long (at most 253)"),
                    (_full_width(listed[di // 4]), "duplicate: "),
                    ("example.123", "is all digits"),
                    ("com.cn", "is a public suffix"),
                    (idna.encode(idns[di % len(idns)]).decode("ascii"), "duplicate: "),
                    (first_org[di], "conflict: ") if oi else (f"solo{n}.cn", None),
                ][(di // 10) % 8]
            elif di % 10 == 5:
                name = f"例子{n}.中国"  # an internationalised name, in Unicode
                idns.append(name)
            else:
                name = f"site{n}.{'cn' if n % 2 else 'com.cn'}"
            lines.append(f"      - domain: {name}")
            if bad:
                expected[len(lines)] = bad
            else:
                listed.append(name)
            if oi == 0:
                first_org.append(name)
    return "\n".join(lines) + "\n", expected, 5000


def _full_width(name: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)


def test_generated_portfolio_reports_every_bad_entry_with_its_line(tmp_path):
    text, expected, count = _generated_portfolio()
    assert count == 5000
    assert len(expected) >= 1400  # ~30% of the entries (the first org has no conflicts)
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path)
    reported: dict[int, str] = {}
    for line in info.value.lines:
        where, _, rest = line.partition(": ")
        assert where.startswith(f"{path}:"), line
        number = int(where.rsplit(":", 1)[1])
        assert number not in reported, f"reported twice: {line}"
        reported[number] = rest
    assert set(reported) == set(expected)  # every bad entry, and no good one
    source = text.splitlines()
    for number, fragment in expected.items():
        message = reported[number]
        assert message.startswith("organisations."), message
        assert ".domain: " in message, message
        assert fragment in message, (source[number - 1], message)
    # The one-line message summarises; the lines hold them all.
    assert "more problems" in str(info.value) and "\n" not in str(info.value)


def test_duplicates_and_conflicts_name_the_first_entry():
    text = ("organisations:\n"
            "  - name: 甲公司\n"
            "    domains:\n"
            "      - domain: 例子.中国\n"  # 4
            "      - domain: example.cn\n"  # 5
            "      - domain: xn--fsqu00a.xn--fiqs8s\n"  # 6: the same name in punycode
            "      - domain: www.example.cn\n"  # 7: the same site
            "  - name: 乙公司\n"
            "    domains:\n"
            "      - domain: EXAMPLE.cn\n"  # 10: another organisation's site
            "    apps:\n"
            "      - {name: 客户端, url: 'https://a.example.com.cn/app'}\n"
            "      - {name: 客户端, url: 'https://b.example.com.cn/app'}\n")  # 13
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(text, "p.yaml")
    lines = info.value.lines
    assert lines == [
        "p.yaml:6: organisations.0.domains.2.domain: duplicate: xn--fsqu00a.xn--fiqs8s is "
        "already listed at line 4",
        "p.yaml:7: organisations.0.domains.3.domain: duplicate site: www.example.cn and "
        "example.cn (line 5) are one site (the crawl of either audits both example.cn and "
        "www.example.cn); keep one of them",
        "p.yaml:10: organisations.1.domains.0.domain: conflict: example.cn (written "
        "'EXAMPLE.cn') is already listed under organisation '甲公司' at line 5; a site belongs "
        "to one filing subject: keep it under one of them",
        "p.yaml:13: organisations.1.apps.1.name: duplicate: app '客户端' is already listed "
        "at line 12",
    ]


def test_nested_domains_and_stray_subdomains_are_warnings():
    p = parse_portfolio(
        "organisations:\n"
        "  - name: 甲公司\n"
        "    domains:\n"
        "      - domain: example.cn\n"
        "        add_subdomains: [shop.example.cn, shop.other.cn]\n"  # 5
        "      - domain: news.example.cn\n"  # 6
        "  - name: 乙公司\n"
        "    domains:\n"
        "      - domain: www.bbs.example.cn\n"  # 9
        "        own_filing: [x.example.cn]\n", "p.yaml")  # 10
    assert len(p.organisations[0].domains) == 2
    warnings = p.warnings
    assert len(warnings) == 4, warnings
    assert warnings[0].startswith("p.yaml:5: organisations.0.domains.0.add_subdomains.1: "
                                  "shop.other.cn is not under example.cn")
    assert warnings[1].startswith("p.yaml:6: organisations.0.domains.1.domain: "
                                  "news.example.cn is under example.cn (line 4)")
    assert "skip_subdomains" in warnings[1]
    assert warnings[2].startswith("p.yaml:9: organisations.1.domains.0.domain: "
                                  "www.bbs.example.cn is under example.cn (line 4 of "
                                  "organisation '甲公司')")
    assert warnings[3].startswith("p.yaml:10: organisations.1.domains.0.own_filing.0: "
                                  "x.example.cn is not under www.bbs.example.cn")


def test_allow_networks_are_validated():
    p = parse_portfolio("crawl:\n  allow_networks: [10.0.0.0/8, 'fd00::/8', 192.168.1.7]\n"
                        "organisations:\n  - name: X\n")
    assert p.crawl.allow_networks == ("10.0.0.0/8", "fd00::/8", "192.168.1.7/32")
    with pytest.raises(PortfolioError) as info:
        parse_portfolio("crawl:\n  allow_networks:\n    - 10.0.0.0/8\n    - intranet\n"
                        "organisations:\n  - name: X\n", "p.yaml")
    assert str(info.value).startswith("p.yaml:4: crawl.allow_networks.1: range 'intranet'")


@pytest.mark.slow
def test_run_prints_every_problem_and_warning(tmp_path):
    """`footer-audit run`: one `error:` line per problem and exit status 2, nothing crawled; a file
    with warnings only is crawled after them (here a dead loopback port: no traffic leaves)."""
    import os
    import subprocess
    import sys

    from tests.farm import closed_port

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "XDG_DATA_HOME": str(tmp_path / "data")}

    def run(text: str, *args: str) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "p.yaml"
        path.write_text(text, encoding="utf-8")
        return subprocess.run([sys.executable, "-c", "from crawler.app.cli import main; main()",
                               "run", str(path), "--quiet", "--no-store", *args],
                              capture_output=True, text=True, timeout=120, cwd=root, env=env)

    bad = run("organisations:\n  - name: X\n    domains:\n      - domain: com.cn\n"
              "      - domain: 10.0.4.14\n      - domain: a.cn\n      - domain: A.CN\n")
    assert bad.returncode == 2
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(": ")[1] for e in errors] == [f"{tmp_path / 'p.yaml'}:{n}"
                                                  for n in (4, 5, 7)], bad.stderr
    assert "duplicate: a.cn (written 'A.CN') is already listed at line 6" in errors[2]

    warned = run("organisations:\n  - name: X\n    domains:\n      - domain: a.cn\n"
                 "      - domain: shop.a.cn\n", "--resolve", f"*:127.0.0.1:{closed_port()}")
    assert warned.returncode == 0, warned.stderr[-2000:]
    assert warned.stderr.startswith(f"warning: {tmp_path / 'p.yaml'}:5: "
                                    "organisations.0.domains.1.domain: shop.a.cn is under a.cn")
