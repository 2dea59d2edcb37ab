"""Make a page upright and straight: lossless quarter turns, then a rotation by the skew angle.

The rotation keeps the whole page (the canvas grows), fills the new corners with the paper colour,
keeps the resolution, and keeps bitonal pages bitonal (rotated in grey, then thresholded).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def turn_upright(image: Image.Image, orientation: int) -> Image.Image:
    """Undo a counter-clockwise turn of ``orientation`` degrees (turn clockwise by it)."""
    return image.transpose(_TURN[orientation]) if orientation in _TURN else image


def paper_colour(image: Image.Image, paper_grey: int) -> tuple[int, ...]:
    """The paper's colour in the image's mode, from pixels about as bright as the paper."""
    if image.mode == "1":
        return (255,)
    if image.mode == "L":
        return (int(paper_grey),)
    small = np.asarray(image.reduce(8) if min(image.size) > 64 else image, dtype=np.uint8).reshape(-1, 3)
    grey = small.mean(axis=1)
    near = small[np.abs(grey - paper_grey) < 12]
    if len(near) == 0:
        near = small[grey >= np.percentile(grey, 75)]
    return tuple(int(v) for v in np.median(near, axis=0))


def rotate_array(arr: np.ndarray, angle_ccw: float, flags: int, border: int | tuple[int, ...]) -> np.ndarray:
    """Rotate ``arr`` clockwise by ``angle_ccw`` degrees about its centre (undoing a
    counter-clockwise skew); the canvas grows so that nothing is cut off."""
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -angle_ccw, 1.0)
    rad = math.radians(abs(angle_ccw))
    nw = int(math.ceil(w * math.cos(rad) + h * math.sin(rad)))
    nh = int(math.ceil(h * math.cos(rad) + w * math.sin(rad)))
    m[0, 2] += (nw - w) / 2.0
    m[1, 2] += (nh - h) / 2.0
    return cv2.warpAffine(arr, m, (nw, nh), flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def deskew(image: Image.Image, angle_ccw: float, fill: tuple[int, ...]) -> Image.Image:
    """Rotate clockwise by ``angle_ccw`` degrees about the centre, growing the canvas to keep it all.

    Grey and colour are resampled bilinearly; bitonal pages are rotated by nearest neighbour on
    their 0/1 pixels, which keeps them bitonal without a grey detour (as shear rotations do).
    """
    if image.mode == "1":
        out = rotate_array(np.asarray(image, dtype=np.uint8), angle_ccw, cv2.INTER_NEAREST, 1)
        return Image.fromarray(out.astype(bool))  # a bool array becomes a mode '1' image
    arr = np.asarray(image)
    border = fill[0] if arr.ndim == 2 else tuple(fill)
    return Image.fromarray(rotate_array(arr, angle_ccw, cv2.INTER_LINEAR, border), image.mode)
