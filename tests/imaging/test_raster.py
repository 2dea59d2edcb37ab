"""The grey page array and its reduction: the same pixels as Pillow's conversions, cheaper."""

import numpy as np
import pytest
from PIL import Image

from digitalisering.imaging.raster import bitonal_array, grey_array, reduced_grey
from digitalisering.imaging.transform import straight_grey


@pytest.mark.parametrize("mode", ["L", "RGB", "1"])
@pytest.mark.parametrize("size", [(1371, 1869), (101, 100), (100, 101), (97, 99), (5, 1), (1, 1)])
def test_working_copy_is_what_pillow_would_give(mode, size):
    rng = np.random.default_rng(sum(size))
    page = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3)).astype(np.uint8)).convert(mode)
    for factor in (1, 2, 3):
        assert np.array_equal(reduced_grey(page, factor), np.asarray(page.convert("L").reduce(factor)))


def test_bitonal_page_as_bytes_black_and_white():
    page = Image.fromarray(np.random.default_rng(1).integers(0, 2, (40, 30)).astype(bool))
    arr = bitonal_array(page)
    assert arr.dtype == np.uint8 and set(np.unique(arr)) <= {0, 255}
    assert np.array_equal(arr, np.asarray(page.convert("L")))


def test_colour_page_is_converted_once_for_analysis_and_reading():
    page = Image.fromarray(np.random.default_rng(2).integers(0, 256, (300, 200, 3)).astype(np.uint8))
    first = grey_array(page)
    assert grey_array(page) is first  # remembered for this page
    other = page.copy()
    assert grey_array(other) is not first  # another image object: converted anew
    reading = straight_grey(page, 0.0, (250, 250, 250))
    assert reading.mode == "L" and np.array_equal(np.asarray(reading), np.asarray(page.convert("L")))
