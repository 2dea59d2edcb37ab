"""No silently missing text: ink no word covers is measured and located."""

from __future__ import annotations

import dataclasses

import pagegen

from digitalisering.ocr.completeness import measure, text_ink
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine

LINES = ["Aanvraag om bouwvergunning", "voor het pand Breestraat 12 te Leiden",
         "ingediend door de heer W. Bos", "het verbouwen van het bestaande pand"]


def test_all_words_read_leaves_nothing_uncovered():
    page = pagegen.page_image(LINES, dpi=300)
    result = ocr_page(get_engine("tesseract"), page, "nld", 300, plan_ocr(page.width, page.height, 300, 40))
    m = measure(page, 300, result.words)
    assert m.text_area > 0 and m.uncovered_share < 0.02 and m.regions == []


def test_a_line_without_words_is_found_where_it_is():
    page = pagegen.page_image(LINES, dpi=300)
    result = ocr_page(get_engine("tesseract"), page, "nld", 300, plan_ocr(page.width, page.height, 300, 40))
    third = result.lines[0].words  # the first line's words
    kept = [w for w in result.words if w not in third]
    m = measure(page, 300, kept)
    assert m.uncovered_share > 0.15
    assert len(m.regions) == 1
    x, y, w, h = m.regions[0]
    top = min(word.top for word in third)
    assert y <= top <= y + h and w > 400  # the region sits on the missing line


def test_a_page_without_text_has_no_share():
    page = pagegen.page_image([], dpi=300)
    assert measure(page, 300, []).uncovered_share is None


def test_word_boxes_of_a_reduced_read_are_in_page_pixels():
    """Words come back in pixels of the page even when OCR read a reduced copy."""
    page = pagegen.page_image(LINES, dpi=300)
    result = ocr_page(get_engine("tesseract"), page, "nld", 300, plan_ocr(page.width, page.height, 300, 2))
    assert measure(page, 300, result.words).uncovered_share < 0.05
    assert dataclasses.is_dataclass(result.words[0])


def test_the_ink_found_once_serves_every_measure_of_the_page():
    """The OCR stage measures before and after its second passes on the same copy: the ink is
    found once and gives the same figures as finding it anew."""
    page = pagegen.page_image(LINES, dpi=300)
    result = ocr_page(get_engine("tesseract"), page, "nld", 300, plan_ocr(page.width, page.height, 300, 40))
    ink = text_ink(page, 300)
    fewer = [w for w in result.words if w not in result.lines[0].words]
    for words in (result.words, fewer):
        assert measure(page, 300, words, ink) == measure(page, 300, words)
    assert measure(page, 300, fewer, ink).uncovered_share > 0.15
