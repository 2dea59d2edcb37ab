from pathlib import Path

import pikepdf
import pytest

import pagegen
from digitalisering._exec import tesseract
from digitalisering.errors import MissingDependencyError
from digitalisering.ocr.engine import ocr_image_file


def test_dutch_page_is_read_with_boxes_and_a_text_layer(tmp_path: Path):
    path = pagegen.save(pagegen.page_image(pagegen.DUTCH_LINES, dpi=200), tmp_path / "p.png", dpi=200)
    result, text_pdf = ocr_image_file(path, "nld", 200)
    text = result.text
    assert "Leiden" in text and "bouwvergunning" in text and "Breestraat" in text
    assert result.mean_confidence is not None and result.mean_confidence > 70
    leiden = next(w for w in result.words if w.text == "Leiden")
    assert 0 < leiden.left < 1654 and leiden.height > 10
    with pikepdf.open(__import__("io").BytesIO(text_pdf)) as pdf:
        w_pt = float(pdf.pages[0].mediabox[2])
    assert w_pt == pytest.approx(210 / 25.4 * 72, rel=0.01)


def test_missing_language_pack_names_the_debian_package():
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr-xyz"):
        tesseract.require("nld+xyz")
    tesseract.require("nld")
