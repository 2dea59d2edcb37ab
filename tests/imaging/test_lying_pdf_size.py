"""A PDF page whose MediaBox lies about its size (kilometres wide) around a scan of a few hundred
pixels: its stated resolution is a few thousandths of a ppi, which snapped to 0, and the page failed
with "internal error: ZeroDivisionError" (a bug's reason, in failures.csv and status). Now the
resolution is inferred from the pixels, as for a page that states none."""

from pathlib import Path

import pikepdf

import pagegen
from digitalisering.imaging.checks import infer_dpi
from digitalisering.imaging.load import load_page


def test_a_page_claiming_to_be_kilometres_wide_is_read_at_an_inferred_resolution(tmp_path: Path):
    honest = pagegen.image_pdf([pagegen.page_image(["Brief aan de gemeente Leiden"], dpi=150)], tmp_path / "a.pdf")
    with pikepdf.open(honest) as pdf:
        pdf.pages[0].MediaBox = [0, 0, 14_400_000, 14_400_000]
        pdf.save(tmp_path / "liar.pdf")
    page = load_page(tmp_path / "liar.pdf", 0, "PDF")
    assert page.info.dpi >= 100
    assert infer_dpi(1240, 1754, 0.004)[1] == "inferred"


def test_a_page_size_beyond_any_number_is_read_at_an_inferred_resolution(tmp_path: Path):
    """A MediaBox whose numbers overflow (``[ 9999...9.0 0 9999...9.0 800 ]``: infinite, and their
    difference not a number): the stated resolution was NaN and the page failed with "internal
    error: cannot convert float NaN to integer"."""
    from digitalisering.imaging.stage import analyse_page

    pagegen.image_pdf([pagegen.page_image(["Brief aan de gemeente Leiden"], dpi=150)], tmp_path / "a.pdf")
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        box = pdf.pages[0].MediaBox.unparse()
    big = b"9" * 400 + b".0"
    data = (tmp_path / "a.pdf").read_bytes().replace(box, b"[ " + big + b" 0 " + big + b" 800 ]")
    (tmp_path / "huge.pdf").write_bytes(data)
    page = load_page(tmp_path / "huge.pdf", 0, "PDF")
    _, res = analyse_page(page.image, page.info.stated_dpi[0] if page.info.stated_dpi else None,
                          page.info.bits_per_sample)
    assert res.technical.dpi >= 100 and res.technical.dpi_source == "inferred"
    for stated in (float("nan"), float("inf"), -150.0):
        assert infer_dpi(1240, 1754, stated)[1] == "inferred"
