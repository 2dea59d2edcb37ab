"""The model versions in the workspace under a hostile tester: a `learn` that finishes during a run,
two `learn`s at once, a `learn` killed while saving.

Reproduced before the fix (each test below failed on the old code):
- A `learn` that made v0002 current while a run was deciding its dossiers with v0001: results.json
  said `models.document: v0002` and every document `decided_by: model v0002` (the run read
  `current` again after planning).
- Two `learn`s saving at the same moment: the second stopped with FileExistsError (exit 15).
- A `learn` killed while writing its model left a truncated `document-model.joblib` under the
  final name in the version folder.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import pagegen
from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import default_vocabulary, normalise
from digitalisering.ingest import ingest_delivery
from digitalisering.learning import model as model_module
from digitalisering.learning import versions
from digitalisering.learning.model import MODEL_FILE, LabelledDocument, LabelledDossier, load, save, train
from digitalisering.runner import RunOptions, dossier_chain, run_batch
from digitalisering.store import Store
from digitalisering.workspace import Workspace

VOCAB = default_vocabulary()
LETTER = ["Leiden, {d}", "Aan Burgemeester en Wethouders", "Edelachtbare Heeren,", "verzoek om een vergunning"]
CARD = ["BOUWTOEZICHT KAART {n}", "gebruiksklaar bevonden op {d}", "opzichter Visser", "perceel {n}"]


def _model():
    rng = random.Random(3)
    dossiers, seq = [], 0
    for i in range(6):
        docs = []
        for kind, lines in (("brief", LETTER), ("gereedmelding", CARD)):
            text = normalise("\n".join(l.format(n=rng.randint(10, 999), d=f"{rng.randint(1, 28)} mei 1950")
                                       for l in lines))
            docs.append(LabelledDocument([PageView(seq=seq, folder=f"D{i}", done=True, text=text, words=20)], kind))
            seq += 1
        dossiers.append(LabelledDossier(docs, source=f"t/D{i}"))
    return train(dossiers, VOCAB, vocabulary_weight=0.5)


def _version(root: Path, model, current: bool):
    def write(v):
        model.summary["version"] = v.name
        save(model, v.folder)
    v = versions.save_version(root, write)
    if current:
        versions.make_current(root, v)
    return v


def test_a_learn_during_a_run_does_not_change_which_model_the_run_names(tmp_path, monkeypatch):
    ws = Workspace.open(tmp_path / "ws")
    model = _model()
    first = _version(ws.root, model, current=True)
    second = _version(ws.root, model, current=False)
    delivery = tmp_path / "lev"
    pagegen.save(pagegen.page_image(["Leiden, 3 mei 1950", "Aan Burgemeester en Wethouders", "Edelachtbare Heeren,"]),
                 delivery / "D1" / "0001.tif", compression="tiff_lzw")
    planned = dossier_chain.plan_documents

    def plan_then_learn(*args, **kwargs):  # `learn` finishes right after the dossiers were decided
        plan = planned(*args, **kwargs)
        versions.make_current(ws.root, second)
        return plan
    monkeypatch.setattr(dossier_chain, "plan_documents", plan_then_learn)
    with Store(ws.database) as store:
        batch = ingest_delivery(store, delivery).batch
        run_batch(store, ws, batch, tmp_path / "out", RunOptions(jobs=1, progress=False), "t")
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["models"]["document"] == first.name
    named = {v for d in results["documents"] for v in d["decided_by"].values() if v.startswith("model")}
    assert named <= {f"model {first.name}"}


def _writes(name: str):
    def write(v):
        (v.folder / "document-model.json").write_text(json.dumps({"by": name, "version": v.name}))
    return write


def test_two_learns_saving_at_once_get_two_versions(tmp_path, monkeypatch):
    """The second `learn` lists the versions before the first one made its folder."""
    listed = versions.versions(tmp_path)
    made = versions.save_version(tmp_path, _writes("other"))  # the other learn, in between
    monkeypatch.setattr(versions, "versions", lambda root: listed)
    mine = versions.save_version(tmp_path, _writes("mine"))
    assert (made.name, mine.name) == ("v0001", "v0002")
    assert json.loads((mine.folder / "document-model.json").read_text()) == {"by": "mine", "version": "v0002"}


def test_a_number_taken_while_the_model_was_written_is_skipped(tmp_path):
    """A file system without locks: another `learn` renamed its v0001 in while this one wrote; the
    rename does not replace it, the model is written again as v0002."""
    calls = []

    def write(v):
        calls.append(v.name)
        if len(calls) == 1:  # the other learn, finishing first
            other = versions.model_root(tmp_path) / "v0001"
            other.mkdir()
            (other / "document-model.json").write_text('{"by": "other"}')
        _writes("mine")(v)
    mine = versions.save_version(tmp_path, write)
    assert calls == ["v0001", "v0002"] and mine.name == "v0002"
    assert json.loads((tmp_path / "model" / "v0001" / "document-model.json").read_text()) == {"by": "other"}
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["v0001", "v0002"]


def test_a_learn_killed_while_saving_leaves_no_half_version_and_the_next_learn_works(tmp_path):
    """Killed (SIGKILL) between writing the document model and the address model: v0001 was left
    holding half a version, listed by `versions` as a model."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from digitalisering.learning import versions
        def write(v):
            (v.folder / "document-model.joblib").write_bytes(b"model")
            os.kill(os.getpid(), signal.SIGKILL)  # before the address model
        versions.save_version(Path({str(tmp_path)!r}), write)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == -9, done.stderr[-500:]
    assert versions.versions(tmp_path) == [] and versions.current(tmp_path) is None
    assert [p.name for p in (tmp_path / "model").iterdir() if p.name.startswith(".new-version.")]  # left
    model = _model()
    v = _version(tmp_path, model, current=True)
    assert v.name == "v0001" and versions.current(tmp_path) == v and load(v.folder) is not None
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["current", "v0001"]
    from digitalisering.fileio import current_umask

    assert v.folder.stat().st_mode & 0o777 == 0o777 & ~current_umask()


def test_a_learn_killed_while_saving_leaves_no_model_under_its_name(tmp_path, monkeypatch):
    model = _model()

    def dies(data, path, *a, **k):
        Path(path).write_bytes(b"\x80\x04half a pickle")
        raise KeyboardInterrupt
    monkeypatch.setattr(model_module.joblib, "dump", dies)
    folder = tmp_path / "v0001"
    with pytest.raises(KeyboardInterrupt):
        save(model, folder)
    assert not (folder / MODEL_FILE).exists()
    monkeypatch.undo()
    save(model, folder)
    assert load(folder) is not None and [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_run_killed_while_the_base_model_is_saved_leaves_no_hidden_folder(tmp_path, monkeypatch):
    """The base model is saved in a hidden ``.base-*`` folder and renamed into place; a run killed
    before the rename left that folder for good. The next run that uses the base model removes it."""
    import os
    import subprocess
    import sys
    import textwrap

    from digitalisering.learning import base

    root = tmp_path / "model"
    monkeypatch.setenv(base.CACHE_ENV, str(tmp_path / "cache"))  # the stand-in model never reaches the shared cache
    monkeypatch.setattr(base, "_memory", {})  # nor a later test of this process (it ends in memory)
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from digitalisering.learning import base
        from digitalisering.learning.model import DocumentModel
        def killed(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace = killed
        base._save_atomic(DocumentModel(None, None, {{"base": True}}), Path({str(root)!r}) / "base-abc")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == -9, done.stderr[-500:]
    assert [p.name for p in root.iterdir() if p.name.startswith(".base-")]  # what the kill left

    key = base.base_key(base.default_vocabulary())
    stand_in = _model()
    stand_in.summary["base"] = True  # as trained: no minute of training in this test
    base._memory[key] = stand_in
    try:
        base.base_model(cache_root=root)
    finally:
        base._memory.pop(key, None)
    assert sorted(p.name for p in root.iterdir()) == [f"base-{key}"]
    assert load(root / f"base-{key}") is not None
    from digitalisering.fileio import current_umask

    assert (root / f"base-{key}").stat().st_mode & 0o777 == 0o777 & ~current_umask()  # not mkdtemp's 0700

    # a later run that finds the model saved removes a killed save's leftovers too
    (root / ".base-xyz123").mkdir()
    (root / ".base-xyz123" / "model.joblib.part").write_bytes(b"half")
    base._memory.pop(key, None)
    base.base_model(cache_root=root)
    assert sorted(p.name for p in root.iterdir()) == [f"base-{key}"]
