"""The page work on a Dask distributed cluster (a LocalCluster with worker processes on loopback)
gives the same results as the local process pool; a page that kills its workers fails alone."""

from __future__ import annotations

import json
import shutil

import dask
import pytest
from distributed import LocalCluster

import faults
from digitalisering.errors import shown_reason
from digitalisering.ingest import ingest_delivery
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.store.records import PageStatus
from digitalisering.workspace import Workspace

PAGE_FIELDS = ("seq", "status", "error", "dossier", "document", "orientation", "skew_deg", "is_blank",
               "is_separator", "in_output", "technical")


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as c:
            yield c


def _run(delivery_template, tmp_path, name, **options):
    src, _ = delivery_template
    root = tmp_path / name / src.name
    shutil.copytree(src, root)
    ws = Workspace.open(tmp_path / name / "ws")
    out = tmp_path / name / "out"
    with Store(ws.database) as store:
        batch = ingest_delivery(store, root, operator="t").batch
        summary = run_batch(store, ws, batch, out, RunOptions(progress=False, **options), "t",
                            page_fn=options.pop("page_fn", None) or faults.process_page)
        artifacts = {p.seq: p.result.get("artifacts", {}) for p in store.pages(batch.id)}
    return summary, json.loads((out / "results.json").read_text()), artifacts


def test_same_results_on_dask_and_the_local_pool(cluster, delivery_template, tmp_path):
    local, local_results, local_art = _run(delivery_template, tmp_path, "local", jobs=2)
    remote, dask_results, dask_art = _run(delivery_template, tmp_path, "dask", scheduler=cluster.scheduler_address)
    assert (remote.pages_done, remote.pages_failed) == (local.pages_done, local.pages_failed)
    assert remote.pages_done >= 8
    for a, b in zip(local_results["pages"], dask_results["pages"], strict=True):
        same = lambda page, run: json.dumps({k: page[k] for k in PAGE_FIELDS}).replace(f"/{run}/", "/")  # noqa: E731
        assert same(a, "local") == same(b, "dask")
        assert (a["ocr"] or {}).get("words") == (b["ocr"] or {}).get("words")
    # the page images and the OCR words are byte for byte the same
    for seq, art in local_art.items():
        for key in ("image_sha256", "words_sha256"):
            assert art.get(key) == dask_art[seq].get(key), (seq, key)
    strip = lambda docs: [(d["id"], d["type"], d["pages"]) for d in docs]  # noqa: E731
    assert strip(local_results["documents"]) == strip(dask_results["documents"])


def test_page_that_kills_its_dask_workers_fails_alone(cluster, tmp_path):
    import pagegen

    root = tmp_path / "levering"
    for i, name in enumerate(["0001.tif", "0002-victim.tif", "0003.tif"]):
        pagegen.save(pagegen.page_image([f"Pagina {i}", "Gemeente Leiden"]), root / "BWT-1990-0001" / name)
    ws = Workspace.open(tmp_path / "ws")
    with Store(ws.database) as store:
        batch = ingest_delivery(store, root, operator="t").batch
        summary = run_batch(store, ws, batch, tmp_path / "out",
                            RunOptions(progress=False, scheduler=cluster.scheduler_address), "t",
                            page_fn=faults.kill_worker_always)
        failed = store.pages(batch.id, [PageStatus.FAILED])
    assert summary.pages_done == 2 and [p.seq for p in failed] == [1]
    assert "worker process died" in shown_reason(failed[0].error)
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarted the killed workers
