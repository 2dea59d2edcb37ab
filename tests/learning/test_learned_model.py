"""The learned document model: it learns what archivists labelled, keeps the vocabulary where it
has seen nothing, says how sure it is, and survives a save and a load."""

import random

import joblib
import pytest

from digitalisering.documents.model import PageView
from digitalisering.documents.overrides import Override, Overrides
from digitalisering.documents.split import REVIEW_BELOW, plan_batch
from digitalisering.documents.vocabulary import default_vocabulary, normalise
from digitalisering.learning.model import MODEL_FILE, LabelledDocument, LabelledDossier, load, save, train

VOCAB = default_vocabulary()
# a municipal form the vocabulary has no cue for: only labels can teach it
MELDING = ["BOUWTOEZICHT KAART {n}", "gebruiksklaar bevonden op {d}", "opzichter {name}", "perceel {n}"]
BRIEF = ["Leiden, {d}", "Aan Burgemeester en Wethouders", "Edelachtbare Heeren,", "verzoek om {name}"]
BRIEF_2 = ["en verzoeken u daarom {name} toe te staan", "Met verschuldigde hoogachting,", "{name}"]
NAMES = ["Visser", "de Jong", "Bakker", "Peters", "Smit", "Mulder"]


def _text(lines: list[str], rng: random.Random) -> str:
    return normalise("\n".join(l.format(n=rng.randint(10, 999), d=f"{rng.randint(1, 28)} mei 19{rng.randint(10, 80)}",
                                        name=rng.choice(NAMES)) for l in lines))


def _dossiers(n: int, seed: int, start_seq: int = 0) -> list[LabelledDossier]:
    rng = random.Random(seed)
    seq = start_seq
    out = []
    for i in range(n):
        docs = []
        for kind, parts in (("brief", (BRIEF, BRIEF_2)), ("gereedmelding", (MELDING,)), ("brief", (BRIEF, BRIEF_2))):
            pages = []
            for lines in parts:
                pages.append(PageView(seq=seq, folder=f"D{i}", done=True, text=_text(lines, rng), words=30))
                seq += 1
            docs.append(LabelledDocument(pages, kind))
        out.append(LabelledDossier(docs, source=f"test/D{i}"))
    return out


@pytest.fixture(scope="module")
def model():
    return train(_dossiers(8, seed=1), VOCAB, vocabulary_weight=0.0)


def test_the_model_types_a_form_the_vocabulary_cannot_name(model):
    new = _dossiers(3, seed=2, start_seq=1000)
    pages = [p for dos in new for d in dos.documents for p in d.pages]
    plan_vocab = plan_batch("folders", pages)
    plan_learned = plan_batch("folders", pages, model=model)
    melding = {d.documents[1].pages[0].seq for d in new}
    vocab_types = {doc.pages[0]: doc.type for d in plan_vocab.dossiers for doc in d.documents}
    learned = {doc.pages[0]: doc for d in plan_learned.dossiers for doc in d.documents}
    assert all(vocab_types.get(s) != "gereedmelding" for s in melding)  # the vocabulary alone misses it
    assert all(learned[s].type == "gereedmelding" for s in melding)
    assert all(learned[s].evidence[0].startswith("model: P(gereedmelding)") for s in melding)
    firsts = [d.pages[0].seq for dos in new for d in dos.documents]
    assert sorted(learned) == firsts  # documents start where the labels had them, second letter pages continue


def test_the_vocabulary_keeps_a_type_the_model_never_saw():
    model = train(_dossiers(4, seed=3), VOCAB)  # only brief and gereedmelding were labelled
    page = PageView(seq=0, folder="X", done=True, words=60, text=normalise(
        "STERKTEBEREKENING\nbehoorende bij het bouwplan\nToelaatbare spanningen:\nstaal : 1.200 kg/cm2\n"
        "eigen gewicht vloer 250 kg/m2\nBalk B1 (kap):\nmoment M = 1/8 q l2"))
    plan = plan_batch("folders", [page], model=model)
    assert plan.dossiers[0].documents[0].type == "berekening"


def test_unsure_decisions_are_marked_for_review(model):
    mixed = ("Leiden, 3 mei 1950\nAan Burgemeester en Wethouders\nEdelachtbare Heeren,\nverzoek om Smit\n"
             "BOUWTOEZICHT KAART 12\ngebruiksklaar bevonden op 3 mei 1950\nopzichter Smit\nperceel 12")
    odd = PageView(seq=0, folder="X", done=True, words=30, text=normalise(mixed))  # half a letter, half the form
    plan = plan_batch("folders", [odd], model=model)
    doc = plan.dossiers[0].documents[0]
    assert doc.type_confidence < REVIEW_BELOW and "type" in doc.needs_review
    sure = _dossiers(1, seed=4, start_seq=50)[0].documents[1].pages
    doc = plan_batch("folders", sure, model=model).dossiers[0].documents[0]
    assert doc.type == "gereedmelding" and doc.needs_review == []


def test_boundaries_carry_the_model_confidence(model):
    pages = [p for d in _dossiers(1, seed=5)[0].documents for p in d.pages]
    docs = plan_batch("folders", pages, model=model).dossiers[0].documents
    assert all(d.boundary_confidence is not None for d in docs)
    assert [d.boundary.startswith("model P(start)") for d in docs] == [False, True, True]
    assert [len(d.pages) for d in docs] == [2, 1, 2]
    assert plan_batch("folders", pages).dossiers[0].documents[0].boundary_confidence is None  # rules: none


def test_an_override_still_wins_over_the_model(model):
    pages = [p for d in _dossiers(1, seed=6)[0].documents for p in d.pages]
    overrides = Overrides([Override(pages[2].seq, "merge")])
    docs = plan_batch("folders", pages, overrides=overrides, model=model).dossiers[0].documents
    assert [d.pages[0] for d in docs] == [pages[0].seq, pages[3].seq]


def test_save_and_load_give_the_same_decisions_and_a_summary(model, tmp_path):
    assert load(tmp_path) is None  # no model yet: the vocabulary alone
    save(model, tmp_path)
    again = load(tmp_path)
    page = _dossiers(1, seed=7)[0].documents[1].pages
    assert again.type_probabilities(page, VOCAB) == pytest.approx(model.type_probabilities(page, VOCAB))
    assert again.summary["documents"] == 24 and again.summary["types"] == {"brief": 16, "gereedmelding": 8}
    assert again.vocabulary_weight == 0.0


def test_a_model_of_another_format_is_refused(model, tmp_path):
    save(model, tmp_path)
    data = joblib.load(tmp_path / MODEL_FILE)
    joblib.dump({**data, "format": 999}, tmp_path / MODEL_FILE)
    with pytest.raises(ValueError, match="train it again"):
        load(tmp_path)
