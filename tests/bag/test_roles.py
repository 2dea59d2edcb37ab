"""The dossier's own object, not every address on paper: where an address stands, the town after
it, how often it recurs, the address model, and archivists' corrections over it."""

from __future__ import annotations

import pytest

from digitalisering.bag.link import (BagAddresses, Where, apply_corrections, document_addresses, dossier_addresses,
                                     unsure, weighed)
from digitalisering.bag.roles import AddressModel, candidates, default_model, town_of, train
from digitalisering.documents.model import LineBox, PageView
from digitalisering.documents.vocabulary import normalise

MORSWEG_138 = "0546200000385399"


def page(seq: int, lines: list[str], tops: list[float] | None = None) -> PageView:
    text = normalise("\n".join(lines))
    tops = tops or [0.1 + 0.8 * i / max(len(lines), 1) for i in range(len(lines))]
    return PageView(seq=seq, folder="D", done=True, text=text, words=len(text.split()),
                    lines=tuple(LineBox(t, 0.1, t + 0.02, 0.6) for t in tops))


@pytest.mark.parametrize("rest, next_line, expected", [
    (", leiden", "", "own"),
    (" te leiden.", "", "own"),
    (", 2311 cc leiden", "", "own"),
    (" te katwijk", "", "other"),
    (", alphen a/d rijn", "", "other"),
    ("", "oegstgeest", "other"),
    ("", "2331 wd leiden", "own"),
    (", ten behoeve van de bouw", "", ""),
    (" kadastraal bekend", "", ""),
    ("", "onderwerp: bouwvergunning 12", ""),
])
def test_the_town_written_after_an_address(rest, next_line, expected):
    assert town_of(Where(rest=rest, next_line=next_line), {"leiden"}) == expected


def test_each_mention_knows_its_page_its_place_on_it_and_the_town_after_it(bag):
    pages = [page(7, ["Architectenbureau De Vries", "Morsweg 12, Katwijk", "Geachte heer,"], [0.04, 0.07, 0.3]),
             page(8, ["Bijlage", "tekeningen van het perceel Morsweg 138 te Leiden"], [0.2, 0.5])]
    found = document_addresses(bag, "\n".join(p.text for p in pages), pages)
    by_number = {a.huisnummer: a for a in found}
    head, obj = by_number[12], by_number[138]
    assert (head.page, head.where.top, head.where.town) == (7, 0.07, "other")
    assert (obj.page, obj.where.top, obj.where.town) == (8, 0.5, "own")
    assert "perceel" in obj.where.context and obj.role == "object"
    assert "where" not in obj.to_json() and obj.to_json()["page"] == 8


def test_the_model_keeps_the_object_and_drops_the_applicants_address_that_recurs(bag):
    """The applicant's home (another town, at the top of the form and of the letter to him) is in
    two documents, as often as the object: the words, the town and the place tell them apart."""
    form = page(1, ["Aanvraag om bouwvergunning", "Naam aanvrager: J. Visser", "wonende te Oegstgeest",
                    "Adres aanvrager: Morsweg 12, Oegstgeest", "Ligging van het bouwwerk: Morsweg 138 te Leiden"],
                [0.05, 0.1, 0.13, 0.16, 0.4])
    letter = page(2, ["Aan de heer J. Visser", "Morsweg 12", "Oegstgeest",
                      "Onderwerp: uw aanvraag voor het perceel Morsweg 138"], [0.08, 0.1, 0.12, 0.3])
    docs = [document_addresses(bag, p.text, [p]) for p in (form, letter)]
    chosen = dossier_addresses(docs, ["aanvraag", "brief"])
    assert [a.nummeraanduiding_ids for a in chosen] == [[MORSWEG_138]]
    assert chosen[0].role == "object" and 0.5 <= chosen[0].object_confidence <= 1.0
    assert default_model() is not None and default_model().summary["dossiers"] >= 40
    cands = {c.ids.pop(): c for c in candidates(docs, ["aanvraag", "brief"]) if c.ids}
    assert cands[MORSWEG_138].features["any_cue_object"] == 1.0
    applicant = next(c for n, c in cands.items() if n != MORSWEG_138)
    assert applicant.features["any_town_other"] == 1.0 and applicant.features["documents_2plus"] == 1.0


def test_a_trained_model_is_plain_numbers_that_round_trip(tmp_path):
    examples = [({"any_cue_object": 1.0, "documents_2plus": float(i % 2)}, True) for i in range(6)] + \
               [({"any_cue_person": 1.0, "any_town_other": float(i % 2)}, False) for i in range(6)]
    model = train(examples, {"source": "test"})
    assert model.summary["candidates"] == 12 and model.summary["source"] == "test"
    assert model.probability({"any_cue_object": 1.0}) > 0.5 > model.probability({"any_cue_person": 1.0})
    model.save(tmp_path / "m.json")
    again = AddressModel.load(tmp_path / "m.json")
    assert again.probability({"any_cue_object": 1.0, "bias": 1.0}) == model.probability({"any_cue_object": 1.0})
    with pytest.raises(ValueError, match="both"):
        train(examples[:6])


def test_an_archivists_address_corrections_win_over_the_model(bag):
    letter = page(1, ["Onderwerp: bouwvergunning", "op het perceel Morsweg 138 te Leiden"])
    found = BagAddresses(dossiers={"D": dossier_addresses([document_addresses(bag, letter.text, [letter])])})
    assert [a.nummeraanduiding_ids for a in found.dossiers["D"]] == [[MORSWEG_138]]
    other = bag.address(MORSWEG_138)  # the BAG's own form of the address
    assert other.label == "Morsweg 138" and other.pand_ids
    apply_corrections(bag, found, {"D": {MORSWEG_138: False, "0546200000318960": True}, "E": {MORSWEG_138: True}})
    assert [(a.nummeraanduiding_ids, a.corrected) for a in found.dossiers["D"]] == [(["0546200000318960"], True)]
    assert found.dossiers["D"][0].label == "Breestraat 163"
    assert [a.nummeraanduiding_ids for a in found.dossiers["E"]] == [[MORSWEG_138]]


def test_an_address_the_model_is_unsure_of_goes_to_review_and_a_correction_settles_it(bag):
    letter = page(1, ["Aan de heer J. Visser", "Morsweg 12", "Onderwerp: bouwvergunning",
                      "op het perceel Morsweg 138 te Leiden"])
    docs = [document_addresses(bag, letter.text, [letter])]
    hesitant = AddressModel({"any_cue_object": 0.1}, intercept=-0.05)  # P(object) close to one half
    every = {a.huisnummer: a for a in weighed(docs, ["brief"], hesitant)}
    assert every[138].role == "object" and every[12].role == "other"
    assert sorted(a.huisnummer for a in unsure(list(every.values()), 0.6)) == [12, 138]
    sure = weighed(docs, ["brief"])  # the shipped model
    assert [a.huisnummer for a in sure if a.role == "object"] == [138] and not unsure(sure, 0.6)
    found = BagAddresses(dossiers={"D": [every[138]]}, review={"D": list(every.values())})
    apply_corrections(bag, found, {"D": {MORSWEG_138: True}})
    assert [a.huisnummer for a in found.review["D"]] == [12]  # the archivist decided 138
