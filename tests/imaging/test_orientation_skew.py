"""Orientation and skew on generated pages turned by known angles."""

import pytest
from PIL import Image

import pagegen
from digitalisering.imaging.ink import find_ink, working_image
from digitalisering.imaging.orientation import estimate_orientation


def analyse(im: Image.Image, dpi: int = 150):
    return estimate_orientation(find_ink(working_image(im, dpi)))


@pytest.mark.parametrize("angle", [-12.0, -3.3, -0.8, 0.0, 0.45, 2.0, 7.5, 14.0])
def test_skew_is_measured_to_a_tenth_of_a_degree(angle: float):
    page = pagegen.letter_page(dpi=200)
    turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)
    est = analyse(turned, 200)
    assert est.orientation == 0
    assert est.skew == pytest.approx(angle, abs=0.1)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_quarter_turns_are_found(turn: int):
    page = pagegen.letter_page(dpi=200)
    est = analyse(page.rotate(turn, expand=True), 200)  # PIL turns counter-clockwise
    assert est.orientation == turn
    assert est.confidence > 0.3


def test_turned_and_skewed_page(tmp_path):
    page = pagegen.letter_page(dpi=200).rotate(90, expand=True)
    est = analyse(page.rotate(4.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250), 200)
    assert est.orientation == 90
    assert est.skew == pytest.approx(4.0, abs=0.15)


def test_page_without_text_keeps_its_orientation():
    est = analyse(pagegen.page_image([], dpi=150))
    assert est.orientation == 0 and est.method == "too little text" and est.confidence == 0.0


def test_drawing_with_capital_labels_keeps_its_orientation():
    labels = ["PLATTEGROND 1:100", "KEUKEN", "WOONKAMER", "SLAAPK.", "8400", "3600", "DOORSNEDE A-A"]
    page = pagegen.page_image(labels * 3, dpi=75, size_mm=(594, 420), font_pt=20)
    est = estimate_orientation(find_ink(working_image(page, 75)), large_format=True)
    assert est.orientation == 0


def ambiguous_page() -> Image.Image:
    """Centred lines of capitals and digits: nothing rises above or hangs below the line, and
    neither margin is straight, so up and down cannot be told from the page itself."""
    lines = ["HOEK NIEUWE RIJN", "1234 5678 90", "ONTWERP WONINGEN", "XOXO HUMMEN", "ZUIDZIJDE", "NR 4 EN 6"]
    im = pagegen.page_image([], dpi=150)
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=30)
    y = 300
    for k in range(3):
        for text in lines:
            width = draw.textlength(text, font=font)
            draw.text(((im.width - width) / 2, y), text, fill=15, font=font)
            y += 54
    return im


@pytest.mark.parametrize("turn", [0, 180])
def test_page_with_ambiguous_up_and_down_is_flagged_not_silently_turned(turn: int):
    from digitalisering.imaging.stage import ImagingOptions, analyse_page

    page = ambiguous_page().rotate(turn, expand=True)
    _, res = analyse_page(page, 150, 8, ImagingOptions())
    assert res.orientation in (0, 180)
    assert res.orientation == turn or res.orientation_uncertain
    assert res.orientation_uncertain  # the page's own cues are weak either way: a person looks


def test_clear_letter_is_not_flagged():
    from digitalisering.imaging.stage import ImagingOptions, analyse_page

    _, res = analyse_page(pagegen.letter_page(dpi=200).rotate(180, expand=True), 200, 8, ImagingOptions())
    assert res.orientation == 180 and not res.orientation_uncertain
