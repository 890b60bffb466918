"""Chinese text must be readable: crawler/render/fonts.py finds a CJK font, `check`, `crawl` and
`run` warn once without one, and Chromium draws a Chinese footer with real glyphs, not boxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.render.fonts import NO_CJK_FONT_WARNING, cjk_font_missing
from tests.mockserver import footer_html, page
from tests.tofu import fontless_config, shows_tofu


@pytest.fixture()
def fontless(tmp_path: Path) -> dict[str, str]:
    return {"FONTCONFIG_FILE": str(fontless_config(tmp_path))}


def test_detects_the_cjk_font_and_its_absence(fontless: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # This machine was set up by scripts/setup-dev.sh, which installs fonts-noto-cjk.
    assert cjk_font_missing() is False
    monkeypatch.setenv("FONTCONFIG_FILE", fontless["FONTCONFIG_FILE"])
    assert cjk_font_missing() is True


def _page_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(page(footer_html()), encoding="utf-8")
    return path


def test_check_warns_once_when_it_renders_without_a_cjk_font(run_cli: Any, tmp_path: Path,
                                                              fontless: dict[str, str]) -> None:
    path = _page_file(tmp_path)
    proc = run_cli("check", str(path), "--json", "--render", "auto", env=fontless)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [NO_CJK_FONT_WARNING]
    # Not rendering: nothing to warn about. With the fonts: silent.
    proc = run_cli("check", str(path), "--json", "--render", "never", env=fontless)
    assert proc.returncode == 0 and proc.stderr == ""
    proc = run_cli("check", str(path), "--json", "--render", "auto")
    assert proc.returncode == 0 and proc.stderr == ""


def test_crawl_warns_once_without_a_cjk_font(run_cli: Any, closed_port: int,
                                             fontless: dict[str, str]) -> None:
    # A dead host keeps the crawl short; the warning comes before anything is fetched.
    proc = run_cli("crawl", "www.example.cn", "--resolve", f"*.example.cn:127.0.0.1:{closed_port}",
                   "--render", "always", "--no-store", "--quiet", "--max-subdomains", "0",
                   "-o", "-", env=fontless)
    assert proc.stderr.count(NO_CJK_FONT_WARNING) == 1, proc.stderr
    proc = run_cli("crawl", "www.example.cn", "--resolve", f"*.example.cn:127.0.0.1:{closed_port}",
                   "--render", "never", "--no-store", "--quiet", "--max-subdomains", "0",
                   "-o", "-", env=fontless)
    assert NO_CJK_FONT_WARNING not in proc.stderr


def _footer_shows_tofu(env: dict[str, str] | None) -> bool:
    from playwright.sync_api import sync_playwright

    from crawler.render.browser import launch_options

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(), **({"env": env} if env else {}))
        try:
            tab = browser.new_page()
            tab.set_content(page(footer_html()))
            return shows_tofu(tab, "footer")
        finally:
            browser.close()


@pytest.mark.browser
def test_chinese_footer_renders_with_real_glyphs(fontless: dict[str, str]) -> None:
    import os

    assert not _footer_shows_tofu(None)
    # The same check fails in a browser that has no CJK font: it can tell boxes from glyphs.
    assert _footer_shows_tofu({**os.environ, **fontless})


def test_run_warns_unless_every_domain_is_static(run_cli: Any, tmp_path: Path, closed_port: int,
                                                 fontless: dict[str, str]) -> None:
    def run(render: str) -> Any:
        portfolio = tmp_path / f"{render}.yaml"
        portfolio.write_text("organisations:\n  - name: 北京某某科技有限公司\n    domains:\n"
                             f"      - domain: example.cn\n        render: {render}\n",
                             encoding="utf-8")
        return run_cli("run", str(portfolio), "--resolve", f"*:127.0.0.1:{closed_port}",
                       "--no-store", "--quiet", "-o", "-", env=fontless)

    assert run("auto").stderr.count(NO_CJK_FONT_WARNING) == 1
    static = run("never")
    assert '"status": "unreachable"' in static.stdout  # the run did run
    assert NO_CJK_FONT_WARNING not in static.stderr
