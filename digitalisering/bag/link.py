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
from bisect import bisect_right
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from digitalisering.bag.addresses import Mention, StreetMatcher, find_addresses, normalise_street
from digitalisering.documents.vocabulary import normalise as normalise_text

REVIEW_BELOW = 0.6
"""An address whose object-or-not decision is less sure than this is listed for review (as the
documents' boundaries and types: documents.split.REVIEW_BELOW)."""
from digitalisering.errors import InputFileError
from digitalisering.operator_files import check, config_error, read_csv, read_text

if TYPE_CHECKING:
    from digitalisering.bag.roles import AddressModel

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
class Where:
    """Where a mention stands (evidence for its role; not written to results.json)."""

    seq: int | None = None
    """The page (its seq) the address is written on."""
    top: float | None = None
    """Top of its line as a fraction of the page height (None: no word boxes)."""
    left: float | None = None
    large_format: bool = False
    line: str = ""
    """The whole line it stands on."""
    next_line: str = ""
    context: str = ""
    """The text just before it."""
    rest: str = ""
    """The rest of its line after it."""
    town: str = ""
    """'own' (a woonplaats of the BAG index), 'other' or '' (none written after it)."""


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
    page: int | None = None
    """The page (seq) it is written on (the first, at dossier level)."""
    object_confidence: float | None = None
    """At dossier level: how sure the address model is that this is the dossier's object."""
    corrected: bool = False
    """At dossier level: an archivist said this is (or added it as) the dossier's object."""
    where: Where | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        data = asdict(self)
        del data["where"]
        return data

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
            raise InputFileError("no BAG index at {db_path}: run `digitalisering bag import EXTRACT.zip` first", db_path=db_path)
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
        self._objects: dict[tuple, tuple[list[str], list[str]]] = {}
        self.woonplaatsen = {" ".join(normalise_text(naam).split())
                             for (naam,) in self.conn.execute("SELECT DISTINCT naam FROM woonplaats") if naam}

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
        voorkomen carries them; any voorkomen when none does). Remembered per index: a dossier names
        its address in every document (bench/bag.py: the lookups were most of the linking time)."""
        key = tuple(num_ids)
        if key not in self._objects:
            self._objects[key] = self._objects_of(num_ids)
        vbos, panden = self._objects[key]
        return list(vbos), list(panden)

    def _objects_of(self, num_ids: list[str]) -> tuple[list[str], list[str]]:
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

    def address(self, num_id: str) -> "LinkedAddress | None":
        """The address of a nummeraanduiding id as the BAG has it (its latest voorkomen), linked."""
        row = self.conn.execute(
            "SELECT o.naam, n.huisnummer, n.huisletter, n.toevoeging, n.postcode, n.status FROM nummeraanduiding n "
            "JOIN openbare_ruimte o ON o.id = n.openbare_ruimte_id WHERE n.id=? "
            "ORDER BY n.voorkomen DESC, o.voorkomen DESC LIMIT 1", (num_id,)).fetchone()
        if row is None:
            return None
        street, number, letter, toev, postcode, status = row
        vbos, panden = self.objects_of([num_id])
        return LinkedAddress(text=address_label(street, number, letter, toev), street=street, huisnummer=number,
                             huisletter=letter or None, toevoeging=toev or None, postcode=postcode,
                             status="withdrawn" if status == WITHDRAWN else "exact", score=100.0, role="object",
                             nummeraanduiding_ids=[num_id], verblijfsobject_ids=vbos, pand_ids=panden)

    # --- linking ---------------------------------------------------------------------------

    def link(self, mention: Mention, role: str, where: Where | None = None) -> list[LinkedAddress]:
        base = dict(text=mention.text, street=mention.street, postcode=mention.postcode, score=mention.score,
                    role=role, where=where, page=where.seq if where else None)
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
        if not chosen and mention.bar and toev == "1" and not letter:  # "80 |": a stray bar, not 80-1
            toev = None
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


def _where(mention: Mention, text: str, pages: list | None, starts: list[int]) -> Where:
    """Where ``mention`` (found in ``text``, the pages' texts joined by line breaks) stands."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    line_end = text.find("\n", mention.start)
    line_end = len(text) if line_end < 0 else line_end
    next_end = text.find("\n", line_end + 1)
    where = Where(line=text[line_start:line_end], next_line=text[line_end + 1:next_end if next_end >= 0 else None],
                  context=mention.context, rest=text[mention.end:line_end] if mention.end <= line_end else "")
    if pages:
        i = bisect_right(starts, mention.start) - 1
        page = pages[i]
        where.seq, where.large_format = page.seq, page.large_format
        n = text.count("\n", starts[i], mention.start)
        if n < len(page.lines):
            where.top, where.left = page.lines[n].top, page.lines[n].left
    return where


def document_addresses(index: BagIndex, text: str, pages: list | None = None) -> list[LinkedAddress]:
    """Every address in a document's text, linked, with the role its own words give it and where it
    stands. ``pages``: the document's PageViews, whose texts joined by line breaks are ``text``."""
    starts, offset = [], 0
    for page in pages or []:
        starts.append(offset)
        offset += len(page.text) + 1
    from digitalisering.bag.roles import town_of

    out: list[LinkedAddress] = []
    for mention in find_addresses(text, index.streets):
        where = _where(mention, text, pages, starts)
        where.town = town_of(where, index.woonplaatsen)
        out.extend(index.link(mention, mention_role(mention), where))
    return out


def dossier_addresses(documents: list[list[LinkedAddress]], types: list[str] | None = None,
                      model: "AddressModel | None" = None) -> list[LinkedAddress]:
    """The dossier's object addresses, one entry per nummeraanduiding set (or corner), each with its
    ``object_confidence``. ``types``: the documents' types; ``model``: the address model
    (``bag.roles``; default: the one shipped with the package)."""
    from digitalisering.bag.roles import candidates, default_model, rule_decision

    return [a for a in weighed(documents, types, model) if a.role == "object"]


def weighed(documents: list[list[LinkedAddress]], types: list[str] | None = None,
            model: "AddressModel | None" = None) -> list[LinkedAddress]:
    """Every candidate address of the dossier (one entry per nummeraanduiding set or corner) with its
    ``object_confidence``; role 'object' when the model (or, for corners, the rule) chose it."""
    from digitalisering.bag.roles import candidates, default_model, rule_decision

    model = model or default_model()
    out = []
    for cand in candidates(documents, types or [""] * len(documents)):
        if model is None or cand.key[0] == "corner":  # a corner names no nummeraanduiding: never trained on
            p = 1.0 if rule_decision(cand) else 0.0
        else:
            p = model.probability(cand.features)
        best = max(cand.mentions, key=lambda a: (a.role == "object", a.score))
        pages = [a.page for a in cand.mentions if a.page is not None]
        out.append(replace(best, role="object" if p >= (model.threshold if model else 0.5) else "other",
                           object_confidence=round(p, 3), page=min(pages) if pages else None))
    return out


def unsure(weighed_addresses: list[LinkedAddress], review_below: float) -> list[LinkedAddress]:
    """The candidates whose decision (object or not) is less sure than ``review_below``: for a person."""
    return [a for a in weighed_addresses if a.object_confidence is not None
            and max(a.object_confidence, 1 - a.object_confidence) < review_below]


@dataclass
class BagAddresses:
    documents: dict[str, list[LinkedAddress]] = field(default_factory=dict)
    """Document id -> its addresses (every mention, linked, with its role)."""
    dossiers: dict[str, list[LinkedAddress]] = field(default_factory=dict)
    """Dossier id -> its object addresses."""
    review: dict[str, list[LinkedAddress]] = field(default_factory=dict)
    """Dossier id -> the candidate addresses the model is unsure of (object or not): for review."""


def apply_corrections(index: BagIndex, found: BagAddresses, corrections: dict[str, dict[str, bool]]) -> None:
    """Archivists' address corrections (dossier -> nummeraanduiding id -> is the object) over the
    model's choice: a ``False`` takes the id out of the dossier's addresses, a ``True`` puts it in
    (from the document's mention when there is one, else from the BAG)."""
    for dossier, ids in corrections.items():
        chosen = found.dossiers.setdefault(dossier, [])
        kept = []
        for a in chosen:
            rest = [n for n in a.nummeraanduiding_ids if ids.get(n, True)]
            if rest == a.nummeraanduiding_ids:
                kept.append(a)
            elif rest:  # part of a range taken out
                vbos, panden = index.objects_of(rest)
                kept.append(replace(a, nummeraanduiding_ids=rest, verblijfsobject_ids=vbos, pand_ids=panden,
                                    corrected=True))
        have = {n for a in kept for n in a.nummeraanduiding_ids}
        for num_id, is_object in ids.items():
            if not is_object:
                continue
            if num_id in have:
                kept = [replace(a, corrected=True, object_confidence=1.0) if num_id in a.nummeraanduiding_ids else a
                        for a in kept]
                continue
            added = index.address(num_id)
            if added is not None:
                kept.append(replace(added, corrected=True, object_confidence=1.0))
        found.dossiers[dossier] = kept
        found.review[dossier] = [a for a in found.review.get(dossier, []) if not set(a.nummeraanduiding_ids) & set(ids)]


def link_plan(index: BagIndex, plan, pages: dict, model: "AddressModel | None" = None) -> BagAddresses:
    """Addresses of every document and dossier of a split batch (``pages``: page seq -> its
    PageView, or only its OCR text)."""
    result = BagAddresses()
    for dossier in plan.dossiers:
        per_doc = []
        for doc in dossier.documents:
            views = [pages[seq] for seq in doc.pages if seq in pages]
            if views and isinstance(views[0], str):
                text, views = "\n".join(views), None
            else:
                text = "\n".join(v.text for v in views)
            found = document_addresses(index, text, views)
            result.documents[doc.id] = found
            per_doc.append(found)
        every = weighed(per_doc, [d.type for d in dossier.documents], model)
        result.dossiers[dossier.id] = [a for a in every if a.role == "object"]
        result.review[dossier.id] = unsure(every, REVIEW_BELOW)
    return result
