"""A PDF page image is checked against what it holds, not what its dictionary claims: a JPEG's own
size, a sane claimed size, and Flate/LZW/RunLength data that may not inflate beyond the claim
(decoded piece by piece: the memory of the process does not grow with the bomb)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

import pagegen
from pagegen import deflated_zeros, jpeg_bytes
from digitalisering.errors import InputFileError
from digitalisering.imaging import openfiles
from digitalisering.imaging.load import load_page


@pytest.fixture(autouse=True)
def _fresh_cache():
    openfiles.open_pdfs.clear()
    yield
    openfiles.open_pdfs.clear()


def tiff_lzw_strip(image: Image.Image) -> bytes:
    """LZW data as PDF's LZWDecode reads it (TIFF LZW is the same code, early change on)."""
    buf = io.BytesIO()
    image.save(buf, format="TIFF", compression="tiff_lzw", tiffinfo={278: image.height})
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        (offset,), (count,) = im.tag_v2[273], im.tag_v2[279]
    return buf.getvalue()[offset:offset + count]


def test_a_small_claim_over_a_big_jpeg_is_refused(tmp_path: Path):
    path = pagegen.one_image_pdf(tmp_path / "lie.pdf", jpeg_bytes((4000, 3000)), Width=100, Height=100,
                         Filter=pikepdf.Name.DCTDecode)
    with pytest.raises(InputFileError, match="says 100x100 pixels but its JPEG data is 4000x3000"):
        load_page(path, 0, "PDF")


def test_a_true_claim_over_the_limit_is_refused_before_decoding(tmp_path: Path):
    path = pagegen.one_image_pdf(tmp_path / "big.pdf", jpeg_bytes((4000, 3000)), Width=4000, Height=3000,
                         Filter=pikepdf.Name.DCTDecode)
    with pytest.raises(InputFileError, match="4000x3000 = 12 megapixels exceeds the limit of 10 megapixels"):
        load_page(path, 0, "PDF", max_pixels=10_000_000)


@pytest.mark.parametrize("width, height, message", [
    (-100, 100, "impossible size of -100x100 pixels"),
    (100, 0, "impossible size of 100x0 pixels"),
    (pikepdf.objects.Object.parse(b"100.5"), 100, "impossible size of 100.5x100 pixels"),
    (2**31, 2**31, "exceeds the limit of 250 megapixels"),
    (20_000_000, 16, "exceeds the limit of 250 megapixels"),
    (15_000_000, 8, "too small to be a scanned page"),
])
def test_impossible_claimed_sizes_are_refused(tmp_path: Path, width, height, message):
    path = pagegen.one_image_pdf(tmp_path / "claim.pdf", jpeg_bytes((100, 100)), Width=width, Height=height,
                         Filter=pikepdf.Name.DCTDecode)
    with pytest.raises(InputFileError, match=message) as info:
        load_page(path, 0, "PDF")
    assert "\n" not in str(info.value)


def test_a_flate_stream_that_inflates_beyond_its_claim_is_refused():
    data = deflated_zeros(20 << 20)
    with pytest.raises(InputFileError, match="decodes to more than the 1.0 MB its claimed size allows"):
        _load_bytes(data, Width=1000, Height=1000, Filter=pikepdf.Name.FlateDecode)


def _load_bytes(data: bytes, **image_dict):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = pagegen.one_image_pdf(Path(tmp) / "p.pdf", data, **image_dict)
        try:
            return load_page(path, 0, "PDF")
        finally:
            openfiles.open_pdfs.clear()


BOMB_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from digitalisering.errors import InputFileError
    from digitalisering.imaging.load import load_page
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        load_page(Path(sys.argv[1]), 0, "PDF")
        reason = None
    except InputFileError as exc:
        reason = str(exc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"base_mb": base / 1024, "peak_mb": peak / 1024, "reason": reason}))
""")


def test_a_flate_bomb_is_refused_without_holding_it_in_memory(tmp_path: Path):
    bomb = 300 << 20  # 300 MB of zeros in a ~300 KB stream, claimed to be a 1000x1000 grey image
    path = pagegen.one_image_pdf(tmp_path / "bomb.pdf", deflated_zeros(bomb), Width=1000, Height=1000,
                         Filter=pikepdf.Name.FlateDecode)
    assert path.stat().st_size < 1 << 20
    run = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["reason"] and "decompression bomb" in out["reason"]
    # the whole process stays small and its peak does not grow with the bomb (300 MB)
    assert out["peak_mb"] < 1500
    assert out["peak_mb"] - out["base_mb"] < 50


def test_a_flate_image_with_png_predictor_decodes_as_it_was():
    rgb = np.random.default_rng(1).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(40))  # PNG filter type None per row
    page = _load_bytes(zlib.compress(rows), Width=60, Height=40, ColorSpace=pikepdf.Name.DeviceRGB,
                       Filter=pikepdf.Name.FlateDecode,
                       DecodeParms=pikepdf.Dictionary(Predictor=15, Colors=3, BitsPerComponent=8, Columns=60))
    assert page.image.mode == "RGB" and np.array_equal(np.asarray(page.image), rgb)


def test_text_encodings_before_flate_decode():
    grey = np.random.default_rng(2).integers(0, 256, (30, 50), dtype=np.uint8)
    data = zlib.compress(grey.tobytes()).hex().encode() + b">"
    page = _load_bytes(data, Width=50, Height=30,
                       Filter=pikepdf.Array([pikepdf.Name.ASCIIHexDecode, pikepdf.Name.FlateDecode]))
    assert np.array_equal(np.asarray(page.image), grey)


def test_an_lzw_image_decodes_and_an_lzw_bomb_is_refused():
    grey = np.random.default_rng(3).integers(0, 4, (64, 80), dtype=np.uint8) * 60
    page = _load_bytes(tiff_lzw_strip(Image.fromarray(grey)), Width=80, Height=64,
                       Filter=pikepdf.Name.LZWDecode)
    assert np.array_equal(np.asarray(page.image), grey)
    bomb = tiff_lzw_strip(Image.new("L", (8000, 4000), 0))  # 32 MB of zeros in a few KB
    assert len(bomb) < 100_000
    with pytest.raises(InputFileError, match="decompression bomb"):
        _load_bytes(bomb, Width=100, Height=100, Filter=pikepdf.Name.LZWDecode)


def test_a_runlength_bomb_is_refused():
    grey = np.full((20, 30), 77, dtype=np.uint8)
    runs = b"".join(b"\xe3\x4d" for _ in range(20))  # 257 - 0xe3 = 30 bytes of 77 per row
    page = _load_bytes(runs + b"\x80", Width=30, Height=20, Filter=pikepdf.Name.RunLengthDecode)
    assert np.array_equal(np.asarray(page.image), grey)
    bomb = b"\x81\x00" * 200_000  # 128 zeros per two bytes: 25 MB
    with pytest.raises(InputFileError, match="decompression bomb"):
        _load_bytes(bomb, Width=100, Height=100, Filter=pikepdf.Name.RunLengthDecode)


def test_a_jpeg_inside_flate_is_measured_too():
    data = zlib.compress(jpeg_bytes((2000, 1500)))
    with pytest.raises(InputFileError, match="says 100x100 pixels but its JPEG data is 2000x1500"):
        _load_bytes(data, Width=100, Height=100,
                    Filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode]))


def test_a_filter_after_an_image_codec_is_refused():
    with pytest.raises(InputFileError, match="image codec DCTDecode is not the last filter"):
        _load_bytes(zlib.compress(jpeg_bytes((100, 100))), Width=100, Height=100,
                    Filter=pikepdf.Array([pikepdf.Name.DCTDecode, pikepdf.Name.FlateDecode]))


def test_an_uncompressed_and_a_group4_image_decode_as_they_were():
    grey = np.random.default_rng(4).integers(0, 256, (24, 40), dtype=np.uint8)
    assert np.array_equal(np.asarray(_load_bytes(grey.tobytes(), Width=40, Height=24).image), grey)
    bits = Image.fromarray(np.random.default_rng(5).integers(0, 2, (32, 48), dtype=np.uint8) * 255).convert("1")
    buf = io.BytesIO()
    bits.save(buf, format="TIFF", compression="group4", tiffinfo={278: 32})
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        (offset,), (count,) = im.tag_v2[273], im.tag_v2[279]
    g4 = buf.getvalue()[offset:offset + count]
    page = _load_bytes(g4, Width=48, Height=32, BitsPerComponent=1, Filter=pikepdf.Name.CCITTFaxDecode,
                       DecodeParms=pikepdf.Dictionary(K=-1, Columns=48, Rows=32, BlackIs1=True))
    assert np.array_equal(np.asarray(page.image.convert("L")) > 127, np.asarray(bits.convert("L")) > 127)


def test_truncated_jpeg_data_is_a_page_error():
    data = jpeg_bytes((400, 300))
    with pytest.raises(InputFileError, match="PDF page 1") as info:
        _load_bytes(data[: len(data) // 2], Width=400, Height=300, Filter=pikepdf.Name.DCTDecode)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("filters, message", [
    (["FlateDecode", "FlateDecode"], "FlateDecode\\+FlateDecode are not supported \\(compressed twice\\)"),
    (["LZWDecode", "DCTDecode"], "LZWDecode before DCTDecode is not supported"),
    (["JBIG2Decode", "DCTDecode"], "image codec JBIG2Decode is not the last filter"),
    (["BrotliDecode"], "image filter BrotliDecode is not supported"),
])
def test_filter_chains_a_scan_does_not_need_are_refused(filters, message):
    with pytest.raises(InputFileError, match=message):
        _load_bytes(b"\x00" * 100, Width=100, Height=100, Filter=pikepdf.Array([pikepdf.Name("/" + f) for f in filters]))


def test_image_data_shorter_than_its_claim_is_a_one_line_page_error():
    with pytest.raises(InputFileError, match="cannot decode the image on PDF page 1") as info:
        _load_bytes(b"\x00" * 100, Width=100, Height=100)
    assert "\n" not in str(info.value)
