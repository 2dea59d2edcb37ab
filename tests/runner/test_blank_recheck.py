"""A batch run by a version without the faint look, run again: the pages it called blank get the
second look (their faint type reaches the PDF), and no other page is read again."""

from __future__ import annotations

import json
import subprocess

import pikepdf
import pytest

import pagegen
from digitalisering.ingest import ingest_delivery
from digitalisering.pagerecord import PageResult
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.store.records import PageStatus


def _as_an_older_version_stored_it(result: dict) -> dict:
    """The faint page's record as a version before the faint look stored it: blank by the ink
    threshold, no OCR, no words, no ``faint``/``blank_uncertain``/``blank_check``."""
    imaging = {k: v for k, v in result["imaging"].items() if k not in ("faint", "blank_uncertain", "blank_check")}
    imaging.update(is_blank=True, orientation=None, orientation_confidence=None, skew_deg=None,
                   skew_confidence=None, skew_method=None, deskew_deg=0.0, corrected=False)
    artifacts = {k: v for k, v in result["artifacts"].items() if not k.startswith("words")}
    old = {**result, "imaging": imaging, "artifacts": artifacts}
    old.pop("ocr", None)
    return old


def _letter_and_faint_page(root):
    """A dossier of a typed letter and a page of faint type (what the ink threshold calls blank)."""
    pagegen.save(pagegen.letter_page(dpi=200), root / "BWT-1999-0003" / "0001.tif", dpi=200, compression="tiff_lzw")
    pagegen.save(pagegen.faint_page(dpi=200), root / "BWT-1999-0003" / "0002.tif", dpi=200, compression="tiff_lzw")
    return root


@pytest.mark.slow
def test_pages_an_older_version_called_blank_are_looked_at_again(workspace, tmp_path):
    root = _letter_and_faint_page(tmp_path / "levering")
    out = tmp_path / "out"
    options = RunOptions(jobs=1, progress=False)
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        run_batch(store, workspace, batch, out, options, "t")
        letter, faint = store.pages(batch.id)
        assert PageStatus.DONE == letter.status == faint.status
        store.finish_page(faint.id, PageStatus.DONE, _as_an_older_version_stored_it(faint.result), None,
                          at=faint.finished_at)
        assert not PageResult.from_json(store.page_by_id(faint.id).result).in_output(keep_blank=False)  # its text left out

        again = run_batch(store, workspace, batch, out, options, "t")  # the new version
        assert again.pages_processed == 1
        letter_after, faint_after = store.pages(batch.id)
        assert letter_after.finished_at == letter.finished_at  # not read again
        assert faint_after.finished_at != faint.finished_at
        recheck = [e for e in store.events(batch.id) if e.action == "run.blank_recheck"]
        assert len(recheck) == 1 and recheck[0].detail["pages"] == [faint.seq]
        results = json.loads((out / "results.json").read_text())
        page = results["pages"][1]
        assert not PageResult.from_json(faint_after.result).blank_verdict_outdated
        assert page["faint"] and not page["is_blank"] and page["in_output"] and page["ocr"] is not None
        assert sorted(s for o in again.outputs for s in o.page_seqs) == [letter.seq, faint.seq]
        pdf = next(out / o.relpath for o in again.outputs if o.page_seqs == [faint.seq])
        with pikepdf.open(pdf) as doc:
            assert len(doc.pages) == 1
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Gemeente Leiden" in text  # the faint page's text

        third = run_batch(store, workspace, batch, out, options, "t")  # settled: nothing read again
        assert third.pages_processed == 0


@pytest.mark.slow
def test_a_blank_page_whose_source_is_gone_stays_done_as_it_was(workspace, tmp_path):
    """Only looked at again: a source moved away since (the scans archived elsewhere) does not turn
    the done page into a failed one, nor the run into one with failed pages."""
    root = _letter_and_faint_page(tmp_path / "levering")
    out = tmp_path / "out"
    options = RunOptions(jobs=1, progress=False)
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root).batch
        run_batch(store, workspace, batch, out, options, "t")
        _, faint = store.pages(batch.id)
        old = _as_an_older_version_stored_it(faint.result)
        store.finish_page(faint.id, PageStatus.DONE, old, None, at=faint.finished_at)
        (root / "BWT-1999-0003" / "0002.tif").unlink()

        again = run_batch(store, workspace, batch, out, options, "t")
        after = store.page_by_id(faint.id)
        assert after.status == PageStatus.DONE and after.error is None and after.result == old
        assert again.pages_failed == 0 and not again.failures
