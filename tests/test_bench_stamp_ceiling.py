"""bench/stamp_ceiling.py: the crop is the truth box's pixels of the scan, the count follows the labels."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

SPEC = importlib.util.spec_from_file_location(
    "stamp_ceiling", Path(__file__).resolve().parents[1] / "bench" / "stamp_ceiling.py")
ceiling = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ceiling)


def test_the_crop_holds_the_scan_pixels_of_the_upright_box():
    # a scan whose upright page lies shifted by (40, 25): a black block at upright (100..140, 60..80)
    scan = np.full((300, 400), 255, np.uint8)
    scan[85:105, 140:180] = 0
    page = {"upright_to_image": [[1.0, 0.0, 40.0], [0.0, 1.0, 25.0]]}
    crop = np.asarray(ceiling.crop_line(Image.fromarray(scan), page, [100, 60, 140, 80], margin=0.0))
    pad = 8  # the fixed pad of crop_line
    assert crop.shape == (20 + 2 * pad, 40 + 2 * pad)
    assert (crop[pad:-pad, pad:-pad] == 0).all()
    assert (crop[:pad - 1] == 255).all() and (crop[:, -pad + 1:] == 255).all()


def test_the_count_takes_one_verdict_per_missed_word():
    missed = {"a-1-2": 2, "a-3-4": 1, "b-5-6": 2, "b-7-8": 1}
    labels = {"a-1-2": "legible", "a-3-4": "absent", "b-5-6": ["borderline", "legible"]}
    assert ceiling.ceiling_counts(missed, labels) == Counter(legible=3, absent=1, borderline=1, unlabelled=1)


def test_the_contact_sheet_holds_every_crop_with_room_for_its_caption():
    crops = [("x", "one", Image.new("L", (50, 30), 0)), ("y", "two", Image.new("L", (80, 20), 0))]
    sheet = ceiling.contact_sheet(crops)
    assert sheet.size == (80, 30 + 20 + 2 * 22)
