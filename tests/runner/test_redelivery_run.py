"""A failed file delivered again and accepted with ``run --accept-redelivery`` is processed and ends
up in its document; the packing slip counts the pages that are in each PDF (a blank page left out is
not counted)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from digitalisering.cli import main

import pagegen

DEMO_BAG = Path(__file__).parents[2] / "batches" / "demo-bag" / "BAGNLDL-01102026-demo.zip"


@pytest.mark.slow
def test_run_accepts_a_redelivered_failed_file_and_the_slip_counts_pdf_pages(tmp_path: Path):
    root = tmp_path / "levering"
    dossier = root / "BWT-1950-0001"
    pagegen.save(pagegen.letter_page(), dossier / "0001.tif", compression="tiff_lzw")
    pagegen.save(pagegen.blank_back(), dossier / "0002.tif", compression="tiff_lzw")
    (dossier / "0003.tif").write_bytes(b"")
    ws, out = str(tmp_path / "ws"), tmp_path / "out"
    runner = CliRunner()
    args = ["run", str(root), "--out", str(out), "--no-progress", "-j", "1", "--workspace", ws]

    first = runner.invoke(main, args)
    assert first.exit_code == 1, first.output
    pagegen.save(pagegen.page_image(pagegen.DUTCH_LINES, mode="L"), dossier / "0003.tif",
                 compression="tiff_lzw")
    # the summary says what the batch holds and what this run did, never one for the other
    assert "batch levering: 3 pages: 2 done, 1 failed" in first.output
    assert "this run: 2 pages processed (2 done, 0 failed)" in first.output and "1 page failed" in first.output
    refused = runner.invoke(main, args)
    assert refused.exit_code == 5 and "--accept-redelivery BWT-1950-0001/0003.tif" in refused.output
    assert "this run: no pages to process" in refused.output
    again = runner.invoke(main, [*args, "--accept-redelivery", "BWT-1950-0001/0003.tif"])
    # every page done now, but the workspace has no BAG index: loud, exit 1
    assert again.exit_code == 1, again.output
    assert "warning: no BAG index in the workspace: the addresses of 1 dossier were not linked" in again.output
    status = runner.invoke(main, ["status", "levering", "--workspace", ws])
    assert status.exit_code == 0 and "failed 0" in status.output and "file.redelivered (failed" in status.output
    check = runner.invoke(main, ["qa", "check", "levering", "--workspace", ws])
    assert re.search(r"Address linked to the BAG +not run: the workspace had no BAG index", check.output)
    assert runner.invoke(main, ["bag", "import", str(DEMO_BAG), "--gemeente", "0546", "--workspace", ws]).exit_code == 0
    linked = runner.invoke(main, args)
    assert linked.exit_code == 0 and "no BAG index" not in linked.output
    check = runner.invoke(main, ["qa", "check", "levering", "--workspace", ws])
    assert "not run" not in check.output and "  Address linked to the BAG " in check.output

    results = json.loads((out / "results.json").read_text())
    assert all(p["status"] == "done" for p in results["pages"])
    package = tmp_path / "pkg"
    assert runner.invoke(main, ["package", str(out), "--to", str(package)]).exit_code == 0
    slip = json.loads((package / "data" / "pakbon.json").read_text())
    assert sum(e["pages_scanned"] for e in slip["contents"]) == 3
    for entry in slip["contents"]:
        with pikepdf.open(package / "data" / entry["file"]) as pdf:
            assert entry["pages"] == len(pdf.pages)
    assert sum(e["pages"] for e in slip["contents"]) == 2  # the blank back is left out
