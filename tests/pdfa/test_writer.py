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


def test_a_disk_that_fills_up_while_the_pdf_is_written_is_one_error_not_an_abort(tmp_path: Path):
    """qpdf writing a file that the disk cannot hold (full, or larger than allowed) threw where no
    exception may pass when the failure came with its last writes: the whole run aborted (exit 134,
    "terminate called after throwing an instance of 'QPDFSystemError'") and left a ``.pikepdf.*``
    temporary beside the output. Now the PDF is made in memory and written by Python: a StateError
    (exit 6, one line), nothing left, and the next run writes it. The full disk is a file size limit
    here (RLIMIT_FSIZE: EFBIG, as ENOSPC, needs no root), set just below the file's size."""
    import os
    import random
    import sys
    import textwrap

    from PIL import Image

    noise = tmp_path / "noise.jpg"
    Image.frombytes("L", (600, 800), random.Random(7).randbytes(600 * 800)).save(noise, quality=90, dpi=(150, 150))
    info = PdfInfo("d", datetime(2026, 1, 2, tzinfo=timezone.utc))
    build_pdf([PdfPage(noise, None, 150)], tmp_path / "whole.pdf", info)
    size = (tmp_path / "whole.pdf").stat().st_size
    out = tmp_path / "out"
    out.mkdir()
    for limit in (size - 256, size - 1024, size - 2048, size - 3072, size - 8192):
        script = textwrap.dedent(f"""
            import resource, signal, sys
            from pathlib import Path
            from datetime import datetime, timezone
            from digitalisering.errors import StateError
            from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))
            try:
                build_pdf([PdfPage(Path({str(noise)!r}), None, 150)], Path({str(out / 'd.pdf')!r}),
                          PdfInfo("d", datetime(2026, 1, 2, tzinfo=timezone.utc)))
            except StateError as exc:
                print("refused:", exc)
                sys.exit(6)
        """)
        res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "DIGITALISERING_LANG": "en"})
        assert res.returncode == 6 and "File too large" in res.stdout, (limit, size, res.returncode, res.stderr[-300:])
        assert list(out.iterdir()) == []


def test_a_large_document_is_not_held_twice_in_memory_while_it_is_written(tmp_path: Path):
    """The PDF used to be saved into a BytesIO and then written: a dossier of large drawings took
    twice its size in memory (every page's image is held once already while the PDF is made). It is
    streamed to its file now; a write error is kept and raised after qpdf is done (never from inside
    qpdf, which aborts the process when it comes while the deterministic ID is computed)."""
    import random
    import tracemalloc

    from PIL import Image

    pages = []
    for n in range(6):
        path = tmp_path / f"drawing-{n}.jpg"
        Image.frombytes("L", (1000, 1400), random.Random(n).randbytes(1000 * 1400)).save(path, quality=95,
                                                                                        dpi=(150, 150))
        pages.append(PdfPage(path, None, 150))
    info = PdfInfo("d", datetime(2026, 1, 2, tzinfo=timezone.utc))
    out = tmp_path / "d.pdf"
    tracemalloc.start()
    try:
        build_pdf(pages, out, info)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = out.stat().st_size
    assert size > 5_000_000
    assert peak < 1.5 * size, (peak, size)
