"""Where a run may write: never into the scanner's delivery or the workspace, never over the results
of another batch, also one of the same name from another workspace.

Reproduced before the fix (each test below failed on the old code):
- ``run D --out D`` wrote the PDFs and ALTO files into the dossier folders of the delivery; the next
  run ingested its own PDFs as new scans (4 documents where 2 were delivered).
- ``--out /data`` with the delivery in ``/data/lev`` and a dossier named ``lev`` put that dossier's
  PDF inside the delivery.
- Two workspaces, two different deliveries both in a folder ``lev``, the same ``--out``: the second
  run replaced the first one's results.json (and its same-named PDFs), exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pagegen
from digitalisering.errors import StateError
from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.fixity import sha256_file
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store import Store
from digitalisering.workspace import Workspace


def _delivery(root: Path, dossiers: list[str], words: str = "Brief aan de gemeente Leiden") -> Path:
    for n, name in enumerate(dossiers):
        pagegen.save(pagegen.page_image([f"{words} nummer {n}", f"betreffende het pand Breestraat {n + 10}"]),
                     root / name / "0001.tif", compression="tiff_lzw")
    return root


def _run(ws_root: Path, delivery: Path, out: Path):
    workspace = Workspace.open(ws_root)
    store = Store(workspace.database)
    try:
        batch = ingest_delivery(store, delivery, operator="tester").batch
        return run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "tester")
    finally:
        store.close()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["delivery", "dossier folder"])
def test_output_folder_in_the_delivery_is_refused(tmp_path: Path, where: str):
    root = _delivery(tmp_path / "lev", ["A", "B"])
    before = _tree(root)
    out = root if where == "delivery" else root / "A"
    with pytest.raises(StateError, match="inside the delivery"):
        _run(tmp_path / "ws", root, out)
    assert _tree(root) == before  # nothing written into the delivery


def test_output_folder_in_the_workspace_is_refused(tmp_path: Path):
    root = _delivery(tmp_path / "lev", ["A"])
    with pytest.raises(StateError, match="inside the workspace"):
        _run(tmp_path / "ws", root, tmp_path / "ws" / "uit")
    assert not (tmp_path / "ws" / "uit").exists()


def test_no_dossier_folder_lands_in_a_delivery_inside_the_output_folder(tmp_path: Path):
    """``--out /data``, delivery ``/data/lev`` with a dossier ``lev``: its folder would be the delivery."""
    data = tmp_path / "data"
    root = _delivery(data / "lev", ["lev", "B"])
    before = _tree(root)
    with pytest.raises(StateError, match="inside the delivery"):
        _run(tmp_path / "ws", root, data)
    assert _tree(root) == before


def test_a_same_named_batch_of_another_workspace_does_not_replace_the_results(tmp_path: Path):
    out = tmp_path / "out"
    first = _run(tmp_path / "ws1", _delivery(tmp_path / "x" / "lev", ["A", "B"]), out)
    assert first.pages_done == 2
    before = _tree(out)
    other = _delivery(tmp_path / "y" / "lev", ["A", "B"], words="Tekening plattegrond schaal")
    with pytest.raises(StateError, match="another batch lev"):
        _run(tmp_path / "ws2", other, out)
    assert _tree(out) == before
    # the first batch itself still runs there (it is known by name, delivery and registration time)
    assert _run(tmp_path / "ws1", tmp_path / "x" / "lev", out).pages_done == 0
    after = _tree(out)
    assert after.pop("results.json") and after == {k: v for k, v in before.items() if k != "results.json"}
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["batch"]["delivery"] == \
        str(tmp_path / "x" / "lev")


def test_a_run_into_a_parent_folder_leaves_the_earlier_results_whole(tmp_path: Path):
    """``--out /p/o`` and then ``--out /p``: the first results (in /p/o) keep their PDFs and ALTO
    files. Before, the second run took them for its own renamed outputs and removed them, leaving
    /p/o/results.json pointing at files that were gone."""
    root = _delivery(tmp_path / "lev", ["A", "B"])
    inner = tmp_path / "p" / "o"
    _run(tmp_path / "ws", root, inner)
    before = _tree(inner)
    assert any(name.endswith(".pdf") for name in before) and any(name.endswith(".alto.xml") for name in before)
    second = _run(tmp_path / "ws", root, tmp_path / "p")
    assert second.outputs and _tree(inner) == before


def test_a_failed_rewrite_keeps_the_previous_file(tmp_path: Path, monkeypatch):
    """A correction renames a document's PDF (its type is in the name); when writing the new file
    fails (a full disk), the old one is still there, as results.json says, until a run succeeds."""
    import json

    from digitalisering.documents.overrides import parse_overrides
    from digitalisering.documents.vocabulary import default_vocabulary
    from digitalisering.runner import dossier_chain

    root = _delivery(tmp_path / "lev", ["A"])
    out, ws = tmp_path / "out", tmp_path / "ws"
    _run(ws, root, out)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (doc,) = [d for d in results["documents"] if d["output"]]
    assert doc["type"] != "tekening"
    files = [doc["output"]["path"], *(a["path"] for a in doc["output"]["alto"])]
    before = {p: sha256_file(out / p) for p in files}
    overrides = parse_overrides(f"page;action;value\n{doc['pages'][0]};type;tekening",
                                default_vocabulary().type_names)

    def disk_full(*args, **kwargs):
        raise StateError("cannot write: No space left on device")

    workspace = Workspace.open(ws)
    with Store(workspace.database) as store:
        batch = store.find_batch(delivery=str(root))
        with monkeypatch.context() as m:
            m.setattr(dossier_chain, "build_pdf", disk_full)
            with pytest.raises(StateError, match="No space left"):
                run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t", overrides)
        assert {p: sha256_file(out / p) for p in files} == before  # results.json still tells the truth
        run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")  # the disk has room
    after = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (doc,) = [d for d in after["documents"] if d["output"]]
    assert doc["type"] == "tekening" and doc["output"]["path"].endswith("-tekening.pdf")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf")) == [doc["output"]["path"]]
    assert not [p for p in files if (out / p).exists()]


def test_a_run_removes_only_its_own_unfinished_files(tmp_path: Path):
    """A killed run's temporary files are removed by the next run, but only those of this batch's
    outputs: the output folder may hold another batch's output folder (``--out /o/sub``) being
    written at this moment, whose temporary files the run used to delete from under it."""
    root = _delivery(tmp_path / "lev", ["A"])
    out, ws = tmp_path / "o", tmp_path / "ws"
    _run(ws, root, out)
    ours = [out / ".results.json.k1ll3d_1.part", out / "A" / ".A-01-brief.pdf.k1ll3d_2.part"]
    theirs = [out / "sub" / ".results.json.l1v3_run.part", out / "sub" / "B" / ".B-01-brief.pdf.l1v3_run.part",
              out / "A" / "sub" / ".results.json.l1v3_run.part", out / "A" / ".results.json.l1v3_run.part"]
    for path in ours + theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    _run(ws, root, out)
    assert [p for p in ours if p.exists()] == []
    assert [p for p in theirs if p.exists()] == theirs


def test_a_package_is_never_made_inside_the_output_folder_or_the_delivery(tmp_path: Path):
    """Before, ``package OUT --to DELIVERY/pakket`` was made, and the next ingest of the delivery
    took the package's PDFs for two new scans; a package inside OUT is written into by the next run.
    A work folder ``.NAME.part`` that is a link to another folder was emptied."""
    from digitalisering.ingest import ingest_delivery
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.metadata.package import build_package

    root = _delivery(tmp_path / "lev", ["A"])
    out, ws = tmp_path / "out", tmp_path / "ws"
    _run(ws, root, out)
    delivery, results = _tree(root), _tree(out)
    for target in (root / "pakket", out / "pakket", out / "A" / "pakket"):
        with pytest.raises(StateError, match="is inside the"):
            build_package(out, target, load_archive_config(), operator="t")
        assert not target.exists()
    assert _tree(root) == delivery and _tree(out) == results
    with Store(Workspace.open(ws).database) as store:
        assert ingest_delivery(store, root, operator="t").added_files == []

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "note.txt").write_text("keep me")
    (tmp_path / ".pakket.part").symlink_to(precious, target_is_directory=True)
    with pytest.raises(StateError, match="symbolic link"):
        build_package(out, tmp_path / "pakket", load_archive_config(), operator="t")
    assert (precious / "note.txt").read_text() == "keep me"
    assert build_package(out, tmp_path / "pakket-2", load_archive_config(), operator="t").documents == 1


@pytest.mark.parametrize("name", ["results.json", "failures.csv"])
def test_a_file_of_someone_else_at_a_results_name_is_kept(tmp_path: Path, name: str):
    """``--out`` an existing folder where a colleague keeps a ``results.json`` (another tool's) or a
    ``failures.csv`` of their own: before, the run replaced the first and removed the second (a
    run without failures removes the batch's old failures.csv)."""
    root = _delivery(tmp_path / "lev", ["A"])
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text('{"gemaakt door": "een ander programma"}\n' if name == "results.json"
                            else "pagina;reden\n3;te donker\n", encoding="utf-8")
    before = _tree(out)
    with pytest.raises(StateError, match=f"{name} exists"):
        _run(tmp_path / "ws", root, out)
    assert _tree(out) == before


def test_dossier_folders_named_like_the_run_s_own_files(tmp_path: Path):
    """Dossier folders ``results.json`` and ``qa-rapport`` in a delivery: before, the first became
    the folder where results.json was to be written (every run of the batch failed), the second
    the default folder of the QA report (which replaced it, PDFs and all)."""
    import json

    root = _delivery(tmp_path / "lev", ["results.json", "qa-rapport", "failures.csv"])
    out = tmp_path / "out"
    summary = _run(tmp_path / "ws", root, out)
    assert summary.pages_done == 3 and (out / "results.json").is_file()
    folders = {d["id"]: d["folder"] for d in json.loads((out / "results.json").read_text())["dossiers"]}
    assert all(folders[i] != i and folders[i].startswith(i) for i in folders)
    assert len(summary.outputs) == 3 and all((out / o.relpath).is_file() for o in summary.outputs)


def test_a_dossier_found_later_takes_its_plain_name_from_one_already_written(tmp_path: Path):
    """A stack whose first separator sheet failed: dossier ``X~1`` was written as ``X_1``. Once the
    sheet is read, dossier ``X_1`` appears, takes the plain name and ``X~1`` moves to a hashed one.
    Before, every run stopped: ``X_1``'s PDF path was recorded for ``X~1``'s document."""
    import faults
    import pikepdf

    from digitalisering.pdfa.xmp import NAMESPACE

    root = tmp_path / "lev"
    pagegen.save(pagegen.barcode_sheet("DOSSIER:X_1"), root / "scan_0001-victim.tif", dpi=200)
    pagegen.save(pagegen.page_image(["Brief aan de gemeente Leiden", "Breestraat 10"]), root / "scan_0002.tif")
    pagegen.save(pagegen.barcode_sheet("DOSSIER:X~1"), root / "scan_0003.tif", dpi=200)
    pagegen.save(pagegen.page_image(["Brief aan de gemeente Leiden", "Breestraat 12"]), root / "scan_0004.tif")
    out = tmp_path / "out"
    workspace = Workspace.open(tmp_path / "ws")
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root, operator="t").batch
        options = RunOptions(jobs=1, progress=False)
        first = run_batch(store, workspace, batch, out, options, "t", page_fn=faults.raise_in_stage)
        assert first.pages_failed == 1 and len(first.outputs) == 1
        assert first.outputs[0].relpath.startswith("X_1/X_1-01-") and first.outputs[0].dossier_id == "X~1"
        second = run_batch(store, workspace, batch, out, options, "t")
        assert second.pages_failed == 0
        paths = {o.dossier_id: o.relpath for o in second.outputs}
        assert paths["X_1"].startswith("X_1/X_1-01-") and paths["X~1"].startswith("X_1-")
        for dossier, rel in paths.items():
            with pikepdf.open(out / rel) as pdf:
                assert pdf.open_metadata()[f"{{{NAMESPACE}}}dossier"] == dossier
        assert sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf")) == sorted(paths.values())
        assert {o.path for o in store.outputs(batch.id)} == {str(o) for o in out.rglob("*.*")
                                                               if o.name not in ("results.json", "failures.csv")}


def test_outputs_of_the_old_split_stay_until_results_json_names_the_new_ones(tmp_path: Path, monkeypatch):
    """A correction merges two documents; writing results.json then fails (a full disk). The old
    results.json still names the second document's PDF and ALTO file: they must still be there.
    Before, they were removed before results.json was written."""
    import json

    from digitalisering.documents.overrides import parse_overrides
    from digitalisering.documents.vocabulary import default_vocabulary
    from digitalisering.runner import batch as runner_batch

    root = tmp_path / "lev"
    for n in range(2):
        pagegen.save(pagegen.page_image([f"Brief aan de gemeente Leiden {n}", "Breestraat 10"]),
                     root / "A" / f"000{n + 1}.tif", compression="tiff_lzw")
    out = tmp_path / "out"
    workspace = Workspace.open(tmp_path / "ws")
    types = default_vocabulary().type_names
    options = RunOptions(jobs=1, progress=False)
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root, operator="t").batch
        run_batch(store, workspace, batch, out, options, "t", parse_overrides("page;action;value\n1;split;", types))
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        named = [p for d in results["documents"] if d["output"]
                 for p in [d["output"]["path"], *(a["path"] for a in d["output"]["alto"])]]
        assert len([p for p in named if p.endswith(".pdf")]) == 2
        before = {p: sha256_file(out / p) for p in named}

        def disk_full(*args, **kwargs):
            raise StateError("cannot write results.json: No space left on device")

        with monkeypatch.context() as m:
            m.setattr(runner_batch, "write_results", disk_full)
            with pytest.raises(StateError, match="No space left"):
                run_batch(store, workspace, batch, out, options, "t", parse_overrides("page;action;value\n1;merge;", types))
        second = [p for p in named if "-02-" in p]  # the old split's second document: PDF and ALTO file
        assert len(second) == 2 and {p: sha256_file(out / p) for p in second} == {p: before[p] for p in second}
        assert all((out / p).exists() for p in named)
        run_batch(store, workspace, batch, out, options, "t")  # the disk has room again
    after = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len([d for d in after["documents"] if d["output"]]) == 1
    kept = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"results.json"}
    assert kept == {p for d in after["documents"] if d["output"]
                    for p in [d["output"]["path"], *(a["path"] for a in d["output"]["alto"])]}


def test_a_delivery_package_is_never_written_into(tmp_path: Path):
    """``run --out PACKAGE`` put dossier folders and results.json into a finished bag (and verify
    still said ok); a package made inside another one changed that one too."""
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.metadata.package import build_package, verify_package

    root = _delivery(tmp_path / "lev", ["A"])
    out, ws = tmp_path / "out", tmp_path / "ws"
    _run(ws, root, out)
    bag = tmp_path / "pakket"
    build_package(out, bag, load_archive_config(), operator="t")
    sealed = _tree(bag)
    other = _delivery(tmp_path / "lev-2", ["B"])
    for target in (bag, bag / "data"):
        with pytest.raises(StateError, match="inside the package"):
            _run(ws, other, target)
    with pytest.raises(StateError, match="inside the package"):
        build_package(out, bag / "data" / "nog-een", load_archive_config(), operator="t")
    assert _tree(bag) == sealed and verify_package(bag).ok


def test_a_workspace_inside_the_delivery_is_refused(tmp_path: Path):
    """``--workspace DELIVERY/werk``: before, the next ingest registered the workspace's page work
    image as a scan of a dossier ``werk``. Now ingest and run refuse it with one line (exit 6) and
    the delivery stays as it was."""
    import subprocess
    import sys

    from digitalisering.exitcodes import ExitCode

    root = _delivery(tmp_path / "lev", ["A"])
    before = _tree(root)
    for command in (["ingest", str(root)], ["run", str(root), "--out", str(tmp_path / "out")]):
        res = subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(root / "werk"), *command],
                             capture_output=True, text=True)
        assert res.returncode == ExitCode.STATE, res.stderr
        errors = [line for line in res.stderr.splitlines() if line.strip()]
        assert len(errors) == 1 and "is inside the delivery" in errors[0] and "Traceback" not in res.stderr
    assert _tree(root) == before and not (tmp_path / "out").exists()
    # the library refuses too: registering with the workspace named, and running a batch
    inside = Workspace.open(root / "werk")
    with Store(tmp_path / "state.sqlite") as store:
        with pytest.raises(StateError, match="inside the delivery"):
            ingest_delivery(store, root, operator="t", workspace_root=inside.root)
        assert store.batches() == []
        batch = ingest_delivery(store, root, operator="t").batch
        with pytest.raises(StateError, match="inside the delivery"):
            run_batch(store, inside, batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "t")


def test_a_same_named_batch_whose_first_run_died_before_its_results_keeps_its_pdfs(tmp_path: Path, monkeypatch):
    """The first run of batch ``lev`` (workspace 1) died after writing its PDFs, before results.json;
    a batch also called ``lev`` from another workspace and delivery then ran into the same folder.
    Before, the PDF's XMP named only the batch and the document, so the second run took the first
    one's PDFs for its own unrecorded outputs and replaced them (exit 0). Now the XMP carries the
    batch's identity (delivery, registration time) and the second run is refused."""
    from digitalisering.pdfa import xmp
    from digitalisering.runner import batch as batch_module

    out = tmp_path / "out"

    def dies(*args, **kwargs):
        raise KeyboardInterrupt  # killed after the PDFs, before results.json
    with monkeypatch.context() as m:
        m.setattr(batch_module, "write_results", dies)
        with pytest.raises(KeyboardInterrupt):
            _run(tmp_path / "ws1", _delivery(tmp_path / "x" / "lev", ["A", "B"]), out)
    assert not (out / "results.json").exists()
    before = _tree(out)
    pdf = next(out.glob("A/*.pdf"))
    import pikepdf
    with pikepdf.open(pdf) as doc:
        metadata = doc.Root.Metadata.read_bytes()
    props = xmp.read_properties(metadata)
    assert props["batch"] == "lev" and len(props["batchIdentity"]) == 32
    # the PDF may be published as it is: it names no internal folder (before: bd:batchDelivery was the path)
    assert b"/x/lev" not in metadata and str(tmp_path).encode() not in metadata and "batchDelivery" not in props
    other = _delivery(tmp_path / "y" / "lev", ["A", "B"], words="Brief aan de gemeente Oegstgeest")
    with pytest.raises(StateError, match="was not written for"):
        _run(tmp_path / "ws2", other, out)
    assert _tree(out) == before
    # the batch that wrote them knows them as its own and finishes its run
    assert _run(tmp_path / "ws1", tmp_path / "x" / "lev", out).pages_done == 0
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["batch"]["delivery"] == \
        str(tmp_path / "x" / "lev")


def test_a_same_named_batch_never_takes_the_alto_files_of_a_moved_pdf(tmp_path: Path, monkeypatch):
    """As above, and then the operator did what the refusal said: moved the first batch's PDFs away.
    Its ALTO files stayed. Before, an ALTO file was known as ours by the PDF's file name and the page
    number alone, so the second ``lev`` replaced them with its own text (exit 0): the first batch's
    ALTO files were lost. Now an ALTO file names its batch, the batch's identity and its document
    (``documentIdentifier``) and the second run is refused; the batch that wrote them resumes."""
    from digitalisering.runner import batch as batch_module
    from lxml import etree

    from digitalisering.text import alto

    out = tmp_path / "out"

    def dies(*args, **kwargs):
        raise KeyboardInterrupt
    with monkeypatch.context() as m:
        m.setattr(batch_module, "write_results", dies)
        with pytest.raises(KeyboardInterrupt):
            _run(tmp_path / "ws1", _delivery(tmp_path / "x" / "lev", ["A", "B"]), out)
    altos = sorted(out.glob("*/*.alto.xml"))
    assert len(altos) == 2
    found = alto.identifiers(etree.fromstring(altos[0].read_bytes()))
    assert found[alto.IDENTIFIER_BATCH] == "lev" and len(found[alto.IDENTIFIER_BATCH_IDENTITY]) == 32
    assert alto.validation_errors(altos[0].read_bytes()) == []
    moved = tmp_path / "moved"
    moved.mkdir()
    for pdf in out.glob("*/*.pdf"):
        pdf.rename(moved / pdf.name)
    before = _tree(out)
    other = _delivery(tmp_path / "y" / "lev", ["A", "B"], words="Brief aan de gemeente Oegstgeest")
    with pytest.raises(StateError, match="was not written for"):
        _run(tmp_path / "ws2", other, out)
    assert _tree(out) == before
    # the batch that wrote them writes its PDFs again and keeps its ALTO files
    assert _run(tmp_path / "ws1", tmp_path / "x" / "lev", out).pages_done == 0
    assert {p: d for p, d in _tree(out).items() if p.endswith(".alto.xml")} == before


def test_an_alto_file_of_an_earlier_version_is_ours_only_beside_our_pdf(tmp_path: Path):
    """An ALTO file without identifiers (written before they were) is taken for this batch's own
    unrecorded output only when the PDF beside it is this batch's (its XMP says so)."""
    from digitalisering.runner.dossier_chain import _alto_written_for
    from digitalisering.store.records import Batch

    out = tmp_path / "out"
    _run(tmp_path / "ws1", _delivery(tmp_path / "x" / "lev", ["A"]), out)
    with Store(Workspace.open(tmp_path / "ws1").database) as store:
        batch = store.batches()[0]
    alto_file = next(out.glob("A/*.alto.xml"))
    pdf = next(out.glob("A/*.pdf"))
    doc_id = json.loads((out / "results.json").read_text(encoding="utf-8"))["dossiers"][0]["documents"][0]
    assert _alto_written_for(alto_file, batch, doc_id, pdf, 1)
    stranger = Batch(batch.id, "lev", "/elders/lev", batch.layout, batch.created_at, batch.created_by)
    assert not _alto_written_for(alto_file, stranger, doc_id, pdf, 1)
    assert not _alto_written_for(alto_file, batch, doc_id, pdf, 2)
    old = alto_file.read_bytes()
    stripped = b"\n".join(line for line in old.split(b"\n") if b"documentIdentifier" not in line)
    alto_file.write_bytes(stripped)
    assert _alto_written_for(alto_file, batch, doc_id, pdf, 1)  # its PDF is ours
    assert not _alto_written_for(alto_file, stranger, doc_id, pdf, 1)
    pdf.unlink()
    assert not _alto_written_for(alto_file, batch, doc_id, pdf, 1)  # nothing says whose it is


def test_an_output_folder_whose_path_is_not_utf8_is_refused_before_any_page(tmp_path: Path):
    """``--out`` on an old system's share with a Latin-1 folder name: the run processed every page
    and then stopped with an internal error (exit 15): the state database cannot hold the path.
    Refused now before anything is done (exit 6, one line); package, QA report and publication
    targets too."""
    import os

    from digitalisering.fileio import require_text_path

    root = _delivery(tmp_path / "lev", ["A"])
    bad = Path(os.fsdecode(os.fsencode(tmp_path) + b"/uit\xe9"))
    workspace = Workspace.open(tmp_path / "ws")
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root, operator="tester").batch
        with pytest.raises(StateError, match="not valid UTF-8"):
            run_batch(store, workspace, batch, bad, RunOptions(jobs=1, progress=False), "tester")
        assert {str(p.status) for p in store.pages(batch.id)} == {"pending"}
    assert not os.path.exists(os.fsencode(bad))
    assert require_text_path(tmp_path / "uit é") == tmp_path / "uit é"
