"""A page of faint type is in its document's PDF with its text; a blank back is not."""

import json
import subprocess

import pikepdf
import pytest

import pagegen
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store


@pytest.mark.slow
def test_faint_typed_page_is_in_the_pdf_and_the_blank_back_is_not(workspace, tmp_path):
    from digitalisering.ingest import ingest_delivery

    root = tmp_path / "stapel"
    pagegen.save(pagegen.barcode_sheet("DOSSIER:BWT-1999-0002"), root / "scan_0001.tif", dpi=200)
    pagegen.save(pagegen.letter_page(dpi=200), root / "scan_0002.tif", dpi=200, compression="tiff_lzw")
    pagegen.save(pagegen.faint_page(dpi=200), root / "scan_0003.tif", dpi=200, compression="tiff_lzw")
    pagegen.save(pagegen.show_through_back(dpi=200), root / "scan_0004.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        run = run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")
        data = json.loads((out / "results.json").read_text())
    pages = {p["source"]: p for p in data["pages"]}
    faint, back = pages["scan_0003.tif"], pages["scan_0004.tif"]
    assert not faint["is_blank"] and faint["faint"] and faint["in_output"] and faint["ocr"] is not None
    assert back["is_blank"] and not back["blank_uncertain"] and not back["in_output"]
    pdf_path = out / run.outputs[0].relpath
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == 2
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert text.count("Gemeente Leiden") >= 3  # the letter's two and at least one of the faint page's
