import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pikepdf

import pagegen
from digitalisering.ocr.engine import ocr_image_file
from digitalisering.pdfa.images import encode_page_image
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf


def _page(tmp_path: Path, name: str, lines, mode: str, dpi: int) -> PdfPage:
    im = pagegen.page_image(lines, dpi=dpi, mode=mode)
    enc = encode_page_image(im, dpi)
    path = tmp_path / f"{name}{enc.suffix}"
    path.write_bytes(enc.data)
    _, text_pdf = ocr_image_file(path, "nld", dpi)
    text_path = tmp_path / f"{name}.text.pdf"
    text_path.write_bytes(text_pdf)
    return PdfPage(path, text_path, dpi)


def test_searchable_pdf_with_lossless_bitonal_and_page_size_from_ppi(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Bouwtekening Rapenburg"], "1", 300),
             _page(tmp_path, "b", ["Brief gemeente Leiden"], "L", 150)]
    out = tmp_path / "out" / "d.pdf"
    info = PdfInfo("BWT-1962-0001", datetime(2026, 1, 2, tzinfo=timezone.utc))
    build_pdf(pages, out, info)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rapenburg" in text and "Leiden" in text
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert float(page.mediabox[2]) == __import__("pytest").approx(210 / 25.4 * 72, rel=0.01)
        filters = []
        for page in pdf.pages:
            for raw in page.get_images().values():
                filters += [str(f) for f in pikepdf.PdfImage(raw).filters]
        assert filters == ["/CCITTFaxDecode", "/DCTDecode"]
        assert str(pdf.docinfo["/Title"]) == "BWT-1962-0001"


def test_same_inputs_give_identical_bytes(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Gereedmelding"], "L", 150)]
    info = PdfInfo("X", datetime(2026, 1, 2, tzinfo=timezone.utc))
    build_pdf(pages, tmp_path / "1.pdf", info)
    build_pdf(pages, tmp_path / "2.pdf", info)
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()


def test_unchanged_jpeg_is_not_reencoded():
    im = pagegen.page_image(["jpeg"], mode="RGB")
    enc = encode_page_image(im, 150, original_jpeg=b"\xff\xd8\xffORIGINAL")
    assert enc.data == b"\xff\xd8\xffORIGINAL" and enc.encoding == "jpeg-original"
