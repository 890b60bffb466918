"""The data directory (crawler/data_dir.py) where the report database, the spool and the render
memory live: platformdirs' user data directory, `$XDG_DATA_HOME/footer-audit` on Linux."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.data_dir import data_dir
from crawler.render.memory import default_memory_path
from crawler.reports.store.spool import default_spool_dirs
from crawler.reports.store.sqlite import default_db_path

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG paths are Linux's")


@linux
def test_xdg_data_home_holds_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("FOOTER_AUDIT_DB", raising=False)
    base = tmp_path / "footer-audit"
    assert data_dir() == base
    assert default_db_path() == base / "reports.sqlite3"
    assert default_spool_dirs()[0] == base / "spool"
    assert default_memory_path() == base / "render-hosts.json"


@linux
@pytest.mark.parametrize("value", ["", "relative/data"])
def test_an_empty_or_relative_xdg_data_home_means_the_default(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", value)
    assert data_dir() == Path.home() / ".local" / "share" / "footer-audit"
