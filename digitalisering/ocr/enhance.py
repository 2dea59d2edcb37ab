"""The copy OCR reads, made easier to read: an even paper and type of a size the engine reads well.

Two causes of missed words on real typewritten scans (``bench/ocr_real.py``, the tapuscorpus pages
of the tuning half, see there), found on crops of the missed words:

- **Grey or uneven paper next to a dark scanner border.** tesseract binarises the page with one
  global Otsu threshold; a black border and grey paper pull it so that faint type on the grey
  paper falls on the paper's side (a bljd poem page: 0.378 of its words read). ``flatten`` divides
  the page by its own background (the page with the type dilated away over ``BACKGROUND_MM`` and
  smoothed; a dark area wider than that keeps its own level), so paper, stains and the border
  become white and the type keeps its contrast. Only grey paper is flattened (``GREY_PAPER``).
  Bitonal pages have no grey to flatten and are left as they are.
- **Small type in few pixels.** Pages whose file claims no or a wrong resolution (a 1,024 pixel
  wide scan of an A4 letter, inferred as an A6 at 240 ppi) carry type about 13 pixels high; the
  engine reads that badly. ``text_height`` measures the height of the letters on the page
  (connected components of the ink, weighted by their ink), and ``upscale_factor`` asks the engine to read such a page
  enlarged until its letters are ``TARGET_LETTER_PX`` high (at most ``MAX_UPSCALE`` times for
  letters under ``TINY_LETTER_PX``, ``SMALL_MAX_UPSCALE`` for larger ones, where more costs time and
  reads no more; and only when that is at least ``MIN_UPSCALE``: letters under 16 pixels); the word
  boxes come back in the page's own pixels (``ocr.engine``).

Both only change the copy the engine reads; the PDF keeps the scan as it is.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

BACKGROUND_MM = 2.0
"""Window of the background estimate: wider than a typewriter's stroke and letter, narrower than
a stain. Tuning half of ``bench/ocr_real.py`` (pooled word recall of the first reading, Debian's
fast model): without 0.810, 1 mm 0.778, 2 mm 0.831, 4 mm 0.823. tesseract's own Sauvola
(``thresholding_method=2``) instead: 0.850 there, but it lost on pages flattening kept; its tiled
Otsu (``=1``): 0.475."""
GREY_PAPER = 222
"""Only a page whose paper (the median background of its middle) is darker than this is flattened.
Light paper is read as well or better as it is: on the tuning half of ``bench/ocr_real.py`` the
flattened copy lost words on pages of paper 228-232 (a 600 ppi page 0.899 -> 0.857, a catalogue
page 0.926 -> 0.822) and gained them from 220 down (the bljd pages, paper 169-177: 0.378 -> 0.716,
0.057 -> 0.371); the dev deliveries' pages (paper 223-255, many bitonal with black borders) lost
with it too (``bench/ocr_pdfa.py``, 4 dev-folders dossiers: word recall median 0.925 -> 0.906)."""
WORK_FACTOR = 4
"""The background is estimated on a copy reduced this many times (it is smooth; a closing over
the full page would cost more than the rest of the cleanup)."""

TARGET_LETTER_PX = 24.0
"""Letter height (``text_height``) the engine should see. On the tuning half of ``bench/ocr_real.py``
enlarging the pages whose confident words tesseract boxes under 40 pixels high to 40 pixels
(pooled recall 0.843 -> 0.862 with the flattened page and the best model) was the same as bringing
this measure to 28 pixels (words are about 1.4 times it); lowered to 24 so that, with
``MIN_UPSCALE``, only type below 16 pixels is enlarged: the dev deliveries' 200 ppi pages
(17-18 pixels) are read as they were, at their old speed (``bench/ocr_pdfa.py``)."""
MAX_UPSCALE = 3.0
"""Never enlarge more than this (the engine's time grows with the pixels); only type under
``TINY_LETTER_PX`` is enlarged this far."""
TINY_LETTER_PX = 9.0
"""Letters at least this high are enlarged at most ``SMALL_MAX_UPSCALE`` times. On the tuning half
reduced to 1,024 pixels wide (``bench/ocr_real.py --reduced 1024``, letters 9-12 pixels, 12 pages)
2x read as much as 3x (word recall mean 0.762 both, median 0.837 and 0.836) in 61 % of the time
(27.4 against 44.8 s; as read 0.687 in 21.0 s); reduced to 768 pixels (letters 7-9) 3x still
gained over 2.5x and 2x (mean 0.675, 0.639, 0.620)."""
SMALL_MAX_UPSCALE = 2.0
"""The most that type of ``TINY_LETTER_PX`` and more is enlarged (see there)."""
MIN_UPSCALE = 1.5
"""Below this a page is read as it is: ordinary type at 200-300 ppi (a measure of 17-26 pixels)
is read well already, and an enlargement would cost every such page time."""
LETTER_MM = (0.8, 8.0)
"""Heights of type in mm; components up to twice the upper bound (at the page's stated resolution,
which may be wrong) count as letters; specks and rules are left out by their shape."""
INK_LEVEL = 160
"""Ink on a flattened page (paper 255): darker than this. A fixed level, not Otsu alone: on a
flattened page with little type Otsu splits the paper's grain from the paper (``ink_level``)."""
MAX_INK_SHARE = 0.15
"""A level that makes more of the page ink than this splits the paper's grain, not type from paper
(a flattened page of faint type: paper 255 with grain below it; 0.18-0.31 on three such tuning
pages of ``bench/ocr_degrade.py``, text pages 0.02-0.13): the fixed level is used."""
WHITE_PAPER = 250
"""A page whose paper (the upper quartile of its grey) is at least this is white, as every
flattened page is: the fixed level is what it was tuned for, and there enlarging broken faint type
helped (``bench/ocr_degrade.py``, a bljd page flattened, letters 11 pixels at the fixed level, 28
at Otsu's: 0.514 read twice enlarged, 0.371 as it is). Pages read as they are on light paper: upper
quartile 229-243 on the tuning pages."""
SPECKS_RATIO = 1.5
"""Otsu's measure replaces the fixed level's only when it is this much larger: letters broken into
specks (``faint``: 3-6 against 18-21 pixels). Where both find the letters whole (the pages
``TARGET_LETTER_PX`` was tuned on: up to 1.4 times apart) the tuned measure stays."""
MIN_LETTERS = 30
MEASURE_SIDE = 1200
"""Letters are measured on a copy reduced by whole factors to about this short side: a page large
enough to be reduced has letters far above the size that is enlarged (a 1,024 or 1,600 pixel wide
page is measured at full resolution), and a 400 ppi page's components cost ~0.5 s at full size."""
"""Fewer letter-like components than this: no measure (a blank page, a drawing)."""


def flatten(image: Image.Image, dpi: float) -> Image.Image:
    """The grey page divided by its background (see the module docstring); a bitonal page, or one
    on light paper (``GREY_PAPER``), is returned as it is."""
    if image.mode == "1":
        return image
    grey = np.asarray(image.convert("L") if image.mode != "L" else image, dtype=np.uint8)
    h, w = grey.shape
    f = WORK_FACTOR if min(h, w) >= 8 * WORK_FACTOR else 1
    small = cv2.resize(grey, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else grey
    k = max(3, int(round(BACKGROUND_MM * dpi / 25.4 / f)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    background = _background(small, kernel, k)
    if background is None:
        return image  # light paper: read as it is
    if f > 1:
        background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return Image.fromarray(cv2.divide(grey, np.maximum(background, 1), scale=255))


def _background(small: np.ndarray, kernel: np.ndarray, k: int) -> np.ndarray | None:
    """The paper's level around every pixel: the brightest within the window, smoothed; None when
    the paper is light (``GREY_PAPER``: nothing to flatten, and the closing below is not needed).
    Where a dark area is wider than the window (the scanner's border) the grey-level closing,
    which keeps it, is the background instead: otherwise its edge would stay a black band, and
    one dark band is enough to pull tesseract's global threshold below faint type."""
    spread = cv2.blur(cv2.dilate(small, kernel), (k, k))
    h, w = spread.shape
    if np.median(spread[h // 10: h - h // 10, w // 10: w - w // 10]) >= GREY_PAPER:
        return None
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    return np.where(closed.astype(np.int16) * 2 < spread, closed, spread)


def text_height(image: Image.Image, dpi: float) -> float | None:
    """Height in pixels of the page's letters: the median height of its letter-like components,
    weighted by their ink (``image``: a flattened or bitonal page, dark type on white); None when
    there are too few to tell. About the x-height to cap height of the type; tesseract's word
    boxes are about 1.4 times it. On a page read as it is on paper darker than ``WHITE_PAPER``,
    faint type that the fixed level breaks into specks is measured at Otsu's level instead
    (``faint_level``)."""
    grey = np.asarray(image.convert("L") if image.mode != "L" else image, dtype=np.uint8)
    height = _letters(grey, INK_LEVEL, dpi)
    if height is not None and upscale_factor(height) == 1.0:
        return height  # read as it is: a larger measure would not change that (no second count)
    level = faint_level(grey) if np.percentile(grey[::4, ::4], 75) < WHITE_PAPER else None
    if level is not None:
        whole = _letters(grey, level, dpi)
        if whole is not None and (height is None or whole >= SPECKS_RATIO * height):
            return whole
    return height


def _letters(grey: np.ndarray, level: int, dpi: float) -> float | None:
    """``text_height`` with the pixels darker than ``level`` as ink."""
    ink = (grey < level).astype(np.uint8) * 255
    r = max(1, min(ink.shape) // MEASURE_SIDE)
    if r > 1:  # any ink in an r x r cell is ink: letters keep their height to within r pixels
        ink = (cv2.resize(ink, (ink.shape[1] // r, ink.shape[0] // r), interpolation=cv2.INTER_AREA) > 0)
        ink = ink.astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return None
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    mm = dpi / 25.4
    letter = (h * r >= 3) & (h * r <= LETTER_MM[1] * mm * 2) & (w <= 3 * h) & (h <= 4 * w) & (area >= 0.15 * w * h)
    if int(letter.sum()) < MIN_LETTERS:
        return None
    # weighted by ink: a faint letter broken into specks counts for its ink, not once per speck
    heights, weights = h[letter] * r, area[letter]
    order = np.argsort(heights, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(heights[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))])


def faint_level(grey: np.ndarray) -> int | None:
    """Otsu's level between paper and type when it lies above ``INK_LEVEL`` and makes at most
    ``MAX_INK_SHARE`` of the page ink; else None.

    A page on light paper is not flattened, and a worn ribbon's type on it (grey 165-200 on paper
    234) lies above the fixed level: only the darkest specks of each letter were measured (3-6
    pixels where the letters are 18-21), and the page was read three times enlarged, nine times
    the pixels, and worse. ``bench/ocr_degrade.py`` (tuning pages, ``faint``): 5 of 15 pages so
    measured; on ``FRAN_0011_11084`` 0.685 read enlarged against 0.780 as it is (one page,
    ``24_3cb67``, 0.935 enlarged against 0.922; the rest read alike, in a third to a ninth of the
    engine's pixels)."""
    level, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if level <= INK_LEVEL or np.count_nonzero(grey < level) > MAX_INK_SHARE * grey.size:
        return None
    return int(level)


def upscale_factor(letter_px: float | None) -> float:
    """How much to enlarge a page whose letters are ``letter_px`` high (1.0: read as it is)."""
    if not letter_px:
        return 1.0
    most = MAX_UPSCALE if letter_px < TINY_LETTER_PX else SMALL_MAX_UPSCALE
    factor = min(most, TARGET_LETTER_PX / letter_px)
    return round(factor, 3) if factor >= MIN_UPSCALE else 1.0
