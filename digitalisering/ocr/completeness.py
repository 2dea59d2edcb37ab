"""No silently missing text: how much of the page's text-like ink no OCR word covers.

Mean word confidence says how sure tesseract is of the words it gave, not whether it gave all of
them: the demo's 1915 form had a mean confidence of 86 while eight of its ten filled-in values were
missing. This measure looks from the other side. The imaging stage's ink analysis (``imaging.ink``:
components of text size, without borders, punch holes, rules and specks) is run on the copy OCR
read; a component counts as read when a word box (grown by ``WORD_MARGIN_MM``) covers most of its
box. The share of text-like ink left uncovered is stored with the page, with the regions it forms
(in pixels of the straightened page, the picture the PDF and the review page show), so QA can warn
and the archivist can see where (``qa/checks.py``, thresholds in ``qa/qa_defaults.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from digitalisering.imaging.ink import AREA, H, W, X, Y, find_ink, working_image
from digitalisering.ocr.model import Word

WORD_MARGIN_MM = 0.6
"""Word boxes are grown by this much before they are compared with the ink (tesseract's boxes are
tight; accents and descenders stick out)."""
COVERED_SHARE = 0.5
"""A component is read when this share of its box lies under (grown) word boxes."""
REGION_JOIN_MM = 2.5
"""Uncovered components nearer than this form one region."""
MIN_REGION_COMPONENTS = 3
"""Fewer uncovered components than this are noise, not a missed line."""


@dataclass
class Completeness:
    text_area: int
    """Pixels of text-like ink on the working copy (about 150 ppi)."""
    uncovered_area: int
    """Of those, the pixels in components no word covers (in regions of MIN_REGION_COMPONENTS or more)."""
    uncovered_share: float | None
    """uncovered_area / text_area (None on a page without text-like ink)."""
    regions: list[list[int]] = field(default_factory=list)
    """[x, y, width, height] of each region of uncovered ink, in pixels of the straightened page."""


@dataclass(frozen=True)
class TextInk:
    """The text-like ink of a page (``imaging.ink`` on its working copy): measured once, it serves
    every ``measure`` of the same page (the OCR stage measures again after its second passes)."""
    stats: np.ndarray
    shape: tuple[int, int]
    """Height and width of the working copy."""
    scale: float
    """Working-copy pixels per page pixel."""
    mm: float
    """Working-copy pixels per millimetre."""


def text_ink(image: Image.Image, dpi: float) -> TextInk:
    work = working_image(image, dpi)
    ink = find_ink(work)
    return TextInk(ink.stats, work.grey.shape, work.scale, ink.mm)


def measure(image: Image.Image, dpi: float, words: list[Word], ink: TextInk | None = None) -> Completeness:
    """How completely ``words`` (boxes in pixels of ``image``) cover the text-like ink of ``image``
    (``ink``: its ``text_ink``, when it was found already)."""
    ink = ink or text_ink(image, dpi)
    stats = ink.stats
    total = int(stats[:, AREA].sum()) if len(stats) else 0
    if not total:
        return Completeness(0, 0, None)
    scale, mm = ink.scale, ink.mm
    h, w = ink.shape
    covered = np.zeros((h, w), np.uint8)
    grow = int(round(WORD_MARGIN_MM * mm))
    for word in words:
        x0 = max(0, int(word.left * scale) - grow)
        y0 = max(0, int(word.top * scale) - grow)
        x1 = min(w, int((word.left + word.width) * scale) + grow + 1)
        y1 = min(h, int((word.top + word.height) * scale) + grow + 1)
        covered[y0:y1, x0:x1] = 1
    integral = cv2.integral(covered)
    x, y, bw, bh = stats[:, X], stats[:, Y], stats[:, W], stats[:, H]
    under = (integral[y + bh, x + bw] - integral[y, x + bw] - integral[y + bh, x] + integral[y, x])
    missed = under < COVERED_SHARE * (bw * bh)
    regions, area = _regions(stats[missed], (h, w), mm, scale)
    return Completeness(total, area, round(area / total, 4), regions)


def _regions(stats: np.ndarray, shape: tuple[int, int], mm: float, scale: float) -> tuple[list[list[int]], int]:
    """Regions of nearby uncovered components (boxes in full-resolution pixels) and their ink area."""
    if not len(stats):
        return [], 0
    boxes = np.zeros(shape, np.uint8)
    for x, y, w, h in stats[:, :4]:
        boxes[y:y + h, x:x + w] = 1
    join = max(1, int(round(REGION_JOIN_MM * mm)))
    joined = cv2.dilate(boxes, np.ones((join, join), np.uint8))
    n, labels, region_stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    owner = labels[stats[:, Y] + stats[:, H] // 2, stats[:, X] + stats[:, W] // 2]
    counts = np.bincount(owner, minlength=n)
    areas = np.bincount(owner, weights=stats[:, AREA], minlength=n)
    out, total = [], 0
    for r in range(1, n):
        if counts[r] < MIN_REGION_COMPONENTS:
            continue
        rx, ry, rw, rh = (int(v) for v in region_stats[r, :4])
        out.append([round(rx / scale), round(ry / scale), round(rw / scale), round(rh / scale)])
        total += int(areas[r])
    return out, total
