"""Stamps shaped like the held-out misses (``tests/stampgen.py``): their words are read."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

import stampgen
from digitalisering.ocr import stamps
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import PageText

DPI = 300


def test_a_generated_page_is_the_same_for_the_same_seed_and_its_truth_holds_its_stamps():
    a, dpi, truth = stampgen.stamp_page(3, size_mm=(120, 150))
    b, _, again = stampgen.stamp_page(3, size_mm=(120, 150))
    assert dpi == DPI and truth == again and np.array_equal(np.asarray(a), np.asarray(b))
    assert any(line["kind"] == "stamp" for line in truth) and any(line["kind"] == "typed" for line in truth)
    c, _, other = stampgen.stamp_page(4, size_mm=(120, 150))
    assert other != truth or not np.array_equal(np.asarray(a), np.asarray(c))


def stamp_on_paper(stamp: stampgen.Stamp, px: int, angle: float, seed: int, ink: float = 0.55,
                   paper: int = 235) -> Image.Image:
    """``stamp`` alone on grey paper (a grey scan of a stamp over clear paper)."""
    mask = np.asarray(stampgen.stamp_mask(stamp, px, angle, random.Random(seed)), np.float32) / 255
    page = np.full((mask.shape[0] + 200, mask.shape[1] + 200), paper, np.float32)
    page[100:-100, 100:-100] *= 1 - mask * ink
    return Image.fromarray(page.astype(np.uint8))


def read(image: Image.Image) -> list[str]:
    empty = PageText("nld", [], width=image.width, height=image.height, dpi=DPI)
    got = stamps.read_stamps(get_engine("tesseract"), image, DPI, empty, "nld")
    return [w.text for w in got.text.words] if got else []


@pytest.mark.parametrize("angle", [-17.0, 9.0])
def test_a_round_stamps_centre_word_running_across_its_inner_circle_is_read(angle):
    # the inner circle, painted over as one curve, took the letters touching it along ('OEDGEKEUR')
    stamp = stampgen.Stamp("round", ("GOEDGEKEURD", "05 OKT 1909"), "GEMEENTE LEIDEN")
    words = read(stamp_on_paper(stamp, 48, angle, seed=1))
    assert "GOEDGEKEURD" in words
    assert {"GEMEENTE", "LEIDEN", "OKT", "1909"} <= set(words)
