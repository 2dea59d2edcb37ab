"""Encode a processed page image for the PDF: bitonal as CCITT Group 4, grey/colour as JPEG
(or losslessly as PNG, which the PDF keeps as Flate, on request).

A plain JPEG page that was not changed keeps its own bytes (no re-encoding, no further loss).
Never upsampled. Palette, 16-bit, CMYK and alpha images were already normalised when loaded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

DEFAULT_JPEG_QUALITY = 85


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    suffix: str
    """'.tif' (Group 4), '.jpg' or '.png'."""
    encoding: str
    """'ccitt-g4', 'jpeg', 'jpeg-original' or 'png-flate'."""


def encode_page_image(
    image: Image.Image,
    dpi: float,
    *,
    original_jpeg: bytes | None = None,
    jpeg_quality: int = DEFAULT_JPEG_QUALITY,
    lossless: bool = False,
) -> EncodedImage:
    if image.mode == "1":
        buf = io.BytesIO()
        image.save(buf, format="TIFF", compression="group4", dpi=(dpi, dpi))
        return EncodedImage(buf.getvalue(), ".tif", "ccitt-g4")
    if original_jpeg is not None:
        return EncodedImage(original_jpeg, ".jpg", "jpeg-original")
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buf = io.BytesIO()
    if lossless:
        image.save(buf, format="PNG", dpi=(round(dpi), round(dpi)), compress_level=6)
        return EncodedImage(buf.getvalue(), ".png", "png-flate")
    image.save(buf, format="JPEG", quality=jpeg_quality, dpi=(round(dpi), round(dpi)), optimize=True)
    return EncodedImage(buf.getvalue(), ".jpg", "jpeg")
