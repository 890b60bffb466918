"""crawler/render/browser.py: where Chromium is found, how it is launched, which requests
are skipped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crawler.render import browser
from crawler.render.browser import ENV_CHROMIUM, find_chromium, find_full_chromium, launch_options


def _fake_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_env_path_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_executable(tmp_path / "my-chromium")
    monkeypatch.setenv(ENV_CHROMIUM, str(exe))
    assert find_chromium() == str(exe)
    assert launch_options()["executable_path"] == str(exe)


def test_env_path_that_does_not_exist_finds_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CHROMIUM, str(tmp_path / "missing"))
    assert find_chromium() is None
    assert "executable_path" not in launch_options()


def test_playwright_download_before_debian(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CHROMIUM, raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.setattr(browser, "_DEBIAN_SHELL_PATHS", ())
    old = _fake_executable(tmp_path / "chromium-1100/chrome-linux/chrome")
    new = _fake_executable(tmp_path / "chromium-1200/chrome-linux64/chrome")
    assert find_chromium() == str(new) != str(old)


def test_the_full_browser_for_extensions_is_never_a_headless_shell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.setattr(browser, "_DEBIAN_PATHS", ())
    _fake_executable(tmp_path / "chromium_headless_shell-1200/chrome-linux/headless_shell")
    assert find_full_chromium() is None
    full = _fake_executable(tmp_path / "chromium-1200/chrome-linux64/chrome")
    assert find_full_chromium() == str(full)


def test_a_headless_shell_comes_before_a_full_browser(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CHROMIUM, raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    _fake_executable(tmp_path / "chromium-1200/chrome-linux64/chrome")
    shell = _fake_executable(tmp_path / "chromium_headless_shell-1200/chrome-linux/headless_shell")
    assert find_chromium() == str(shell)
    # Debian's shell comes before a full browser too, Playwright's or Debian's.
    shell.unlink()
    debian_shell = _fake_executable(tmp_path / "debian/chromium-headless-shell")
    monkeypatch.setattr(browser, "_DEBIAN_SHELL_PATHS", (str(debian_shell),))
    assert find_chromium() == str(debian_shell)


def test_debian_chromium_when_nothing_else(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CHROMIUM, raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))  # empty
    debian = [p for p in (*browser._DEBIAN_SHELL_PATHS, *browser._DEBIAN_PATHS)
              if os.access(p, os.X_OK)]
    assert find_chromium() == (debian[0] if debian else None)


def test_launch_flags() -> None:
    options = launch_options("/opt/chromium")
    assert options["headless"] is True
    assert options["executable_path"] == "/opt/chromium"
    for flag in browser.CHROMIUM_ARGS:
        assert flag in options["args"]
    assert ("--no-sandbox" in options["args"]) == (os.geteuid() == 0)
