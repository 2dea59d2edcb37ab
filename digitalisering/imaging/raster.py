"""The page as a grey array at full resolution, and its box reduction.

The imaging stage reduces the page for analysis, and the OCR copy is made from the same grey
pixels: converting a colour page or copying a grey one out of Pillow (~3-6 ms on a 300 ppi A4
page) is done once per page image and remembered for it.
"""

from __future__ import annotations

import weakref

import cv2
import numpy as np
from PIL import Image

CACHE_MAX_PIXELS = 50_000_000
"""Larger pages are not remembered (a drawing's grey copy would hold hundreds of megabytes)."""
_last: tuple[weakref.ref, np.ndarray] | None = None
"""(the image, its grey array) of the last image asked about; by identity (Pillow images are not
hashable), dropped with the image. One tuple, replaced whole: safe with threaded workers."""


def bitonal_array(image: Image.Image) -> np.ndarray:
    """A mode '1' image as uint8 0/255 (the values of ``convert('L')``) without a conversion pass:
    Pillow hands out its bytes (0 and 255) as a bool array, viewed here as bytes. Asking numpy for
    uint8 instead converts every pixel (~13 ms on A4). Should a Pillow hand out true 0/1 bools,
    they are scaled to 0/255."""
    arr = np.ascontiguousarray(np.asarray(image)).view(np.uint8)
    if arr.size and int(arr.max()) == 1:
        arr = arr * np.uint8(255)
    return arr


def grey_array(image: Image.Image) -> np.ndarray:
    """``image`` as a uint8 grey array (0 = black, bitonal pages 0/255), the same values as
    ``image.convert('L')``. Remembered for the last grey or colour image asked about: treat it as
    read-only."""
    global _last
    last = _last
    if last is not None and last[0]() is image:
        return last[1]
    if image.mode == "1":
        return bitonal_array(image)  # not remembered: OCR reads a bitonal page as bitonal
    arr = np.asarray(image if image.mode == "L" else image.convert("L"))
    _last = (weakref.ref(image), arr) if image.width * image.height <= CACHE_MAX_PIXELS else None
    return arr


def colour_sample(image: Image.Image) -> np.ndarray:
    """``image`` box-reduced 8 times (a page smaller than 64 px as it is), as a uint8 array in its own
    mode: enough to tell a grey page kept in colour and to find the paper's colour."""
    return np.asarray(image.reduce(8) if min(image.size) > 64 else image, dtype=np.uint8)


def reduced_grey(image: Image.Image, factor: int) -> np.ndarray:
    """``image`` in grey, box-reduced by an integer ``factor``: the same pixels as Pillow's
    ``convert('L').reduce(factor)``. Halving a page of ordinary size (300 ppi to the 150 ppi working
    copy, the common case) goes through ``grey_array``, remembered for the OCR copy, and OpenCV's
    area resampling (rounds like Pillow, about three times faster); large pages and other factors
    through Pillow, without a full-size copy."""
    if factor == 2 and image.width * image.height <= CACHE_MAX_PIXELS:
        return _halve(grey_array(image))
    grey = image if image.mode == "L" else image.convert("L")
    return np.asarray(grey.reduce(factor) if factor > 1 else grey)


def _halve(arr: np.ndarray) -> np.ndarray:
    """2 x 2 box reduction rounding half up; partial boxes at the right and bottom edges averaged
    over what they hold (as Pillow does)."""
    h, w = arr.shape
    hf, wf = h // 2 * 2, w // 2 * 2
    out = np.empty((-(-h // 2), -(-w // 2)), np.uint8)
    if hf and wf:
        out[: h // 2, : w // 2] = cv2.resize(arr[:hf, :wf], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    if w % 2 and hf:  # the last column: boxes of 2 x 1
        col = arr[:hf, -1].astype(np.uint16).reshape(-1, 2).sum(axis=1)
        out[: h // 2, -1] = (col + 1) // 2
    if h % 2 and wf:  # the last row: boxes of 1 x 2
        row = arr[-1, :wf].astype(np.uint16).reshape(-1, 2).sum(axis=1)
        out[-1, : w // 2] = (row + 1) // 2
    if h % 2 and w % 2:
        out[-1, -1] = arr[-1, -1]
    return out
