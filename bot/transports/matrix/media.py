"""Image dimensions and thumbnails for m.image events, so Element reserves the image's space
before it loads (no jumping timeline) and shows a small thumbnail first. Pure: bytes in, bytes out."""
from __future__ import annotations

import io
from dataclasses import dataclass

THUMBNAIL_BOX = (800, 600)  # the size Element asks the media repository for in the timeline


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    thumbnail: bytes
    thumbnail_mimetype: str
    thumbnail_width: int
    thumbnail_height: int


def image_info(data: bytes) -> ImageInfo | None:
    """Width, height and a PNG thumbnail (at most 800×600, never larger than the image); None
    when the bytes are not an image Pillow can read (the file is then sent without them)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            thumb = image.convert("RGBA") if image.mode not in ("RGB", "RGBA", "L", "LA") else image.copy()
            thumb.thumbnail(THUMBNAIL_BOX)
            out = io.BytesIO()
            thumb.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return ImageInfo(width, height, out.getvalue(), "image/png", thumb.width, thumb.height)
