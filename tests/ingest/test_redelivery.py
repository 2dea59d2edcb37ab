"""Re-delivery of a failed or missing file (``--accept-redelivery``): the new version replaces the
recorded one, the old one stays in the page history and the event log; a changed file whose pages
were fine stays a fixity error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.errors import ConfigError
from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.fixity import sha256_file
from digitalisering.store.records import PageStatus

import pagegen

ZERO = "BWT-1980-0003/zero.tif"


def _two_page_tiff(path: Path) -> None:
    pagegen.save_multipage_tiff([pagegen.page_image(["Aanvraag", "Rapenburg 8"], mode="L"),
                                 pagegen.page_image(["Tekening", "Doorsnede"], mode="L")], path)


def _order(store, batch_id):
    files = {f.id: f.relpath for f in store.files(batch_id)}
    return [(files[p.file_id], p.page_index, p.seq) for p in store.pages(batch_id)]


def test_a_failed_file_delivered_again_is_a_fixity_error_until_it_is_accepted(store, delivery):
    root, _ = delivery
    first = ingest_delivery(store, root, operator="ann")
    batch = first.batch
    assert ZERO in first.failed_files
    before = _order(store, batch.id)
    _two_page_tiff(root / ZERO)

    plain = ingest_delivery(store, root, operator="ann")
    assert [(c.relpath, c.redeliverable) for c in plain.changed_files] == [(ZERO, True)]
    assert not plain.redelivered_files
    assert {f.relpath: f.sha256 for f in store.files(batch.id)}[ZERO] != sha256_file(root / ZERO)

    report = ingest_delivery(store, root, operator="bob", accept_redelivery=[ZERO])
    assert report.redelivered_files == [ZERO] and not report.changed_files and not report.is_noop
    record = {f.relpath: f for f in store.files(batch.id)}[ZERO]
    assert (record.sha256, record.page_count, record.error) == (sha256_file(root / ZERO), 2, None)
    pages = [p for p in store.pages(batch.id) if p.file_id == record.id]
    assert [(p.page_index, p.status) for p in pages] == [(0, PageStatus.PENDING), (1, PageStatus.PENDING)]
    # the delivery's order is kept: the new page follows the file's first one, later pages move up
    after = _order(store, batch.id)
    assert [s for *_, s in after] == list(range(len(before) + 1))
    expected = [(f, i) for f, i, _ in before]
    expected.insert(expected.index((ZERO, 0)) + 1, (ZERO, 1))
    assert [(f, i) for f, i, _ in after] == expected
    # the old version: page history and event log
    history = store.page_history(batch.id)
    assert [(h.page_id, h.status) for h in history] == [(pages[0].id, PageStatus.FAILED)]
    assert history[0].file_sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    event = [e for e in store.events(batch.id) if e.action == "file.redelivered"][-1]
    assert (event.who, event.detail["file"], event.detail["reason"], event.detail["previous_error"]) == (
        "bob", ZERO, "failed", "empty file (0 bytes)")
    assert event.detail["accepted"] == "--accept-redelivery"


def test_a_changed_file_that_did_not_fail_stays_a_fixity_error_even_when_named(store, delivery):
    root, _ = delivery
    batch = ingest_delivery(store, root).batch
    good = "BWT-1962-0001/0001.tif"
    recorded = sha256_file(root / good)
    (root / good).write_bytes((root / good).read_bytes() + b"changed")
    report = ingest_delivery(store, root, accept_redelivery=[good])
    assert [c.relpath for c in report.changed_files] == [good] and not report.redelivered_files
    assert "did not fail" in report.redelivery_refused[good]
    assert {f.relpath: f.sha256 for f in store.files(batch.id)}[good] == recorded
    assert any(e.action == "file.redelivery_refused" for e in store.events(batch.id))


def test_a_missing_file_that_comes_back_changed_is_taken_when_named(store, delivery, tmp_path):
    root, _ = delivery
    batch = ingest_delivery(store, root).batch
    name = "BWT-1975-0002/vervolg.png"
    kept = tmp_path / "kept.png"
    shutil.move(root / name, kept)
    gone = ingest_delivery(store, root)
    assert gone.missing_files == [name]
    still = ingest_delivery(store, root, accept_redelivery=[name])
    assert still.redelivery_refused == {name: "still missing from the delivery"} and still.missing_files == [name]
    pagegen.save(pagegen.page_image(["Berekening", "opnieuw gescand"], mode="L"), root / name)
    # named by its path (absolute here) rather than relative to the delivery
    back = ingest_delivery(store, root, accept_redelivery=[str(root / name)])
    assert back.redelivered_files == [name] and not back.changed_files
    event = [e for e in store.events(batch.id) if e.action == "file.redelivered"][-1]
    assert event.detail["reason"] == "missing"


def test_a_name_that_is_not_a_file_of_the_batch_is_refused(store, delivery):
    root, _ = delivery
    ingest_delivery(store, root)
    with pytest.raises(ConfigError, match="not a file of batch"):
        ingest_delivery(store, root, accept_redelivery=["BWT-1962-0001/9999.tif"])


def test_ingest_exit_codes_before_and_after_acceptance(delivery, tmp_path):
    root, _ = delivery
    ws = ["--workspace", str(tmp_path / "ws")]
    runner = CliRunner()
    assert runner.invoke(main, [*ws, "ingest", str(root)]).exit_code == 1  # failed files
    _two_page_tiff(root / ZERO)
    res = runner.invoke(main, [*ws, "ingest", str(root)])
    assert res.exit_code == 5 and f"--accept-redelivery {ZERO}" in res.output
    res = runner.invoke(main, [*ws, "ingest", str(root), "--accept-redelivery", ZERO])
    # the other bad files failed at the first ingest; this one did what was asked
    assert res.exit_code == 0, res.output
    assert f"re-delivered, the new version is taken (the earlier one is kept in the history): {ZERO}" in res.output
    res = runner.invoke(main, [*ws, "ingest", str(root), "--accept-redelivery", "nope.tif"])
    assert res.exit_code == 2 and "not a file of batch" in res.output
