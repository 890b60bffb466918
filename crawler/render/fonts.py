"""CJK fonts for rendering: without one, Chromium draws every Chinese character of a footer
screenshot (the evidence) and of the HTML report as a box ("tofu").

On Linux Chromium finds its fonts through fontconfig, so `fc-list :lang=zh` (a few milliseconds)
answers whether it has a Chinese font; it honours `FONTCONFIG_FILE` as Chromium does. Other
systems ship CJK fonts, and a machine without fontconfig's tools cannot be asked: no warning then.
`scripts/setup-dev.sh` installs Debian's `fonts-noto-cjk` with the browser.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

__all__ = ["NO_CJK_FONT_WARNING", "cjk_font_missing", "cjk_font_warning"]

NO_CJK_FONT_WARNING = (
    "warning: no Chinese (CJK) font found by fontconfig: Chinese text in rendered pages and "
    "screenshots will show as boxes; install one (Debian/Ubuntu: apt-get install fonts-noto-cjk)")


def cjk_font_missing() -> bool:
    """True when fontconfig is there and lists no font covering Chinese; False when it lists
    one, or when this cannot be told (not Linux, no fc-list, fc-list failing)."""
    if not sys.platform.startswith("linux"):
        return False
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        proc = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and not proc.stdout.strip()


def cjk_font_warning(renders: bool) -> str | None:
    """The one-line warning for a command that renders (`renders`), or None."""
    return NO_CJK_FONT_WARNING if renders and cjk_font_missing() else None
