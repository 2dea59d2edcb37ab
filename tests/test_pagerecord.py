"""The typed page record: what the chain stores is what every reader gets back, typed."""

from __future__ import annotations

from pathlib import Path

import pagegen
import pytest

from digitalisering.imaging.separators import Separator
from digitalisering.pagerecord import PageResult
from digitalisering.runner.options import RunOptions
from digitalisering.runner.page_chain import PageJob, run_page_chain


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[dict, Path]:
    base = tmp_path_factory.mktemp("record")
    src = pagegen.save(pagegen.page_image(["Aanvraag om bouwvergunning", "voor het pand Breestraat 12",
                                           "te Leiden, ingediend door"]), base / "p.tif", compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(base / "work"), RunOptions(jobs=1, progress=False))
    return run_page_chain(job), base / "work"


def test_the_stored_form_reads_back_typed_and_unchanged(stored):
    data, work = stored
    record = PageResult.from_json(data)
    assert record.to_json() == data
    assert record.load.width_px > 0 and record.imaging.technical.size_class == "A4"
    assert record.ocr.words > 5 and record.ocr.status == "full"
    assert record.artifact_path(work, "words").is_file() and record.artifact_path(work, "image").is_file()
    assert record.in_output(keep_blank=False)


def test_pages_stored_by_an_older_version_are_read():
    """Fields added later have defaults; stages that did not run are absent; unknown keys are ignored."""
    old = pagegen.stored_result()
    del old["imaging"]["paper_colour"], old["imaging"]["deskew_deg"], old["imaging"]["timings_ms"]
    old["imaging"]["some_future_flag"] = True
    record = PageResult.from_json(old)
    assert record.imaging.deskew_deg == 0.0 and record.encode is None and record.ocr is None
    assert not record.in_output(keep_blank=True)  # no page image kept
    assert PageResult.from_json({}).imaging is None


def test_separator_and_blank_pages_stay_out_of_the_pdf():
    sheet = Separator("dossier", "DOSSIER:BWT-1962-0412", "Code128", "BWT-1962-0412")
    record = PageResult.from_json(pagegen.stored_result(separator=sheet))
    assert record.is_separator and record.imaging.separator == sheet
    record.artifacts.set("image", "page.tif", "0" * 64)
    assert not record.in_output(keep_blank=True)
    blank = PageResult.from_json(pagegen.stored_result(blank=True))
    blank.artifacts.set("image", "page.tif", "0" * 64)
    assert not blank.in_output(keep_blank=False) and blank.in_output(keep_blank=True)


def test_a_record_that_does_not_fit_is_one_clear_error():
    with pytest.raises(ValueError, match="does not fit the page record"):
        PageResult.from_json({"imaging": {"orientation": 0}})
