"""The bad-input corpus: every kind of broken or hostile input a delivery can hold, in one batch.
Each gets a clear one-line reason; the rest of the batch is processed; nothing is written outside the
output folder and the workspace."""

from __future__ import annotations

import csv
from pathlib import Path

import pikepdf
from click.testing import CliRunner
from PIL import Image

import pagegen
from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from runcodes import run_code  # noqa: E402

TEXT = ["Aanvraag om bouwvergunning", "voor het pand Breestraat 12 te Leiden", "Geachte heren, hierbij"]

EXPECTED = {  # file -> what the operator is told
    "0002-truncated.tif": "damaged TIFF file",
    "0003-zero.tif": "empty file (0 bytes)",
    "0004-one-pixel.png": "1x1 pixels is too small",
    "0005-bomb.png": "400 megapixels exceeds the limit of 250 megapixels",
    "0006-script.pdf": "PDF contains JavaScript",
    "0007-encrypted.pdf": "encrypted PDF",
    "0008-notanimage.jpg": "not a TIFF, JPEG, PNG or PDF file",
    "0009-dimension-lie.pdf": "the image dictionary says 100x100 pixels but its JPEG data is 4000x3000",
    "0010-negative-width.pdf": "the image dictionary claims an impossible size of -100x100 pixels",
    "0011-flate-bomb.pdf": "decodes to more than the 1.0 MB its claimed size allows (decompression bomb)",
}


def folders_corpus(root: Path) -> None:
    d = root / "BWT-1990-0001"
    pagegen.save(pagegen.page_image(TEXT), d / "0001.tif", compression="tiff_lzw")
    good = (d / "0001.tif").read_bytes()
    (d / "0002-truncated.tif").write_bytes(good[: len(good) // 3])
    (d / "0003-zero.tif").write_bytes(b"")
    Image.new("L", (1, 1), 255).save(d / "0004-one-pixel.png")
    Image.new("1", (20000, 20000), 1).save(d / "0005-bomb.png")  # 400 megapixels in a small file
    pagegen.image_pdf([pagegen.page_image(TEXT)], d / "0006-script.pdf")
    with pikepdf.open(d / "0006-script.pdf", allow_overwriting_input=True) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(d / "0006-script.pdf")
    plain = pagegen.image_pdf([pagegen.page_image(TEXT)], root.parent / "plain.pdf")
    with pikepdf.open(plain) as pdf:
        pdf.save(d / "0007-encrypted.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    plain.unlink()
    (d / "0008-notanimage.jpg").write_text("dit is geen afbeelding\n")
    # PDFs whose image dictionary lies about the pixels behind it
    dct = {"Filter": pikepdf.Name.DCTDecode}
    pagegen.one_image_pdf(d / "0009-dimension-lie.pdf", pagegen.jpeg_bytes((4000, 3000)), Width=100, Height=100, **dct)
    pagegen.one_image_pdf(d / "0010-negative-width.pdf", pagegen.jpeg_bytes((100, 100)), Width=-100, Height=100, **dct)
    pagegen.one_image_pdf(d / "0011-flate-bomb.pdf", pagegen.deflated_zeros(100 << 20), Width=1000, Height=1000,
                          Filter=pikepdf.Name.FlateDecode)  # 100 MB of zeros claimed as a 1 MB image
    # names with spaces and letters outside ASCII
    e = root / "Bouwdossier Hoogstraat één"
    pagegen.save(pagegen.page_image(["Brief aan de gemeente Leiden", "betreffende het pand Hoogstraat 3",
                                     "Geachte heren, hierbij zenden wij u"]), e / "pagina één.tif",
                 compression="tiff_lzw")
    # a manifest naming a dossier with a path in it
    (root / "manifest.csv").write_text("dossier;pages\n../../x;3\nBWT-1990-0001;11\n")


def _files_outside(base: Path, *allowed: Path) -> set[Path]:
    return {p for p in base.rglob("*") if p.is_file() and not any(a in p.parents for a in allowed)}


def _cli(ws: Path, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(ws), *args])


def test_folders_delivery_with_every_kind_of_bad_file(tmp_path):
    root = tmp_path / "work" / "levering"
    folders_corpus(root)
    ws, out = tmp_path / "work" / "ws", tmp_path / "work" / "out"
    before = _files_outside(tmp_path, ws, out)
    res = _cli(ws, "run", str(root), "--out", str(out), "--no-progress")
    assert res.exit_code == ExitCode.PAGES_FAILED, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    rows = {r["source"]: r["reason"]
            for r in csv.DictReader((out / "failures.csv").open(encoding="utf-8"), delimiter=";")}
    assert {Path(f).name for f in rows} == set(EXPECTED)
    for name, reason in rows.items():
        assert EXPECTED[Path(name).name] in reason and "\n" not in reason
    # the good pages went on: one PDF/A per dossier, the odd names made safe
    pdfs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert pdfs == ["BWT-1990-0001/BWT-1990-0001-01-aanvraag.pdf",
                    "Bouwdossier_Hoogstraat_een/Bouwdossier_Hoogstraat_een-01-brief.pdf"]
    # QA reads the manifest: the odd name is a finding, not a path
    res = _cli(ws, "qa", "check", "levering")
    assert res.exit_code == ExitCode.QA_FAILED and "../../x: in the manifest (3 pages) but not delivered" in res.output
    assert _files_outside(tmp_path, ws, out) == before


def test_separator_barcode_with_a_path_in_it(tmp_path):
    root = tmp_path / "work" / "stapel"
    pagegen.save(pagegen.barcode_sheet("DOSSIER:../../x"), root / "scan_00001.tif", dpi=200)
    pagegen.save(pagegen.page_image(TEXT), root / "scan_00002.tif", compression="tiff_lzw")
    ws, out = tmp_path / "work" / "ws", tmp_path / "work" / "out"
    before = _files_outside(tmp_path, ws, out)
    res = _cli(ws, "run", str(root), "--out", str(out), "--no-progress", "--layout", "stack")
    assert run_code(res.exit_code, res.stdout, res.stderr) == 0, res.output
    pdfs = [p.relative_to(out).as_posix() for p in out.rglob("*.pdf")]
    assert pdfs == ["x/x-01-aanvraag.pdf"]  # the dossier id from the barcode, made safe
    assert _files_outside(tmp_path, ws, out) == before
    assert not (tmp_path / "x").exists() and not (tmp_path / "work" / "x").exists()
