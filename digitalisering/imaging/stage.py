"""The imaging stage: one page image in, the upright image and what was found out.

The quarter turn is applied; the skew is measured and recorded, and corrected where the page is
used: drawn rotated in the PDF (the scan's pixels unchanged, see ``transform``) and straightened
in grey for OCR. Order matters for cost: the working copy and its ink are computed once; a blank
page or a separator sheet stops there (no orientation, no rotation, no OCR later). A page below the
blank line gets a second, relative look (``faint``): faint type makes it a text page again.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from digitalisering.imaging import faint
from digitalisering.imaging.checks import TechnicalChecks, technical_checks
from digitalisering.imaging.ink import Ink, enlarged, find_ink, working_image
from digitalisering.imaging.line_skew import measure_line_skew
from digitalisering.imaging.orientation import ORIENTATION_REVIEW_BELOW, estimate_orientation
from digitalisering.imaging.raster import colour_sample
from digitalisering.imaging.separators import Barcode, Separator, read_barcodes, separator_from
from digitalisering.imaging.transform import deskew, paper_colour, turn_upright

if TYPE_CHECKING:
    from digitalisering.ocr.engines import OrientationDetector

BLANK_INK_FRACTION = 0.0015
"""A page with less significant ink than this share (after borders, punch holes and specks) is blank."""
BLANK_MAX_COMPONENTS = 25
LARGE_FORMAT_MM = (310, 440)
"""Pages wider (short side) or longer than this are large format (beyond A3)."""
BLANK_CHECK = 1
"""Version of the blank verdict a page record carries (``ImagingResult.blank_check``): 0 (absent,
stored before it existed) the ink threshold alone; 1 with the second, relative look (``faint``). A
run finds pages that an older version called blank by it and looks at them again
(``runner.batch``): their faint type would otherwise stay out of the PDF. Raise it when the
blank verdict changes again."""
DRAWING_TEXT_SKEW_MIN_CONFIDENCE = 0.5
"""A drawing whose ruled lines leave the skew uncertain is straightened by its text baselines only
when they are at least this clear; otherwise it stays as scanned (skew 0, confidence 0)."""


@dataclass(frozen=True)
class ImagingOptions:
    deskew_min_deg: float = 0.05
    """Smaller skew is recorded but not corrected."""
    osd: OrientationDetector | None = None
    """Asked when the page's own cues leave up and down in doubt: the OCR engine's orientation
    detection (``ocr.engines.orientation_detector``); None: the cues alone decide."""


@dataclass
class ImagingResult:
    orientation: int | None
    orientation_confidence: float | None
    orientation_method: str | None
    skew_deg: float | None
    skew_confidence: float | None
    corrected: bool
    """True when the page is turned or straightened (``deskew_deg``)."""
    is_blank: bool
    ink_fraction: float
    is_separator: bool
    separator: Separator | None
    barcodes: list[Barcode]
    large_format: bool
    technical: TechnicalChecks
    deskew_deg: float = 0.0
    """The rotation (counter-clockwise skew) that the outputs undo; 0 when it is too small to matter."""
    paper_colour: list[int] = field(default_factory=list)
    """The paper's colour in the image's mode (fills the corners of a straightened page)."""
    timings_ms: dict = field(default_factory=dict)
    orientation_uncertain: bool = False
    """The orientation confidence is below ORIENTATION_REVIEW_BELOW: QA has the page reviewed
    (pages stored before this field existed read as False; QA then uses their confidence)."""
    skew_method: str | None = None
    """'text' (baselines), 'lines' (a drawing's long ruled lines) or 'none' (a drawing whose
    lines and text are both too unclear: left as scanned)."""
    faint: bool = False
    """Below the blank line by the ink threshold, but the second, relative look (``faint``) found
    lines of faint type: a text page (in the PDF, read by OCR), reviewed in QA (legible? rescan?)."""
    blank_uncertain: bool = False
    """Blank, but the relative look found faint marks in lines that it cannot rule out as text:
    kept in the PDF whatever ``keep_blank`` says, and always reviewed in QA."""
    blank_check: int = 0
    """Which version of the blank verdict made ``is_blank`` (``BLANK_CHECK``); 0: a record stored
    before the faint look existed, whose blank verdict is the ink threshold's alone."""

    def to_json(self) -> dict:
        return {**asdict(self), "technical": self.technical.to_json()}


def straighten(image: Image.Image, result: ImagingResult) -> Image.Image:
    """The upright page as a straight raster in its own mode (what the PDF shows)."""
    if not result.deskew_deg:
        return image
    return deskew(image, result.deskew_deg, tuple(result.paper_colour) or paper_colour(image, 255))


def analyse_page(image: Image.Image, stated_dpi: float | None, bits_per_sample: int,
                 options: ImagingOptions = ImagingOptions()) -> tuple[Image.Image, ImagingResult]:
    t0 = time.perf_counter()
    # one small copy of a colour page serves both colour questions (is it really grey? the paper colour)
    small = colour_sample(image) if image.mode == "RGB" else None
    checks: TechnicalChecks = technical_checks(image.width, image.height, stated_dpi, image.mode,
                                               bits_per_sample, effectively_grey(image, small))
    dpi = checks.dpi
    large = min(checks.width_mm, checks.height_mm) > LARGE_FORMAT_MM[0] or \
        max(checks.width_mm, checks.height_mm) > LARGE_FORMAT_MM[1]
    work = working_image(image, dpi)
    ink = find_ink(work)
    if checks.dpi_source != "stated":
        ink = _rescale_by_text(image, dpi, ink)
    t1 = time.perf_counter()
    barcodes = read_barcodes(ink)
    separator: Separator | None = separator_from(barcodes)
    t2 = time.perf_counter()
    blank = separator is None and not barcodes and ink.ink_fraction < BLANK_INK_FRACTION and \
        len(ink.stats) < BLANK_MAX_COMPONENTS
    # only a page below the blank line pays for the second look (bench/imaging.py --blank)
    second = faint.look(ink.work) if blank else None
    if second is not None and second.verdict == "text" and second.ink is not None:
        blank, ink = False, second.ink  # its faint type is the ink orientation and skew read
    result = ImagingResult(
        orientation=None, orientation_confidence=None, orientation_method=None, orientation_uncertain=False,
        skew_deg=None, skew_confidence=None, skew_method=None, corrected=False, is_blank=blank,
        ink_fraction=round(ink.ink_fraction, 6), is_separator=separator is not None, separator=separator,
        barcodes=list(barcodes), large_format=large, technical=checks,
        faint=second is not None and second.verdict == "text",
        blank_uncertain=second is not None and second.verdict == "uncertain", blank_check=BLANK_CHECK,
    )
    result.timings_ms = {"ink": round(1000 * (t1 - t0), 1), "barcodes": round(1000 * (t2 - t1), 1)}
    if second is not None:
        result.timings_ms["faint"] = round(1000 * (time.perf_counter() - t2), 1)
        t2 = time.perf_counter()
    if blank or separator is not None:
        return image, result
    est = estimate_orientation(_enlarged_for_orientation(ink), large_format=large, osd=options.osd, source=image)
    t3 = time.perf_counter()
    result.timings_ms["orientation"] = round(1000 * (t3 - t2), 1)
    result.orientation = est.orientation
    result.orientation_confidence = est.confidence
    result.orientation_method = est.method
    result.orientation_uncertain = est.confidence < ORIENTATION_REVIEW_BELOW
    result.skew_deg = round(float(est.skew), 3) if est.components else None
    result.skew_confidence = est.skew_confidence if est.components else None
    result.skew_method = "text" if est.components else None
    if large and not est.text_page:  # a drawing: its ruled lines say more than its scattered labels
        lines = measure_line_skew(ink)
        if lines.certain:
            result.skew_deg, result.skew_confidence, result.skew_method = lines.angle, lines.confidence, "lines"
        elif result.skew_confidence is not None and result.skew_confidence < DRAWING_TEXT_SKEW_MIN_CONFIDENCE:
            result.skew_deg, result.skew_confidence, result.skew_method = 0.0, 0.0, "none"
        result.timings_ms["lines"] = round(1000 * (time.perf_counter() - t3), 1)
        t3 = time.perf_counter()
    out = turn_upright(image, est.orientation)
    if result.skew_deg is not None and abs(result.skew_deg) >= options.deskew_min_deg:
        result.deskew_deg = result.skew_deg
    result.paper_colour = list(paper_colour(image, work.paper, small))
    result.corrected = out is not image or bool(result.deskew_deg)
    result.timings_ms["transform"] = round(1000 * (time.perf_counter() - t3), 1)
    return out, result


MIN_TEXT_HEIGHT = 9
"""Median text height (working pixels) below which the working copy is too small to read."""


def _rescale_by_text(image: Image.Image, dpi: float, ink: Ink) -> Ink:
    """When the resolution is only assumed, let the text decide the working scale: a page scanned
    at 150 ppi but taken for 300 ppi would otherwise be analysed at half the detail it needs."""
    factor = round(1 / ink.work.scale)
    height = ink.text_height
    if factor <= 1 or not height or height >= MIN_TEXT_HEIGHT:
        return ink
    better = max(1, int(factor * height / (MIN_TEXT_HEIGHT + 3)))
    if better == factor:
        return ink
    return find_ink(working_image(image, dpi, better))


ORIENTATION_TEXT_HEIGHT = 16
"""Median text height (working pixels) the orientation analysis enlarges small text towards."""
MAX_ENLARGE = 2
"""At most this enlargement. The up/down cues of text 8 px tall in a full-resolution working copy
(1,024 px wide typewritten pages, bench/ocr_real.py: Oulipo btv1b10010116f_7, Giono Colline I 319)
pointed the wrong way; enlarged twice, the cues plus OSD decided all four (upright and turned 180)
right; three times turned one upright page again."""


def _enlarged_for_orientation(ink: Ink) -> Ink:
    """The ink of an enlarged copy when the page is already analysed at full resolution and its
    text is still smaller than MIN_TEXT_HEIGHT: orientation only (skew and turn are angles, the
    same at any scale); everything else keeps the working copy."""
    height = ink.text_height
    if ink.work.scale < 1 or not height or height >= MIN_TEXT_HEIGHT:
        return ink
    factor = min(MAX_ENLARGE, math.ceil(ORIENTATION_TEXT_HEIGHT / height))
    if factor <= 1:
        return ink
    return find_ink(enlarged(ink.work, factor))


def effectively_grey(image: Image.Image, small: np.ndarray | None = None) -> bool:
    if image.mode != "RGB":
        return False
    if small is None:
        small = colour_sample(image)
    small = small[::2, ::2].astype(np.int16)
    return bool(np.percentile(np.abs(small[..., 0] - small[..., 2]), 99) < 12)
