"""Read a Kadaster LV-BAG 2.0 extract (levenscyclus) as Kadaster delivers it, streaming.

The national ``BAGNLDL-DDMMYYYY.zip`` holds one zip per object type (``9999NUM…zip``), each with
XML parts of 10,000 ``sl:stand``; a municipal extract has the same structure. Nested zips are
spooled to a temporary file one at a time; XML is parsed with lxml ``iterparse`` and every element
is freed once handled, whatever its namespace, so memory does not grow with the extract. Hardened:
a DOCTYPE or an entity reference anywhere refuses the part (no DTD is loaded, no entity expanded,
no network), no huge trees, bounded zip nesting, declared and real unpacked sizes and compression
ratios (zip bombs, members that lie about their size).

Yields plain records (dataclasses) of the five object types the index needs, plus the
gemeente-woonplaats relations.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from lxml import etree

from digitalisering.errors import ExtractError, StateError

OBJ = "www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601"
REF = "www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601"
HIST = "www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601"
EXTRACT = "http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601"
SELECTIES = "http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601"
GWR = "www.kadaster.nl/schemas/lvbag/gem-wpl-rel/gwr-producten-lvc/v20200601"
TYPES = ("WPL", "OPR", "NUM", "VBO", "LIG", "STA", "PND")
"""Object types in the order the index reads them (references point backwards)."""
_PART = re.compile(r"(?:^|/)(?:\d{4})(WPL|OPR|NUM|VBO|LIG|STA|PND)\d{8}(?:-\d+)?\.(xml|zip)$", re.IGNORECASE)
_GWR = re.compile(r"(?:^|/)GEM-WPL-RELATIE-\d{8}(?:-\d+)?\.(xml|zip)$", re.IGNORECASE)
MAX_MEMBER_BYTES = 20 * 1024**3
"""A member claiming to unpack to more than this is refused (zip bomb)."""
MAX_RATIO = 200
"""A member that unpacks to more than this many times its compressed size is refused (zip bomb: deflate
reaches ~1000). Kadaster's parts measure 9-71 (GEM-WPL-RELATIE, the most repetitive), the synthetic
Leiden ones up to 53."""
RATIO_FLOOR_BYTES = 1024**2
"""Members smaller than this (unpacked) are not held to the ratio."""
MAX_EXTRACT_RATIO = 100
"""All XML parts together may unpack to at most this many times the extract's file size (Kadaster's
extracts: 16-35)."""
EXTRACT_FLOOR_BYTES = 16 * 1024**2
"""The budget of a small extract is at least this."""
MAX_EXTRACT_BYTES = 1024**4
"""And never to more than 1 TiB (the national extract of ~30 million objects unpacks to well under)."""
MAX_NESTING = 1
"""Zips inside the extract zip, not deeper (Kadaster's layout for the object types read)."""


@dataclass
class Voorkomen:
    number: int
    begin: str
    end: str | None


@dataclass
class BagRecord:
    type: str
    """WPL, OPR, NUM, VBO, LIG, STA or PND."""
    id: str
    status: str
    voorkomen: Voorkomen
    name: str | None = None
    """WPL and OPR: naam."""
    short_name: str | None = None
    """OPR: verkorteNaam."""
    parent: str | None = None
    """OPR: woonplaats; NUM: openbare ruimte."""
    huisnummer: int | None = None
    huisletter: str | None = None
    toevoeging: str | None = None
    postcode: str | None = None
    hoofdadres: str | None = None
    """VBO/LIG/STA: nummeraanduiding."""
    nevenadressen: list[str] = field(default_factory=list)
    panden: list[str] = field(default_factory=list)
    """VBO: the panden it is part of."""
    bouwjaar: int | None = None
    point: tuple[float, float] | None = None
    """VBO: its point (RD New, metres)."""
    gebruiksdoelen: list[str] = field(default_factory=list)
    """VBO: its gebruiksdoelen (woonfunctie, celfunctie, ...): openbaarheid asks for celfunctie."""


@dataclass(frozen=True)
class GemeenteWoonplaats:
    gemeente: str
    woonplaats: str
    begin: str | None
    end: str | None


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
            "huge_tree": False, "remove_comments": True, "remove_pis": True, "encoding": "utf-8"}


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


_TAGS = {
    _q(OBJ, "Woonplaats"): "WPL", _q(OBJ, "OpenbareRuimte"): "OPR", _q(OBJ, "Nummeraanduiding"): "NUM",
    _q(OBJ, "Verblijfsobject"): "VBO", _q(OBJ, "Ligplaats"): "LIG", _q(OBJ, "Standplaats"): "STA",
    _q(OBJ, "Pand"): "PND",
}
_PLAIN = {_q(OBJ, name): attr for name, attr in (
    ("identificatie", "id"), ("status", "status"), ("naam", "name"), ("huisletter", "huisletter"),
    ("huisnummertoevoeging", "toevoeging"), ("postcode", "postcode"))}
"""Children whose text is a field as it stands."""
_VOORKOMEN, _HIST_VOORKOMEN = _q(OBJ, "voorkomen"), _q(HIST, "Voorkomen")
_VK_ID, _VK_BEGIN, _VK_END = _q(HIST, "voorkomenidentificatie"), _q(HIST, "beginGeldigheid"), _q(HIST, "eindGeldigheid")
_HUISNUMMER, _BOUWJAAR, _VERKORT = _q(OBJ, "huisnummer"), _q(OBJ, "oorspronkelijkBouwjaar"), _q(OBJ, "verkorteNaam")
_LIGT_IN, _LIGT_AAN = _q(OBJ, "ligtIn"), _q(OBJ, "ligtAan")
_PARENT_REF = {_LIGT_IN: _q(REF, "WoonplaatsRef"), _LIGT_AAN: _q(REF, "OpenbareRuimteRef")}
_HOOFD, _NEVEN, _DEEL = _q(OBJ, "heeftAlsHoofdadres"), _q(OBJ, "heeftAlsNevenadres"), _q(OBJ, "maaktDeelUitVan")
_NUM_REF, _PAND_REF = _q(REF, "NummeraanduidingRef"), _q(REF, "PandRef")
_GEBRUIKSDOEL = _q(OBJ, "gebruiksdoel")
_GEOMETRIE, _PUNT, _POS = _q(OBJ, "geometrie"), _q(OBJ, "punt"), "{http://www.opengis.net/gml/3.2}pos"


def _stripped(el: etree._Element) -> str | None:
    return el.text.strip() if el.text else None


def _refs(el: etree._Element, tag: str) -> list[str]:
    return [r.text.strip() for r in el.iterchildren(tag) if r.text]


def _voorkomen(el: etree._Element | None) -> Voorkomen:
    if el is None:
        return Voorkomen(1, "", None)
    number = begin = end = None
    for child in el:
        tag = child.tag
        if tag == _VK_ID and number is None:
            number = _stripped(child)
        elif tag == _VK_BEGIN and begin is None:
            begin = _stripped(child)
        elif tag == _VK_END and end is None:
            end = _stripped(child)
    return Voorkomen(int(number) if number and number.isdigit() else 1, begin or "", end)


def _record(obj: etree._Element) -> BagRecord:
    """The fields the index needs, in one pass over the object's children (the first of each wins)."""
    kind = _TAGS[obj.tag]
    rec = BagRecord(kind, "", "", Voorkomen(1, "", None))
    fields: dict[str, str | None] = {}
    voorkomen = None
    for child in obj:
        tag = child.tag
        attr = _PLAIN.get(tag)
        if attr is not None:
            if attr not in fields:
                fields[attr] = _stripped(child)
        elif tag == _VOORKOMEN:
            if voorkomen is None:
                voorkomen = child.find(_HIST_VOORKOMEN)
        elif tag in _PARENT_REF:
            if tag not in fields:
                ref = child.find(_PARENT_REF[tag])
                fields[tag] = _stripped(ref) if ref is not None else None
        elif tag == _HUISNUMMER:
            if "huisnummer" not in fields:
                fields["huisnummer"] = _stripped(child)
        elif tag == _HOOFD:
            if rec.hoofdadres is None:
                ref = child.find(_NUM_REF)
                rec.hoofdadres = _stripped(ref) if ref is not None else None
        elif tag == _NEVEN:
            rec.nevenadressen.extend(_refs(child, _NUM_REF))
        elif tag == _DEEL:
            rec.panden.extend(_refs(child, _PAND_REF))
        elif tag == _VERKORT:
            if "short_name" not in fields:
                inner = child.find(f".//{_VERKORT}")
                fields["short_name"] = (_stripped(inner) if inner is not None else None) or _stripped(child)
        elif tag == _GEOMETRIE:
            if "pos" not in fields:
                punt = child.find(_PUNT)
                pos = punt.find(f".//{_POS}") if punt is not None else None
                fields["pos"] = pos.text if pos is not None and pos.text else None
        elif tag == _GEBRUIKSDOEL:
            doel = _stripped(child)
            if doel and doel not in rec.gebruiksdoelen:
                rec.gebruiksdoelen.append(doel)
        elif tag == _BOUWJAAR:
            if "bouwjaar" not in fields:
                fields["bouwjaar"] = _stripped(child)
    rec.id = fields.get("id") or ""
    rec.status = fields.get("status") or ""
    rec.voorkomen = _voorkomen(voorkomen)
    if kind in ("WPL", "OPR"):
        rec.name = fields.get("name")
    if kind == "OPR":
        rec.short_name = fields.get("short_name")
        rec.parent = fields.get(_LIGT_IN)
    if kind == "NUM":
        rec.parent = fields.get(_LIGT_AAN)
        number = fields.get("huisnummer")
        rec.huisnummer = int(number) if number and number.isdigit() else None
        rec.huisletter, rec.toevoeging = fields.get("huisletter"), fields.get("toevoeging")
        rec.postcode = fields.get("postcode")
    else:
        rec.nevenadressen = rec.nevenadressen if kind in ("VBO", "LIG", "STA") else []
        rec.hoofdadres = rec.hoofdadres if kind in ("VBO", "LIG", "STA") else None
    if kind != "VBO":
        rec.gebruiksdoelen = []
    if kind == "VBO":
        pos = fields.get("pos")
        if pos:
            xy = pos.split()
            try:
                rec.point = (float(xy[0]), float(xy[1]))
            except (IndexError, ValueError):
                rec.point = None
    else:
        rec.panden = []
    if kind == "PND":
        year = fields.get("bouwjaar")
        rec.bouwjaar = int(year) if year and year.isdigit() else None
    return rec


MAX_OBJECT_ELEMENTS = 100_000
"""An object with more elements inside is refused (a Kadaster object has tens; a pand's polygon is one text)."""
MAX_PROLOG_BYTES = 1024**2
"""A part whose root element does not start within this many bytes is refused."""
_CHUNK = 64 * 1024
_COUNT_EVERY = 1024**2
"""While one object stays open for this many bytes of input, its elements are counted (then again
after as many more)."""


def _doctype_refused(source: str) -> ExtractError:
    return ExtractError("BAG extract: {source} declares a DOCTYPE (DTDs and entities are refused: not a Kadaster file)", source=source)


class _Guarded:
    """The bytes of a part on their way to the parser, and the tree the parser builds from them.

    Every chunk is scanned for ``<!DOCTYPE`` and ``<!ENTITY`` (with the end of the chunk before, so a
    keyword split between two reads is found too) before the parser sees it; the parser reads UTF-8
    whatever the file declares, so what is scanned is what is parsed and no other encoding can hide
    a DOCTYPE. Before each chunk, whatever has ended is removed from the tree (the preceding siblings
    on the path from the root to where the parser is), except the inside of an object being read:
    memory stays constant whatever the elements' names or namespaces. lxml reads the next chunk only
    once the events of the one before have been handed out."""

    _KEYWORDS = (b"<!DOCTYPE", b"<!ENTITY")
    _OVERLAP = max(len(k) for k in _KEYWORDS) - 1

    def __init__(self, stream: IO[bytes], source: str, tags: frozenset[str]):
        self._stream, self._source, self._tags = stream, source, tags
        self._tail = b""
        self._replay: list[bytes] = []
        self.root: etree._Element | None = None
        self.fed = 0
        self._held: etree._Element | None = None
        self._counted_at = 0

    def _next(self, n: int) -> bytes:
        data = self._stream.read(n)
        window = self._tail + data
        for keyword in self._KEYWORDS:
            if keyword in window:
                raise _doctype_refused(self._source)
        self._tail = window[-self._OVERLAP:]
        self.fed += len(data)
        return data

    def root_tag(self) -> str | None:
        """The root element's tag, from a first look at the head (kept to be read again)."""
        probe = etree.XMLPullParser(events=("start",), **_parser_kwargs())
        while self.fed <= MAX_PROLOG_BYTES:
            data = self._next(_CHUNK)
            if not data:
                return None
            self._replay.append(data)
            probe.feed(data)
            for _, el in probe.read_events():
                return el.tag
        raise ExtractError("BAG extract: {source} has no root element in its first {max_prolog_bytes:,} bytes: refused, not a Kadaster file", source=self._source, max_prolog_bytes=MAX_PROLOG_BYTES)

    def read(self, n: int = -1) -> bytes:
        if self._replay:
            return self._replay.pop(0)
        if self.root is not None:
            self._sweep()
        return self._next(n if n and n > 0 else _CHUNK)

    def _sweep(self) -> None:
        node = self.root
        while node.tag not in self._tags:
            count = len(node)
            if count == 0:
                return
            if count > 1:
                del node[:count - 1]
            node = node[0]
        # an object being read (or one just read, cleared): its inside stays until it ends
        if node is not self._held:
            self._held, self._counted_at = node, self.fed
        elif self.fed - self._counted_at > _COUNT_EVERY:
            self._counted_at = self.fed
            if sum(1 for _ in node.iter()) > MAX_OBJECT_ELEMENTS:
                raise ExtractError("BAG extract: {source} has a {localname} with more than {max_object_elements:,} elements inside, line {sourceline}: refused, not a Kadaster file", source=self._source, localname=etree.QName(node).localname, max_object_elements=MAX_OBJECT_ELEMENTS, sourceline=node.sourceline)


def _refuse_doctype(el: etree._Element, source: str) -> None:
    """A second guard behind the scan: a DOCTYPE can only stand in the prolog, so when the root element
    starts the parser has seen it if there is one."""
    info = el.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype or info.system_url:
        raise _doctype_refused(source)


def _syntax_error(exc: etree.XMLSyntaxError, source: str) -> ExtractError:
    errors = [e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR]
    for e in errors:
        if e.type_name == "ERR_UNDECLARED_ENTITY":
            return ExtractError("BAG extract: {source} uses an entity reference, line {line} ({message_}): refused, not a Kadaster file", source=source, line=e.line, message_=e.message.strip())
    msg, line = (errors[0].message.strip(), errors[0].line) if errors else (exc.msg, exc.lineno)
    return ExtractError("BAG extract: {source} is not well-formed XML ({msg}, line {line})", source=source, msg=msg, line=line)


def _elements(stream: IO[bytes], source: str, tags: frozenset[str]) -> Iterator[etree._Element]:
    """Each complete element with one of ``tags``, in file order, streaming; a record is cleared once
    the caller has read it and everything else is freed as the parse goes on (``_Guarded``). A
    DOCTYPE or an entity reference anywhere refuses the file."""
    guard = _Guarded(stream, source, tags)
    try:
        etree.clear_error_log()
        root_tag = guard.root_tag()
        wanted = list(tags | {root_tag}) if root_tag else list(tags)
        for event, el in etree.iterparse(guard, events=("start", "end"), tag=wanted, **_parser_kwargs()):
            if event == "start":
                if guard.root is None:
                    _refuse_doctype(el, source)
                    guard.root = el
                continue
            if el.tag in tags:
                yield el
                el.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, source) from exc


_OBJECT_TAGS = frozenset(_TAGS)


def parse_objects(stream: IO[bytes], source: str) -> Iterator[BagRecord]:
    """BAG objects of one XML part, in file order; each record is dropped from the tree once read."""
    for el in _elements(stream, source, _OBJECT_TAGS):
        yield _record(el)


def parse_relations(stream: IO[bytes], source: str) -> Iterator[GemeenteWoonplaats]:
    for el in _elements(stream, source, frozenset([_q(GWR, "GemeenteWoonplaatsRelatie")])):
        wpl = _text(el, f"{_q(GWR, 'gerelateerdeWoonplaats')}/{_q(GWR, 'identificatie')}")
        gem = _text(el, f"{_q(GWR, 'gerelateerdeGemeente')}/{_q(GWR, 'identificatie')}")
        period = el.find(_q(GWR, "tijdvakgeldigheid"))
        begin = end = None
        if period is not None:
            for child in period:
                if child.tag.endswith("begindatumTijdvakGeldigheid"):
                    begin = (child.text or "").strip() or None
                elif child.tag.endswith("einddatumTijdvakGeldigheid"):
                    end = (child.text or "").strip() or None
        if wpl and gem:
            yield GemeenteWoonplaats(gem, wpl, begin, end)


def stand_date(head: bytes) -> str | None:
    """StandTechnischeDatum from the head of an XML part (the extract's date)."""
    m = re.search(rb"StandTechnischeDatum>(\d{4}-\d{2}-\d{2})<", head)
    return m.group(1).decode() if m else None


class _Budget:
    """What the XML parts of one extract may unpack to, altogether: declared sizes are claimed when a zip
    is opened (refused before anything is unpacked), real bytes are counted as they are read."""

    def __init__(self, extract: Path):
        self.name = extract.name
        size = extract.stat().st_size
        self.limit = min(MAX_EXTRACT_BYTES, max(EXTRACT_FLOOR_BYTES, MAX_EXTRACT_RATIO * size))
        self.claimed = 0
        self.read = 0

    def _refuse(self) -> None:
        raise ExtractError("BAG extract: {name} would unpack to more than {value:.1f} GiB, over {max_extract_ratio} times the size of {name} (a zip bomb?): refused", name=self.name, value=self.limit / 1024**3, max_extract_ratio=MAX_EXTRACT_RATIO)

    def claim(self, size: int) -> None:
        self.claimed += size
        if self.claimed > self.limit:
            self._refuse()

    def spend(self, size: int) -> None:
        self.read += size
        if self.read > self.limit:
            self._refuse()


def _check_declared(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse a member by what its zip headers declare, before any of it is unpacked."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise ExtractError("BAG extract: {label} claims {file_size:,} bytes, more than {value:.0f} GiB (a zip bomb?): refused", label=label, file_size=info.file_size, value=MAX_MEMBER_BYTES / 1024**3)
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ExtractError("BAG extract: {label} would unpack to {value:,.0f} times its compressed size, more than {max_ratio} (a zip bomb?): refused", label=label, value=info.file_size / max(info.compress_size, 1), max_ratio=MAX_RATIO)


class MemberStream:
    """A zip member read through a counter: it may not unpack to more than its header declares, nor
    beyond the compression ratio, nor beyond the extract's budget; a damaged member is one line."""

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo, label: str, budget: _Budget | None):
        self._raw, self._info, self.label, self._budget = raw, info, label, budget
        self._buffer = b""
        self.count = 0

    def _read(self, n: int) -> bytes:
        try:
            data = self._raw.read(n)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ExtractError("BAG extract: {label} is damaged or lies about its size ({error})", label=self.label, error=exc) from exc
        self.count += len(data)
        if self.count > self._info.file_size:
            raise ExtractError("BAG extract: {label} unpacks to more than the {file_size:,} bytes its zip header declares: refused", label=self.label, file_size=self._info.file_size)
        if self.count > RATIO_FLOOR_BYTES and self.count > MAX_RATIO * max(self._info.compress_size, 1):
            raise ExtractError("BAG extract: {label} unpacks to more than {max_ratio} times its compressed size (a zip bomb?): refused", label=self.label, max_ratio=MAX_RATIO)
        if self._budget is not None:
            self._budget.spend(len(data))
        return data

    def head(self, n: int = 8192) -> bytes:
        """The first ``n`` bytes (kept for the reads that follow)."""
        while len(self._buffer) < n:
            data = self._read(n - len(self._buffer))
            if not data:
                break
            self._buffer += data
        return self._buffer[:n]

    def read(self, n: int = -1) -> bytes:
        if self._buffer:
            if n is None or n < 0:
                data, self._buffer = self._buffer + self._read(-1), b""
            else:
                data, self._buffer = self._buffer[:n], self._buffer[n:]
            return data
        return self._read(-1 if n is None else n)


class Extract:
    """The XML parts of an extract zip (nested zips included), opened one at a time.

    Bounded: zips nest at most ``MAX_NESTING`` deep (Kadaster's layout), every member read is checked
    by its declared size and compression ratio before it is unpacked and counted while it is, and all
    parts together may not unpack to more than ``MAX_EXTRACT_RATIO`` times the extract's size. Nested
    zips are spooled in ``spool`` (a folder made here and removed on close; default a temporary one).
    """

    def __init__(self, path: Path, spool: Path | None = None):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExtractError("BAG extract: {name} is not a readable zip file ({error})", name=self.path.name, error=exc) from exc
        self.budget = _Budget(self.path)
        try:
            if spool is None:
                self._spool = Path(tempfile.mkdtemp(prefix="digitalisering-bag-"))
            else:
                self._spool = Path(spool)
                self._spool.mkdir()
        except OSError as exc:
            self.zip.close()
            raise StateError("cannot make the spool folder for {name}: {error}", name=self.path.name, error=exc.strerror or exc) from exc

    def close(self) -> None:
        self.zip.close()
        shutil.rmtree(self._spool, ignore_errors=True)

    def __enter__(self) -> "Extract":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _kind(name: str) -> str | None:
        if "__MACOSX" in name or name.rsplit("/", 1)[-1].startswith("."):
            return None
        if _GWR.search(name):
            return "GWR"
        m = _PART.search(name)
        return m.group(1).upper() if m else None

    def _members(self, zf: zipfile.ZipFile, prefix: str, depth: int,
                 kind: str | None = None) -> list[tuple[str, str, zipfile.ZipInfo]]:
        """(kind, label, info) of the members to read (of ``kind`` when given), checked and claimed."""
        found = []
        for info in zf.infolist():
            member_kind = None if info.is_dir() else self._kind(info.filename)
            if member_kind is None or (kind is not None and member_kind != kind):
                continue
            label = prefix + info.filename
            lower = info.filename.lower()
            if lower.endswith(".zip") and depth >= MAX_NESTING:
                raise ExtractError("BAG extract: {label} nests a zip deeper than Kadaster's layout ({max_nesting} level of zips inside {name}): refused", label=label, max_nesting=MAX_NESTING, name=self.path.name)
            _check_declared(info, label)
            if lower.endswith(".xml"):
                self.budget.claim(info.file_size)
            found.append((member_kind, label, info))
        return found

    def parts(self, kinds: tuple[str, ...] = ("GWR", *TYPES)) -> Iterator[tuple[str, str, MemberStream]]:
        """(kind, member path, binary stream) of every XML part, kinds in the order given; a nested
        zip is unpacked to the spool once and its parts read in order."""
        members = self._members(self.zip, "", 0)
        for kind in kinds:
            for member_kind, label, info in members:
                if member_kind != kind:
                    continue
                if label.lower().endswith(".xml"):
                    with self._open(self.zip, info, label) as stream:
                        yield kind, label, stream
                elif label.lower().endswith(".zip"):
                    with self._open_nested(info, label) as inner:
                        for _, inner_label, inner_info in self._members(inner, label + "/", 1, kind):
                            if inner_label.lower().endswith(".xml"):
                                with self._open(inner, inner_info, inner_label) as stream:
                                    yield kind, inner_label, stream

    @contextmanager
    def _open(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str,
              budget: bool = True) -> Iterator[MemberStream]:
        try:
            raw = zf.open(info)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise ExtractError("BAG extract: {label} cannot be read ({error})", label=label, error=exc) from exc
        with raw:
            yield MemberStream(raw, info, label, self.budget if budget else None)

    def _open_nested(self, info: zipfile.ZipInfo, label: str) -> zipfile.ZipFile:
        spool = self._spool / "inner.zip"
        try:
            with self._open(self.zip, info, label, budget=False) as src, open(spool, "wb") as dst:
                while chunk := src.read(1024 * 1024):
                    dst.write(chunk)
        except OSError as exc:
            raise StateError("cannot unpack {label} to {spool}: {error}", label=label, spool=spool, error=exc.strerror or exc) from exc
        try:
            return zipfile.ZipFile(spool)
        except zipfile.BadZipFile as exc:
            raise ExtractError("BAG extract: {label} inside {name} is not a zip file", label=label, name=self.path.name) from exc
