"""The sheet on the straightened page: where the paper is, inside the scanner's (dark) border.

The imaging stage already finds the sheet to keep borders out of its ink analysis
(``ink.page_box``: the largest paper-bright region). Here the same rule runs once more on a reduced,
straightened copy of the page, so that the box is in the pixels of the page as the PDF shows it;
``run --crop`` then shows the PDF page cropped to it (a CropBox: the scan itself stays whole in the
file). A page whose sheet fills nearly the whole image has no box (nothing to crop).
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.ink import WorkingImage, _paper_level, page_box
from digitalisering.imaging.transform import rotate_array, straight_size

REDUCE = 4
"""The box is found on a copy this many times smaller (the sheet's outline needs no detail)."""
MARGIN_MM = 1.0
"""Kept around the sheet, so that a slightly uneven edge is not cut."""


def sheet_box(image: Image.Image, deskew_deg: float, dpi: float) -> list[int] | None:
    """(x0, y0, x1, y1) of the sheet in pixels of the straightened page, or None when the sheet
    fills the image (no border to crop)."""
    grey = image.convert("L").reduce(REDUCE)
    arr = np.asarray(grey)
    paper = _paper_level(arr)
    if deskew_deg:
        # the corners the rotation uncovers are not paper: fill them as dark as a scanner border
        arr = rotate_array(arr, deskew_deg, cv2.INTER_LINEAR, 0)
    h, w = arr.shape
    x0, y0, x1, y1 = page_box(WorkingImage(np.ascontiguousarray(arr), 1 / REDUCE, dpi / REDUCE, paper))
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return None
    full_w, full_h = straight_size(image.width, image.height, deskew_deg) if deskew_deg else image.size
    margin = MARGIN_MM * dpi / 25.4
    box = [max(0, int(x0 * REDUCE - margin)), max(0, int(y0 * REDUCE - margin)),
           min(full_w, int(x1 * REDUCE + margin)), min(full_h, int(y1 * REDUCE + margin))]
    return box if box[2] > box[0] and box[3] > box[1] else None
