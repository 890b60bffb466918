"""The address policy: every kind of non-public address, allowances, settings (no traffic)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.errors import UsageError
from crawler.net.addresses import (
    AddressPolicy,
    AddressRefused,
    classify,
    parse_networks,
)


@pytest.mark.parametrize(("address", "kind"), [
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.0.4.14", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),  # IPv6 unique local
    ("fc00::1", "private"),
    ("100.64.0.1", "shared"),  # carrier-grade NAT
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),  # broadcast
    ("192.0.2.1", "reserved"),  # documentation
    ("198.18.0.1", "reserved"),  # benchmarking
    ("2001:db8::1", "reserved"),  # documentation
    ("::ffff:10.0.0.1", "private"),  # IPv4-mapped: the IPv4 address counts
    ("::ffff:127.0.0.1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("[::1]", "loopback"),
])
def test_non_public_addresses_are_classified(address, kind):
    assert classify(address) == kind
    assert AddressPolicy().refusal(address) == kind
    assert not AddressPolicy().allows(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "114.114.114.114", "172.32.0.1",
                                     "100.128.0.1", "2400:3200::1", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert classify(address) is None
    assert AddressPolicy().allows(address)


def test_allowed_networks_open_only_their_range():
    policy = AddressPolicy(allowed=parse_networks(["10.0.0.0/8", "fd00::/8", "127.0.0.1"]))
    assert policy.allows("10.0.4.14")
    assert policy.allows("::ffff:10.1.2.3")  # mapped into IPv6, still inside 10/8
    assert policy.allows("fd12::1")
    assert policy.allows("127.0.0.1")
    assert policy.refusal("127.0.0.2") == "loopback"  # a single address allows only itself
    assert policy.refusal("192.168.0.1") == "private"
    assert policy.refusal("169.254.169.254") == "link-local"


def test_disabled_policy_allows_everything():
    assert AddressPolicy(enabled=False).allows("169.254.169.254")


def test_check_keeps_allowed_addresses_and_refuses_when_none_is():
    policy = AddressPolicy()
    assert policy.check("mixed.example.cn", ["10.0.0.1", "8.8.8.8"]) == ["8.8.8.8"]
    assert policy.check("gone.example.cn", []) == []
    with pytest.raises(AddressRefused) as info:
        policy.check("intranet.example.cn", ["10.0.4.14", "fd00::1"])
    refused = info.value
    assert (refused.host, refused.address, refused.kind) == (
        "intranet.example.cn", "10.0.4.14", "private")
    assert str(refused).startswith("not crawled: intranet.example.cn resolves to 10.0.4.14, "
                                   "a private address")
    assert "--allow-network" in str(refused)


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "example.cn", "10.0.0", ""])
def test_bad_networks_are_usage_errors(bad):
    with pytest.raises(UsageError, match="--allow-network"):
        parse_networks([bad])


def test_policy_from_settings():
    settings = Settings({"FOOTER_AUDIT_ALLOW_NETWORKS": ["192.168.0.0/16"]})
    policy = AddressPolicy.from_settings(settings)
    assert policy.enabled and policy.allows("192.168.3.4") and not policy.allows("10.0.0.1")
    off = AddressPolicy.from_settings(Settings({"FOOTER_AUDIT_ADDRESS_POLICY_ENABLED": False}))
    assert off.allows("10.0.0.1")


def test_refusal_messages():
    assert str(AddressRefused("127.0.0.1", "127.0.0.1", "loopback")).startswith(
        "not crawled: 127.0.0.1 is a loopback address (allow it with --allow-network")
    assert str(AddressRefused("intra.cn", "10.0.0.1", "private", redirected=True)).startswith(
        "not audited: the page redirected to intra.cn, which resolves to 10.0.0.1, a private "
        "address (allow it")
    assert str(AddressRefused("10.0.0.1", "10.0.0.1", "private", redirected=True)).startswith(
        "not audited: the page redirected to 10.0.0.1, a private address (allow it")


@pytest.mark.parametrize(("ip", "handed"), [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.0.0.8", False), ("::1", False), (None, False), ("nonsense", False),
])
def test_only_public_documents_are_handed_to_the_browser(ip, handed) -> None:
    """Chromium is served the static answer only for a document from a public address: a handed
    document counts as public, and its requests to local hosts would be refused."""
    from crawler.render.policy import _public

    assert _public(ip) is handed
