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


# --- the gazetteer file (run --gazetteer) ------------------------------------------------------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from digitalisering.bag.link import load_gazetteer  # noqa: E402
from digitalisering.cli import main  # noqa: E402
from digitalisering.exitcodes import ExitCode  # noqa: E402
from opfiles_gen import read_or_refuse  # noqa: E402


@pytest.mark.parametrize("content, line, message", [
    (b"namevariant,street\nBreestraat,Breestraat\nBreedestraat\n", 3,
     r'the row is \["Breedestraat"\]; expected two fields: a street-name variant and the key of its street'),
    (b"namevariant,street\nBreestraat,Breestraat,extra\n", 2, r"the row is \[.*\]; expected two fields"),
    (b"namevariant,street\n,Breestraat\n", 2, r'the name variant is ""; expected a street-name variant'),
    (b"namevariant\nBreestraat\n", 1, r"the header has 1 non-empty field\(s\); expected a header with two columns"),
    (b"namevariant,street\nS\xe9rooskerkelaan,Serooskerkelaan\n", 2, r"not UTF-8 text \(byte 0xe9 at offset 20\)"),
])
def test_a_wrong_gazetteer_is_one_line_with_the_file_and_its_line_before_anything_is_ingested(tmp_path, content, line,
                                                                                              message):
    gazetteer = tmp_path / "varianten.csv"
    gazetteer.write_bytes(content)
    (tmp_path / "levering").mkdir()  # empty: the gazetteer is checked before the delivery is read
    res = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "run", str(tmp_path / "levering"),
                                    "--out", str(tmp_path / "out"), "--gazetteer", str(gazetteer)])
    assert res.exit_code == ExitCode.USAGE, res.output
    [said] = res.stderr.strip().splitlines()
    assert said.startswith(f"error: {gazetteer}:{line}: ") and re.search(message, said), said


def test_the_shipped_gazetteer_groups_variants_of_a_street():
    groups = load_gazetteer(Path(__file__).resolve().parents[2] / "batches/demo-bag/straatnamen-varianten.csv")
    assert set(groups["Zeemanslaan"].split("\x00")) == {"Zeemanlaan", "Zeemanslaan"}
    assert groups["Haarlemmerstr."] == groups["Haarlemmerstraat"]


def _load(tmp_path, data: bytes):
    return read_or_refuse(load_gazetteer, tmp_path, "varianten.csv", data)
