"""A drawing scanned on its side or upside down is turned upright by its text (title block,
labels, dimensions), or flagged for review: never silently wrong (issue 17, items 4 and 5)."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.ocr.engines import get_engine, orientation_detector

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core (scripts/setup.sh)
DPI = 150
TITLE_ROWS = [("WERK", "het verbouwen van een woonhuis met garage"), ("PERCEEL", "Morsweg 138 te Leiden"),
              ("OPDRACHTGEVER", "C. van den Berg, Haagweg 12"), ("SCHAAL", "1:100 en 1:20"),
              ("GETEKEND", "A. Bakker 29-6-1974"), ("BLAD", "1 van 2")]


def drawing(title_block_top_left: bool = False) -> Image.Image:
    """An A2 drawing, landscape: a frame, a title block of small text at the bottom right (or, against
    the convention, top left), a plan with a few labels and dimension lines."""
    mm = DPI / 25.4
    w, h = round(594 * mm), round(420 * mm)
    im = Image.new("L", (w, h), 245)
    d = ImageDraw.Draw(im)
    small, label, head = (ImageFont.truetype(SANS, round(pt / 72 * DPI)) for pt in (7, 9, 12))
    d.rectangle([round(10 * mm), round(10 * mm), w - round(10 * mm), h - round(10 * mm)], outline=20, width=4)
    x0, y0 = (round(10 * mm), round(10 * mm)) if title_block_top_left else (w - round(190 * mm), h - round(80 * mm))
    dx = 260 if title_block_top_left else 0  # the plan moves out of the title block's way
    d.rectangle([x0, y0, x0 + round(180 * mm), y0 + round(70 * mm)], outline=20, width=3)
    d.text((x0 + round(4 * mm), y0 + round(3 * mm)), "BOUWKUNDIG BUREAU A. BAKKER", fill=20, font=head)
    for i, (key, value) in enumerate(TITLE_ROWS):
        y = y0 + round((14 + 9 * i) * mm)
        d.line([x0, y, x0 + round(180 * mm), y], fill=20, width=2)
        d.text((x0 + round(3 * mm), y + round(2 * mm)), key, fill=20, font=small)
        d.text((x0 + round(50 * mm), y + round(2 * mm)), value, fill=20, font=label)
    d.rectangle([round((60 + dx) * mm), round(60 * mm), round((300 + dx) * mm), round(260 * mm)], outline=20, width=5)
    d.line([round((60 + dx) * mm), round(160 * mm), round((300 + dx) * mm), round(160 * mm)], fill=20, width=3)
    for text, (x, y) in (("PLATTEGROND BEGANE GROND 1:100", (60, 40)), ("KEUKEN", (90, 110)),
                         ("WOONKAMER", (180, 210)), ("SLAAPKAMER", (200, 100)), ("HAL", (90, 200))):
        d.text((round((x + dx) * mm), round(y * mm)), text, fill=20, font=head if x == 60 else label)
    for y, text in ((275, "12400"), (290, "8250")):  # dimension lines with their figures
        d.line([round((60 + dx) * mm), round(y * mm), round((300 + dx) * mm), round(y * mm)], fill=20, width=1)
        d.text((round((170 + dx) * mm), round((y - 6) * mm)), text, fill=20, font=small)
    return im


@pytest.fixture(scope="module")
def osd():
    detector = orientation_detector(get_engine("tesseract"))
    assert detector is not None
    return detector


@pytest.mark.slow
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turned_drawing_comes_out_upright(turn, osd):
    """Before the drawing fix a drawing on its side was kept as scanned (flagged, but wrong)."""
    page = drawing().rotate(turn + 1.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    out, res = analyse_page(page, DPI, 8, ImagingOptions(osd=osd))
    assert res.large_format
    assert res.orientation == turn, res.orientation_method
    assert not res.orientation_uncertain
    assert out.width > out.height  # upright: landscape again
    assert res.deskew_deg == pytest.approx(1.5, abs=0.3)


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 270])
def test_drawing_without_osd_is_never_silently_wrong(turn):
    """Without the engine's orientation detection there is no reading of the letters: the drawing
    may stay as scanned, but then it is flagged for review."""
    page = drawing().rotate(turn, expand=True, fillcolor=245)
    _, res = analyse_page(page, DPI, 8, ImagingOptions())
    assert res.orientation == turn or res.orientation_uncertain


@pytest.mark.slow
def test_title_block_top_left_disagreeing_with_osd_is_flagged(osd):
    """The title block's usual place (bottom right) is a check on OSD: a drawing whose densest
    text sits top left while OSD reads it upright is left to a person."""
    _, res = analyse_page(drawing(title_block_top_left=True), DPI, 8, ImagingOptions(osd=osd))
    assert res.orientation == 0
    assert res.orientation_uncertain
    assert 0 < res.orientation_confidence < 0.5  # OSD read it, the title block's place disagreed
