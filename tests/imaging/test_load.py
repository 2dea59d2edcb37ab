import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import pagegen
from digitalisering.errors import InputFileError
from digitalisering.imaging.load import ASSUMED_DPI, load_page


def test_bitonal_group4_stays_bitonal_with_its_resolution(tmp_path: Path):
    path = pagegen.save(pagegen.page_image(["zwart wit"], mode="1", dpi=300), tmp_path / "g4.tif", dpi=300,
                        compression="group4")
    page = load_page(path, 0, "TIFF")
    assert page.image.mode == "1" and page.info.bits_per_sample == 1
    assert page.info.dpi == 300 and page.info.compression == "group4"
    assert page.info.notes == []


def test_missing_resolution_is_assumed_and_said(tmp_path: Path):
    path = pagegen.save(pagegen.page_image(["geen dpi"]), tmp_path / "p.png", dpi=None)
    page = load_page(path, 0, "PNG")
    assert page.info.dpi == ASSUMED_DPI
    assert any("no resolution" in n for n in page.info.notes)


def test_implausible_resolution_is_not_believed(tmp_path: Path):
    path = pagegen.save(pagegen.page_image(["72 dpi"]), tmp_path / "p.tif", dpi=10)
    page = load_page(path, 0, "TIFF")
    assert page.info.stated_dpi == [10.0, 10.0]
    assert page.info.dpi == ASSUMED_DPI and "implausible" in page.info.notes[0]


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path):
    rgb = pagegen.page_image(["cmyk"], mode="RGB")
    path = tmp_path / "c.jpg"
    rgb.convert("CMYK").save(path, dpi=(150, 150))
    page = load_page(path, 0, "JPEG")
    assert page.info.source_mode == "CMYK" and page.image.mode == "RGB"
    assert page.original_jpeg is None  # must be re-encoded, not passed through as CMYK
    assert any("CMYK" in n for n in page.info.notes)
    # white paper stays white-ish after conversion
    assert np.asarray(page.image)[5, 5].min() > 200


def test_sixteen_bit_palette_and_alpha_are_normalised(tmp_path: Path):
    base = pagegen.page_image(["modes"])
    arr16 = (np.asarray(base, dtype=np.uint16) * 257)
    p16 = tmp_path / "16.png"
    Image.fromarray(arr16).save(p16, dpi=(150, 150))
    ppal = tmp_path / "pal.png"
    base.convert("P").save(ppal, dpi=(150, 150))
    palpha = tmp_path / "alpha.png"
    rgba = base.convert("RGBA")
    rgba.putalpha(128)
    rgba.save(palpha, dpi=(150, 150))
    assert load_page(p16, 0, "PNG").image.mode == "L"
    assert load_page(ppal, 0, "PNG").image.mode == "L"
    flat = load_page(palpha, 0, "PNG")
    assert flat.image.mode == "RGB" and "alpha" in flat.info.notes[0]


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)  # 400 MP, tiny file
    with pytest.raises(InputFileError, match="exceeds the limit"):
        load_page(path, 0, "PNG", max_pixels=250_000_000)


def test_tiny_image_is_refused(tmp_path: Path):
    path = tmp_path / "one.png"
    Image.new("L", (1, 1)).save(path)
    with pytest.raises(InputFileError, match="too small"):
        load_page(path, 0, "PNG")


def test_truncated_image_data_is_a_page_error(tmp_path: Path):
    buf = io.BytesIO()
    pagegen.page_image(["afgebroken"]).save(buf, format="TIFF", compression="tiff_lzw", dpi=(150, 150))
    data = buf.getvalue()
    # keep the header and directory (at the end for Pillow) but zero the strip data
    path = tmp_path / "t.tif"
    path.write_bytes(data[:8] + b"\x00" * (len(data) // 2 - 8) + data[len(data) // 2:])
    with pytest.raises(InputFileError):
        load_page(path, 0, "TIFF")


def test_pdf_page_image_with_resolution_from_page_size(tmp_path: Path):
    pages = [pagegen.page_image(["pdf een"], dpi=150), pagegen.page_image(["pdf twee"], dpi=150)]
    path = pagegen.image_pdf(pages, tmp_path / "d.pdf", dpi=150)
    page = load_page(path, 1, "PDF")
    assert page.image.size == pages[1].size
    assert page.info.dpi == pytest.approx(150, abs=0.5)
    assert page.info.compression == "DCTDecode"
