"""The copy OCR reads: flattened paper and small type enlarged (ocr.enhance, ocr.engine's plan)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

import pagegen
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.enhance import (
    MAX_UPSCALE,
    SMALL_MAX_UPSCALE,
    TINY_LETTER_PX,
    flatten,
    text_height,
    upscale_factor,
)

WORDS = {w.strip(",.:") for line in pagegen.LETTER_LINES for w in line.split()} - {""}


def found(text: str) -> float:
    """Share of the letter's distinct words that were read."""
    got = {w.strip(",.:") for w in text.split()}
    return len(WORDS & got) / len(WORDS)


def grey_paper_with_black_border(dpi: int = 200) -> Image.Image:
    """A typed letter in faint ink on grey, darkening paper, with the scanner's black border on
    two sides: one global threshold cannot separate the type from this paper."""
    page = np.asarray(pagegen.letter_page(dpi=dpi), dtype=np.float32)  # paper 250, type 15
    h, w = page.shape
    paper = 165 - 45 * np.linspace(0, 1, w)[None, :]  # grey, darker to the right
    ink = paper - 40
    out = np.where(page < 128, ink, paper).repeat(1, axis=0)
    out = np.broadcast_to(out, (h, w)).copy()
    out[:, : w // 16] = 8
    out[: h // 20, :] = 8
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def test_flattening_makes_paper_and_border_white_and_keeps_the_type():
    page = grey_paper_with_black_border()
    flat = np.asarray(flatten(page, 200))
    assert np.median(flat[:, : page.width // 10]) > 240  # the black border is gone
    assert np.median(flat[page.height // 2:, page.width // 2:]) > 240  # the grey paper is white
    assert flat.min() < 200  # the type is still there


def test_a_letter_on_grey_paper_beside_a_black_border_is_read_once_flattened():
    page = grey_paper_with_black_border()
    engine = get_engine("tesseract")
    plan = plan_ocr(page.width, page.height, 200, 40)
    as_scanned = found(ocr_page(engine, page, "nld", 200, plan).text)
    flattened = found(ocr_page(engine, flatten(page, 200), "nld", 200, plan).text)
    assert flattened >= 0.85 and flattened > as_scanned + 0.2


def test_a_bitonal_page_and_one_on_light_paper_are_not_flattened():
    page = pagegen.letter_page(dpi=150, mode="1")
    assert flatten(page, 150) is page
    light = pagegen.letter_page(dpi=150)  # paper 250
    assert flatten(light, 150) is light


def test_letter_height_follows_the_type_size_and_only_small_type_is_enlarged():
    small = text_height(flatten(pagegen.letter_page(dpi=75), 75), 75)
    normal = text_height(flatten(pagegen.letter_page(dpi=300), 300), 300)
    assert small is not None and normal is not None
    assert 3.2 < normal / small < 4.8  # 300 / 75 ppi
    assert upscale_factor(small) >= 1.5
    assert upscale_factor(normal) == 1.0
    assert upscale_factor(None) == 1.0
    assert upscale_factor(1.0) == MAX_UPSCALE
    assert text_height(flatten(Image.new("L", (800, 1000), 240), 100), 100) is None  # nothing to measure


def worn_small_scan(dpi: int = 100) -> Image.Image:
    """The letter in few pixels and worn as real small scans are: slightly blurred, grainy (seeded
    noise) and saved as a coarse JPEG. Clean synthetic type at this size is read as well as at
    300 ppi; it is the wear that small type cannot afford (bench/ocr_real.py)."""
    page = pagegen.letter_page(dpi=dpi).filter(ImageFilter.GaussianBlur(0.7))
    grain = np.random.default_rng(1).normal(0, 25, (page.height, page.width))
    page = Image.fromarray(np.clip(np.asarray(page, dtype=np.float64) + grain, 0, 255).astype(np.uint8))
    data = io.BytesIO()
    page.save(data, "JPEG", quality=30)
    return Image.open(data).convert("L")


def test_small_worn_type_is_read_enlarged_with_its_boxes_in_the_pages_own_pixels():
    # an A4 letter scanned at 100 ppi that claims 240 ppi: its letters are 8 pixels high
    page = worn_small_scan()
    engine = get_engine("tesseract")
    upscale = upscale_factor(text_height(flatten(page, 240), 240))
    plan = plan_ocr(page.width, page.height, 240, 40, upscale)
    assert plan.enlarged and plan.dpi == 240 * plan.scale
    as_is = ocr_page(engine, page, "nld", 240, plan_ocr(page.width, page.height, 240, 40))
    enlarged = ocr_page(engine, page, "nld", 240, plan)
    assert found(enlarged.text) >= 0.8 and found(enlarged.text) > found(as_is.text) + 0.05
    assert (enlarged.width, enlarged.height, enlarged.dpi) == (page.width, page.height, 240)
    assert all(0 <= w.left and w.right <= page.width and w.bottom <= page.height for w in enlarged.words)
    leiden = next(w for w in enlarged.words if w.text.startswith("Leiden"))
    ink = np.asarray(page)[leiden.top:leiden.bottom, leiden.left:leiden.right]
    assert ink.min() < 100  # the box lies on the word in the page's pixels


def test_type_of_nine_pixels_and_more_is_enlarged_twice_at_most_and_tiny_type_three_times():
    # twice is where a larger enlargement costs time and reads no more (bench/ocr_real.py --reduced)
    assert upscale_factor(TINY_LETTER_PX - 1) == MAX_UPSCALE == 3.0
    assert upscale_factor(TINY_LETTER_PX) == upscale_factor(11.0) == SMALL_MAX_UPSCALE == 2.0
    assert 1.5 <= upscale_factor(13.0) < SMALL_MAX_UPSCALE  # 24 / 13
    # an A4 letter at 120 ppi claiming 240: letters 10 pixels high, read at twice its size, not more
    page = worn_small_scan(dpi=120)
    letters = text_height(flatten(page, 240), 240)
    assert letters is not None and TINY_LETTER_PX <= letters < 12
    plan = plan_ocr(page.width, page.height, 240, 40, upscale_factor(letters))
    assert plan.scale == SMALL_MAX_UPSCALE
    assert found(ocr_page(get_engine("tesseract"), page, "nld", 240, plan).text) >= 0.8


def test_enlarging_stays_within_the_pixel_limit():
    plan = plan_ocr(4000, 5000, 300, 40, 3.0)
    assert plan.scale * plan.scale * 4000 * 5000 <= 40e6 * 1.001
    assert plan_ocr(7000, 7000, 300, 40, 3.0).scale < 1.0  # a page too large already is reduced


def worn_ribbon(dpi: int = 300) -> Image.Image:
    """The letter typed with a worn ribbon on light paper (read as it is, not flattened): type at
    grey 172 on paper 234, with the scan's grain (seeded): a few of each letter's pixels are darker
    than the fixed ink level."""
    page = np.asarray(pagegen.letter_page(dpi=dpi), dtype=np.float64)
    faint = np.where(page < 128, 172.0, 234.0) + np.random.default_rng(2).normal(0, 6, page.shape)
    return Image.fromarray(np.clip(faint, 0, 255).astype(np.uint8))


def test_faint_type_on_light_paper_is_measured_whole_and_not_enlarged():
    # the fixed ink level saw only the darkest specks of each letter: a 300 ppi page was
    # measured at a few pixels and read three times enlarged (bench/ocr_degrade.py, faint)
    page = worn_ribbon()
    assert flatten(page, 300) is page  # light paper: read as it is
    dark = text_height(pagegen.letter_page(dpi=300), 300)
    faint = text_height(page, 300)
    assert faint is not None and 0.75 * dark <= faint <= 1.4 * dark
    assert upscale_factor(faint) == 1.0
