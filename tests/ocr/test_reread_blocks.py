"""The second reading of paragraphs the page reading dropped: read as one block of lines."""

from __future__ import annotations

from dataclasses import replace

import pagegen
from digitalisering.ocr import reread
from digitalisering.ocr.completeness import measure
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import Block, Line, PageText

DPI = 200
LIST = ["Abbreviations used in the catalogue", "Q = Province of Quebec, Canada",
        "Gn = County of Gaspe-north, Quebec", "N-E = Nova Scotia, the province", "D = County of Digby, Nova Scotia",
        "Y = County of Yarmouth, Nova Scotia", "vf = the voice of a woman, singing", "vh = the voice of a man, singing",
        "har.d = a diatonic harmonica", "acc.d = a diatonic accordion", "frt.p = the feet stamping"]


class Recording:
    """tesseract, remembering how each sheet was read."""
    name = "tesseract"

    def __init__(self):
        self.engine, self.modes = get_engine("tesseract"), []

    def recognise(self, image, lang, dpi, timeout=0, sparse=False, block=False):
        self.modes.append("block" if block else "sparse" if sparse else "page")
        return self.engine.recognise(image, lang, dpi, timeout, sparse=sparse, block=block)


def dropped_list(size_mm=(210, 297)) -> tuple:
    """A typed page whose first reading lost the list below its first two lines (as tesseract's
    layout analysis drops a paragraph: no word in its place)."""
    page = pagegen.page_image(["Catalogue of the recordings", "Plan of the presentation"] + LIST,
                              dpi=DPI, font_pt=14, size_mm=size_mm)
    first = ocr_page(get_engine("tesseract"), page, "eng", DPI, plan_ocr(page.width, page.height, DPI, 40))
    kept = [Block([Line(ws) for line in b.lines if (ws := [w for w in line.words if w.top < first.words[0].top + 140])])
            for b in first.blocks]
    first = replace(first, blocks=[b for b in kept if b.lines])
    return page, first


def test_a_dropped_paragraph_is_read_again_line_by_line_with_its_signs():
    page, first = dropped_list()
    assert "Quebec" not in first.text
    missing = measure(page, DPI, first.words)
    engine = Recording()
    second = reread.reread(engine, page, DPI, first, missing, "eng")
    assert "block" in engine.modes  # the list is too large a region for the sparse sheet
    words = [w.text for w in second.text.words]
    for word in ("Abbreviations", "Quebec,", "Gaspe-north,", "Yarmouth,", "accordion", "Q", "D", "="):
        assert word in words, word
    assert words.count("=") >= 7  # signs and one-letter abbreviations are words of a list too
    assert words.count("Catalogue") == 1  # nothing the first reading had is given twice
    after = measure(page, DPI, second.text.words)
    assert after.uncovered_share < 0.5 * missing.uncovered_share


def test_a_large_region_of_a_drawing_is_not_read_as_a_block():
    """A large-format sheet's large regions are its plan: not read as text (time, false words)."""
    for size_mm, read in (((594, 420), False), ((210, 297), True)):
        page = pagegen.page_image(LIST, dpi=DPI, font_pt=14, size_mm=size_mm)
        half = [[0, 0, page.width, page.height // 2]]
        assert (reread.sheet(page, DPI, half, blocks=True) is not None) is read, size_mm


def test_small_regions_stay_on_the_sparse_sheet():
    page = pagegen.page_image(LIST[:2], dpi=DPI, font_pt=12)
    region = [[round(0.1 * page.width), round(0.12 * page.height), 600, 60]]
    assert reread.sheet(page, DPI, region, blocks=True) is None
    assert reread.sheet(page, DPI, region) is not None
