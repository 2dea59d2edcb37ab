"""results.json 1.6: failure reasons as catalogue entry + values (``error_message``) for files, pages
and the OCR of a page; older files still read. The reasons arrived without raising the schema
version, and the OCR's timeout reason was stored only as text in the run's language (a Dutch run's
results.json read Dutch to every reader)."""

from __future__ import annotations

import json
from pathlib import Path

import pagegen
from digitalisering import i18n
from digitalisering.errors import shown_reason
from digitalisering.ingest import ingest_delivery
from digitalisering.pagerecord import PageResult
from digitalisering.resultsfile import SCHEMA_VERSION, read_results
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store

TIMEOUT = "OCR took longer than {timeout:g} s and was stopped"


def _timed_out_in_dutch(workspace, tmp_path: Path) -> tuple[Path, list]:
    root = tmp_path / "traag" / "BWT-1971-0001"
    pagegen.save(pagegen.letter_page(dpi=200), root / "0001.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    i18n.set_language("nl")
    try:
        with Store(workspace.database) as store:
            batch = ingest_delivery(store, root.parent).batch
            run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False, ocr_timeout=0.01), "t")
            records = [PageResult.from_json(p.result) for p in store.pages(batch.id)]
    finally:
        i18n.set_language(None)
    return out, records


def test_an_ocr_timeout_is_stored_as_its_catalogue_entry_and_shown_in_each_language(workspace, tmp_path: Path):
    out, records = _timed_out_in_dutch(workspace, tmp_path)
    data = read_results(out)
    assert data["schema_version"] == SCHEMA_VERSION == "1.6"
    ocr = data["pages"][0]["ocr"]
    assert ocr["status"] == "timeout"
    assert ocr["error_message"] == {"msgid": TIMEOUT, "values": {"timeout": 0.01}}
    assert ocr["error"] == "OCR duurde langer dan 0,01 s en is gestopt"  # the run's language
    stored = records[0].ocr.error
    assert shown_reason(stored, "en") == "OCR took longer than 0.01 s and was stopped"
    assert shown_reason(stored, "nl") == ocr["error"]


def test_results_of_earlier_versions_still_read(workspace, tmp_path: Path):
    out, _ = _timed_out_in_dutch(workspace, tmp_path)
    data = json.loads((out / "results.json").read_text())
    for version in ("1.4", "1.5"):  # as an earlier version wrote it: no error_message anywhere
        old = json.loads(json.dumps(data))
        old["schema_version"] = version
        for entry in old["files"] + old["pages"]:
            entry.pop("error_message", None)
        for page in old["pages"]:
            if page["ocr"]:
                page["ocr"].pop("error_message", None)
                page["ocr"]["error"] = "OCR duurde langer dan 0,01 s en is gestopt"  # plain text, as stored then
        (out / "results.json").write_text(json.dumps(old))
        assert read_results(out)["schema_version"] == version
