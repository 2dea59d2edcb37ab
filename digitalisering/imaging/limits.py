"""The pixel limit of a page image: our own check before decoding, and Pillow's and pikepdf's
decompression-bomb guards set to the same limit, so that every decode in the process is guarded.

Pillow and pikepdf warn (``DecompressionBombWarning``) above their limit and refuse above twice
that; a worker process turns the warning into an error (``runner.worker.init_worker``), so there
nothing larger than the limit is decoded even when it slipped past our own checks.
"""

from __future__ import annotations

import re

import pikepdf
from PIL import Image

from digitalisering.errors import InputFileError, first_line

DEFAULT_MAX_PIXELS = 250_000_000
"""A0 at 400 ppi is ~ 250 megapixels; anything larger is refused as a likely decompression bomb."""
MIN_SIDE = 16

BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
"""What Pillow and pikepdf raise (pikepdf's classes subclass Pillow's) when their guard trips."""


def set_pixel_limit(max_pixels: int) -> None:
    """Pillow's and pikepdf's own guards at ``max_pixels`` (the run's ``--max-megapixels``)."""
    if max_pixels <= 0:
        raise ValueError("the pixel limit must be positive")
    if Image.MAX_IMAGE_PIXELS != max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels
    if pikepdf.PdfImage.MAX_IMAGE_PIXELS != max_pixels:
        pikepdf.PdfImage.MAX_IMAGE_PIXELS = max_pixels


def check_size(width: int, height: int, max_pixels: int) -> None:
    """Refuse a page image of ``width`` x ``height`` pixels that is too large or too small."""
    if width * height > max_pixels:
        raise InputFileError(
            "image of {width}x{height} = {value:.0f} megapixels exceeds the limit of {value2:.0f} megapixels (--max-megapixels)", width=width, height=height, value=width * height / 1e6, value2=max_pixels / 1e6
        )
    if min(width, height) < MIN_SIDE:
        raise InputFileError("image of {width}x{height} pixels is too small to be a scanned page", width=width, height=height)


def bomb_error(exc: BaseException, max_pixels: int) -> InputFileError:
    """Pillow's or pikepdf's guard tripped: the operator's one-line reason."""
    limit = f"the limit of {max_pixels / 1e6:.0f} megapixels (--max-megapixels)"
    found = re.search(r"\((\d+) pixels\)", str(exc))
    if found:
        return InputFileError("image of {value:.0f} megapixels exceeds {limit}", value=int(found.group(1)) / 1e6, limit=limit)
    return InputFileError("image exceeds {limit}: {value}", limit=limit, value=first_line(exc))


set_pixel_limit(DEFAULT_MAX_PIXELS)
