"""Drawings are straightened by their frame, title block and long lines."""

import pytest
from PIL import Image, ImageDraw

from digitalisering.imaging.ink import find_ink, working_image
from digitalisering.imaging.line_skew import measure_line_skew
from digitalisering.imaging.stage import ImagingOptions, analyse_page


def drawing(dpi: int = 100, size_mm: tuple[int, int] = (594, 420)) -> Image.Image:
    """An A2 drawing: a frame, a title block with rules at the bottom right, a floor plan, a few labels."""
    mm = dpi / 25.4
    w, h = round(size_mm[0] * mm), round(size_mm[1] * mm)
    im = Image.new("L", (w, h), 245)
    d = ImageDraw.Draw(im)
    d.rectangle([round(10 * mm), round(10 * mm), w - round(10 * mm), h - round(10 * mm)], outline=20, width=3)
    x0, y0 = w - round(190 * mm), h - round(60 * mm)
    d.rectangle([x0, y0, w - round(10 * mm), h - round(10 * mm)], outline=20, width=2)
    for i in range(1, 5):
        y = y0 + round(10 * i * mm)
        d.line([x0, y, w - round(10 * mm), y], fill=20, width=1)
    d.rectangle([round(80 * mm), round(80 * mm), round(260 * mm), round(250 * mm)], outline=20, width=4)
    d.line([round(80 * mm), round(160 * mm), round(260 * mm), round(160 * mm)], fill=20, width=2)
    for i, text in enumerate(["PLATTEGROND 1:100", "KEUKEN", "WOONKAMER", "BOUWPLAN"]):
        d.text((round((90 + 40 * i) * mm), round((60 + 30 * i) * mm)), text, fill=20)
    return im


@pytest.mark.parametrize("angle", [2.5, -2.5, 1.2, -3.0])
def test_drawing_turned_a_few_degrees_is_measured_from_its_lines(angle: float):
    turned = drawing().rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    lines = measure_line_skew(find_ink(working_image(turned, 100)))
    assert lines.certain
    assert lines.angle == pytest.approx(angle, abs=0.3)


def test_drawing_is_straightened_and_keeps_its_orientation():
    turned = drawing().rotate(2.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    out, res = analyse_page(turned, 100, 8, ImagingOptions())
    assert res.large_format and res.orientation == 0 and out.size == turned.size
    assert res.skew_method == "lines"
    assert res.deskew_deg == pytest.approx(2.5, abs=0.3)


def test_scattered_short_strokes_leave_the_drawing_as_scanned():
    """No long ruled lines: nothing to straighten by, so the skew is not made up."""
    mm = 100 / 25.4
    im = Image.new("L", (round(594 * mm), round(420 * mm)), 245)
    d = ImageDraw.Draw(im)
    for i in range(40):  # short sketchy strokes in all directions, none 60 mm long
        x, y = round((40 + 12 * i) * mm), round((60 + (i * 37) % 300) * mm)
        d.line([x, y, x + round(20 * mm), y + round(((i * 7) % 21 - 10) * mm)], fill=20, width=2)
    lines = measure_line_skew(find_ink(working_image(im, 100)))
    assert not lines.certain and lines.confidence == 0.0
