"""The generated training corpus: the same seed gives the same dossiers, every document type and
every template of the rules is made, old spelling before 1947, and the rules are data."""

from collections import Counter

import pytest

from digitalisering.documents.vocabulary import default_vocabulary
from digitalisering.learning import corpus


def _texts(dossiers):
    return [(d.type, [(p.text, p.words, p.large_format, p.size_class, p.is_blank) for p in d.pages])
            for dos in dossiers for d in dos.documents]


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    assert _texts(corpus.generate(15, seed=3)) == _texts(corpus.generate(15, seed=3))
    assert _texts(corpus.generate(15, seed=3)) != _texts(corpus.generate(15, seed=4))


@pytest.fixture(scope="module")
def generated():
    return corpus.generate(250, seed=11, with_info=True)


def test_every_type_of_the_product_and_every_template_is_made(generated):
    dossiers, info = generated
    types = Counter(d.type for dos in dossiers for d in dos.documents)
    assert set(types) == set(default_vocabulary().type_names)  # aanvraag ... gereedmelding and overig
    assert all(n >= 20 for t, n in types.items() if t != "overig")
    made = {m.template for docs in info for m in docs}
    assert made == {t.name for t in corpus.default_rules().templates}
    subtypes = {m.subtype for docs in info for m in docs}
    for kind in ("welstandsadvies", "weigering bouwvergunning", "proces-verbaal van opneming", "situatietekening"):
        assert kind in subtypes


def test_documents_look_like_ocr_of_their_kind(generated):
    dossiers, info = generated
    docs = [(d, m) for dos, meta in zip(dossiers, info) for d, m in zip(dos.documents, meta)]
    drawings = [d for d, _ in docs if d.type == "tekening"]
    letters = [d for d, _ in docs if d.type == "brief"]
    assert sum(p.large_format for d in drawings for p in d.pages) > 0.6 * sum(len(d.pages) for d in drawings)
    assert not any(p.large_format for d in letters for p in d.pages)
    assert all(p.text == p.text.lower() for d, _ in docs for p in d.pages)  # normalised as pages are
    old = " ".join(p.text for d, m in docs if m.year < 1930 for p in d.pages)
    new = " ".join(p.text for d, m in docs if m.year > 1960 for p in d.pages)
    assert "teekening" in old and "teekening" not in new
    multi = [d for d, _ in docs if sum(p.content for p in d.pages) > 1]
    assert len(multi) > 50  # continuation pages for the start model


def test_rules_are_data_and_a_wrong_slot_is_named():
    rules = corpus.parse_rules(b'''
version = 1
[pools]
dingen = ["een {kleur} schuur"]
maanden = ["januari"]
[[templates]]
name = "x.a"
type = "brief"
years = [1950, 1960]
pages = [["Geachte {heer|mevrouw}, wij bouwen {@dingen}"]]
''')
    ctx = corpus._Context(rules, __import__("random").Random(1), 1955, {"kleur": "rode"})
    assert ctx.expand("{@dingen}") == "een rode schuur"
    with pytest.raises(KeyError, match="onbekend|unknown slot"):
        ctx.expand("{onbekend}")
