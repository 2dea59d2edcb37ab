"""The search index's one interface (``SearchIndex``) and what both backends share.

A backend stores dossiers, documents, pages (their words and terms), address rows and a
vocabulary of the words seen (for fuzzy matching), replaces one batch's rows in one transaction,
and answers the primitive questions ``index.search`` composes: which pages match these terms,
which address rows match this address, and the details of the dossiers, documents and pages found.
Two backends: ``SqliteIndex`` (FTS5, a file of its own in the workspace) and ``PostgresIndex``
(tsvector with the ``dutch`` configuration, pg_trgm for the vocabulary).
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from rapidfuzz.distance import Levenshtein

from digitalisering.bag.addresses import normalise_street
from digitalisering.index.address import range_numbers
from digitalisering.index.model import AddressQuery, AddressRow, DossierRow, Filters, IndexStats
from digitalisering.index.text import fold

SCHEMA_VERSION = "2"
"""Bumped when the tables or the tokeniser change: an index of another version is rebuilt
(``digitalisering index``), never read."""
MIN_FUZZY_LEN = 5
MAX_ALTERNATIVES = 8


@dataclass(frozen=True)
class TextClause:
    """One part of a text query: any of ``words`` (a typed word and its look-alikes), or a phrase."""

    words: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageMatch:
    page_id: int
    document_id: int
    dossier_id: int
    score: float
    """Higher is better."""
    type: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    batch: str = ""


@dataclass(frozen=True)
class AddressMatch:
    dossier_id: int
    document_id: int
    row: AddressRow
    kind: str
    """adres, bereik, postcode, bag-id, geschiedenis, pand (see ``model.AddressHit``)."""
    type: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    batch: str = ""


@dataclass(frozen=True)
class DossierInfo:
    batch: str
    dossier: str
    folder: str | None
    dates: tuple[str, ...]


@dataclass(frozen=True)
class DocumentInfo:
    dossier_id: int
    document: str
    index: int
    type: str | None
    year_from: int | None
    year_to: int | None
    dates: tuple[str, ...]


@dataclass(frozen=True)
class PageInfo:
    document_id: int
    seq: int
    number: int
    words: tuple[str, ...]


class SearchIndex(Protocol):
    name: str
    location: str

    def replace_batch(self, batch: str, dossiers: Iterable[DossierRow]) -> IndexStats:
        """Put ``batch``'s rows in place of the ones it had, in one transaction: a reader sees the
        old rows or the new ones, never a mix; a failure leaves the old ones."""

    def remove_batch(self, batch: str) -> bool: ...

    def batches(self) -> dict[str, tuple[int, int, int]]:
        """Indexed batch -> (dossiers, documents, pages)."""

    def streets(self) -> list[str]:
        """Every street name the address rows carry."""

    def similar_words(self, word: str, limit: int = MAX_ALTERNATIVES) -> list[str]:
        """Words of the vocabulary that look like ``word`` (OCR slips), closest first."""

    def match_text(self, clauses: Sequence[TextClause], excluded: Sequence[str], filters: Filters,
                   dossier_ids: Sequence[int] | None, cap: int) -> list[PageMatch]:
        """Pages holding every clause and none of ``excluded``, best ``cap`` first."""

    def match_address(self, query: AddressQuery, filters: Filters) -> list[AddressMatch]: ...

    def dossiers(self, ids: Sequence[int]) -> dict[int, DossierInfo]: ...

    def documents(self, ids: Sequence[int]) -> dict[int, DocumentInfo]: ...

    def documents_of(self, dossier_ids: Sequence[int]) -> dict[int, list[int]]:
        """Dossier id -> its document ids in order."""

    def pages(self, ids: Sequence[int]) -> dict[int, PageInfo]: ...

    def close(self) -> None: ...


# --- shared by the backends ------------------------------------------------------------------------

def years(dates: Iterable[str]) -> tuple[int | None, int | None]:
    found = [int(d[:4]) for d in dates if d and d[:4].isdigit()]
    return (min(found), max(found)) if found else (None, None)


def pack_words(words: Sequence[str]) -> bytes:
    return zlib.compress("\n".join(words).encode("utf-8"), 1)


def unpack_words(blob: bytes | memoryview | None) -> tuple[str, ...]:
    if not blob:
        return ()
    text = zlib.decompress(bytes(blob)).decode("utf-8")
    return tuple(text.split("\n")) if text else ()


def address_rows(row: AddressRow) -> list[tuple[AddressRow, bool]]:
    """The rows one linked address is stored as: itself, and the other numbers its written range
    covers (flagged), so "15-17" is found by 15, by 17, and "15 t/m 21" by 19."""
    out = [(row, False)]
    for n in range_numbers(row.written):
        if n != row.number:
            out.append((AddressRow(row.street, n, None, None, row.postcode, None, None, None, row.written,
                                   row.status, row.role), True))
    return out


@lru_cache(maxsize=65_536)
def street_key(street: str | None) -> str | None:
    return normalise_street(street) if street else None


def close_enough(word: str, candidate: str) -> bool:
    """An OCR slip: at most one edit for words up to 7 letters, two beyond."""
    if candidate == word:
        return False
    allowed = 1 if len(word) <= 7 else 2
    return abs(len(candidate) - len(word)) <= allowed and \
        Levenshtein.distance(word, candidate, score_cutoff=allowed) <= allowed


def vocabulary(words: Iterable[str]) -> set[str]:
    """The words a page adds to the vocabulary that fuzzy matching looks in (folded tokens long
    enough to have a slip worth correcting, not numbers)."""
    from digitalisering.index.text import _TOKEN

    out = set()
    for w in words:
        for t in _TOKEN.findall(fold(w)):
            if MIN_FUZZY_LEN <= len(t) <= 40 and not t.isdigit():
                out.add(t)
    return out


def address_kind(query: AddressQuery, row: AddressRow, in_range: bool) -> str:
    """How an address row answers the query (see ``model.AddressHit.match``)."""
    if query.bag_id:
        return "bag-id" if query.bag_id in (row.num_id, row.vbo_id, row.pand_id) else "pand"
    same_street = query.street is not None and street_key(row.street) == street_key(query.street)
    if same_street and (query.number is None or row.number == query.number):
        return "bereik" if in_range else "adres"
    if query.postcode and row.postcode == query.postcode and (query.number is None or row.number == query.number):
        return "postcode"
    if row.num_id and row.num_id in query.related_num_ids or row.vbo_id and row.vbo_id in query.vbo_ids:
        return "geschiedenis"
    return "pand"


def letter_fits(query: AddressQuery, row: AddressRow) -> bool:
    """A typed huisletter or toevoeging must be the row's (12a is not 12); without one, every
    letter and toevoeging of the number fits."""
    letter, addition = (row.letter or "").upper(), (row.addition or "").upper()
    if query.letter and query.letter not in (letter, addition):
        return False
    if query.addition and query.addition not in (addition, letter):
        return False
    return True
