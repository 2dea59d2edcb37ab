"""The sheet inside a scanner's dark border, in pixels of the straightened page (``run --crop``)."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from digitalisering.cli import main
from digitalisering.imaging.sheet import sheet_box

import pagegen

DPI = 150


def _scan(tilt: float = 0.0) -> Image.Image:
    """A white A4 sheet (1240 x 1754 at 150 ppi) with text on a dark scanner bed, tilted ``tilt`` degrees."""
    sheet = pagegen.page_image(pagegen.DUTCH_LINES, mode="L", dpi=DPI)
    bed = Image.new("L", (sheet.width + 240, sheet.height + 200), 25)
    if tilt:
        sheet = sheet.rotate(tilt, expand=True, fillcolor=25)
    bed.paste(sheet, (120, 100))
    return bed


def test_the_sheet_inside_a_dark_border():
    scan = _scan()
    sheet = pagegen.page_image(pagegen.DUTCH_LINES, mode="L", dpi=DPI)
    x0, y0, x1, y1 = sheet_box(scan, 0.0, DPI)
    mm = DPI / 25.4
    assert abs(x0 - 120) < 2 * mm and abs(y0 - 100) < 2 * mm
    assert abs(x1 - (120 + sheet.width)) < 2 * mm and abs(y1 - (100 + sheet.height)) < 2 * mm


def test_a_straightened_sheet_is_boxed_in_the_straightened_pixels():
    scan = _scan(tilt=2.0)
    box = sheet_box(scan, 2.0, DPI)
    sheet = pagegen.page_image(pagegen.DUTCH_LINES, mode="L", dpi=DPI)
    w, h = box[2] - box[0], box[3] - box[1]
    # the straightened sheet is about its own size (not the tilted sheet's larger bounding box)
    assert abs(w - sheet.width) < 0.02 * sheet.width and abs(h - sheet.height) < 0.02 * sheet.height


def test_a_page_without_border_has_no_box():
    assert sheet_box(pagegen.page_image(pagegen.DUTCH_LINES, mode="L", dpi=DPI), 0.0, DPI) is None


@pytest.mark.slow
def test_run_crop_shows_the_sheet_and_keeps_the_scan(tmp_path: Path):
    root = tmp_path / "levering" / "BWT-1950-0002"
    root.mkdir(parents=True)
    _scan().save(root / "0001.tif", dpi=(DPI, DPI), compression="tiff_lzw")
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    for out, extra in (("plain", []), ("crop", ["--crop"])):
        res = runner.invoke(main, ["run", str(tmp_path / "levering"), "--out", str(tmp_path / out), "--no-progress",
                                   "-j", "1", "--workspace", ws, *extra])
        assert res.exit_code in (0, 1) and "pages failed" not in res.output, res.output
    [plain] = (tmp_path / "plain").rglob("*.pdf")
    [cropped] = (tmp_path / "crop").rglob("*.pdf")
    with pikepdf.open(plain) as pdf:
        assert "/CropBox" not in pdf.pages[0].obj
    with pikepdf.open(cropped) as pdf:
        page = pdf.pages[0]
        media = [float(v) for v in page.mediabox]
        crop = [float(v) for v in page.obj.CropBox]
        # the whole scan is still there; the sheet shown is inside it, the border left out
        sheet = pagegen.page_image(pagegen.DUTCH_LINES, mode="L", dpi=DPI)
        mm = 72 / 25.4
        assert media[2] - media[0] > crop[2] - crop[0]
        assert abs((crop[2] - crop[0]) - sheet.width * 72 / DPI) < 3 * mm
        assert abs((crop[3] - crop[1]) - sheet.height * 72 / DPI) < 3 * mm
        assert abs(crop[0] - 120 * 72 / DPI) < 2 * mm  # the bed's border on the left is left out
    assert runner.invoke(main, ["validate", str(cropped)]).exit_code == 0
    results = json.loads((tmp_path / "crop" / "results.json").read_text())
    assert results["options"]["crop"] is True and "crop" not in json.loads(
        (tmp_path / "plain" / "results.json").read_text())["options"]
