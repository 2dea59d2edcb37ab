"""The address query both backends share: one builder, the backend's table names and list syntax,
and the same matches on SQLite and PostgreSQL for the same rows."""

from __future__ import annotations

import pytest
from index_rows import breestraat_batch

from digitalisering.index.addresssql import (
    ADDRESS_COLUMNS, Tables, address_sql, any_in, marks_in, stored_address_rows,
)
from digitalisering.index.model import AddressQuery, AddressRow, Filters
from digitalisering.index.postgres import PostgresIndex
from digitalisering.index.sqlite import SqliteIndex

QUERIES = [
    AddressQuery(street="Breestraat", number=12),
    AddressQuery(street="Hooigracht", number=17),
    AddressQuery(street="Hooigracht"),
    AddressQuery(street="Rapenburg", number=4, letter="A"),
    AddressQuery(street="Rapenburg", number=4, letter="B"),
    AddressQuery(postcode="2311CS"),
    AddressQuery(postcode="2311CS", number=12),
    AddressQuery(bag_id="0546100000000015"),
    AddressQuery(street="Nergensstraat", number=1, related_num_ids=("0546200000000004",),
                 vbo_ids=("0546010000000012",), pand_ids=("0546100000000015",)),
]


def test_the_builder_uses_the_backends_tables_and_list_syntax():
    query = AddressQuery(street="Breestraat", number=12, vbo_ids=("a", "b"))
    sql, args = address_sql(query, Filters(types=("vergunning",)), Tables("x_addr", "x_dos", "x_doc"), marks_in)
    assert "FROM x_addr a JOIN x_dos s" in sql and "JOIN x_doc d" in sql and "a.vbo_id IN (?,?)" in sql
    assert args == ["breestraat", 12, "a", "b", "vergunning"]
    sql, args = address_sql(query, Filters(), Tables("x_addr", "x_dos", "x_doc"), any_in)
    assert "a.vbo_id = ANY(?)" in sql and args == ["breestraat", 12, ["a", "b"]]
    assert address_sql(AddressQuery(), Filters(), Tables("a", "b", "c")) is None  # nothing to look for


def test_a_written_range_is_stored_as_a_row_per_number():
    row = AddressRow("Nieuwstraat", 15, None, None, None, None, None, None, "Nieuwstraat 15 t/m 21", "exact", "object")
    rows = stored_address_rows(7, None, row)
    assert [(r[4], r[-1]) for r in rows] == [(15, 0), (17, 1), (19, 1), (21, 1)]
    assert {len(r) for r in rows} == {ADDRESS_COLUMNS} and rows[0][2] == "nieuwstraat"


@pytest.mark.slow
def test_both_backends_give_the_same_address_matches(tmp_path, pg_url):
    def matches(index, query, filters):
        found = index.match_address(query, filters)
        names = {i: d.dossier for i, d in index.dossiers(list({m.dossier_id for m in found})).items()}
        docs = {i: d.document for i, d in index.documents(list({m.document_id for m in found})).items()}
        return sorted(((names[m.dossier_id], docs[m.document_id], m.row, m.kind, m.type, m.year_from, m.batch)
                       for m in found), key=repr)

    lite, pg = SqliteIndex(tmp_path / "search.sqlite"), PostgresIndex(pg_url)
    try:
        for ix in (lite, pg):
            ix.replace_batch("b1", breestraat_batch())
        for filters in (Filters(), Filters(types=("vergunning",)), Filters(year_to=1950), Filters(batches=("b2",))):
            for query in QUERIES:
                assert matches(lite, query, filters) == matches(pg, query, filters), (query, filters)
        assert matches(lite, QUERIES[0], Filters())  # the comparison is not of two empty lists
        assert {m[3] for q in QUERIES for m in matches(lite, q, Filters())} >= {
            "adres", "bereik", "postcode", "bag-id", "geschiedenis", "pand"}
    finally:
        lite.close()
        pg.close()
