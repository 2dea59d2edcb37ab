"""Find the ink on a page: a small working copy, a threshold relative to the paper, and the
connected components that look like text (borders, punch holes, rules and specks left out).

Everything here works on a downscaled copy (about 150 ppi, at most ~2500 px on the long side), so
its cost does not grow with the scan resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.raster import reduced_grey

WORK_DPI = 150.0
MAX_WORK_SIDE = 2600
INK_PAPER_FRACTION = 0.62
"""Ink is darker than this fraction of the paper level: bleed-through and stains are lighter."""

# stats columns from cv2.connectedComponentsWithStats
X, Y, W, H, AREA = 0, 1, 2, 3, 4


@dataclass
class WorkingImage:
    grey: np.ndarray
    """uint8, 0 = black."""
    scale: float
    """working pixels per original pixel."""
    dpi: float
    """resolution of the working copy."""
    paper: int
    """paper grey level (0..255)."""
    page: tuple[int, int, int, int] | None = None
    """bounding box of the sheet in the working copy, once found (see page_box)."""
    relative: float | None = None
    """None: ink is darker than INK_PAPER_FRACTION of the paper. Set on a page of faint type
    (``faint.look``): ink is what stands out of its own neighbourhood's paper by this share of the
    paper level (``relative_mask``), so that orientation and skew see the faint letters."""


@dataclass
class Ink:
    work: WorkingImage
    mask: np.ndarray
    """uint8 0/1, 1 = ink."""
    stats: np.ndarray
    """component stats (x, y, w, h, area) of the text-like components."""
    all_stats: np.ndarray
    """stats of every component (for bars of patch codes, frames of drawings)."""
    labels: np.ndarray
    text_labels: np.ndarray
    """label numbers of the text-like components."""
    ink_fraction: float
    """share of the page covered by significant (non-border, non-speck) ink."""
    large_components: int
    """components bigger than text (drawings, stamps, photos)."""
    holes: int
    """punch holes found (round, solid, ~4-8 mm)."""
    text_share: float
    """share of the significant ink that lies in text-like components (low on drawings)."""

    @property
    def text_height(self) -> float:
        """median height of the text-like components, in working pixels (0 without text)."""
        return float(np.median(self.stats[:, H])) if len(self.stats) else 0.0

    @property
    def mm(self) -> float:
        """working pixels per millimetre."""
        return self.work.dpi / 25.4


def working_image(image: Image.Image, dpi: float, factor: int | None = None) -> WorkingImage:
    """A greyscale copy at about WORK_DPI (integer box reduction: fast, no resampling blur),
    or reduced by ``factor`` when given."""
    # convert, then reduce: reducing the colour page first is cheaper but its rounding turned
    # borderline orientation decisions on real scans (bench/imaging.py: 2 of 865 pages)
    if factor is None:
        factor = max(1, int(dpi / WORK_DPI + 0.25), math.ceil(max(image.size) / MAX_WORK_SIDE))
    arr = reduced_grey(image, factor)
    paper = _paper_level(arr)
    return WorkingImage(np.ascontiguousarray(arr), 1.0 / factor, dpi / factor, paper)


def enlarged(work: WorkingImage, factor: int) -> WorkingImage:
    """``work`` enlarged ``factor`` times (bicubic): for a page whose text is too small in the
    working copy even at full resolution (a 1,024 px wide typewritten page), so that the up/down
    cues and OSD see letters instead of blobs (see ``stage.ORIENTATION_TEXT_HEIGHT``)."""
    grey = cv2.resize(work.grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return WorkingImage(np.ascontiguousarray(grey), work.scale * factor, work.dpi * factor, work.paper,
                        relative=work.relative)


PAPER_MISMATCH = 20
"""Grey levels between the commonest bright level of the whole image and of its middle beyond
which the two are not the same paper."""
BACKGROUND_SHARE = 0.05
"""A level this rare in the middle of the image is the background around the sheet, not its paper."""
MIN_SHEET_LEVEL = 128
"""The middle's level replaces the whole image's only when at least this bright: a darker middle
is a negative (blueprint) or a photograph, whose paper the whole image's level says better."""


def _common_bright_level(grey: np.ndarray) -> int:
    hist = cv2.calcHist([np.ascontiguousarray(grey)], [0], None, [256], [0, 256]).ravel()
    hist = hist.astype(np.float64)
    hist = np.convolve(hist, np.ones(5) / 5, mode="same")
    bright = hist[96:]
    return int(96 + np.argmax(bright))


def _paper_level(grey: np.ndarray) -> int:
    """The commonest bright grey level: the paper (dark scanner borders and ink are minorities).

    A light background around a coloured or grey sheet (a white scanner lid, the white corners of
    a page scanned crooked onto a white canvas) can cover more of the image than any one grey level
    of the sheet: then the level of the image's middle half, where the sheet always is, is the
    paper (bench/imaging.py: real pages on pink and blue-grey paper turned 12-14 degrees were read
    as a mostly inked page and turned upside down).
    """
    sample = grey[::2, ::2]
    level = _common_bright_level(sample)
    h, w = sample.shape
    middle = sample[h // 4: h - h // 4, w // 4: w - w // 4]
    if middle.size == 0:
        return level
    inner = _common_bright_level(middle)
    if abs(inner - level) > PAPER_MISMATCH and inner >= MIN_SHEET_LEVEL:
        near = float(np.count_nonzero(np.abs(middle.astype(np.int16) - level) <= 4)) / middle.size
        if near < BACKGROUND_SHARE:
            return inner
    return level


def page_box(work: WorkingImage) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the sheet: the largest paper-bright region. On a dark scanner
    background or a book scan it leaves out the background and a neighbouring page's edge."""
    if work.page is not None:
        return work.page
    # on a copy 4x smaller still: the sheet is large, its outline needs no detail
    small = work.grey[::4, ::4]
    bright = (small >= 0.8 * work.paper).astype(np.uint8)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, stats = components(bright, connectivity=4)
    h, w = work.grey.shape
    if n <= 1:
        work.page = (0, 0, w, h)
    else:
        i = 1 + int(np.argmax(stats[1:, AREA]))
        x, y, bw, bh = (int(v) * 4 for v in stats[i, :4])
        # a sheet that fills most of the image is the whole image (no background to speak of)
        work.page = (0, 0, w, h) if bw * bh > 0.92 * w * h else (x, y, min(w, x + bw), min(h, y + bh))
    return work.page


def ink_mask(work: WorkingImage) -> np.ndarray:
    """Ink pixels (1) on the sheet; whatever lies outside the sheet's box is left out."""
    if work.relative is not None:
        mask = relative_mask(work, work.relative)
    else:
        threshold = max(20, int(work.paper * INK_PAPER_FRACTION))
        mask = (work.grey < threshold).astype(np.uint8)
    x0, y0, x1, y1 = page_box(work)
    h, w = mask.shape
    if (x0, y0, x1, y1) != (0, 0, w, h):
        mask[:y0] = 0
        mask[y1:] = 0
        mask[:, :x0] = 0
        mask[:, x1:] = 0
    return mask


BACKGROUND_MM = 4.0
"""The paper's own level around a pixel: the median within this window (type covers well under half
of any window this wide, so the median is paper: stains, shading and grey paper follow it)."""
RELATIVE_SHAPE_SHARE = 0.06
"""A relative ink mask takes the pixels darker than their background by this share of the paper
level: the letters' shape (hysteresis: a component counts only where it reaches the seed share)."""
NOISE_SIGMAS = 4.0
"""...and by at least this many times the page's grain (robust spread of the difference)."""


def contrast(work: WorkingImage) -> np.ndarray:
    """How much darker every pixel is than its own neighbourhood's paper (int16, >= 0), measured on a
    half-size median (``BACKGROUND_MM`` window) so that it costs ~20-60 ms on a working copy."""
    grey = work.grey
    h, w = grey.shape
    k = max(3, int(round(BACKGROUND_MM * work.dpi / 25.4 / 2)) | 1)
    small = np.ascontiguousarray(grey[::2, ::2])
    if min(small.shape) > k:
        background = cv2.medianBlur(small, k)
    else:  # a thumbnail: one level for all of it
        background = np.full_like(small, int(np.median(small)))
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(background.astype(np.int16) - grey.astype(np.int16), 0)


def relative_mask(work: WorkingImage, seed_share: float) -> np.ndarray:
    """Ink relative to the page's own paper (uint8 0/1): pixels darker than their neighbourhood by
    ``RELATIVE_SHAPE_SHARE`` of the paper level (and above the page's grain), kept only in the
    connected components whose darkest pixel stands out by ``seed_share``. Faint type (grey type
    on grey paper) is found; mirrored show-through from the back, fainter still, is not."""
    diff = contrast(work)
    sample = diff[::3, ::3]
    grain = 1.4826 * float(np.median(np.abs(sample - np.median(sample))))
    shape_level = max(RELATIVE_SHAPE_SHARE * work.paper, NOISE_SIGMAS * grain, 3.0)
    mask = (diff > shape_level).astype(np.uint8)
    n, labels, _ = components(mask)
    if n <= 1:
        return mask
    seeds = np.unique(labels[diff >= max(seed_share * work.paper, shape_level + 1)])
    keep = np.zeros(n, np.uint8)
    keep[seeds] = 1
    keep[0] = 0
    return keep[labels]


def components(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray]:
    """(count with background, label image, stats) of the connected components of ``mask``.

    16-bit labels first: OpenCV computes them about three times faster than 32-bit ones; a page
    with more than 65534 components (noise, halftone) raises and is labelled again in 32 bits.
    """
    try:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_16U)
    except cv2.error:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_32S)
    return n, labels, stats


def find_ink(work: WorkingImage, mask: np.ndarray | None = None) -> Ink:
    """Classify the connected components of ``mask`` (default: the ink of ``work``)."""
    if mask is None:
        mask = ink_mask(work)
        x0, y0, x1, y1 = page_box(work)
    else:
        x0, y0, x1, y1 = 0, 0, mask.shape[1], mask.shape[0]
    n, labels, stats = components(mask)
    stats = stats[1:]  # drop the background
    ids = np.arange(1, n)
    mm = work.dpi / 25.4
    x, y, w, h, area = (stats[:, i] for i in range(5))
    # dark scanner borders and background touch the edge of the sheet (or of the image)
    touches_edge = (x <= x0 + 1) | (y <= y0 + 1) | (x + w >= x1 - 1) | (y + h >= y1 - 1)
    speck = (area < max(3, (0.4 * mm) ** 2)) | ((w < 0.5 * mm) & (h < 0.5 * mm))
    fill = area / np.maximum(1, w * h)
    round_solid = (fill > 0.6) & (np.abs(w - h) < 0.25 * np.maximum(w, h))
    hole = round_solid & (w > 3.5 * mm) & (w < 9 * mm) & (h > 3.5 * mm) & (h < 9 * mm)
    too_big = (h > 12 * mm) | (w > 40 * mm)
    thin_rule = ((w > 15 * mm) & (h < 1.0 * mm)) | ((h > 15 * mm) & (w < 1.0 * mm))
    text_like = ~(touches_edge | speck | hole | too_big | thin_rule)
    significant = ~(touches_edge | speck | hole)
    significant_area = float(area[significant].sum())
    ink_fraction = significant_area / max(1, (x1 - x0) * (y1 - y0))
    text_share = float(area[text_like].sum()) / significant_area if significant_area else 0.0
    return Ink(
        work=work,
        mask=mask,
        stats=stats[text_like],
        all_stats=stats,
        labels=labels,
        text_labels=ids[text_like],
        ink_fraction=ink_fraction,
        large_components=int((too_big & ~touches_edge & ~thin_rule).sum()),
        holes=int((hole & ~touches_edge).sum()),
        text_share=text_share,
    )
