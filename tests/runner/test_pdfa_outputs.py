"""The run's outputs as the archive receives them: PDF/A that passes the validators."""

import json
import subprocess
from pathlib import Path

import pikepdf

import pagegen
from digitalisering.ingest import ingest_delivery
from digitalisering.pdfa.validate import validate_pdf
from digitalisering.resultsfile import validate_results
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store


def test_default_outputs_are_pdfa_2b_and_checked(processed):
    data = json.loads((processed["out"] / "results.json").read_text())
    assert data["documents"]
    for doc in data["documents"]:
        assert doc["output"]["format"] == "PDF/A-2b"
        assert "output-intent" in doc["output"]["checks_passed"]
        report = validate_pdf(processed["out"] / doc["output"]["path"])
        assert report.passed and report.flavour == "2b", report.to_json()


def test_every_pdfa_1b_output_passes_preflight(delivery, workspace, tmp_path: Path):
    root, expected = delivery
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        summary = run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False, pdfa="1b"), "t")
    assert {o.dossier_id for o in summary.outputs} == set(expected)
    for output in summary.outputs:
        report = validate_pdf(out / output.relpath, use_preflight=True)
        assert report.flavour == "1b"
        assert report.passed, report.to_json()


def test_large_drawing_is_read_at_reduced_resolution_and_keeps_its_text(workspace, tmp_path: Path):
    root = tmp_path / "tekeningen" / "BWT-1970-0001"
    sheet = pagegen.page_image(["Plattegrond begane grond", "Schaal 1:100"], dpi=200, mode="L",
                               size_mm=(594, 420))  # A2 landscape, ~15 MP at 200 ppi
    pagegen.save(sheet, root / "0001.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root.parent).batch
        run_batch(store, workspace, batch, out,
                  RunOptions(jobs=1, progress=False, ocr_max_megapixels=6), "t")
    data = json.loads((out / "results.json").read_text())
    validate_results(data)
    ocr = data["pages"][0]["ocr"]
    assert ocr["status"] == "reduced" and ocr["scale"] < 1 and ocr["ocr_dpi"] >= 150
    pdf_path = out / data["documents"][0]["output"]["path"]
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Plattegrond" in text
    with pikepdf.open(pdf_path) as pdf:  # the image itself is kept at full resolution
        image = pikepdf.PdfImage(next(iter(pdf.pages[0].get_images().values())))
        assert image.width == sheet.width or image.height == sheet.width


def test_page_whose_ocr_times_out_is_kept_without_text(workspace, tmp_path: Path):
    root = tmp_path / "traag" / "BWT-1971-0001"
    pagegen.save(pagegen.letter_page(dpi=200), root / "0001.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root.parent).batch
        summary = run_batch(store, workspace, batch, out,
                            RunOptions(jobs=1, progress=False, ocr_timeout=0.01), "t")
    assert summary.pages_done == 1 and not summary.failures
    data = json.loads((out / "results.json").read_text())
    assert data["pages"][0]["ocr"]["status"] == "timeout"
    assert validate_pdf(out / data["documents"][0]["output"]["path"]).passed
