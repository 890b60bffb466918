"""Where footer-audit keeps its files: the report database, the spool, the render memory.

The user's data directory as platformdirs names it for the platform: on Linux and the BSDs
`$XDG_DATA_HOME/footer-audit` (default `~/.local/share/footer-audit`; a relative
`$XDG_DATA_HOME` is ignored, as the XDG specification asks), on macOS
`~/Library/Application Support/footer-audit`, on Windows `%LOCALAPPDATA%\\footer-audit`.
Each file also has its own override (`$FOOTER_AUDIT_DB`, `FOOTER_AUDIT_STORE_SPOOL_DIR`,
`FOOTER_AUDIT_RENDER_MEMORY`; docs/settings.md).
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

__all__ = ["data_dir"]

APP_NAME = "footer-audit"


def data_dir() -> Path:
    """The data directory, read from the environment at each call (tests and the bench point
    `XDG_DATA_HOME` elsewhere per process); it may not exist yet."""
    # appauthor=False: no vendor folder above the application's on Windows.
    return user_data_path(APP_NAME, appauthor=False)
