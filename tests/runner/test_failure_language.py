"""A page's failure reason is shown in the reader's language, not in the language of the run that
recorded it: a page that failed during a Dutch run read Dutch to an English reader later (status,
results.json, the QA report), and the other way round. Reasons recorded by an earlier version (plain
text) are shown as they were written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import faults
import pagegen
from digitalisering import i18n
from digitalisering.cli import main
from digitalisering.errors import InputFileError, reason_of, shown_reason, stored_reason
from digitalisering.i18n import N_, Word
from digitalisering.ingest import ingest_delivery
from digitalisering.qa.failures import list_failures
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.store.records import PageStatus

DUTCH = "kan TIFF-pagina 1 niet decoderen: het bestand is afgebroken (onvolledig)"
ENGLISH = "cannot decode TIFF page 1: the file is cut short"


def test_a_stored_reason_is_shown_in_each_readers_language_and_old_text_as_it_is():
    stored = reason_of(InputFileError("cannot decode {fmt} page {value}: {value2}", fmt="TIFF", value=1,
                                      value2=Word(N_("the file is cut short"))))
    assert shown_reason(stored, "nl") == DUTCH and shown_reason(stored, "en") == ENGLISH
    assert shown_reason(stored_reason(N_("out of memory while processing this page")), "nl") == \
        "geheugen vol bij het verwerken van deze pagina"
    old = "kan TIFF-pagina 1 niet decoderen: het bestand is afgebroken"  # as an earlier Dutch run stored it
    assert shown_reason(old, "en") == old and shown_reason(None) is None
    assert shown_reason('{"not": "ours"}', "en") == '{"not": "ours"}'


@pytest.fixture
def dutch_failure(tmp_path: Path, workspace):
    """A batch whose page failed during a Dutch run (the worker's reason), one page blank (no OCR)."""
    root = tmp_path / "levering"
    pagegen.save(pagegen.blank_back(), root / "BWT-1950-0001" / "0001.tif", compression="tiff_lzw")
    pagegen.save(pagegen.blank_back(), root / "BWT-1950-0001" / "0002-victim.tif", compression="tiff_lzw")
    out = tmp_path / "out"
    i18n.set_language("nl")
    try:
        with Store(workspace.database) as store:
            batch = ingest_delivery(store, root).batch
            run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t",
                      page_fn=faults.fail_as_cut_short)
            failed = store.pages(batch.id, [PageStatus.FAILED])
            assert len(failed) == 1
            assert list_failures(store, batch)[0].reason == DUTCH
    finally:
        i18n.set_language(None)
    return workspace, batch, out


def test_a_reason_recorded_in_a_dutch_run_reads_english_to_an_english_reader(dutch_failure):
    workspace, batch, out = dutch_failure
    with Store(workspace.database) as store:
        assert [f.reason for f in list_failures(store, batch)] == [ENGLISH]
    cli = ["--workspace", str(workspace.root)]
    status = CliRunner().invoke(main, cli + ["--taal", "en", "status", batch.name])
    assert ENGLISH in status.output and DUTCH not in status.output
    data = json.loads(CliRunner().invoke(main, cli + ["--taal", "en", "status", batch.name, "--json"]).output)
    assert [p["reason"] for p in data["failed_pages"]] == [ENGLISH]
    assert DUTCH in CliRunner().invoke(main, cli + ["--taal", "nl", "status", batch.name]).output

    # results.json of the Dutch run: the text in its language, and the message for any other reader
    page = next(p for p in json.loads((out / "results.json").read_text())["pages"] if p["status"] == "failed")
    assert page["error"] == DUTCH
    assert page["error_message"] == {"msgid": "cannot decode {fmt} page {value}: {value2}",
                                     "values": {"fmt": "TIFF", "value": 1, "value2": {"word": "the file is cut short"}}}

    # the QA report of an English reader, from the Dutch run's results.json
    report = CliRunner().invoke(main, cli + ["--taal", "en", "qa", "report", batch.name, "--to", str(out.parent / "qa-en")])
    assert report.exit_code in (0, 8), report.output
    html = "".join(p.read_text(encoding="utf-8") for p in (out.parent / "qa-en").rglob("*.html"))
    assert ENGLISH in html and DUTCH not in html
    csv = next((out.parent / "qa-en").glob("*.csv")).read_text(encoding="utf-8")
    assert ENGLISH in csv and DUTCH not in csv


def test_a_reason_an_earlier_version_stored_as_text_stays_readable(dutch_failure):
    workspace, batch, out = dutch_failure
    with Store(workspace.database) as store:
        page = store.pages(batch.id, [PageStatus.FAILED])[0]
        store.finish_page(page.id, PageStatus.FAILED, None, "bestand beschadigd")  # plain text, as before
        assert [f.reason for f in list_failures(store, batch)] == ["bestand beschadigd"]
    status = CliRunner().invoke(main, ["--workspace", str(workspace.root), "--taal", "en", "status", batch.name])
    assert "bestand beschadigd" in status.output


def test_a_qa_finding_about_a_failed_page_reads_in_each_reviewers_language(monkeypatch):
    """The findings are made once (the review server opens a batch in its own language) and read by
    reviewers who each chose theirs: the reason inside the finding follows the reviewer too."""
    from digitalisering.errors import reason_message
    from digitalisering.qa.checks import page_findings

    stored = stored_reason(N_("out of memory while processing this page"))
    page = {"seq": 1, "status": "failed", "error": shown_reason(stored, "nl"), "error_message": reason_message(stored)}
    monkeypatch.setenv("DIGITALISERING_LANG", "nl")
    finding = next(page_findings(page, {}, True))
    assert finding.message("en").endswith(": out of memory while processing this page")
    assert finding.message("nl").endswith(": geheugen vol bij het verwerken van deze pagina")
    old = {"seq": 2, "status": "failed", "error": "kapot", "error_message": None}  # an earlier version's results
    assert next(page_findings(old, {}, True)).message("en").endswith(": kapot")
