"""Names made from untrusted ids: safe, and never the same for two ids (issue 16, finding 1)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from digitalisering.errors import StateError
from digitalisering.naming import MAX_STEM, allocate, check_distinct, fresh_name, safe_stem


@pytest.mark.parametrize("raw, safe", [
    ("BWT-1962-0412", "BWT-1962-0412"),
    ("../../etc/passwd", "etc_passwd"),
    ("Bréestraat 12a", "Breestraat_12a"),
    ("Æbeltoft", "Aebeltoft"),
    ("Straße", "Strasse"),
    ("..", "item"),
    ("a/b\\c", "a_b_c"),
])
def test_safe_stem_never_escapes_and_keeps_letters(raw: str, safe: str):
    assert safe_stem(raw) == safe


@pytest.mark.parametrize("ids", [
    ["X 1", "X_1"],
    ["BWT-Café", "BWT-Cafe"],
    ["abc", "ABC"],
    ["a" * 120, "a" * 120 + "b"],
    ["..", ".", "", "/"],
    ["Æ", "AE", "ae"],
])
def test_ids_that_would_share_a_name_get_distinct_ones(ids: list[str]):
    names = allocate(ids)
    assert len({n.casefold() for n in names.values()}) == len(set(ids))


def test_an_exact_id_keeps_its_name_and_a_lossy_one_gets_a_suffix():
    names = allocate(["X 1", "X_1", "Breestraat-12"])
    assert names["X_1"] == "X_1" and names["Breestraat-12"] == "Breestraat-12"
    assert names["X 1"].startswith("X_1-") and len(names["X 1"]) == len("X_1-") + 8


def test_names_do_not_depend_on_the_order_of_the_ids():
    ids = ["X 1", "X_1", "Café", "Cafe", "B"]
    assert allocate(ids) == allocate(list(reversed(ids)))


def test_long_ids_are_shortened_with_a_hash():
    names = allocate(["x" * 300])
    assert len(names["x" * 300]) <= MAX_STEM + 9


def test_two_equal_names_are_refused_not_handed_out():
    with pytest.raises(StateError, match="same name"):
        check_distinct({"a": "Name", "b": "name"})


def test_fresh_batch_names_differ_case_insensitively():
    assert fresh_name("Demo", ["demo", "DEMO-2"]) == "Demo-3"
    assert fresh_name("Lévering 1", []) == "Levering_1"


@given(st.lists(st.text(max_size=40), max_size=30))
def test_allocate_is_one_to_one_for_any_ids(ids: list[str]):
    names = allocate(ids)
    assert set(names) == set(ids)
    assert len({n.casefold() for n in names.values()}) == len(names)
    for n in names.values():
        assert n and "/" not in n and not n.startswith(".") and n == safe_stem(n)


def test_reserved_names_are_never_handed_out():
    """A dossier folder ``results.json`` (or ``Results.JSON``) would be the folder where the run's
    results.json goes; it gets a hashed name, the others keep theirs."""
    names = allocate(["results.json", "Results.JSON", "qa-rapport", "A"], reserved=("results.json", "qa-rapport"))
    assert names["A"] == "A"
    for i in ("results.json", "Results.JSON", "qa-rapport"):
        assert names[i].casefold() not in {"results.json", "qa-rapport"} and names[i].startswith(safe_stem(i))
    assert len({n.casefold() for n in names.values()}) == 4


def test_printable_keeps_text_and_escapes_what_xml_cannot_hold():
    import os

    from digitalisering.naming import is_text, printable

    assert printable("BWT-Café 12\tb\nc") == "BWT-Café 12\tb\nc" and is_text("BWT-Café 12\tb\nc")
    assert printable("D\x01X\x1b") == "D\\x01X\\x1b" and not is_text("D\x01X")
    assert printable(os.fsdecode(b"p\xe9.tif")) == "p\\xe9.tif" and not is_text(os.fsdecode(b"p\xe9.tif"))


def test_a_name_with_a_line_break_keeps_an_error_to_one_line():
    from digitalisering.errors import InputFileError

    err = InputFileError("cannot read file: {error}", error="scan\n01.tif")
    assert str(err) == "cannot read file: scan\\n01.tif"
