"""Addresses to nummeraanduiding, verblijfsobject and pand, with a status and a role."""

from digitalisering.bag.link import dossier_addresses, document_addresses


def link(bag, text: str):
    return document_addresses(bag, text)


def test_exact_address_links_through_to_the_pand(bag):
    [a] = link(bag, "op het perceel Morsweg 138 te Leiden")
    assert a.status == "exact" and a.role == "object"
    assert a.nummeraanduiding_ids == ["0546200000385399"]
    assert a.verblijfsobject_ids and a.pand_ids
    assert all(i.startswith("0546") for i in a.verblijfsobject_ids + a.pand_ids)


def test_letters_and_a_withdrawn_address(bag):
    [a] = link(bag, "perceel Zeemanlaan 12 B")
    assert a.nummeraanduiding_ids == ["0546200000437558"] and a.status == "exact"
    [w] = link(bag, "perceel Zeemanlaan 71")
    assert w.status == "withdrawn" and w.nummeraanduiding_ids == ["0546200000437425"]


def test_fuzzy_variant_not_in_bag_and_ambiguous(bag):
    [f] = link(bag, "perceel Zeemanslaan 72")  # a variant from the gazetteer
    assert f.nummeraanduiding_ids == ["0546200000437638"]
    [g] = link(bag, "perceel Zeemanlan 72")  # an OCR slip
    assert g.status == "fuzzy" and g.nummeraanduiding_ids == ["0546200000437638"]
    [n] = link(bag, "perceel Morsweg 9999")
    assert n.status == "not_in_bag" and not n.nummeraanduiding_ids
    [b] = link(bag, "perceel Breestraat 163 A")
    assert b.nummeraanduiding_ids == ["0546200000318962"]


def test_the_dossier_keeps_its_object_not_the_applicants_address(bag):
    letter = "Aan de heer J. Visser\nMorsweg 12\nLeiden\nOnderwerp: bouwvergunning Morsweg 138"
    permit = "vergunning voor het bouwen op het perceel Morsweg 138"
    docs = [link(bag, letter), link(bag, permit)]
    roles = {a.huisnummer: a.role for a in docs[0]}
    assert roles == {12: "other", 138: "object"}
    assert [a.nummeraanduiding_ids for a in dossier_addresses(docs)] == [["0546200000385399"]]
