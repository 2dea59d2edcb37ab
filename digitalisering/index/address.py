"""Addresses as people type them, and the numbers a written address covers.

A query reads as an address when it holds a BAG id (16 digits), a postcode (``2311 AB``, with or
without a number), or a street the index or the BAG knows followed by a number (``Breestraat 12``,
``12a``, ``12 A``, ``12-1``). Streets are found as the linker finds them (``bag.addresses``:
normalised names, historic variants from the gazetteer, fuzzy matching), so an old spelling or a
typo finds today's street. With a BAG index in the workspace, the object's history widens the
search: every nummeraanduiding the same verblijfsobject ever had (an older numbering) and its pand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from digitalisering.bag.addresses import StreetMatcher, normalise_street
from digitalisering.index.model import AddressQuery

_RANGE = re.compile(r"(?<![\d/])(\d{1,4})\s*(?P<sep>-|/|t/m|tot en met|en)\s*(\d{1,4})(?![\d/])", re.IGNORECASE)
MAX_RANGE = 40
"""A written range spans at most this much (as the linker reads them: ``bag.addresses``)."""


def range_numbers(written: str | None) -> list[int]:
    """The house numbers a written range covers: ``15-17`` and ``15/17`` are 15 and 17 (the two
    addresses of one building), ``65-66`` is 65 and 66 (a corner building), ``15 t/m 21`` is 15,
    17, 19 and 21 (one side of the street)."""
    if not written:
        return []
    out: list[int] = []
    for m in _RANGE.finditer(written):
        first, second = int(m.group(1)), int(m.group(3))
        if second <= first or second - first > MAX_RANGE or (second - first) % 2 and second - first > 1:
            continue
        step = 2 if m.group("sep").lower() in ("t/m", "tot en met") and (second - first) % 2 == 0 \
            else second - first
        out.extend(n for n in range(first, second + 1, step) if n not in out)
    return out


_BAG_ID = re.compile(r"\b(\d{4})(01|02|03|10|20|30)(\d{10})\b")
_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-zA-Z]{2})\b")
_NUMBER = re.compile(r"(?<![\w-])(\d{1,5})(?:\s*-?\s*([a-zA-Z])(?![\w]))?(?:\s*-\s*([0-9a-zA-Z]{1,4})(?![\w]))?")
_WORD = re.compile(r"[^\s,;:()]+")
MAX_STREET_WORDS = 5


@dataclass(frozen=True)
class ParsedAddress:
    query: AddressQuery
    rest: str
    """What is left of the text (words searched as full text within the address's dossiers)."""


class StreetResolver:
    """Typed street names -> the names rows carry, via the gazetteer's variants or fuzzily."""

    def __init__(self, names: list[str], gazetteer: dict[str, str] | None = None):
        keys = {normalise_street(n): n for n in names}
        variants: dict[str, str] = {}
        for variant, group in (gazetteer or {}).items():
            name = next((keys[normalise_street(m)] for m in group.split("\x00") if normalise_street(m) in keys), None)
            if name:
                variants[variant] = name
        self._keys = keys
        self._variant_keys = {normalise_street(v) for v in variants}
        self._matcher = StreetMatcher(list(keys.values()), variants)

    def resolve(self, written: str) -> tuple[str, str] | None:
        """(name, via) with via exact, gazetteer or fuzzy; None when no street fits."""
        found = self._matcher.match(written)
        if found is None:
            return None
        key = normalise_street(written)
        via = "exact" if key in self._keys else ("gazetteer" if key in self._variant_keys else "fuzzy")
        return found.name, via


def parse_address(text: str, streets: StreetResolver) -> ParsedAddress | None:
    """The address in ``text`` and what is left over; None when the text holds no address."""
    m = _BAG_ID.search(text)
    if m:
        return ParsedAddress(AddressQuery(bag_id=m.group(0), via="bag-id"), _cut(text, m.span()))
    m = _POSTCODE.search(text)
    if m:
        postcode = (m.group(1) + m.group(2)).upper()
        after = _NUMBER.match(text, m.end() + (1 if text[m.end():m.end() + 1].isspace() else 0))
        span = (m.start(), after.end()) if after else m.span()
        number, letter, addition = _number_parts(after) if after else (None, None, None)
        return ParsedAddress(AddressQuery(postcode=postcode, number=number, letter=letter, addition=addition,
                                          via="postcode"), _cut(text, span))
    for m in _NUMBER.finditer(text):
        words = [(w.start(), w.group(0)) for w in _WORD.finditer(text[:m.start()])][-MAX_STREET_WORDS:]
        for n in range(min(MAX_STREET_WORDS, len(words)), 0, -1):  # the longest street name first
            start = words[-n][0]
            written = text[start:m.start()].strip(" ,.:;-")
            if not written or re.search(r"\d(?![0-9]*e\b)", written):
                continue
            found = streets.resolve(written)
            if found:
                number, letter, addition = _number_parts(m)
                return ParsedAddress(AddressQuery(street=found[0], street_written=written, number=number,
                                                  letter=letter, addition=addition, via=found[1]),
                                     _cut(text, (start, m.end())))
    whole = text.strip()
    if whole and not re.search(r"\d|\"", whole):
        found = streets.resolve(whole)
        if found and found[1] != "fuzzy":  # a street alone: every dossier in it
            return ParsedAddress(AddressQuery(street=found[0], street_written=whole, via=found[1]), "")
    return None


def _number_parts(m: re.Match) -> tuple[int, str | None, str | None]:
    number = int(m.group(1))
    letter = m.group(2).upper() if m.group(2) else None
    addition = m.group(3).upper() if m.group(3) else None
    if addition and addition.isdigit() and number < int(addition) <= number + MAX_RANGE:
        addition = None  # "15-17" typed: a range, searched from its first number (which every range holds)
    return number, letter, addition


def _cut(text: str, span: tuple[int, int]) -> str:
    return (text[:span[0]] + " " + text[span[1]:]).strip()


@dataclass(frozen=True)
class BagRelations:
    num_ids: tuple[str, ...]
    vbo_ids: tuple[str, ...]
    pand_ids: tuple[str, ...]


def bag_relations(bag_db: Path, query: AddressQuery) -> BagRelations | None:
    """Every nummeraanduiding, verblijfsobject and pand the BAG history ties to the queried
    address or id (None without a BAG index): today's address and the numbering a dossier was
    filed under share their verblijfsobject."""
    import sqlite3

    if not Path(bag_db).exists():
        return None
    conn = sqlite3.connect(f"file:{bag_db}?mode=ro", uri=True)
    try:
        nums: set[str] = set()
        vbos: set[str] = set()
        panden: set[str] = set()
        if query.bag_id:
            kind = query.bag_id[4:6]
            {"20": nums, "10": panden}.get(kind, vbos).add(query.bag_id)
        elif query.number is not None and (query.street or query.postcode):
            if query.street:
                rows = conn.execute(
                    "SELECT n.id, n.huisletter, n.toevoeging FROM nummeraanduiding n JOIN openbare_ruimte o "
                    "ON o.id = n.openbare_ruimte_id WHERE (o.naam = ? OR o.verkorte_naam = ?) AND n.huisnummer = ?",
                    (query.street, query.street, query.number)).fetchall()
            else:
                rows = conn.execute("SELECT id, huisletter, toevoeging FROM nummeraanduiding WHERE postcode=? "
                                    "AND huisnummer=?", (query.postcode, query.number)).fetchall()
            nums = {r[0] for r in rows if _fits(query, r[1], r[2])}
        else:
            return None
        if nums:
            vbos |= {r[0] for r in _in(conn, "SELECT DISTINCT id FROM adresseerbaar WHERE num_id IN ({})", nums)}
        if vbos:
            nums |= {r[0] for r in _in(conn, "SELECT DISTINCT num_id FROM adresseerbaar WHERE id IN ({})", vbos)}
            panden |= {r[0] for r in _in(conn, "SELECT DISTINCT pand_id FROM vbo_pand WHERE vbo_id IN ({})", vbos)}
        return BagRelations(tuple(sorted(nums)), tuple(sorted(vbos)), tuple(sorted(panden)))
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def bag_streets(bag_db: Path) -> list[str]:
    """Every street name the BAG index has ever had (empty without one)."""
    import sqlite3

    if not Path(bag_db).exists():
        return []
    conn = sqlite3.connect(f"file:{bag_db}?mode=ro", uri=True)
    try:
        return sorted({n for row in conn.execute("SELECT naam, verkorte_naam FROM openbare_ruimte") for n in row if n})
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _fits(query: AddressQuery, letter: str | None, addition: str | None) -> bool:
    letter, addition = (letter or "").upper(), (addition or "").upper()
    if query.letter and query.letter not in (letter, addition):
        return False
    if query.addition and query.addition != addition:
        return False
    return True


def _in(conn, sql: str, values: set[str]):
    values = sorted(values)
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        yield from conn.execute(sql.format(",".join("?" * len(chunk))), chunk)
