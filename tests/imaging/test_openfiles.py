"""The per-file work of a PDF (open, the encryption and JavaScript checks) is done once per file in a
process, not once per page; a file replaced on disk is opened and checked again."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from digitalisering.errors import InputFileError
from digitalisering.imaging import openfiles
from digitalisering.imaging.load import load_page
from digitalisering.ingest import pdfsource


@pytest.fixture(autouse=True)
def _fresh_cache():
    openfiles.open_pdfs.clear()
    yield
    openfiles.open_pdfs.clear()


def many_page_pdf(path: Path, pages: int, grey: int = 200) -> Path:
    pdf = pikepdf.new()
    for i in range(pages):
        buf = io.BytesIO()
        Image.new("L", (32 + i % 7, 32), grey).save(buf, format="JPEG", quality=80)
        xobj = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                              Width=32 + i % 7, Height=32, ColorSpace=pikepdf.Name.DeviceGray,
                              BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page = pdf.add_blank_page(page_size=(16, 16))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        page.Contents = pdf.make_stream(b"q 16 0 0 16 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


@pytest.fixture
def counted(monkeypatch):
    counts = {"open": 0, "js_scans": 0, "js_pages": 0}
    real_open, real_scan = pikepdf.open, pdfsource._has_javascript

    def counting_open(*args, **kwargs):
        counts["open"] += 1
        return real_open(*args, **kwargs)

    def counting_scan(pdf):
        counts["js_scans"] += 1
        counts["js_pages"] += len(pdf.pages)
        return real_scan(pdf)

    monkeypatch.setattr(pdfsource.pikepdf, "open", counting_open)
    monkeypatch.setattr(pdfsource, "_has_javascript", counting_scan)
    return counts


def test_every_page_of_a_many_page_pdf_costs_one_check_of_the_file(tmp_path: Path, counted):
    n = 400
    path = many_page_pdf(tmp_path / "many.pdf", n)
    for k in range(n):
        assert load_page(path, k, "PDF").image.size == (32 + k % 7, 32)
    # before: one open and one scan of all 400 pages for every page (160,000 pages scanned)
    assert counted == {"open": 1, "js_scans": 1, "js_pages": n}


def test_a_pdf_replaced_on_disk_is_opened_and_checked_again(tmp_path: Path, counted):
    path = many_page_pdf(tmp_path / "d.pdf", 3, grey=200)
    assert load_page(path, 2, "PDF").image.getpixel((5, 5)) > 190
    many_page_pdf(tmp_path / "new.pdf", 3, grey=40).replace(path)
    assert load_page(path, 2, "PDF").image.getpixel((5, 5)) < 50
    assert counted["js_scans"] == 2


def test_a_refused_pdf_is_refused_for_every_page_after_one_check(tmp_path: Path, counted):
    path = many_page_pdf(tmp_path / "js.pdf", 50)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(path)
    counted.update(open=0, js_scans=0, js_pages=0)
    for k in range(50):
        with pytest.raises(InputFileError, match="PDF contains JavaScript"):
            load_page(path, k, "PDF")
    assert counted["js_scans"] == 1


def test_only_a_few_pdfs_stay_open(tmp_path: Path):
    paths = [many_page_pdf(tmp_path / f"{i}.pdf", 1) for i in range(5)]
    for p in paths:
        load_page(p, 0, "PDF")
    assert len(openfiles.open_pdfs._pdfs) == openfiles.OPEN_PDFS
