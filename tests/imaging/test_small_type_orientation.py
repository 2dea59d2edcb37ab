"""Small typewriter-like type on a low-resolution page (about 125 ppi, no resolution stored: a
1,024 px wide web copy of a typed sheet): its orientation is decided right, or flagged for review,
never silently wrong (issue 17, item 5)."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import pagegen
from digitalisering.imaging.ink import find_ink, working_image
from digitalisering.imaging.orientation import ORIENTATION_REVIEW_BELOW, estimate_orientation
from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.ocr.engines import OrientationGuess

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"  # fonts-dejavu-core (scripts/setup.sh)


def typed_sheet(dpi: int = 125, pt: float = 9, lines: int = 6) -> Image.Image:
    """A short typed note in a monospaced face, slightly blurred and JPEG-compressed like a scan."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("L", (w, h), 225)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(MONO, round(pt / 72 * dpi))
    y = round(0.1 * h)
    for line in pagegen.LETTER_LINES[:lines]:
        draw.text((round(0.12 * w), y), line, fill=70, font=font)
        y += round(pt / 72 * dpi * 1.5)
    buf = io.BytesIO()
    im.filter(ImageFilter.GaussianBlur(0.7)).save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


@pytest.mark.parametrize("turn", [0, 180])
def test_small_type_at_125_ppi_is_decided_right(turn: int):
    page = typed_sheet()
    assert page.width < 1100
    _, result = analyse_page(page.rotate(turn, expand=True) if turn else page, None, 8, ImagingOptions())
    # right or flagged, never silently wrong
    assert result.orientation == turn or result.orientation_uncertain
    # and, analysed on an enlarged copy, decided without a person (the working copy alone left
    # the letters too small for the up/down cues: flagged)
    assert result.orientation == turn
    assert not result.orientation_uncertain


class SaysTurned:
    """An OSD that reads the crop as upside down with a middling confidence (what tesseract said
    on an upright 1,024 px typed page whose letters were 8 px tall)."""

    def detect_orientation(self, image, dpi, timeout=60):
        return OrientationGuess(rotate=180, confidence=2.5)


def test_osd_on_tiny_letters_alone_never_turns_a_page_unflagged():
    # three short lines, letters 7 px tall: the page's own cues are weak, OSD is asked
    ink = find_ink(working_image(pagegen.page_image(pagegen.LETTER_LINES[:3], dpi=150, font_pt=6), 150))
    assert 0 < ink.text_height < 9
    est = estimate_orientation(ink, osd=SaysTurned())
    assert est.orientation == 180 and est.method == "text+osd"
    assert est.confidence < ORIENTATION_REVIEW_BELOW


def test_osd_on_letters_of_normal_size_keeps_its_weight():
    ink = find_ink(working_image(pagegen.page_image(pagegen.LETTER_LINES[:3], dpi=150, font_pt=9), 150))
    est = estimate_orientation(ink, osd=SaysTurned())
    assert est.method == "text+osd"
    assert est.confidence == pytest.approx(0.5)
