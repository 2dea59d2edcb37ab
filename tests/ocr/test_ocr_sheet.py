"""The sheet the OCR second passes read: crops laid out, words found on them and brought back."""

from __future__ import annotations

import numpy as np

from digitalisering.ocr import sheet
from digitalisering.ocr.model import Word


def test_crops_lie_one_under_the_other_and_a_words_middle_finds_its_crop():
    a, b = np.full((30, 100), 0, np.uint8), np.full((50, 60), 0, np.uint8)
    made = sheet.lay_out([(a, sheet.scaled(1.0, (500, 700), "a")), (b, sheet.scaled(2.0, (10, 20), "b"))], 250)
    picture = np.asarray(made.picture)
    gap = sheet.GAP_PX
    assert picture.shape == (gap + 30 + gap + 50 + gap, 100 + 2 * gap)
    assert (picture[gap:gap + 30, gap:gap + 100] == 0).all() and (picture[:gap] == 250).all()
    second_top = gap + 30 + gap
    assert (picture[second_top:second_top + 50, gap:gap + 60] == 0).all()
    on_b = Word("b", gap + 10, second_top + 4, 20, 10, 90.0)
    assert made.tile_of(on_b).key == "b"
    assert made.tile_of(Word("gap", gap, gap + 32, 10, 4, 90.0)) is None  # in the paper between them
    # enlarged twice, from the page's (10, 20): 10 sheet pixels in is 5 page pixels in
    assert made.tile_of(on_b).to_page(on_b) == Word("b", 15, 22, 10, 5, 90.0)


def test_a_turned_and_enlarged_crop_gives_its_words_back_where_they_are_on_the_page():
    crop = np.full((60, 120), 250, np.uint8)
    crop[28:33, 48:53] = 0  # a dot at the crop's (50, 30): the page's (350, 430)
    turned, back = sheet.turn(crop, 10.0, 2.0, 250, (300, 400))
    assert turned.shape[0] > 2 * 60 and turned.shape[1] > 2 * 120  # the whole crop, turned, enlarged
    made = sheet.lay_out([(turned, sheet.affine(back, (300, 400, 420, 460)))], 250)
    ys, xs = np.nonzero(np.asarray(made.picture) < 128)
    dot = Word("x", int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1), 80.0)
    found = made.tile_of(dot).to_page(dot)
    assert abs(found.left + found.width / 2 - 350.5) <= 1.5 and abs(found.top + found.height / 2 - 430.5) <= 1.5


def test_a_ring_strips_words_come_back_along_the_arc():
    # a strip of a ring around (1000, 1000), radii 100..200, running clockwise from 180 degrees
    made = sheet.lay_out([(np.zeros((100, 400), np.uint8),
                           sheet.ring(centre=(1000.0, 1000.0), r_in=100.0, r_out=200.0, start=180.0, sign=1,
                                      px_per_deg=2.0, scale=1.0, box=(800, 800, 1200, 1200)))], 255)
    # 180 sheet pixels in: 90 degrees on from 180 (clockwise in image axes: straight up), at the ring's outer edge
    w = Word("TOP", sheet.GAP_PX + 170, sheet.GAP_PX, 20, 10, 90.0)
    got = made.tile_of(w).to_page(w)
    assert abs((got.left + got.right) / 2 - 1000) < 3 and 795 <= got.top <= 802 and got.bottom <= 815


def test_the_budget_stops_the_sheet_and_leaves_the_rest_unmade():
    asked = []

    def crops():
        for k in range(10):
            asked.append(k)
            yield np.zeros((960, 960), np.uint8), sheet.scaled(1.0, (0, 0), k)

    made = sheet.lay_out(crops(), 255, max_megapixels=3.0)  # each crop counts (960 + 40)² = 1 megapixel
    assert [t.key for t in made.tiles] == [0, 1, 2] and asked == [0, 1, 2, 3]
    assert sheet.lay_out(iter(()), 255) is None


def test_ink_paper_and_centres():
    grey = np.full((100, 100), 200, np.uint8)
    grey[10:20, 10:20] = 100
    assert sheet.paper_grey(grey) == 200
    assert sheet.ink_mask(grey).sum() == 100 and sheet.ink_mask(grey, 0.4).sum() == 0
    word = Word("a", 0, 0, 10, 10, 90.0)  # centre (5, 5)
    assert not sheet.centre_in(word, (0, 0, 5, 5)) and sheet.centre_in(word, (0, 0, 5, 5), closed=True)
    assert sheet.centre_in(word, (5, 5, 6, 6))
