"""The second reading: a stamp set askew, missed by the page reading, is read from its own region."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import pagegen
from digitalisering.ocr import reread
from digitalisering.ocr.completeness import measure
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import PageText, Word

DPI = 300


def stamp(lines: list[str], angle: float, pt: float = 16) -> Image.Image:
    """A rubber stamp: bold capitals in a frame, turned by ``angle`` degrees (counter-clockwise)."""
    font = ImageFont.load_default(size=round(pt / 72 * DPI))
    width = max(round(ImageDraw.Draw(Image.new("L", (1, 1))).textlength(t, font=font)) for t in lines) + 60
    im = Image.new("L", (width, len(lines) * round(pt / 72 * DPI * 1.5) + 60), 255)
    draw = ImageDraw.Draw(im)
    draw.rectangle((4, 4, im.width - 5, im.height - 5), outline=60, width=5)
    for k, text in enumerate(lines):
        draw.text((30, 30 + k * round(pt / 72 * DPI * 1.5)), text, fill=40, font=font, stroke_width=1, stroke_fill=40)
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def stamped_letter(angle: float = 14.0) -> Image.Image:
    page = pagegen.page_image(pagegen.DUTCH_LINES + ["Wij verzoeken u de tekeningen in te zenden."], dpi=DPI, font_pt=11)
    mark = stamp(["INGEKOMEN", "12 SEP 1974"], angle)
    grey = np.minimum(np.asarray(page), 255)
    x, y = 1250, 1500
    region = grey[y:y + mark.height, x:x + mark.width]
    grey[y:y + mark.height, x:x + mark.width] = np.minimum(region, np.asarray(mark))
    return Image.fromarray(grey)


def read(image: Image.Image) -> PageText:
    return ocr_page(get_engine("tesseract"), image, "nld", DPI, plan_ocr(image.width, image.height, DPI, 40))


@pytest.mark.parametrize("angle", [-12.0, 0.0, 9.5, 17.0])
def test_a_regions_own_angle_is_found(angle: float):
    mark = np.asarray(stamp(["INGEKOMEN", "12 SEP 1974", "No. 4711"], angle))
    assert reread.region_angle(mark < 128, DPI / 25.4) == pytest.approx(angle, abs=0.6)


def test_an_askew_stamp_missed_by_the_page_reading_is_read_again_where_it_is():
    page = stamped_letter()
    first = read(page)
    assert "INGEKOMEN" not in first.text  # the page reading cannot place it
    missing = measure(page, DPI, first.words)
    assert missing.uncovered_share > reread.MIN_UNCOVERED_SHARE
    second = reread.reread(get_engine("tesseract"), page, DPI, first, missing, "nld")
    old = {id(w) for w in first.words}
    added = [w for w in second.text.words if id(w) not in old]
    assert len(added) == second.read and second.added + second.replaced >= second.read > 0
    found = {w.text: w for w in added}
    assert "INGEKOMEN" in found and "SEP" in found
    word = found["INGEKOMEN"]
    assert 1250 <= word.left and word.right <= 1250 + 900 and 1500 <= word.top <= 1500 + 400  # on the stamp
    assert all(w.conf >= reread.MIN_CONF for w in added)
    covered = {w.text for w in first.words}
    assert not covered & set(found) - {"12", "1974"}  # nothing the first reading had is given twice
    after = measure(page, DPI, second.text.words)
    assert after.uncovered_share < missing.uncovered_share


class Counting:
    name = "counting"

    def __init__(self):
        self.calls = 0

    def recognise(self, image, lang, dpi, timeout=0, sparse=False):
        self.calls += 1
        return PageText(lang, [])


def test_a_page_read_well_enough_is_not_read_again():
    page = pagegen.page_image(pagegen.DUTCH_LINES, dpi=DPI, font_pt=11)
    first = read(page)
    missing = measure(page, DPI, first.words)
    engine = Counting()
    assert reread.reread(engine, page, DPI, first, missing, "nld") is None and engine.calls == 0


def test_a_region_that_cuts_a_word_takes_its_letters_whole():
    page = pagegen.page_image(["voordat de aannemer"], dpi=DPI, font_pt=12)
    grey = np.asarray(page)
    cols = np.flatnonzero((grey < 128).any(axis=0))
    rows = np.flatnonzero((grey < 128).any(axis=1))
    gaps = np.flatnonzero(np.diff(cols) > 1)
    o_start, o_end = int(cols[gaps[0] + 1]), int(cols[gaps[1]])  # the first "o" (after the "v")
    cut = ((o_start + o_end) // 2, int(rows.min()), o_end + 150, int(rows.max()) + 1)  # through the "o"
    x0, y0, x1, y1 = reread._whole_letters(grey, cut, DPI / 25.4, 250, 0)
    assert x0 == o_start and y0 <= rows.min() and (x1, y1) >= cut[2:]
    assert x1 < cols.max()  # the words further on are not taken in


def test_the_page_chain_keeps_the_words_read_again_in_words_json(tmp_path):
    """What the second reading found is in the page's words (hence its PDF text layer and ALTO)."""
    from digitalisering.ocr.model import PageText as Text
    from digitalisering.pagerecord import PageResult
    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import PageJob, run_page_chain

    src = pagegen.save(stamped_letter(), tmp_path / "p.tif", dpi=DPI, compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(tmp_path / "work"), RunOptions(jobs=1, progress=False))
    record = PageResult.from_json(run_page_chain(job))
    words = Text.read(record.artifact_path(tmp_path / "work", "words")).words
    assert record.ocr.reread_words > 0 and record.ocr.words == len(words)
    assert "INGEKOMEN" in {w.text for w in words} and "Breestraat" in {w.text for w in words}
    assert record.ocr.completeness.uncovered_share < reread.MIN_UNCOVERED_SHARE * 5
