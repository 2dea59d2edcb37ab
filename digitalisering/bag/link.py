"""Link written addresses to the BAG: nummeraanduiding -> verblijfsobject -> pand, with a status.

Statuses: ``exact`` (the street as in the BAG, one current address), ``fuzzy`` (the street found
despite spelling or OCR errors, or via a historic variant), ``corner`` ("hoek X/Y": both streets,
no nummeraanduiding guessed), ``ambiguous`` (several addresses fit equally: all are listed), ``withdrawn`` (the
nummeraanduiding has since been withdrawn; it is still the one meant), ``not_in_bag`` (the street
exists but not the number).

Which addresses are the dossier's object (and not the applicant's or the architect's): each mention
gets a role from the words around it ("op het perceel", "onderwerp:", "PERCEEL" in a title block
vs. "Aan de heer", a letterhead, "wonende te"), and at dossier level an address is the object when
a mention says so or when several documents repeat it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from digitalisering.bag.addresses import Mention, StreetMatcher, find_addresses, normalise_street
from digitalisering.errors import InputFileError
from digitalisering.operator_files import check, config_error, read_csv, read_text

WITHDRAWN = "Naamgeving ingetrokken"
END_STATUSES = {"Naamgeving ingetrokken", "Pand gesloopt", "Verblijfsobject ingetrokken", "Niet gerealiseerd pand",
                "Niet gerealiseerd verblijfsobject", "Pand ten onrechte opgevoerd",
                "Verblijfsobject ten onrechte opgevoerd", "Plaats ingetrokken"}
OBJECT_CUES = re.compile(r"\b(perce+l|pand|bouwwerk|ligging|gelegen|onderwerp|betreft|bouwplan|hoek|"
                         r"ter plaatse|adres of ligging)\b", re.IGNORECASE)
OTHER_CUES = re.compile(r"\b(aan de heer|aan mevrouw|aan mej|de heer|mevrouw|wonende|woonachtig|wonend|"
                        r"architect|aannemer|bureau|naam|aanvrager|opdrachtgever|eigenaar|postbus|telefoon|tel\.)",
                        re.IGNORECASE)


def address_label(street: str, huisnummer: int | None, huisletter: str | None, toevoeging: str | None) -> str:
    """An address as the BAG writes it: "Breestraat 12A-1"."""
    return street + (f" {huisnummer}" if huisnummer else "") + (huisletter or "") + \
        (f"-{toevoeging}" if toevoeging else "")


@dataclass
class LinkedAddress:
    text: str
    street: str
    huisnummer: int | None
    huisletter: str | None
    toevoeging: str | None
    postcode: str | None
    status: str
    score: float
    role: str
    """'object' (the building the document is about) or 'other' (a sender's, applicant's address)."""
    nummeraanduiding_ids: list[str] = field(default_factory=list)
    verblijfsobject_ids: list[str] = field(default_factory=list)
    pand_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        """The BAG form of the address ("hoek X/Y" as written for a corner)."""
        if self.status == "corner":
            return self.text
        return address_label(self.street, self.huisnummer, self.huisletter, self.toevoeging)


GAZETTEER_SCHEMA = "gazetteer.schema.json"


def _gebruiksdoelen(conn: sqlite3.Connection, vbo_ids: list[str]) -> dict[str, list[str]] | None:
    try:
        out: dict[str, list[str]] = {}
        for vbo in vbo_ids:
            rows = conn.execute(
                "SELECT doel FROM vbo_gebruiksdoel WHERE vbo_id = ? AND voorkomen = "
                "(SELECT MAX(voorkomen) FROM vbo_gebruiksdoel WHERE vbo_id = ?) ORDER BY doel", (vbo, vbo))
            out[vbo] = [r[0] for r in rows]
        return out
    except sqlite3.OperationalError:
        return None


def read_gebruiksdoelen(db_path: Path, vbo_ids: list[str]) -> dict[str, list[str]] | None:
    """Each verblijfsobject's gebruiksdoelen (woonfunctie, celfunctie, ...) in its latest voorkomen,
    straight from the index (no street tables loaded); None: an index imported before gebruiksdoel
    was kept (import the extract again)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return _gebruiksdoelen(conn, vbo_ids)
    finally:
        conn.close()


def load_gazetteer(path: Path) -> dict[str, str]:
    """Historic street-name variants (CSV ``namevariant,<key>``, or ``;`` separated): variants sharing
    a key are one street. Returns variant -> every other variant of its street (resolved against the
    BAG later). Each row is checked against ``schemas/gazetteer.schema.json``; a ConfigError names
    the line."""
    source = str(path)
    table = read_csv(read_text(path), source, delimiters=",;")
    if len(table.header) != 2 or not all(table.header):
        raise config_error(source, table.header_line, f"the header has {len(table.header)} non-empty field(s)"
                           if table.header else "the file is empty", "a header with two columns: namevariant,street")
    groups: dict[str, list[str]] = {}
    for line, fields in table.rows:
        check(fields, GAZETTEER_SCHEMA, source, lambda _path, line=line: line,
              place=lambda p: ("the row" if not p else ("the name variant" if p[0] == 0 else "the street key")))
        groups.setdefault(fields[1], []).append(fields[0])
    return {variant: "\x00".join(members) for members in groups.values() for variant in members}


class BagIndex:
    """Read-only access to the index built by ``bag.index.import_extract``."""

    def __init__(self, db_path: Path, gazetteer: Path | None = None):
        if not Path(db_path).exists():
            raise InputFileError(f"no BAG index at {db_path}: run `digitalisering bag import EXTRACT.zip` first")
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.opr_by_name: dict[str, set[str]] = {}
        for opr_id, naam, kort in self.conn.execute("SELECT id, naam, verkorte_naam FROM openbare_ruimte"):
            for name in (naam, kort):
                if name:
                    self.opr_by_name.setdefault(name, set()).add(opr_id)
        variants: dict[str, str] = {}
        if gazetteer is not None:
            keys = {normalise_street(n): n for n in self.opr_by_name}
            for variant, group in load_gazetteer(gazetteer).items():
                name = next((keys[normalise_street(m)] for m in group.split("\x00") if normalise_street(m) in keys),
                            None)
                if name:
                    variants[variant] = name
        self.streets = StreetMatcher(list(self.opr_by_name), variants)

    def close(self) -> None:
        self.conn.close()

    def gebruiksdoelen(self, vbo_ids: list[str]) -> dict[str, list[str]] | None:
        """Each verblijfsobject's gebruiksdoelen in its latest voorkomen (see ``read_gebruiksdoelen``)."""
        return _gebruiksdoelen(self.conn, vbo_ids)

    # --- lookups ---------------------------------------------------------------------------

    def _nums(self, street: str, number: int) -> dict[str, list[tuple]]:
        ids = self.opr_by_name.get(street, set())
        rows: dict[str, list[tuple]] = {}
        for opr in ids:
            for row in self.conn.execute(
                    "SELECT id, voorkomen, huisletter, toevoeging, postcode, status FROM nummeraanduiding "
                    "WHERE openbare_ruimte_id=? AND huisnummer=? ORDER BY id, voorkomen", (opr, number)):
                rows.setdefault(row[0], []).append(row)
        return rows

    def objects_of(self, num_ids: list[str]) -> tuple[list[str], list[str]]:
        """(verblijfsobject ids, pand ids) of these nummeraanduidingen (the objects whose latest
        voorkomen carries them; any voorkomen when none does)."""
        vbos: list[str] = []
        for num in num_ids:
            rows = list(self.conn.execute(
                "SELECT a.type, a.id, a.voorkomen, (SELECT MAX(voorkomen) FROM adresseerbaar b WHERE b.id=a.id) "
                "FROM adresseerbaar a WHERE a.num_id=?", (num,)))
            latest = [r for r in rows if r[2] == r[3] and r[0] == "VBO"] or [r for r in rows if r[0] == "VBO"]
            vbos.extend(r[1] for r in latest if r[1] not in vbos)
        panden: list[str] = []
        for vbo in vbos:
            for (pand,) in self.conn.execute(
                    "SELECT pand_id FROM vbo_pand WHERE vbo_id=? AND voorkomen=(SELECT MAX(voorkomen) FROM vbo_pand "
                    "WHERE vbo_id=?)", (vbo, vbo)):
                if pand not in panden:
                    panden.append(pand)
        return vbos, panden

    # --- linking ---------------------------------------------------------------------------

    def link(self, mention: Mention, role: str) -> list[LinkedAddress]:
        base = dict(text=mention.text, street=mention.street, postcode=mention.postcode, score=mention.score,
                    role=role)
        if mention.corner_with:
            # "hoek X/Y" names a corner, not an address: both streets are known, no number is
            # guessed (the nearest address by the objects' points is often not the one meant)
            return [LinkedAddress(huisnummer=None, huisletter=None, toevoeging=None, status="corner",
                                  **{**base, "text": f"{mention.text} ({mention.street} / {mention.corner_with})"})]
        out = []
        for number in mention.numbers:
            out.append(self._link_number(mention, number, base))
        return out

    def _link_number(self, mention: Mention, number: int, base: dict) -> LinkedAddress:
        rows = self._nums(mention.street, number)
        letter, toev = mention.huisletter, mention.toevoeging
        if letter and not any((r[2] or "").upper() == letter or (r[3] or "").upper() == letter
                              for v in rows.values() for r in v):
            letter, toev = None, toev or {"I": "1"}.get(letter, letter.lower())  # "80 I": toevoeging 1

        def fits(versions: list[tuple]) -> bool:
            letters = {(r[2] or "").upper() for r in versions}
            toevs = {(r[3] or "").lower() for r in versions}
            if letter and letter not in letters and letter.lower() not in toevs:
                return False  # "149 A" may be a huisletter or a toevoeging A
            if toev and toev.lower() not in toevs:
                return False
            if not letter and not toev:
                return "" in letters and "" in toevs
            return True

        chosen = {num: v for num, v in rows.items() if fits(v)}
        if not chosen and not letter and not toev and rows:
            chosen = rows  # "Breestraat 12" where the BAG has only 12a and 12b
        if len(chosen) > 1 and mention.postcode:
            same = {n: v for n, v in chosen.items() if any(r[4] == mention.postcode for r in v)}
            chosen = same or chosen
        if len(chosen) > 1:  # an address withdrawn and issued again: the dossier is older, take the old one
            withdrawn = {n: v for n, v in chosen.items() if v[-1][5] == WITHDRAWN}
            if withdrawn and len(withdrawn) < len(chosen) and len(chosen) - len(withdrawn) == 1 and \
                    len(withdrawn) == 1:
                chosen = withdrawn
        fields = dict(huisnummer=number, huisletter=letter, toevoeging=toev, **base)
        if not chosen:
            return LinkedAddress(status="not_in_bag", **fields)
        nums = sorted(chosen)
        vbos, panden = self.objects_of(nums)
        if len(nums) > 1:
            status = "ambiguous"
        elif chosen[nums[0]][-1][5] == WITHDRAWN:
            status = "withdrawn"
        else:
            status = "exact" if mention.exact_street else "fuzzy"
        return LinkedAddress(status=status, nummeraanduiding_ids=nums, verblijfsobject_ids=vbos, pand_ids=panden,
                             **fields)


def mention_role(mention: Mention) -> str:
    """'object', 'other' or 'unknown': the nearest cue in the words before the address decides."""
    before = mention.context
    obj = [m.end() for m in OBJECT_CUES.finditer(before)]
    other = [m.end() for m in OTHER_CUES.finditer(before)]
    if not obj and not other:
        return "unknown"
    return "object" if max(obj, default=-1) > max(other, default=-1) else "other"


def document_addresses(index: BagIndex, text: str) -> list[LinkedAddress]:
    """Every address in a document's text, linked, with its role."""
    out: list[LinkedAddress] = []
    for mention in find_addresses(text, index.streets):
        out.extend(index.link(mention, mention_role(mention)))
    return out


def dossier_addresses(documents: list[list[LinkedAddress]]) -> list[LinkedAddress]:
    """The dossier's object addresses: those a mention calls the object, or that two or more
    documents repeat without ever calling them someone else's. One entry per nummeraanduiding set."""
    by_key: dict[tuple, list[tuple[int, LinkedAddress]]] = {}
    for i, doc in enumerate(documents):
        for a in doc:
            if a.nummeraanduiding_ids:
                by_key.setdefault(tuple(a.nummeraanduiding_ids), []).append((i, a))
            elif a.status == "corner":  # a corner names no address but is the dossier's place
                by_key.setdefault(("corner", a.street, a.text.split("(")[-1]), []).append((i, a))
    chosen = []
    for mentions in by_key.values():
        roles = [a.role for _, a in mentions]
        docs = {i for i, _ in mentions}
        if "object" in roles or (len(docs) >= 2 and roles.count("other") < len(roles) / 2):
            best = max((a for _, a in mentions), key=lambda a: (a.role == "object", a.score))
            chosen.append(best)
    return chosen


@dataclass
class BagAddresses:
    documents: dict[str, list[LinkedAddress]] = field(default_factory=dict)
    """Document id -> its addresses (every mention, linked, with its role)."""
    dossiers: dict[str, list[LinkedAddress]] = field(default_factory=dict)
    """Dossier id -> its object addresses."""


def link_plan(index: BagIndex, plan, texts: dict[int, str]) -> BagAddresses:
    """Addresses of every document and dossier of a split batch (``texts``: page seq -> OCR text)."""
    result = BagAddresses()
    for dossier in plan.dossiers:
        per_doc = []
        for doc in dossier.documents:
            text = "\n".join(texts.get(seq, "") for seq in doc.pages)
            found = document_addresses(index, text)
            result.documents[doc.id] = found
            per_doc.append(found)
        result.dossiers[dossier.id] = dossier_addresses(per_doc)
    return result
