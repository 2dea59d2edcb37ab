"""`digitalisering learn`: a versioned model from the archivists' corrections; the next run decides
the batch again with it, reads no page, rewrites only what changed and says which model decided."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.corrections import record_correction
from digitalisering.exitcodes import ExitCode
from digitalisering.learning import versions
from digitalisering.learning.base import base_name
from digitalisering.resultsfile import validate_results
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.workspace import Workspace


def test_versions_are_numbered_and_one_is_current(tmp_path):
    assert versions.current(tmp_path) is None
    def write(v):
        (v.folder / "document-model.json").write_text("{}")
    a = versions.save_version(tmp_path, write)
    b = versions.save_version(tmp_path, write)
    assert (a.name, b.name) == ("v0001", "v0002") and versions.versions(tmp_path) == ["v0001", "v0002"]
    assert versions.current(tmp_path) is None  # made, not yet current
    versions.make_current(tmp_path, a)
    assert versions.current(tmp_path) == a
    (tmp_path / "model" / "current").write_text("../../etc\n")  # a damaged pointer is not followed
    assert versions.current(tmp_path) is None


@pytest.fixture
def corrected(processed, tmp_path):
    """A copy of the processed workspace and an output folder written from it."""
    ws = Workspace.open(tmp_path / "ws")
    shutil.copytree(processed["workspace"].root, ws.root, dirs_exist_ok=True)
    out = tmp_path / "out"
    with Store(ws.database) as store:
        batch = store.find_batch(name=processed["batch"].name)
        run_batch(store, ws, batch, out, RunOptions(jobs=1, progress=False), "t")
    return ws, batch, out


def _cli(ws: Workspace, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(ws.root), *args])


def test_learn_needs_a_correction_first(corrected):
    ws, _, _ = corrected
    res = _cli(ws, "learn")
    assert res.exit_code == ExitCode.STATE and "no dossier has been corrected" in res.stderr
    assert versions.current(ws.root) is None


def test_learn_from_corrections_then_run_rewrites_only_what_changed(corrected):
    ws, batch, out = corrected
    before = json.loads((out / "results.json").read_text())
    base = base_name()  # nothing learned yet: the base model (trained on the generated corpus) decides
    assert before["models"] == {"document": base, "address": "package"}
    assert {d["decided_by"]["type"] for d in before["documents"]} <= {f"model {base}"}
    docs = {d["id"]: d for d in before["documents"]}
    target = next(d for d in before["documents"] if d["dossier"] == "BWT-1980-0003")
    with Store(ws.database) as store:
        record_correction(store, batch, "type", who="archivaris", page=target["pages"][0], value="brief",
                          document=target["id"])
    res = _cli(ws, "learn", "--operator", "archivaris")
    assert res.exit_code == 0, res.output
    assert "model v0001: trained on 1 corrected" in res.output and "leave-one-out" in res.output
    current = versions.current(ws.root)
    assert current is not None and current.name == "v0001" and current.has_document_model
    summary = json.loads((current.folder / "document-model.json").read_text())
    assert summary["version"] == "v0001" and summary["by"] == "archivaris"
    assert summary["corrected_sources"] == [f"{batch.name}/BWT-1980-0003"]
    with Store(ws.database) as store:
        again = run_batch(store, ws, batch, out, RunOptions(jobs=1, progress=False), "t")
    assert again.pages_processed == 0
    after = json.loads((out / "results.json").read_text())
    validate_results(after)
    assert after["schema_version"] == "1.6" and after["models"]["document"] == "v0001"
    corrected_doc = next(d for d in after["documents"] if d["id"] == target["id"])
    assert corrected_doc["type"] == "brief" and corrected_doc["decided_by"]["type"] == "correction"
    others = [d for d in after["documents"] if d["id"] != target["id"]]
    assert others and all(d["decided_by"]["type"] == "model v0001" for d in others)
    assert summary["corpus"]["dossiers"] > 0  # learned on top of the generated corpus
    # an output is written again only when its document changed
    changed = {d["id"] for d in after["documents"]
               if d["id"] not in docs or (d["type"], d["pages"]) != (docs[d["id"]]["type"], docs[d["id"]]["pages"])}
    rebuilt = {o.key for o in again.outputs if o.rebuilt and o.kind == "document-pdf"}
    assert rebuilt == changed and target["id"] in changed


def test_an_older_results_file_still_reads(processed):
    from digitalisering.resultsfile import read_results

    data = json.loads((processed["out"] / "results.json").read_text())
    for key in ("models",):
        data.pop(key, None)
    data["schema_version"] = "1.4"
    for d in data["documents"]:
        d.pop("decided_by", None)
    for d in data["dossiers"]:
        d.pop("addresses_decided_by", None)
    validate_results(data)  # the 1.4 shape (without what 1.5 added) is still valid
    assert read_results(processed["out"])["schema_version"] == "1.6"


def test_address_corrections_train_the_address_model_and_the_next_run_uses_it(workspace, tmp_path):
    import pagegen
    from digitalisering.bag.index import INDEX_FILE, import_extract
    from digitalisering.ingest import ingest_delivery

    repo = __import__("pathlib").Path(__file__).resolve().parents[2]
    import_extract(repo / "batches/demo-bag/BAGNLDL-01102026-demo.zip", workspace.root / INDEX_FILE, "0546")
    root = tmp_path / "levering" / "BWT-1974-0475"
    lines = ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aan de heer J. Visser", "Morsweg 12",
             "Onderwerp: bouwvergunning", "vergunning voor het vernieuwen van de kap",
             "op het perceel Morsweg 138 te Leiden.", "Hoogachtend,"]
    pagegen.save(pagegen.page_image(lines, dpi=200), root / "0001.tif", dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root.parent).batch
        run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")
        first = json.loads((out / "results.json").read_text())["dossiers"][0]
        assert [a["huisnummer"] for a in first["addresses"]] == [138]
        twelve = next(a for d in json.loads((out / "results.json").read_text())["documents"]
                      for a in d["addresses"] if a["huisnummer"] == 12)["nummeraanduiding_ids"][0]
        # the archivist: this dossier is about Morsweg 12, not 138
        record_correction(store, batch, "address_remove", who="archivaris", dossier="BWT-1974-0475",
                          value="0546200000385399")
        record_correction(store, batch, "address_add", who="archivaris", dossier="BWT-1974-0475", value=twelve)
    res = _cli(workspace, "learn")
    assert res.exit_code == 0, res.output
    assert "address model: trained on" in res.output
    version = versions.current(workspace.root)
    model = json.loads((version.folder / versions.ADDRESS_MODEL_FILE).read_text())
    assert model["summary"]["dossiers_corrected"] == 1 and model["summary"]["version"] == "v0001"
    assert model["summary"]["objects"] and model["summary"]["others"]
    with Store(workspace.database) as store:
        assert run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t").pages_processed == 0
    data = json.loads((out / "results.json").read_text())
    [dossier] = data["dossiers"]
    assert dossier["addresses_decided_by"] == "model v0001" and data["models"]["address"] == "v0001"
    assert [(a["nummeraanduiding_ids"], a["corrected"]) for a in dossier["addresses"]] == [([twelve], True)]
