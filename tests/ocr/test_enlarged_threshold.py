"""Small type read enlarged is binarised locally (tesseract's Sauvola), ordinary pages as before."""

from __future__ import annotations

import pytesseract

import pagegen
from digitalisering._exec import tesseract
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import PageText


class Recording:
    name = "recording"

    def __init__(self):
        self.hints = []

    def recognise(self, image, lang, dpi, timeout=0, **hints):
        self.hints.append(hints)
        return PageText(lang, [], width=image.width, height=image.height, dpi=dpi)


def test_an_enlarged_page_asks_the_engine_for_a_local_threshold_and_an_ordinary_one_does_not():
    page = pagegen.page_image(["Leiden, 7 december 1962"], dpi=100)
    engine = Recording()
    ocr_page(engine, page, "nld", 100, plan_ocr(page.width, page.height, 100, 40, 2.0))
    ocr_page(engine, page, "nld", 100, plan_ocr(page.width, page.height, 100, 40))
    assert engine.hints == [{"enlarged": True}, {}]


def test_tesseract_reads_an_enlarged_page_with_sauvola(monkeypatch):
    configs = []
    real = pytesseract.pytesseract.run_tesseract

    def run(*args, **kwargs):
        configs.append(kwargs.get("config", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", run)
    page = pagegen.page_image(["Leiden, 7 december 1962", "Aan het college van burgemeester"], dpi=120, font_pt=11)
    engine = get_engine("tesseract")
    enlarged = ocr_page(engine, page, "nld", 120, plan_ocr(page.width, page.height, 120, 40, 2.0))
    ordinary = ocr_page(engine, page, "nld", 120, plan_ocr(page.width, page.height, 120, 40))
    local = f"-c thresholding_method=2 -c thresholding_kfactor={tesseract.SAUVOLA_K}"
    assert local in configs[0] and "thresholding_method" not in configs[1]
    assert "Leiden," in enlarged.text and "burgemeester" in enlarged.text
    assert {w.text for w in ordinary.words} >= {"Leiden,", "burgemeester"}
