"""Image headers read by hand (Pillow is not a dependency): format and pixel size of a JPEG or
PNG, raising ValueError for anything that is not a well-formed one."""

from __future__ import annotations

import struct

__all__ = ["image_size"]

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(data: bytes) -> tuple[str, int, int]:
    """("jpeg" | "png", width, height)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        length, kind = struct.unpack(">I4s", data[8:16])
        if kind != b"IHDR" or length != 13 or not data.endswith(b"IEND\xaeB`\x82"):
            raise ValueError("PNG without IHDR first or IEND last")
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        pos = 2
        while pos + 4 <= len(data):
            if data[pos] != 0xFF:
                raise ValueError(f"JPEG: no marker at {pos}")
            marker = data[pos + 1]
            (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
            if marker in _SOF:
                height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
                return "jpeg", width, height
            pos += 2 + length
        raise ValueError("JPEG without a frame header")
    raise ValueError("neither a PNG nor a JPEG")
