"""Faint type is text, not a blank page; blank backs with show-through, specks and holes stay blank."""

from PIL import Image

import pagegen
from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.pagerecord import PageResult
from digitalisering.qa.checks import page_findings
from digitalisering.qa.config import load_qa_config

NO_OSD = ImagingOptions()
THRESHOLDS = load_qa_config()["thresholds"]


def test_grey_type_on_grey_paper_is_a_text_page_in_the_pdf():
    out, res = analyse_page(pagegen.faint_page(dpi=200), 200, 8, NO_OSD)
    assert not res.is_blank and res.faint and not res.blank_uncertain
    assert res.orientation == 0 and abs(res.skew_deg) < 0.3  # its faint letters were read for it
    record = PageResult(imaging=res)
    record.artifacts.set("image", "page.jpg", "0" * 64)
    assert not record.is_blank and record.in_output(keep_blank=False)


def test_faint_page_turned_upside_down_or_a_quarter_is_still_text():
    page = pagegen.faint_page(dpi=200)
    for turn, expected in ((180, 180), (90, 90)):  # turned counter-clockwise; undone clockwise
        _, res = analyse_page(page.rotate(turn, expand=True, fillcolor=229), 200, 8, NO_OSD)
        assert not res.is_blank and res.faint
        assert res.orientation == expected


def test_blank_back_with_blurred_show_through_specks_holes_and_border_stays_blank():
    _, res = analyse_page(pagegen.show_through_back(dpi=200), 200, 8, NO_OSD)
    assert res.is_blank and not res.faint and not res.blank_uncertain


def test_sharp_mirrored_bleed_through_is_show_through_whichever_way_the_back_was_scanned():
    back = pagegen.blank_back(dpi=200)
    for turn in (0, 90, 180, 270):
        _, res = analyse_page(back.rotate(turn, expand=True, fillcolor=250), 200, 8, NO_OSD)
        assert res.is_blank and not res.blank_uncertain, turn


def test_very_faint_lines_leave_the_verdict_uncertain_kept_in_the_pdf_and_reviewed():
    page = pagegen.faint_page(dpi=200, type_level=204, paper=229)  # letters ~11 % below the paper
    _, res = analyse_page(page, 200, 8, NO_OSD)
    assert res.is_blank and res.blank_uncertain
    record = PageResult(imaging=res)
    record.artifacts.set("image", "page.jpg", "0" * 64)
    assert record.in_output(keep_blank=False)
    entry = {"seq": 3, "status": "done", "is_blank": True, "blank_uncertain": True, "technical": None}
    findings = [f for f in page_findings(entry, THRESHOLDS, review_blank=False) if f.check == "blank"]
    assert [(f.code, f.review) for f in findings] == [("blank_uncertain", True)]


def test_a_faint_text_page_is_reviewed_in_qa():
    entry = {"seq": 4, "status": "done", "is_blank": False, "faint": True, "technical": None,
             "ocr": None, "skew_deg": 0.0, "orientation": 0, "orientation_confidence": 1.0}
    findings = [f for f in page_findings(entry, THRESHOLDS) if f.check == "blank"]
    assert [(f.code, f.review) for f in findings] == [("faint", True)]


def test_an_ordinary_page_gets_no_second_look():
    _, res = analyse_page(pagegen.letter_page(dpi=200), 200, 8, NO_OSD)
    assert "faint" not in res.timings_ms and not res.faint
    _, blank = analyse_page(Image.new("L", (1654, 2339), 240), 200, 8, NO_OSD)
    assert blank.is_blank and "faint" in blank.timings_ms


def test_sharp_show_through_at_150_ppi_is_still_a_mirror_image():
    """At 150 ppi the mirrored letters run together into words; counting letters that reach above
    their line called the back upright type (kept in the PDF, reviewed). The line's ink profile does not."""
    back = pagegen.blank_back(dpi=150)
    for turn in (0, 180):
        _, res = analyse_page(back.rotate(turn, expand=True, fillcolor=250), 150, 8, NO_OSD)
        assert res.is_blank and not res.blank_uncertain, turn
