"""The SQL both index backends share: the filters, the address rows as they are stored, and the
address query with its row mapping.

SQLite and PostgreSQL keep the same tables under other names (``addresses``, ``search_addresses``)
and spell a list of values differently (``IN (?,?)``, ``= ANY(%s)``); everything else about an
address match is one builder here, so a change to how an address is found is made once and tested
on both (tests/index runs every search test on each backend). SQL is written with ``?``
placeholders; a backend with another paramstyle converts it (``postgres._pg``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from digitalisering.index.base import AddressMatch, address_kind, address_rows, letter_fits, street_key
from digitalisering.index.model import AddressQuery, AddressRow, Filters

InList = Callable[[str, Sequence], tuple[str, list]]
"""``column, values -> (condition, args)``: ``column`` is one of ``values``, in the backend's SQL."""


@dataclass(frozen=True)
class Tables:
    """The names a backend gives the index tables the address query reads."""

    addresses: str
    dossiers: str
    documents: str


def marks_in(column: str, values: Sequence) -> tuple[str, list]:
    """``column IN (?,?,...)``: one placeholder per value (SQLite)."""
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def any_in(column: str, values: Sequence) -> tuple[str, list]:
    """``column = ANY(?)``: the values as one array (PostgreSQL)."""
    return f"{column} = ANY(?)", [list(values)]


def filter_sql(filters: Filters, dossier_ids: Sequence[int] | None = None) -> tuple[str, list]:
    """SQL conditions on ``d`` (documents) and ``s`` (dossiers) for the filters, one placeholder per
    value on both backends (as ``match_text`` of each has always been planned)."""
    sql, args = [], []
    if filters.types:
        sql.append(marks_in("d.type", filters.types)[0])
        args += list(filters.types)
    if filters.year_from is not None:
        sql.append("d.year_to >= ?")
        args.append(filters.year_from)
    if filters.year_to is not None:
        sql.append("d.year_from <= ?")
        args.append(filters.year_to)
    if filters.batches:
        sql.append(marks_in("s.batch", filters.batches)[0])
        args += list(filters.batches)
    if dossier_ids is not None:
        sql.append(marks_in("d.dossier_id", dossier_ids)[0])
        args += list(dossier_ids)
    return "".join(f" AND {c}" for c in sql), args


def stored_address_rows(dossier_id: int, document_id: int | None, a: AddressRow) -> list[tuple]:
    """The rows of the addresses table for one linked address (column order of the table), its
    written range's other numbers included (``base.address_rows``)."""
    return [(dossier_id, document_id, street_key(r.street), r.street, r.number, r.letter, r.addition, r.postcode,
             r.num_id, r.vbo_id, r.pand_id, r.written, r.status, r.role, int(in_range))
            for r, in_range in address_rows(a)]


ADDRESS_COLUMNS = 15
"""Columns of the addresses table (the placeholders of its INSERT)."""


def address_sql(query: AddressQuery, filters: Filters, tables: Tables,
                in_list: InList = marks_in) -> tuple[str, list] | None:
    """The query for the address rows (joined to their documents and dossiers) that may answer
    ``query``, with its arguments; None when the query names nothing to look for. Its rows are
    read by ``address_matches``."""
    conds, args = [], []
    if query.bag_id:
        conds.append("a.num_id = ? OR a.vbo_id = ? OR a.pand_id = ?")
        args += [query.bag_id] * 3
    number = " AND a.number = ?" if query.number is not None else ""
    if query.street:
        conds.append("a.street_key = ?" + number)
        args += [street_key(query.street)] + ([query.number] if number else [])
    if query.postcode:
        conds.append("a.postcode = ?" + number)
        args += [query.postcode] + ([query.number] if number else [])
    for column, values in (("num_id", query.related_num_ids), ("vbo_id", query.vbo_ids),
                           ("pand_id", query.pand_ids)):
        if values:
            cond, more = in_list(f"a.{column}", values)
            conds.append(cond)
            args += more
    if not conds:
        return None
    where, fargs = filter_sql(filters)
    sql = ("SELECT a.dossier_id, d.id, a.street, a.number, a.letter, a.addition, a.postcode, a.num_id, a.vbo_id, "
           "a.pand_id, a.written, a.status, a.role, a.in_range, d.type, d.year_from, d.year_to, s.batch "
           f"FROM {tables.addresses} a JOIN {tables.dossiers} s ON s.id = a.dossier_id "
           f"JOIN {tables.documents} d ON d.dossier_id = a.dossier_id "
           "AND (a.document_id IS NULL OR a.document_id = d.id) "
           f"WHERE ({' OR '.join(f'({c})' for c in conds)}){where}")
    return sql, args + fargs


def address_matches(query: AddressQuery, rows: Iterable[Sequence]) -> list[AddressMatch]:
    """The rows of ``address_sql`` as matches, each with how it answers the query; a row of the
    street or postcode whose huisletter or toevoeging is not the typed one is left out."""
    out = []
    for r in rows:
        row = AddressRow(*r[2:13])
        kind = address_kind(query, row, bool(r[13]))
        if kind in ("adres", "bereik", "postcode") and not letter_fits(query, row):
            continue
        out.append(AddressMatch(r[0], r[1], row, kind, *r[14:]))
    return out
