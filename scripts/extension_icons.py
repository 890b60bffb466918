"""Draw the browser extension's toolbar icons (extension/icons/iconN.png) with the standard library.

The icon: a page with its footer bar (a blue square, rounded, with a white band at the bottom and
a short line above it). Run `python scripts/extension_icons.py` after changing the drawing.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
BLUE = (26, 115, 232, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """The colour at (x, y) of the unit square (0..1, y down)."""
    r = 0.18  # corner radius
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    if 0.68 <= y <= 0.82 and 0.16 <= x <= 0.84:
        return WHITE  # the footer band
    if 0.50 <= y <= 0.58 and 0.30 <= x <= 0.70:
        return WHITE  # a line of the footer (the filing number)
    return BLUE


def png(size: int) -> bytes:
    rows = b"".join(
        b"\0" + b"".join(bytes(_pixel((i + 0.5) / size, (j + 0.5) / size)) for i in range(size))
        for j in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "extension" / "icons"
    out.mkdir(exist_ok=True)
    for size in SIZES:
        (out / f"icon{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
