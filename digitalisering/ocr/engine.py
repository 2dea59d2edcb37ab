"""How a page is read: one straightened page image in, its ``PageText`` out, by any engine.

Large pages (drawings up to A0) are read at a reduced resolution so that one sheet cannot stall
a run: OCR time grows with the pixel count. Pages with small type in few pixels are read enlarged
(``ocr.enhance.upscale_factor``). The word boxes are scaled back to the pixels of the processed
image either way, so the text layer and ALTO do not depend on how the page was read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from digitalisering.ocr.engines import OcrEngine
from digitalisering.ocr.model import PageText

MIN_OCR_DPI = 150
"""Never read a page below this resolution: text would become unreadable."""


@dataclass(frozen=True)
class OcrPlan:
    scale: float
    """Factor applied to the image before OCR (1.0: full resolution; above 1: small type enlarged)."""
    dpi: float
    """Resolution the OCR sees."""

    @property
    def reduced(self) -> bool:
        return self.scale < 1.0

    @property
    def enlarged(self) -> bool:
        return self.scale > 1.0


def plan_ocr(width: int, height: int, dpi: float, max_megapixels: float, upscale: float = 1.0) -> OcrPlan:
    """Full resolution unless the page has more than ``max_megapixels``; then the largest scale
    that fits, but not below MIN_OCR_DPI (a huge page at low resolution is read as it is).
    ``upscale`` (``ocr.enhance.upscale_factor``) enlarges a page of small type, as far as the
    enlarged page stays within ``max_megapixels``."""
    pixels = width * height
    if upscale > 1.0:
        if max_megapixels > 0:
            upscale = min(upscale, math.sqrt(max_megapixels * 1e6 / max(1, pixels)))
        if upscale > 1.0:
            return OcrPlan(round(upscale, 4), dpi * round(upscale, 4))
    if max_megapixels <= 0 or pixels <= max_megapixels * 1e6:
        return OcrPlan(1.0, dpi)
    scale = max(math.sqrt(max_megapixels * 1e6 / pixels), min(1.0, MIN_OCR_DPI / dpi))
    return OcrPlan(round(scale, 4), dpi * scale) if scale < 1.0 else OcrPlan(1.0, dpi)


def ocr_input(image: Image.Image, plan: OcrPlan) -> Image.Image:
    """What the engine reads: the straightened page before any lossy encoding, as bitonal or grey
    (tesseract reads grey anyway; an uncompressed grey file spares it decoding a JPEG and
    converting colours: about 10-20 % of its time on a 300 ppi page). A reduced page is
    area-averaged to grey, which reads better than thinned bitonal lines; an enlarged page is
    interpolated (Lanczos) to grey, so a bitonal page's letters get smooth edges."""
    if plan.enlarged:
        size = (round(image.width * plan.scale), round(image.height * plan.scale))
        return (image if image.mode == "L" else image.convert("L")).resize(size, Image.Resampling.LANCZOS)
    if plan.reduced:
        size = (max(1, round(image.width * plan.scale)), max(1, round(image.height * plan.scale)))
        return (image if image.mode == "L" else image.convert("L")).resize(size, Image.Resampling.BOX)
    return image if image.mode in ("1", "L") else image.convert("L")


def ocr_page(engine: OcrEngine, image: Image.Image, lang: str, dpi: float, plan: OcrPlan,
             timeout: float = 0) -> PageText:
    """OCR a straightened page with ``engine`` following ``plan`` (see ``ocr_input``); the boxes
    come back in the pixels of ``image`` (at ``dpi``) whatever resolution the engine read."""
    text = engine.recognise(ocr_input(image, plan), lang, plan.dpi, timeout)
    return text.scaled(1.0 / plan.scale, image.width, image.height, dpi)
