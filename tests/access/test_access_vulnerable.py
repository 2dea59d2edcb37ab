"""Vulnerable objects: BAG gebruiksdoel (celfunctie) and the municipality's exclusion list."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest

from digitalisering.access.vulnerable import object_proposals, read_exclusions
from digitalisering.bag.index import import_extract
from digitalisering.bag.link import BagIndex
from digitalisering.errors import ConfigError
from digitalisering.exitcodes import ExitCode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bag"))
from bagzip import demo_with, first_part  # noqa: E402

PAND = "0546100000000001"
VBO = "0546010000000002"


def test_gebruiksdoel_is_kept_in_the_bag_index_and_celfunctie_proposed(tmp_path):
    seen = {}

    def to_cell(members):
        name = first_part(members)
        xml = members[name].decode()
        vbo = re.search(r"<Objecten:identificatie[^>]*>(\d{16})<", xml).group(1)
        start = xml.index(vbo)
        at = xml.index("<Objecten:gebruiksdoel>", start)
        end = xml.index("</Objecten:gebruiksdoel>", at)
        members[name] = (xml[:at] + "<Objecten:gebruiksdoel>celfunctie" + xml[end:]).encode()
        seen["vbo"] = vbo
        return members

    zip_path = demo_with(tmp_path / "cell.zip", "VBO", to_cell)
    db = tmp_path / "bag.sqlite"
    import_extract(zip_path, db, "0546")
    index = BagIndex(db)
    try:
        doelen = index.gebruiksdoelen([seen["vbo"], "0546019999999999"])
    finally:
        index.close()
    assert doelen[seen["vbo"]] == ["celfunctie"]
    assert doelen["0546019999999999"] == []
    found = object_proposals([seen["vbo"]], [], doelen, None)
    assert [(p.kind, p.bag_id) for p in found] == [("gebruiksdoel", seen["vbo"])]
    assert "celfunctie" in found[0].reason


def test_exclusion_list_proposes_listed_objects_until_their_end_date(tmp_path):
    path = tmp_path / "uitsluitingen.csv"
    path.write_text(f"bag_id;reden;einddatum\n{PAND};Bankgebouw (kluis);2040-12-31\n"
                    f"{VBO};Woning burgemeester;\n0546100000000009;Oude politiepost;2001-01-01\n", encoding="utf-8")
    listed = read_exclusions(path)
    assert listed[PAND].kind == "pand" and listed[PAND].until == date(2040, 12, 31)
    assert listed[VBO].kind == "verblijfsobject" and listed[VBO].until is None
    found = object_proposals([VBO], [PAND, "0546100000000009"], None, listed, today=date(2026, 12, 7))
    assert sorted((p.kind, p.bag_id, p.reason) for p in found) == [
        ("exclusion_list", VBO, "Woning burgemeester"), ("exclusion_list", PAND, "Bankgebouw (kluis)")]
    assert object_proposals([], ["0546100000000009"], None, listed, today=date(2026, 12, 7)) == []


@pytest.mark.parametrize("text, line, words", [
    ("bag_id;reden;einddatum\n0546100000000001;Bank;2040-12-31\n12345;Bank;\n", 3, 'bag_id is "12345"'),
    ("bag_id;reden;einddatum\n0546100000000001;Bank;31-12-2040\n", 2, "einddatum"),
    ("bag_id;reden;einddatum\n0546100000000001;;\n", 2, "reden"),
    ("bag_id;reden\n0546100000000001;Bank\n0546100000000001;Bank\n", 3, "listed again"),
    ("object;waarom\n0546100000000001;Bank\n", 1, "header"),
])
def test_a_bad_exclusion_list_is_one_line_with_its_place(tmp_path, text, line, words):
    path = tmp_path / "lijst.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_exclusions(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ") and words in message and "\n" not in message
    assert err.value.exit_code == ExitCode.USAGE


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from opfiles_gen import csv_text, read_or_refuse  # noqa: E402

_cells = st.one_of(st.text(max_size=20), st.sampled_from([PAND, VBO, "2040-12-31", "", "31-12-2040", "Bank"]))


@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_list_or_one_line(tmp_path_factory, data):
    read_or_refuse(read_exclusions, tmp_path_factory.mktemp("x"), "lijst.csv", data)


@given(rows=st.lists(st.lists(_cells, min_size=1, max_size=4), max_size=5), delimiter=st.sampled_from(";,"))
def test_any_table_gives_a_list_or_one_line(tmp_path_factory, rows, delimiter):
    text = csv_text([["bag_id", "reden", "einddatum"], *rows], delimiter)
    found = read_or_refuse(read_exclusions, tmp_path_factory.mktemp("x"), "lijst.csv", text.encode())
    if found is not None:
        assert all(len(e.bag_id) == 16 and e.reason for e in found.values())
