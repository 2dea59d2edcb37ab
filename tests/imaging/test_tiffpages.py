"""Page k of a multi-page TIFF is the right page, and reaching it costs the same for every k."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from digitalisering.errors import InputFileError
from digitalisering.imaging import openfiles, tiffpages
from digitalisering.imaging.load import load_page


def _grey_pages(n: int, mode: str = "L") -> list[Image.Image]:
    """Pages of one grey value each (page i: ``_value(i)``); "I;16B" is written big-endian (MM)."""
    if mode == "I;16B":
        return [Image.frombytes(mode, (48, 40), np.full((40, 48), _value(i) * 257, ">u2").tobytes())
                for i in range(n)]
    return [Image.new(mode, (48, 40), _value(i)) for i in range(n)]


def _value(i: int) -> int:
    return (i * 37) % 251


def _multipage(path: Path, pages: list[Image.Image], **kw) -> Path:
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(200, 200), **kw)
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    openfiles._tiff_offsets.cache_clear()
    yield
    openfiles._tiff_offsets.cache_clear()


@pytest.mark.parametrize("kw, mode", [
    ({"compression": "tiff_lzw"}, "L"),      # little-endian, libtiff decodes
    ({"compression": "group4"}, "1"),        # bitonal, libtiff decodes
    ({}, "I;16B"),                           # big-endian (MM), raw strips Pillow reads itself
    ({"big_tiff": True}, "L"),               # BigTIFF: 8-byte offsets
])
def test_every_page_is_its_own_page(tmp_path: Path, kw: dict, mode: str):
    n = 7
    if mode == "1":
        pages = [Image.new("1", (40 + i, 30), i % 2) for i in range(n)]
    else:
        pages = _grey_pages(n, mode)
    path = _multipage(tmp_path / "m.tif", pages, **kw)
    assert len(tiffpages.ifd_offsets(path)) == n
    for k in reversed(range(n)):  # any order: no page depends on the one loaded before
        page = load_page(path, k, "TIFF")
        assert page.info.dpi == 200
        if mode == "1":
            assert page.image.size == (40 + k, 30)
            assert np.asarray(page.image).all() == bool(k % 2)
        else:
            assert np.asarray(page.image).min() == np.asarray(page.image).max() == _value(k)
    with pytest.raises(InputFileError, match="page 8 does not exist"):
        load_page(path, n, "TIFF")


def test_page_k_reads_a_fixed_number_of_directories_and_the_chain_once(tmp_path: Path, monkeypatch):
    n = 300
    path = _multipage(tmp_path / "many.tif", _grey_pages(n), compression="tiff_lzw")
    reads = {"ifd": 0, "walks": 0}
    real_load, real_walk = TiffImagePlugin.ImageFileDirectory_v2.load, tiffpages.ifd_offsets

    def counting_load(self, fp):
        reads["ifd"] += 1
        return real_load(self, fp)

    def counting_walk(p):
        reads["walks"] += 1
        return real_walk(p)

    monkeypatch.setattr(TiffImagePlugin.ImageFileDirectory_v2, "load", counting_load)
    monkeypatch.setattr(tiffpages, "ifd_offsets", counting_walk)
    per_page = []
    for k in range(n):
        before = reads["ifd"]
        load_page(path, k, "TIFF")
        per_page.append(reads["ifd"] - before)
    # Pillow alone reads k + 1 directories to reach page k (45,150 for this file)
    assert max(per_page) <= 3 and per_page[-1] == per_page[1]
    assert reads["walks"] == 1


def test_a_file_replaced_on_disk_is_read_again(tmp_path: Path):
    path = _multipage(tmp_path / "m.tif", _grey_pages(3), compression="tiff_lzw")
    assert np.asarray(load_page(path, 2, "TIFF").image)[0, 0] == _value(2)
    _multipage(path, _grey_pages(5)[2:], compression="tiff_lzw")  # now 3 other pages
    assert np.asarray(load_page(path, 2, "TIFF").image)[0, 0] == _value(4)


def test_a_directory_chain_that_loops_ends_as_pillow_counts_it(tmp_path: Path):
    path = _multipage(tmp_path / "m.tif", _grey_pages(3))
    offsets = tiffpages.ifd_offsets(path)
    data = bytearray(path.read_bytes())
    # point the last directory's next pointer back at the first
    count = int.from_bytes(data[offsets[2]:offsets[2] + 2], "little")
    at = offsets[2] + 2 + 12 * count
    data[at:at + 4] = offsets[0].to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with Image.open(path) as im:
        assert im.n_frames == len(tiffpages.ifd_offsets(path)) == 3


def test_a_directory_beyond_the_end_of_the_file_is_a_one_line_reason(tmp_path: Path):
    path = _multipage(tmp_path / "m.tif", _grey_pages(2))
    data = bytearray(path.read_bytes())
    data[4:8] = (len(data) + 1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match="damaged TIFF file: page 1 lies beyond the end of the file"):
        load_page(path, 0, "TIFF")
