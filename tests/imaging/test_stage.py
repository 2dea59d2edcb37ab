"""The imaging stage as a whole: upright straight output, blank pages, separators, checks."""

import numpy as np
import pytest
from PIL import Image

import pagegen
from digitalisering.imaging.checks import infer_dpi, metamorfoze_required_dpi, size_class, technical_checks
from digitalisering.imaging.separators import Barcode
from digitalisering.imaging.stage import ImagingOptions, analyse_page, straighten
from digitalisering.imaging.transform import straight_grey

NO_OSD = ImagingOptions()


def test_upside_down_skewed_page_comes_out_upright_and_straight():
    page = pagegen.letter_page(dpi=150)
    scanned = page.rotate(180 + 3.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)
    out, res = analyse_page(scanned, 150, 8, NO_OSD)
    assert res.orientation == 180 and res.skew_deg == pytest.approx(3.0, abs=0.1)
    assert res.corrected and res.deskew_deg == res.skew_deg
    # the returned image is turned upright (lossless); the skew is undone where the page is used
    again, res2 = analyse_page(straighten(out, res), 150, 8, NO_OSD)
    assert res2.orientation == 0 and abs(res2.skew_deg) < 0.1
    assert abs(analyse_page(straight_grey(out, res.deskew_deg, tuple(res.paper_colour)), 150, 8,
                            NO_OSD)[1].skew_deg) < 0.1


def test_deskew_keeps_everything_bitonal_and_resolution():
    page = pagegen.letter_page(dpi=300, mode="1")
    scanned = page.rotate(5.0, expand=True, fillcolor=1)
    upright, res = analyse_page(scanned, 300, 1, NO_OSD)
    assert upright is scanned  # nothing to turn: the scan's own pixels are kept
    out = straighten(upright, res)
    reading = straight_grey(upright, res.deskew_deg, tuple(res.paper_colour))
    assert out.mode == "1" and reading.mode == "1"
    # the copy OCR reads skips the all-white tiles but is otherwise the same straight page (tiles
    # may round a sampling position the other way: a handful of pixels of 12 million)
    assert reading.size == out.size
    assert (np.asarray(reading) != np.asarray(out)).sum() < 1e-5 * out.width * out.height
    assert abs(analyse_page(reading, 300, 1, NO_OSD)[1].skew_deg) < 0.1
    assert out.width >= scanned.width * 0.99 and out.height >= scanned.height * 0.99  # no cropping
    assert res.technical.dpi == 300
    # the corners added by the rotation are paper (white), not black
    arr = np.asarray(out)
    assert arr[0, 0] and arr[-1, -1]


def test_colour_page_is_filled_with_its_paper_colour():
    page = pagegen.letter_page(dpi=150, mode="RGB")
    scanned = page.rotate(4.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(250, 250, 230))
    upright, res = analyse_page(scanned, 150, 8, NO_OSD)
    assert res.paper_colour[0] > 235 and res.paper_colour[2] > 215
    corner = np.asarray(straighten(upright, res))[2, 2]
    assert corner[0] > 235 and corner[2] > 215


def test_blank_back_with_bleed_through_and_punch_holes():
    out, res = analyse_page(pagegen.blank_back(dpi=150), 150, 8, NO_OSD)
    assert res.is_blank and not res.is_separator
    assert res.orientation is None and not res.corrected
    _, text = analyse_page(pagegen.page_image(["- 2 -", "Gezien en goedgekeurd", "Leiden, 1 mei 1962"]), 150, 8,
                           NO_OSD)
    assert not text.is_blank


def test_dossier_and_document_separators():
    _, dossier = analyse_page(pagegen.barcode_sheet("DOSSIER:BWT-1962-0412"), 200, 8, NO_OSD)
    assert dossier.is_separator and dossier.separator.kind == "dossier"
    assert dossier.separator.dossier_id == "BWT-1962-0412"
    _, doc = analyse_page(pagegen.barcode_sheet("PATCHT"), 200, 8, NO_OSD)
    assert doc.is_separator and doc.separator.kind == "document" and not doc.is_blank
    _, patch = analyse_page(pagegen.patch_sheet("NWNW"), 200, 8, NO_OSD)
    assert patch.is_separator and patch.separator.payload == "PATCHT"
    _, patch2 = analyse_page(pagegen.patch_sheet("WNNW"), 200, 8, NO_OSD)
    assert not patch2.is_separator and patch2.barcodes == [Barcode("PatchCode", "PATCH2")]
    _, text = analyse_page(pagegen.letter_page(), 150, 8, NO_OSD)
    assert not text.is_separator and text.barcodes == []


@pytest.mark.parametrize("qr", [False, True])
@pytest.mark.parametrize("turn", [0, 90, 3.5])
def test_separator_barcodes_turned_or_skewed_are_found(qr, turn):
    """The reader is only run where the components look like a barcode: Code 128 bars or QR finder
    patterns must be recognised as such however the sheet was fed."""
    sheet = pagegen.barcode_sheet("DOSSIER:BWT-1970-0007", qr=qr)
    if turn:
        sheet = sheet.rotate(turn, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    _, res = analyse_page(sheet, 200, 8, NO_OSD)
    assert res.is_separator and res.separator.dossier_id == "BWT-1970-0007"
    assert res.barcodes[0].symbology.replace(" ", "") == ("QRCode" if qr else "Code128")


@pytest.mark.parametrize("w_mm, h_mm, cls, required", [
    (210, 297, "A4", 300), (148, 210, "A5", 300), (105, 148, "A6", 600),
    (420, 594, "A2", 300), (594, 841, "A1", 150), (841, 1189, "A0", 150), (1189, 1682, ">A0", 150),
])
def test_size_classes_and_metamorfoze_rule(w_mm, h_mm, cls, required):
    assert size_class(w_mm, h_mm) == cls
    assert metamorfoze_required_dpi(cls) == required


def test_300_ppi_page_tagged_72_ppi_is_caught():
    dpi, source, note = infer_dpi(2480, 3508, 72)
    assert (dpi, source) == (300, "inferred") and "A4" in note
    assert infer_dpi(2480, 3508, 300)[:2] == (300, "stated")


def test_low_resolution_fails_the_resolution_check():
    checks = technical_checks(1240, 1754, 150, "L", 8)
    status = {c.name: c.status for c in checks.checks}
    assert checks.size_class == "A4" and status["resolution"] == "fail" and checks.status == "fail"
    ok = technical_checks(2480, 3508, 300, "L", 8)
    assert {c.name: c.status for c in ok.checks}["resolution"] == "pass"
    bitonal = technical_checks(2480, 3508, 300, "1", 1)
    assert {c.name: c.status for c in bitonal.checks}["colour_mode"] == "warn"


def test_unknown_resolution_lets_the_text_choose_the_working_scale():
    from digitalisering.imaging.ink import find_ink, working_image
    from digitalisering.imaging.stage import _rescale_by_text

    page = pagegen.letter_page(dpi=150).crop((0, 0, 1240, 1400))  # no standard paper size
    assert technical_checks(page.width, page.height, None, "L", 8).dpi_source == "assumed"
    coarse = find_ink(working_image(page, 300))  # taken for 300 ppi: reduced 2x, text too small
    assert coarse.text_height < 9
    better = _rescale_by_text(page, 300, coarse)
    assert better.work.scale == 1.0 and better.text_height >= 9
    out, res = analyse_page(page.rotate(180), None, 8, NO_OSD)
    assert res.orientation == 180
