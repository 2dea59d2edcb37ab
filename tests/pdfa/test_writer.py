import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pikepdf
import pytest

import pagegen
from digitalisering.ocr.engine import OcrPlan, ocr_page
from digitalisering.ocr.engines import get_engine
from digitalisering.pdfa import xmp
from digitalisering.pdfa.images import encode_page_image
from digitalisering.pdfa.validate import validate_pdf
from digitalisering.pdfa.writer import Bookmark, PdfInfo, PdfPage, build_pdf

INFO = PdfInfo("Bouwdossier BWT-1962-0001", datetime(2026, 1, 2, tzinfo=timezone.utc),
               subject="Bouwdossier BWT-1962-0001", dossier_id="BWT-1962-0001", document_id="BWT-1962-0001-d2",
               document_type="brief", batch="levering-2026-01", addresses=("Rapenburg 12a", "Breestraat 5"))


def _page(tmp_path: Path, name: str, lines, mode: str, dpi: int, lossless: bool = False) -> PdfPage:
    im = pagegen.page_image(lines, dpi=dpi, mode=mode)
    enc = encode_page_image(im, dpi, lossless=lossless)
    path = tmp_path / f"{name}{enc.suffix}"
    path.write_bytes(enc.data)
    return PdfPage(path, ocr_page(get_engine("tesseract"), im, "nld", dpi, OcrPlan(1.0, dpi)), dpi)


def _filters(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    for page in pdf.pages:
        for raw in page.get_images().values():
            out += [str(f) for f in pikepdf.PdfImage(raw).filters]
    return out


def test_searchable_pdfa_2b_with_lossless_bitonal_and_page_size_from_ppi(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Bouwtekening Rapenburg"], "1", 300),
             _page(tmp_path, "b", ["Brief gemeente Leiden"], "L", 150)]
    out = tmp_path / "out" / "d.pdf"
    report = build_pdf(pages, out, INFO)
    assert report.passed and report.flavour == "2b"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rapenburg" in text and "Leiden" in text
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert float(page.mediabox[2]) == pytest.approx(210 / 25.4 * 72, rel=0.01)
        assert _filters(pdf) == ["/CCITTFaxDecode", "/DCTDecode"]
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"] == "Bouwdossier BWT-1962-0001"
        assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]
        assert meta["pdf:Producer"].startswith("digitalisering")
        assert meta["dc:identifier"] == "BWT-1962-0001-d2"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert len(pdf.trailer.ID) == 2
        packet = pdf.Root.Metadata.read_bytes()
    props = xmp.read_properties(packet)
    assert props["dossier"] == "BWT-1962-0001" and props["documentType"] == "brief"
    assert props["addresses"] == ["Rapenburg 12a", "Breestraat 5"]
    assert xmp.NAMESPACE in xmp.declared_namespaces(packet)


def test_pdfa_1b_passes_preflight_with_bookmarks(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Aanvraag bouwvergunning"], "L", 200),
             _page(tmp_path, "b", ["Tekening voorgevel"], "RGB", 150)]
    out = tmp_path / "d1b.pdf"
    build_pdf(pages, out, INFO, flavour="1b", bookmarks=[Bookmark("Aanvraag", 0), Bookmark("Tekening", 1)])
    report = validate_pdf(out, use_preflight=True)
    assert report.flavour == "1b"
    assert report.passed, report.to_json()
    assert "pdfbox-preflight" in [c.name for c in report.checks]
    with pikepdf.open(out) as pdf:
        assert pdf.pdf_version == "1.4"
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root] == ["Aanvraag", "Tekening"]


def test_lossless_grey_pages_are_flate(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Berekening"], "L", 150, lossless=True)]
    build_pdf(pages, tmp_path / "l.pdf", INFO)
    with pikepdf.open(tmp_path / "l.pdf") as pdf:
        assert _filters(pdf) == ["/FlateDecode"]


def test_same_inputs_give_identical_bytes(tmp_path: Path):
    pages = [_page(tmp_path, "a", ["Gereedmelding"], "L", 150)]
    build_pdf(pages, tmp_path / "1.pdf", INFO)
    build_pdf(pages, tmp_path / "2.pdf", INFO)
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()


def test_unchanged_jpeg_is_not_reencoded():
    im = pagegen.page_image(["jpeg"], mode="RGB")
    enc = encode_page_image(im, 150, original_jpeg=b"\xff\xd8\xffORIGINAL")
    assert enc.data == b"\xff\xd8\xffORIGINAL" and enc.encoding == "jpeg-original"


def test_skewed_scan_is_drawn_straight_with_its_own_pixels(tmp_path: Path):
    from PIL import Image

    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    from digitalisering.imaging.transform import straight_size

    page = pagegen.letter_page(dpi=150, mode="L")
    scanned = page.rotate(3.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    jpg = tmp_path / "scan.jpg"
    scanned.save(jpg, quality=90, dpi=(150, 150))
    _, res = analyse_page(scanned, 150, 8, ImagingOptions())
    out = tmp_path / "s.pdf"
    build_pdf([PdfPage(jpg, None, 150, deskew_deg=res.deskew_deg, fill=tuple(res.paper_colour))], out, INFO)
    with pikepdf.open(out) as pdf:
        raw = next(iter(pdf.pages[0].get_images().values()))
        assert raw.read_raw_bytes() == jpg.read_bytes()  # not resampled, not re-encoded
        w, h = straight_size(scanned.width, scanned.height, res.deskew_deg)
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(w * 72 / 150, abs=0.01)
        assert float(pdf.pages[0].mediabox[3]) == pytest.approx(h * 72 / 150, abs=0.01)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(out), str(tmp_path / "r")], check=True)
    rendered = Image.open(next(tmp_path.glob("r*.png"))).convert("L")
    _, again = analyse_page(rendered, 150, 8, ImagingOptions())
    assert abs(again.skew_deg) < 0.1  # what the reader sees is straight
    assert rendered.getpixel((2, 2)) > 235  # corners in the paper colour, not black
