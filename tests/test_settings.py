"""crawler/settings.py and docs/settings.md list the same settings, with the same defaults."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
    from crawler.app.run import portfolio_settings

    stored = portfolio_settings(store="redis://127.0.0.1:6379/0")
    assert stored.get("FOOTER_AUDIT_STORE_URL") == "redis://127.0.0.1:6379/0"
    assert stored.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED") is True
    # --no-store: no store to keep screenshots in, so no page is held open for one.
    unstored = portfolio_settings(store=False)
    assert unstored.getbool("FOOTER_AUDIT_STORE_ENABLED") is False
    assert unstored.getbool("FOOTER_AUDIT_EVIDENCE_ENABLED") is False
    # --render never: Scrapy's client with the shared TLS context, the other middlewares kept.
    never = portfolio_settings(render="never")
    handlers = set(never.getdict("DOWNLOAD_HANDLERS").values())
    assert handlers == {"crawler.fetch.tls.StaticDownloadHandler"}
    middlewares = never.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.render.RenderOnDemandMiddleware"] is None
    assert middlewares["crawler.middlewares.politeness.SlotConcurrencyMiddleware"] == 950
