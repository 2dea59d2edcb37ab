"""The OCR stage: one page image in, words and a text-layer PDF out.

Large pages (drawings up to A0) are read at a reduced resolution so that one sheet cannot stall
a run: tesseract's time grows with the pixel count. The text layer keeps the page's physical
size either way (tesseract sizes its PDF from the pixels and the resolution it is given), and the
word boxes are scaled back to the pixels of the processed image.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitalisering._exec import tesseract
from digitalisering.ocr.words import OcrResult, Word, parse_tsv

MIN_OCR_DPI = 150
"""Never read a page below this resolution: text would become unreadable."""


@dataclass(frozen=True)
class OcrPlan:
    scale: float
    """Factor applied to the image before OCR (1.0: full resolution)."""
    dpi: float
    """Resolution the OCR sees."""

    @property
    def reduced(self) -> bool:
        return self.scale < 1.0


def plan_ocr(width: int, height: int, dpi: float, max_megapixels: float) -> OcrPlan:
    """Full resolution unless the page has more than ``max_megapixels``; then the largest scale
    that fits, but not below MIN_OCR_DPI (a huge page at low resolution is read as it is)."""
    pixels = width * height
    if max_megapixels <= 0 or pixels <= max_megapixels * 1e6:
        return OcrPlan(1.0, dpi)
    scale = max(math.sqrt(max_megapixels * 1e6 / pixels), min(1.0, MIN_OCR_DPI / dpi))
    return OcrPlan(round(scale, 4), dpi * scale) if scale < 1.0 else OcrPlan(1.0, dpi)


def _scaled_words(words: list[Word], scale: float) -> list[Word]:
    if scale == 1.0:
        return words
    f = 1.0 / scale
    return [dataclasses.replace(w, left=round(w.left * f), top=round(w.top * f),
                                width=round(w.width * f), height=round(w.height * f)) for w in words]


def ocr_image_file(image_path: Path, lang: str, dpi: float, timeout: float = 0) -> tuple[OcrResult, bytes]:
    """OCR ``image_path`` as it is; returns the words and the invisible text layer as a one-page PDF."""
    tsv, text_pdf = tesseract.recognise(image_path, lang, dpi, timeout)
    result = OcrResult(lang=lang, words=parse_tsv(tsv), engine_version=tesseract.version())
    return result, text_pdf


def ocr_input(image: Image.Image, plan: OcrPlan) -> Image.Image:
    """What tesseract reads: the straightened page before any lossy encoding, as bitonal or grey
    (tesseract reads grey anyway; an uncompressed grey file spares it decoding a JPEG and
    converting colours: about 10-20 % of its time on a 300 ppi page). A reduced page is
    area-averaged to grey, which reads better than thinned bitonal lines."""
    if plan.reduced:
        size = (max(1, round(image.width * plan.scale)), max(1, round(image.height * plan.scale)))
        return (image if image.mode == "L" else image.convert("L")).resize(size, Image.Resampling.BOX)
    return image if image.mode in ("1", "L") else image.convert("L")


def ocr_page(image: Image.Image, lang: str, dpi: float, plan: OcrPlan, timeout: float = 0) -> tuple[OcrResult, bytes]:
    """OCR a straightened page following ``plan`` (see ``ocr_input``); word boxes in the pixels of
    ``image``, the text layer sized for the page at ``dpi``."""
    with tempfile.TemporaryDirectory(prefix="digitalisering-ocr-") as tmp:
        path = Path(tmp) / "page.pnm"  # PBM or PGM: no decoding work for tesseract
        ocr_input(image, plan).save(path)
        result, text_pdf = ocr_image_file(path, lang, plan.dpi, timeout)
    result.words = _scaled_words(result.words, plan.scale)
    return result, text_pdf
