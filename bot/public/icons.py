"""The site's icon: an SVG for browsers that take one (<link rel="icon">) and /favicon.ico
(a PNG inside an ICO) for those that ask for it anyway — no 404 in any browser console.
Drawn here, not shipped as a binary: the city's blue with a white bar chart."""
from __future__ import annotations

import struct
import zlib

from .page import Page

BLUE, WHITE = (0x00, 0x45, 0x7D), (0xFF, 0xFF, 0xFF)
SIZE = 32
BARS = ((6, 18), (14, 10), (22, 4))  # x of each bar, its top; all end at y 26, 5 px wide

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" '
       'fill="#00457d"/>' + "".join(f'<rect x="{x}" y="{top}" width="5" height="{26 - top}" fill="#fff"/>'
                                    for x, top in BARS) + "</svg>\n")


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    return WHITE if any(bx <= x < bx + 5 and top <= y < 26 for bx, top in BARS) else BLUE


def _png() -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in _pixel(x, y)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def _ico(png: bytes) -> bytes:
    # ICONDIR (reserved, type 1 = icon, one image) and its entry; PNG data is allowed since Vista
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 22) + png


ICONS = {"favicon.ico": Page(_ico(_png()), "image/x-icon"), "favicon.svg": Page(SVG.encode(), "image/svg+xml")}
