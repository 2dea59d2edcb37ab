"""The shared reading of operator files: where a problem is (byte offset, line) is told right."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digitalisering.errors import ConfigError
from digitalisering.operator_files import decode, json_offsets, parse_json, parse_toml, read_csv
from opfiles_gen import TEXT, csv_text, toml_document


@given(st.binary(max_size=200))
def test_a_decode_error_names_the_first_bad_byte_and_its_line(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        with pytest.raises(ConfigError) as caught:
            decode(data, "f.csv")
        line = data[:exc.start].count(b"\n") + 1
        assert str(caught.value).startswith(f"f.csv:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                                            f"{exc.start});")
    else:
        assert decode(data, "f.csv") == data.decode("utf-8").removeprefix("\ufeff")


KEYS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)


@given(st.dictionaries(KEYS, st.dictionaries(KEYS, st.one_of(TEXT, st.lists(st.integers(), max_size=3)), max_size=4),
                       min_size=1, max_size=4))
def test_the_line_of_every_key_is_the_line_that_sets_it(data):
    text = toml_document(data)
    doc = parse_toml(text, "f.toml")
    assert doc.data == data
    lines = text.split("\n")
    for section, table in data.items():
        assert lines[doc.line((section,)) - 1].startswith("[")
        for key in table:
            assert doc.line((section, key)) == next(
                n for n, ln in enumerate(lines, 1) if n > doc.line((section,)) and ln.startswith(
                    toml_document({key: 0}).split(" = ")[0] + " = "))


def test_a_toml_syntax_error_keeps_its_line_and_column():
    with pytest.raises(ConfigError, match=r"^f.toml:3: not valid TOML: Invalid value \(column 5\)"):
        parse_toml("[a]\nb = 1\nc = \n", "f.toml")


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
                    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
                    max_leaves=10)


@given(JSON, st.sampled_from([None, 0, 1, 2]))
def test_json_offsets_point_at_each_value(value, indent):
    text = json.dumps(value, indent=indent)
    offsets = json_offsets(text)
    decoder = json.JSONDecoder()

    def walk(v, path):
        assert decoder.raw_decode(text, offsets[path])[0] == v
        if isinstance(v, list):
            for i, item in enumerate(v):
                walk(item, path + (i,))
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(item, path + (k,))

    walk(value, ())
    _, locate = parse_json(text, "f.json")
    assert locate(()) == text[:offsets[()]].count("\n") + 1


@given(st.lists(st.lists(TEXT, min_size=1, max_size=3), min_size=1, max_size=5), st.sampled_from(";,"))
def test_csv_rows_carry_the_line_they_start_on(rows, delimiter):
    assume(any(f.strip() for f in rows[0]))
    text = csv_text(rows, delimiter)
    try:
        table = read_csv(text, "f.csv", delimiters=delimiter)
    except ConfigError:
        return  # a bare carriage return in a field: the csv module refuses it, and so do we
    starts, line = [], 1
    for row in rows:
        starts.append(line)
        line += csv_text([row], delimiter).count("\n")
    kept = [(start, [f.strip() for f in row]) for start, row in zip(starts, rows) if any(f.strip() for f in row)]
    assert [(table.header_line, table.header)] + table.rows == kept
