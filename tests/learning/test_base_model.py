"""The base document model (trained on the generated corpus only): it types generated documents it
never saw, types a form the vocabulary cannot name, is rebuilt the same way, and run uses it (and
says so) while the municipality has learned nothing yet."""

import json
from collections import Counter

import numpy as np
import pagegen
import pytest

from digitalisering.documents.classify import score_pages
from digitalisering.documents.model import DocumentPlan, PageView
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.split import classify_documents, plan_batch
from digitalisering.documents.vocabulary import OTHER, default_vocabulary, normalise
from digitalisering.learning import base, corpus, versions
from digitalisering.learning.base import base_model, base_name, train_base

VOCAB = default_vocabulary()
# a municipality's own application form, written for this test: no title or cue of the vocabulary
UNSEEN_FORM = ["Formulier B 12", "Verzoek tot het verkrijgen van toestemming voor een bouwwerk",
               "Naam verzoeker: P. de Haan", "Woonadres: Kerkstraat 4", "Kadastrale aanduiding: sectie C 812",
               "Omschrijving werkzaamheden: vergroten van de woning", "Geraamde bouwkosten: f 12.000,-",
               "Datum en handtekening"]


@pytest.fixture(scope="module")
def model():
    return base_model(VOCAB)


def test_the_base_model_types_generated_documents_it_never_saw_of_every_type(model):
    held_out = corpus.generate(80, seed=987)  # the base model's corpus has seed 0
    right, total = Counter(), Counter()
    for dossier in held_out:
        by_seq = {p.seq: p for d in dossier.documents for p in d.pages}
        for doc in dossier.documents:
            plan = DocumentPlan("x", 1, pages=[p.seq for p in doc.pages])
            classify_documents([plan], by_seq, VOCAB, Overrides(), model)
            total[doc.type] += 1
            right[doc.type] += plan.type == doc.type
    assert set(total) == set(VOCAB.type_names)
    for kind, n in total.items():
        assert right[kind] / n >= 0.85, (kind, right[kind], n)
    assert sum(right.values()) / sum(total.values()) >= 0.93


def test_a_form_the_vocabulary_cannot_name_is_typed_by_the_base_model(model):
    page = PageView(seq=1, folder="D1", done=True, text=normalise("\n".join(UNSEEN_FORM)), words=40)
    assert score_pages([page], VOCAB).type == OTHER  # the vocabulary alone: no evidence
    plan = plan_batch("folders", [page], VOCAB, model=model)
    doc = plan.dossiers[0].documents[0]
    assert doc.type == "aanvraag" and doc.decided_by["type"] == "model"
    assert doc.evidence[0].startswith("model: P(aanvraag)")


def test_the_base_model_is_rebuilt_the_same_and_its_key_names_what_it_is_made_of():
    a, b = train_base(VOCAB, n=25), train_base(VOCAB, n=25)
    assert np.array_equal(a.types.named_steps["clf"].coef_, b.types.named_steps["clf"].coef_)
    assert a.summary["version"] == f"base-{base.base_key(VOCAB, n=25)}"
    assert base.base_key(VOCAB) != base.base_key(VOCAB, cues=False) != base.base_key(VOCAB, seed=1)


def test_run_uses_the_base_model_until_something_is_learned(workspace, tmp_path, model):
    from digitalisering.ingest import ingest_delivery
    from digitalisering.runner import RunOptions, run_batch
    from digitalisering.store import Store

    root = tmp_path / "levering"
    pagegen.save(pagegen.page_image(UNSEEN_FORM, dpi=200, font_pt=12), root / "BWT-1971-0042" / "0001.tif",
                 dpi=200, compression="tiff_lzw")
    out = tmp_path / "out"
    with Store(workspace.database) as store:
        batch = ingest_delivery(store, root, operator="t").batch
        run_batch(store, workspace, batch, out, RunOptions(jobs=1, progress=False), "t")
    results = json.loads((out / "results.json").read_text())
    assert results["models"]["document"] == base_name() and versions.current(workspace.root) is None
    doc = results["documents"][0]
    assert doc["type"] == "aanvraag" and doc["decided_by"]["type"] == f"model {base_name()}"
    cached = versions.model_root(workspace.root) / base_name()
    assert (cached / "document-model.joblib").exists()  # built once, offline, kept in the workspace
    assert json.loads((cached / "document-model.json").read_text())["corpus"]["dossiers"] == base.BASE_DOSSIERS


def test_a_new_workspace_loads_the_base_model_the_machine_trained_once(tmp_path, monkeypatch):
    """Training costs about 17 CPU seconds: a second workspace (another process: nothing in memory)
    takes the user's cached copy instead of training again; an empty DIGITALISERING_CACHE turns the
    shared copy off."""
    monkeypatch.setenv(base.CACHE_ENV, str(tmp_path / "cache"))
    small = base.train_base(VOCAB, n=5)
    trained = []
    monkeypatch.setattr(base, "train_base", lambda vocab: trained.append(vocab) or small)
    monkeypatch.setattr(base, "_memory", {})
    first = base_model(VOCAB, tmp_path / "ws1" / "model")
    assert len(trained) == 1 and (tmp_path / "cache" / "models" / base_name()).is_dir()
    assert (tmp_path / "ws1" / "model" / base_name()).is_dir()
    monkeypatch.setattr(base, "_memory", {})  # a new process
    second = base_model(VOCAB, tmp_path / "ws2" / "model")
    assert len(trained) == 1 and (tmp_path / "ws2" / "model" / base_name()).is_dir()
    assert np.array_equal(second.types.named_steps["clf"].coef_, first.types.named_steps["clf"].coef_)
    monkeypatch.setenv(base.CACHE_ENV, "")
    monkeypatch.setattr(base, "_memory", {})
    base_model(VOCAB, tmp_path / "ws3" / "model")
    assert len(trained) == 2  # no shared copy: trained for this workspace


def test_a_learned_model_under_the_base_models_name_in_the_shared_cache_is_not_taken(tmp_path, monkeypatch):
    """The machine's cache is shared by every workspace: a model there without the base mark (a
    learned one, or one a test put there) would silently replace the base model of every new
    workspace; it is trained again instead."""
    from digitalisering.learning.model import save

    monkeypatch.setenv(base.CACHE_ENV, str(tmp_path / "cache"))
    small = base.train_base(VOCAB, n=5)
    foreign = base.train_base(VOCAB, n=5)
    foreign.summary.pop("base")
    save(foreign, tmp_path / "cache" / "models" / base_name())
    trained = []
    monkeypatch.setattr(base, "train_base", lambda vocab: trained.append(vocab) or small)
    monkeypatch.setattr(base, "_memory", {})
    model = base_model(VOCAB, tmp_path / "ws" / "model")
    assert trained and model.summary.get("base") is True
