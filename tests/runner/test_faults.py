"""Faults during a run: a worker killed mid-page, a page whose processing raises, an output disk
that refuses writes. Afterwards a run completes the batch; no page is lost or processed twice; every
output matches its recorded checksum."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

import faults
import pagegen
from digitalisering import fileio
from digitalisering.errors import StateError, shown_reason
from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.fixity import sha256_file
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.store.records import PageStatus


def _delivery(root: Path) -> int:
    names = ["0001.tif", "0002-victim.tif", "0003.tif", "0004.tif", "0005.tif"]
    for i, name in enumerate(names):
        pagegen.save(pagegen.page_image([f"Pagina {i}", "Gemeente Leiden", "Bouwvergunning Breestraat 12"]),
                     root / "BWT-1990-0001" / name, compression="tiff_lzw")
    return len(names)


def _finished_once(store: Store, batch) -> None:
    """Every page done, each with one stored result, and every output as recorded."""
    pages = store.pages(batch.id)
    assert all(p.status == PageStatus.DONE and p.result for p in pages)
    assert len({p.id for p in pages}) == len(pages)
    for out in store.outputs(batch.id):
        assert sha256_file(Path(out.path)) == out.sha256, out.path


def _run(store, workspace, batch, out, **kw):
    return run_batch(store, workspace, batch, out, RunOptions(jobs=2, progress=False), "tester", **kw)


@pytest.fixture
def batch(tmp_path, workspace):
    root = tmp_path / "levering"
    n = _delivery(root)
    store = Store(workspace.database)
    report = ingest_delivery(store, root, operator="tester")
    yield store, report.batch, n
    store.close()


def test_worker_killed_mid_page(batch, workspace, tmp_path):
    store, b, n = batch
    summary = _run(store, workspace, b, tmp_path / "out", page_fn=faults.kill_worker_once)
    assert summary.pages_done == n and summary.pages_failed == 0
    _finished_once(store, b)
    victim = next(p for p in store.pages(b.id) if p.seq == 1)
    assert victim.attempts == 2  # killed once, then done
    assert not [e for e in store.events(b.id) if e.action == "page.failed"]


def test_page_that_kills_every_worker_fails_alone_and_the_rest_is_done(batch, workspace, tmp_path):
    store, b, n = batch
    summary = _run(store, workspace, b, tmp_path / "out", page_fn=faults.kill_worker_always)
    assert summary.pages_done == n - 1 and summary.pages_failed == 1
    failed = store.pages(b.id, [PageStatus.FAILED])
    assert [p.seq for p in failed] == [1] and "worker process died on this page 2 times" in shown_reason(failed[0].error)
    assert len(summary.failures) == 1


def test_page_whose_processing_raises_then_a_run_completes_it(batch, workspace, tmp_path):
    store, b, n = batch
    out = tmp_path / "out"
    summary = _run(store, workspace, b, out, page_fn=faults.raise_in_stage)
    assert summary.pages_failed == 1 and summary.pages_done == n - 1
    (failed,) = store.pages(b.id, [PageStatus.FAILED])
    assert shown_reason(failed.error) == "internal error: RuntimeError: stage exploded"
    results = json.loads((out / "results.json").read_text())
    assert results["summary"]["pages_failed"] == 1
    done_before = {p.id: p.result_json for p in store.pages(b.id, [PageStatus.DONE])}

    summary = _run(store, workspace, b, out)  # the fault is gone
    assert summary.pages_processed == 1 and summary.pages_done == 1
    _finished_once(store, b)
    for p in store.pages(b.id):
        if p.id in done_before:
            assert p.result_json == done_before[p.id] and p.attempts == 1  # not processed again


def test_output_disk_refusing_writes(batch, workspace, tmp_path, monkeypatch):
    store, b, n = batch
    out = tmp_path / "out"
    real_fsync = os.fsync

    def disk_full(fd):  # every write of an output file fails as on a full disk
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(out)):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", disk_full)
    with pytest.raises(StateError, match="No space left on device"):
        _run(store, workspace, b, out)
    # the pages themselves were done and kept; no output (not even a partial one) was left behind
    assert len(store.pages(b.id, [PageStatus.DONE])) == n
    assert not [p for p in out.rglob("*") if p.is_file()] if out.exists() else True
    assert store.outputs(b.id) == []

    monkeypatch.undo()  # the disk has room again
    summary = _run(store, workspace, b, out)
    assert summary.pages_processed == 0 and summary.outputs
    _finished_once(store, b)
    results = json.loads((out / "results.json").read_text())
    for doc in results["documents"]:
        assert sha256_file(out / doc["output"]["path"]) == doc["output"]["sha256"]
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]
