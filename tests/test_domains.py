"""Registrable domains (bundled Public Suffix List) and a site's crawl scope."""

from __future__ import annotations

import pytest

from crawler.net.domains import SiteScope, bare_host, matches_host_pattern, registrable_domain
from rules.urls import host_of


@pytest.mark.parametrize(("host", "expected"), [
    ("www.example.cn", "example.cn"),
    ("a.b.example.com.cn", "example.com.cn"),
    ("dept.beijing.gov.cn", "beijing.gov.cn"),
    ("foo.github.io", "foo.github.io"),  # a private suffix: tenants are separate sites
    ("例子.中国", "例子.中国"),
    ("127.0.0.1", "127.0.0.1"),
    ("localhost", "localhost"),
    ("WWW.Example.CN.", "example.cn"),
])
def test_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


def test_host_of():
    assert host_of("https://WWW.Example.cn:8443/a?b") == "www.example.cn"
    assert host_of("mailto:x@example.cn") == ""
    assert host_of("http://[::1]:80/") == "::1"
    # An internationalised host in the form the portfolio keeps (and requests are sent with).
    assert host_of("https://WWW.例子.中国/a") == "www.xn--fsqu00a.xn--fiqs8s"
    assert host_of("https://www.xn--fsqu00a.xn--fiqs8s/") == "www.xn--fsqu00a.xn--fiqs8s"
    # One host_of for the rules and the crawl: a trailing dot, spaces around a link, no URL.
    assert host_of(" https://beian.miit.gov.cn./ ") == "beian.miit.gov.cn"
    assert host_of(None) == host_of("") == host_of("http://[::1") == ""


def test_bare_host_names_the_site_of_a_www_host():
    assert bare_host("www.example.cn") == "example.cn"
    assert bare_host("example.cn") == "example.cn"
    assert bare_host("www2.example.cn") == "www2.example.cn"
    assert SiteScope("www.example.cn").homepage_hosts() == ("www.example.cn", "example.cn")
    assert SiteScope("example.cn").homepage_hosts() == ("example.cn", "www.example.cn")


def test_scope_contains_same_registrable_domain_only():
    scope = SiteScope("example.com.cn", skip=("mail.example.com.cn", "*.dev.example.com.cn"))
    assert scope.contains("shop.example.com.cn")
    assert scope.contains("example.com.cn")
    assert not scope.contains("example.com")
    assert not scope.contains("other.com.cn")  # same public suffix is not the same site
    assert not scope.contains("example.com.cn.evil.cn")
    assert not scope.contains("mail.example.com.cn")
    assert not scope.contains("a.dev.example.com.cn") and not scope.contains("dev.example.com.cn")
    assert scope.homepage_hosts() == ("example.com.cn", "www.example.com.cn")
    assert not scope.is_subdomain("www.example.com.cn")
    assert scope.is_subdomain("news.example.com.cn")


def test_scope_cap_counts_each_host_once():
    scope = SiteScope("example.cn", cap=2)
    assert scope.admit("a.example.cn") and scope.admit("b.example.cn")
    assert not scope.admit("a.example.cn")  # already admitted
    assert not scope.admit("c.example.cn") and scope.refused == 1
    assert not scope.admit("www.example.cn")  # a homepage host is not a discovery
    assert scope.admitted == {"a.example.cn", "b.example.cn"}


def test_host_patterns():
    assert matches_host_pattern("x.example.cn", "*.example.cn")
    assert matches_host_pattern("example.cn", "*.example.cn")
    assert not matches_host_pattern("badexample.cn", "*.example.cn")
    assert matches_host_pattern("a.cn", "a.cn") and not matches_host_pattern("b.a.cn", "a.cn")
