"""crawler/settings.py and docs/settings.md list the same settings, with the same defaults."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crawler import settings
from crawler.render.browser import ENV_CHROMIUM

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def _sections() -> dict[str, dict[str, str]]:
    """{"## section": {"### NAME": body}} of docs/settings.md."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    name = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), {})
            name = None
        elif line.startswith("### "):
            name = line[4:].strip()
            current[name] = ""
        elif name:
            current[name] += line + "\n"
    return sections


def _declared() -> list[str]:
    return [n for n in vars(settings) if n.isupper()]


def test_every_setting_is_documented_and_nothing_else() -> None:
    sections = _sections()
    documented = set(sections["footer-audit settings"]) | set(
        sections["Scrapy and scrapy-playwright settings"])
    assert documented == set(_declared())


def test_our_settings_carry_the_prefix_and_documented_defaults() -> None:
    ours = _sections()["footer-audit settings"]
    assert set(ours) == {n for n in _declared() if n.startswith("FOOTER_AUDIT_")}
    for name, body in ours.items():
        match = re.search(r"Type `(\w+)`, default `([^`]+)`", body)
        assert match, f"{name}: no 'Type `...`, default `...`' line"
        kind, default = match.groups()
        value = getattr(settings, name)
        assert type(value).__name__ == kind, name
        assert ast.literal_eval(default) == value, name


def test_our_settings_are_grouped_with_the_enabling_flag_first() -> None:
    ours = [n for n in _declared() if n.startswith("FOOTER_AUDIT_")]
    groups: dict[str, list[str]] = {}
    for name in ours:
        groups.setdefault(name.split("_")[2], []).append(name)
    assert list(groups) == sorted(groups)
    for group, names in groups.items():
        flag = f"FOOTER_AUDIT_{group}_ENABLED"
        if flag in names:
            assert names[0] == flag
            assert names[1:] == sorted(names[1:])


def test_environment_variables_are_documented() -> None:
    assert ENV_CHROMIUM in _sections()["Environment variables"]


def test_command_line_choices_become_settings() -> None:
    from crawler.launch.crawl_settings import crawl_settings

    stored = crawl_settings(store="redis://127.0.0.1:6379/0")
    assert stored.get("FOOTER_AUDIT_STORE_URL") == "redis://127.0.0.1:6379/0"
    assert stored.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED") is True
    # --no-store: no store to keep screenshots in, so no page is held open for one.
    unstored = crawl_settings(store=False)
    assert unstored.getbool("FOOTER_AUDIT_STORE_ENABLED") is False
    assert unstored.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED") is False
    # --render never: Scrapy's client with the shared TLS context, the other middlewares kept.
    never = crawl_settings(render="never")
    handlers = set(never.getdict("DOWNLOAD_HANDLERS").values())
    assert handlers == {"crawler.fetch.tls.StaticDownloadHandler"}
    middlewares = never.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.render.RenderOnDemandMiddleware"] is None
    assert middlewares["crawler.middlewares.politeness.SlotConcurrencyMiddleware"] == 950


def test_check_and_run_share_one_builder() -> None:
    """The choices both commands have become the same settings; what differs is what a one-shot
    check leaves out."""
    from crawler.launch.crawl_settings import crawl_settings

    common = {"render": "never", "timeout": 7.0, "resolve": ("a.cn:127.0.0.1",),
              "user_agent": "UA/1", "allow_networks": ("10.0.0.0/8",)}
    check = crawl_settings(one_shot=True, **common)
    run = crawl_settings(**common)
    for name in ("FOOTER_AUDIT_RENDER", "DOWNLOAD_TIMEOUT", "FOOTER_AUDIT_RENDER_TIMEOUT",
                 "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", "USER_AGENT", "FOOTER_AUDIT_RESOLVE",
                 "FOOTER_AUDIT_ALLOW_NETWORKS", "DOWNLOAD_HANDLERS"):
        assert check.get(name) == run.get(name), name
    assert check.get("FOOTER_AUDIT_RENDER") == "never" and check.getfloat("DOWNLOAD_TIMEOUT") == 7
    # The check: the audit only, no retry, no store, none of the portfolio's extensions.
    assert check.getdict("ITEM_PIPELINES") == {"pipelines.audit.AuditPipeline": 300}
    assert check.getdict("EXTENSIONS") == {}
    assert check.getbool("RETRY_ENABLED") is False
    assert check.getbool("FOOTER_AUDIT_STORE_ENABLED") is False
    # The run: every component of crawler/settings.py, Scrapy's unused extensions off.
    assert set(run.getdict("ITEM_PIPELINES")) == set(settings.ITEM_PIPELINES)
    extensions = run.getdict("EXTENSIONS")
    assert all(extensions[name] == order for name, order in settings.EXTENSIONS.items())
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None


def test_one_render_mode_carrier_checked_once() -> None:
    from crawler.errors import UsageError
    from crawler.launch.crawl_settings import crawl_settings
    from crawler.render.modes import RenderMode
    from crawler.render.policy import RenderConfig

    with pytest.raises(ValueError, match="'sometimes' is not a valid RenderMode"):
        crawl_settings(render="sometimes")
    # `scrapy crawl ... -s FOOTER_AUDIT_RENDER=...` is checked where the setting is read.
    bad = crawl_settings(extra={"FOOTER_AUDIT_RENDER": "sometimes"})
    with pytest.raises(UsageError, match="FOOTER_AUDIT_RENDER must be one of auto, always, never"):
        RenderConfig.from_settings(bad)
    assert RenderConfig.from_settings(crawl_settings(render="never")).mode is RenderMode.NEVER


def test_render_policy() -> None:
    from crawler.render.modes import RenderMode
    from crawler.render.policy import page_render_mode

    auto, always, never = RenderMode.AUTO, RenderMode.ALWAYS, RenderMode.NEVER
    assert page_render_mode(auto) is auto
    assert page_render_mode(never, forced=always) is always  # the command line wins
    assert page_render_mode(always, forced=auto) is always  # auto forces nothing
    assert page_render_mode(auto, landing_page=True, layout_checks=True) is always
    assert page_render_mode(auto, landing_page=False, layout_checks=True) is auto
    assert page_render_mode(auto, remembered=True) is always
    assert page_render_mode(never, remembered=True, landing_page=True, layout_checks=True) \
        is never  # a domain set to never is never rendered
