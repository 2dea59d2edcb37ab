import pytest

import pagegen
from digitalisering._exec import tesseract
from digitalisering.errors import ConfigError, MissingDependencyError
from digitalisering.ocr.engine import OcrPlan, ocr_page, plan_ocr
from digitalisering.ocr.engines import ENGINES, OcrEngine, get_engine


def test_dutch_page_is_read_into_blocks_lines_and_words_with_boxes():
    im = pagegen.page_image(pagegen.DUTCH_LINES, dpi=200)
    page = ocr_page(get_engine("tesseract"), im, "nld", 200, plan_ocr(im.width, im.height, 200, 40))
    assert "Leiden" in page.text and "bouwvergunning" in page.text and "Breestraat" in page.text
    assert page.mean_confidence is not None and page.mean_confidence > 70
    assert page.engine == "tesseract" and page.engine_version == tesseract.version()
    assert (page.width, page.height, page.dpi) == (im.width, im.height, 200)
    leiden = next(w for w in page.words if w.text == "Leiden")
    assert 0 < leiden.left < 1654 and leiden.height > 10
    assert len(page.lines) >= len(pagegen.DUTCH_LINES) - 1


def test_a_page_read_at_reduced_resolution_has_its_boxes_in_full_page_pixels():
    im = pagegen.page_image(pagegen.DUTCH_LINES, dpi=300)
    engine = get_engine("tesseract")
    full = ocr_page(engine, im, "nld", 300, OcrPlan(1.0, 300))
    half = ocr_page(engine, im, "nld", 300, OcrPlan(0.5, 150))
    assert (half.width, half.height, half.dpi) == (im.width, im.height, 300)
    a = next(w for w in full.words if w.text == "Leiden")
    b = next(w for w in half.words if w.text == "Leiden")
    assert abs(a.left - b.left) <= 6 and abs(a.width - b.width) <= 8


def test_engines_are_found_by_name():
    assert isinstance(get_engine("tesseract"), OcrEngine)
    assert "tesseract" in ENGINES
    with pytest.raises(ConfigError, match="unknown OCR engine 'abbyy'"):
        get_engine("abbyy")


def test_missing_language_pack_names_the_debian_package():
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr-xyz"):
        get_engine("tesseract").require("nld+xyz")
    tesseract.require("nld")


def test_the_one_letter_ij_is_written_as_two_letters():
    from digitalisering.ocr.engines.tesseract import parse_tsv

    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t91.5\tBEHOORT\n"
           "5\t1\t1\t1\t1\t2\t60\t10\t30\t20\t90.1\tB\u0132\n"
           "5\t1\t1\t1\t1\t3\t100\t10\t30\t20\t90.1\tz\u0133n\n")
    assert [w.text for w, _, _ in parse_tsv(tsv)] == ["BEHOORT", "BIJ", "zijn"]
