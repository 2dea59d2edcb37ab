"""The demo's 1915 aanvraag (batches/demo, in the repository): the completeness check flags it as
OCR read it before the cleanup, and passes it now that every field is read (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitalisering.imaging.load import load_page
from digitalisering.imaging.stage import analyse_page
from digitalisering.imaging.transform import straight_grey
from digitalisering.ocr.cleanup import clean_for_ocr
from digitalisering.ocr.completeness import measure
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.qa.config import load_qa_config

FORM = Path(__file__).resolve().parents[2] / "batches/demo/BWT-1915-0427/BWT-1915-0427.pdf"
VALUES = ["Bos", "sigarenwinkelier", "Mierennesthofje", "4426", "uitbouw", "3.316", "Herensingel", "Vermeulen"]


@pytest.fixture(scope="module")
def straight():
    loaded = load_page(FORM, 0, "PDF", 250_000_000)
    image, res = analyse_page(loaded.image, loaded.info.stated_dpi[0], loaded.info.bits_per_sample)
    return straight_grey(image, res.deskew_deg, tuple(res.paper_colour)), res.technical.dpi


def _read(image, dpi):
    result = ocr_page(get_engine("tesseract"), image, "nld", dpi, plan_ocr(image.width, image.height, dpi, 40))
    return result, measure(image, dpi, result.words)


@pytest.mark.slow
def test_the_form_as_read_before_is_flagged_and_passes_once_its_fields_are_read(straight):
    image, dpi = straight
    warn = load_qa_config()["thresholds"]["completeness_warn"]
    before, before_m = _read(image, dpi)
    assert before_m.uncovered_share >= warn and before_m.regions  # flagged, with the places marked
    assert sum(v in before.text for v in VALUES) <= 3
    cleaned, found = clean_for_ocr(image, dpi)
    after, after_m = _read(cleaned, dpi)
    assert found.leaders >= 10
    assert after_m.uncovered_share < warn
    assert all(v in after.text for v in VALUES), after.text
