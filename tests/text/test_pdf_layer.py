import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import pagegen
from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.imaging.transform import straight_grey
from digitalisering.ocr.engine import OcrPlan, ocr_page
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.pdfa.validate import validate_pdf
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf
from digitalisering.text.alto import AltoSource, alto_xml, strings

INFO = PdfInfo("Bouwdossier", datetime(2026, 1, 2, tzinfo=timezone.utc))


def _words(pdf: Path) -> list[str]:
    """The words of the PDF's text in content-stream order."""
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split()


WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _bboxes(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(t, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, t in WORD_BOX.findall(html)]


def _skewed_page(tmp_path: Path):
    page = pagegen.letter_page(dpi=150, mode="L")
    scanned = page.rotate(2.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    jpg = tmp_path / "scan.jpg"
    scanned.save(jpg, quality=90, dpi=(150, 150))
    image, res = analyse_page(scanned, 150, 8, ImagingOptions())
    assert res.deskew_deg != 0
    straight = straight_grey(image, res.deskew_deg, tuple(res.paper_colour))
    text = ocr_page(get_engine("tesseract"), straight, "nld", 150, OcrPlan(1.0, 150))
    return PdfPage(jpg, text, 150, deskew_deg=res.deskew_deg, fill=tuple(res.paper_colour)), text


def test_the_words_of_a_deskewed_pdf_page_are_the_alto_strings_at_the_alto_boxes(tmp_path: Path):
    page, text = _skewed_page(tmp_path)
    out = tmp_path / "d.pdf"
    assert build_pdf([page], out, INFO).passed
    alto = strings(alto_xml(text, AltoSource("d.pdf", 1)))
    assert len(alto) > 20
    assert _words(out) == alto  # same words, same order
    # each word sits where ALTO says, in pixels of the page as the PDF shows it (72/150 pt per pixel)
    k = 72 / 150
    boxes = _bboxes(out)
    assert [b[0] for b in boxes] == alto
    lines = {id(w): line.box for line in text.lines for w in line.words}
    exact = 0
    for (word, x0, y0, x1, y1), w in zip(boxes, text.words):
        line = lines[id(w)]
        assert x0 == pytest.approx(w.left * k, abs=0.6)
        # a word too close to the next is drawn up to a fifth of the line height narrower
        assert w.right * k - 0.2 * line.height * k - 0.6 <= x1 <= w.right * k + 0.6
        exact += abs(x1 - w.right * k) <= 0.6
        # within its line's box (pdftotext adds below the baseline a descent the font does not have)
        assert line.top * k - 0.6 <= y0 <= w.bottom * k and y1 >= w.top * k
    assert exact >= 0.9 * len(boxes)


def test_text_layer_passes_preflight_as_pdfa_1b(tmp_path: Path):
    page, _ = _skewed_page(tmp_path)
    out = tmp_path / "d1b.pdf"
    build_pdf([page], out, INFO, flavour="1b")
    report = validate_pdf(out, use_preflight=True)
    assert report.passed, report.to_json()
    assert "pdfbox-preflight" in [c.name for c in report.checks]


def _model(words: list[str]) -> PageText:
    line = Line([Word(t, 100 + 200 * i, 100, 30 * len(t), 40, 90) for i, t in enumerate(words)])
    return PageText("nld", [Block([line])], width=1240, height=1754, dpi=150)


def test_corrected_words_reach_the_pdf_exactly_and_nothing_else_does(tmp_path: Path):
    im = pagegen.page_image(["Aanvraag bouwvergunning"], dpi=150)
    img = pagegen.save(im, tmp_path / "p.png", dpi=150)
    words = ["Rapenburg", "12a", "café", "Bouwmeester", "ĳzer", "\U0001d400"]
    out = tmp_path / "c.pdf"
    build_pdf([PdfPage(img, _model(words), 150)], out, INFO)
    assert _words(out) == words[:-1] + ["\ufffd"]  # outside the BMP: the replacement character
    with pikepdf.open(out) as pdf:
        fonts = list(pdf.pages[0].Resources.Font.values())
        assert len(fonts) == 1 and "/FontFile2" in fonts[0].DescendantFonts[0].FontDescriptor


def test_words_of_a_line_share_the_baseline_of_most_of_them(tmp_path: Path):
    """A tall mark in a line (a stamp, a pen stroke read as a word) does not move the line's text."""
    img = pagegen.save(pagegen.page_image([], dpi=150), tmp_path / "p.png", dpi=150)
    words = [Word("Gemeente", 100, 100, 160, 40, 90), Word("/", 280, 60, 10, 120, 20),
             Word("Leiden", 310, 102, 120, 38, 90)]
    out = tmp_path / "m.pdf"
    build_pdf([PdfPage(img, PageText("nld", [Block([Line(words)])], width=1240, height=1754, dpi=150), 150)],
              out, INFO)
    boxes = {b[0]: b for b in _bboxes(out)}
    k = 72 / 150
    for text in ("Gemeente", "Leiden"):
        _, _, y0, _, _ = boxes[text]
        assert y0 == pytest.approx(100 * k, abs=1.5)  # the line's own top, not the mark's


def test_page_without_words_gets_no_font(tmp_path: Path):
    img = pagegen.save(pagegen.page_image([], dpi=150), tmp_path / "b.png", dpi=150)
    out = tmp_path / "b.pdf"
    build_pdf([PdfPage(img, PageText("nld", [], width=1240, height=1754, dpi=150), 150)], out, INFO)
    assert _words(out) == []
    with pikepdf.open(out) as pdf:
        assert "/Font" not in pdf.pages[0].Resources
