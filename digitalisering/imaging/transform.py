"""Make a page upright and straight: lossless quarter turns, then a rotation by the skew angle.

The quarter turn is applied to the page image itself. The skew rotation is not: the scan's own
pixels go into the PDF unchanged and are drawn rotated on a page grown to hold all of them, over
the paper colour (``skew_geometry`` gives the numbers). OCR, thumbnails and anyone else who needs
a straight raster get one from ``deskew``: the whole page (the canvas grows), corners filled with
the paper colour, the same resolution, bitonal pages kept bitonal.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.raster import bitonal_array, colour_sample, grey_array

_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def turn_upright(image: Image.Image, orientation: int) -> Image.Image:
    """Undo a counter-clockwise turn of ``orientation`` degrees (turn clockwise by it)."""
    return image.transpose(_TURN[orientation]) if orientation in _TURN else image


def paper_colour(image: Image.Image, paper_grey: int, small: np.ndarray | None = None) -> tuple[int, ...]:
    """The paper's colour in the image's mode, from pixels about as bright as the paper
    (``small``: the RGB page already reduced, when the caller has it)."""
    if image.mode == "1":
        return (255,)
    if image.mode == "L":
        return (int(paper_grey),)
    if small is None:
        small = colour_sample(image)
    small = small.reshape(-1, 3)
    grey = small.mean(axis=1)
    near = small[np.abs(grey - paper_grey) < 12]
    if len(near) == 0:
        near = small[grey >= np.percentile(grey, 75)]
    return tuple(int(v) for v in np.median(near, axis=0))


def straight_size(width: int, height: int, angle_ccw: float) -> tuple[int, int]:
    """Size of the canvas that holds a ``width`` x ``height`` page rotated by ``angle_ccw``."""
    rad = math.radians(abs(angle_ccw))
    return (int(math.ceil(width * math.cos(rad) + height * math.sin(rad))),
            int(math.ceil(height * math.cos(rad) + width * math.sin(rad))))


def rotation_matrix(w: int, h: int, angle_ccw: float) -> tuple[np.ndarray, int, int]:
    """The affine matrix that turns a ``w`` x ``h`` array clockwise by ``angle_ccw`` about its centre
    onto the expanded canvas, and that canvas's size."""
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -angle_ccw, 1.0)
    nw, nh = straight_size(w, h, angle_ccw)
    m[0, 2] += (nw - w) / 2.0
    m[1, 2] += (nh - h) / 2.0
    return m, nw, nh


def rotate_array(arr: np.ndarray, angle_ccw: float, flags: int, border: int | tuple[int, ...]) -> np.ndarray:
    """Rotate ``arr`` clockwise by ``angle_ccw`` degrees about its centre (undoing a
    counter-clockwise skew); the canvas grows so that nothing is cut off."""
    h, w = arr.shape[:2]
    m, nw, nh = rotation_matrix(w, h, angle_ccw)
    return cv2.warpAffine(arr, m, (nw, nh), flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


READ_TILE = 256
"""Tile size (pixels) of the straightened copy OCR reads."""
PAPER_ONLY = 0.8
"""A tile whose source holds nothing darker than this share of the paper level is paper only."""


def rotate_grey_for_reading(arr: np.ndarray, angle_ccw: float, paper: int) -> np.ndarray:
    """``rotate_array`` for the grey copy OCR reads, tile by tile: a tile whose source pixels are all
    at least PAPER_ONLY of the paper level (margins, gaps between paragraphs) is filled with the paper
    grey instead of being interpolated; every other tile is what the whole rotation gives (to
    within one grey level of rounding).
    About a third of a typed page is paper only, so this saves that share of the warp."""
    return _rotate_tiled(arr, angle_ccw, paper, int(PAPER_ONLY * paper), cv2.INTER_LINEAR)


def rotate_bitonal_for_reading(arr: np.ndarray, angle_ccw: float) -> np.ndarray:
    """The same for a bitonal page (``bitonal_array``: 0/255), by nearest neighbour: the result
    stays 0/255, and a tile whose source is all white is white."""
    return _rotate_tiled(arr, angle_ccw, 255, 255, cv2.INTER_NEAREST)


def _rotate_tiled(arr: np.ndarray, angle_ccw: float, paper: int, light: int, flags: int) -> np.ndarray:
    """``rotate_array`` tile by tile; tiles whose source holds nothing below ``light`` are ``paper``."""
    h, w = arr.shape
    m, nw, nh = rotation_matrix(w, h, angle_ccw)
    inv = cv2.invertAffineTransform(m)
    out = np.empty((nh, nw), dtype=np.uint8)  # every tile is written below: warped or paper
    for ty in range(0, nh, READ_TILE):
        for tx in range(0, nw, READ_TILE):
            th, tw = min(READ_TILE, nh - ty), min(READ_TILE, nw - tx)
            xs = (tx, tx + tw, tx, tx + tw)
            ys = (ty, ty, ty + th, ty + th)
            sx = [inv[0, 0] * x + inv[0, 1] * y + inv[0, 2] for x, y in zip(xs, ys)]
            sy = [inv[1, 0] * x + inv[1, 1] * y + inv[1, 2] for x, y in zip(xs, ys)]
            x0, x1 = max(0, math.floor(min(sx)) - 1), min(w, math.ceil(max(sx)) + 2)
            y0, y1 = max(0, math.floor(min(sy)) - 1), min(h, math.ceil(max(sy)) + 2)
            if x1 <= x0 or y1 <= y0 or int(arr[y0:y1, x0:x1].min()) >= light:
                out[ty:ty + th, tx:tx + tw] = paper
                continue
            mt = m.copy()
            mt[0, 2] -= tx
            mt[1, 2] -= ty
            out[ty:ty + th, tx:tx + tw] = cv2.warpAffine(arr, mt, (tw, th), flags=flags,
                                                         borderMode=cv2.BORDER_CONSTANT, borderValue=paper)
    return out


def deskew(image: Image.Image, angle_ccw: float, fill: tuple[int, ...]) -> Image.Image:
    """Rotate clockwise by ``angle_ccw`` degrees about the centre, growing the canvas to keep it all.

    Grey and colour are resampled bilinearly; bitonal pages are rotated by nearest neighbour on
    their black and white bytes, which keeps them bitonal without a grey detour (as shear rotations do).
    """
    if image.mode == "1":
        out = rotate_array(bitonal_array(image), angle_ccw, cv2.INTER_NEAREST, 255)
        return Image.fromarray(out > 127)  # a bool array becomes a mode '1' image
    arr = np.asarray(image)
    border = fill[0] if arr.ndim == 2 else tuple(fill)
    return Image.fromarray(rotate_array(arr, angle_ccw, cv2.INTER_LINEAR, border), image.mode)


def straight_grey(image: Image.Image, angle_ccw: float, fill: tuple[int, ...]) -> Image.Image:
    """A straight copy for reading: bitonal stays bitonal, grey and colour become grey (what
    tesseract reads anyway; a grey rotation costs a third of a colour one)."""
    if image.mode == "1":
        if not angle_ccw:
            return image
        return Image.fromarray(rotate_bitonal_for_reading(bitonal_array(image), angle_ccw) > 127)
    if not angle_ccw and image.mode == "L":
        return image
    grey = grey_array(image)  # the imaging stage's conversion of this page, when it made one
    if not angle_ccw:
        return Image.fromarray(grey)
    if len(fill) == 3:
        fill = (int(round(0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2])),)
    return Image.fromarray(rotate_grey_for_reading(grey, angle_ccw, int(fill[0])))
