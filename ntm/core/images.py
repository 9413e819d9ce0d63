"""Uploaded photos made safe to publish: resized and stripped of every metadata tag (EXIF: GPS
position, camera, owner), re-encoded as JPEG with Pillow."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

MAX_SIDE = 1200  # px


def clean_image(upload, max_side: int = MAX_SIDE) -> ContentFile:
    """A JPEG whose longest side is ≤ max_side, oriented as the camera meant, with no metadata.
    Raises ValueError (Vietnamese) when the file is not an image Pillow can read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((max_side, max_side))
            clean = Image.new("RGB", img.size)  # a fresh image: nothing of the original's info/EXIF survives
            clean.paste(img)
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("Tệp không phải ảnh (JPEG, PNG…)") from exc
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue())
