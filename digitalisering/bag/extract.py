"""Read a Kadaster LV-BAG 2.0 extract (levenscyclus) as Kadaster delivers it, streaming.

The national ``BAGNLDL-DDMMYYYY.zip`` holds one zip per object type (``9999NUM…zip``), each with
XML parts of 10,000 ``sl:stand``; a municipal extract has the same structure. Nested zips are
spooled to a temporary file one at a time; XML is parsed with lxml ``iterparse`` and every record
is cleared as soon as it is read, so memory does not grow with the extract. Hardened: no DTDs,
no entity expansion, no network, no huge trees.

Yields plain records (dataclasses) of the five object types the index needs, plus the
gemeente-woonplaats relations.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from lxml import etree

from digitalisering.errors import InputFileError

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


@dataclass(frozen=True)
class GemeenteWoonplaats:
    gemeente: str
    woonplaats: str
    begin: str | None
    end: str | None


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
            "remove_comments": True}


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _voorkomen(obj: etree._Element) -> Voorkomen:
    v = obj.find(f"{_q(OBJ, 'voorkomen')}/{_q(HIST, 'Voorkomen')}")
    if v is None:
        return Voorkomen(1, "", None)
    return Voorkomen(int(_text(v, _q(HIST, "voorkomenidentificatie")) or 1),
                     _text(v, _q(HIST, "beginGeldigheid")) or "", _text(v, _q(HIST, "eindGeldigheid")))


_TAGS = {
    _q(OBJ, "Woonplaats"): "WPL", _q(OBJ, "OpenbareRuimte"): "OPR", _q(OBJ, "Nummeraanduiding"): "NUM",
    _q(OBJ, "Verblijfsobject"): "VBO", _q(OBJ, "Ligplaats"): "LIG", _q(OBJ, "Standplaats"): "STA",
    _q(OBJ, "Pand"): "PND",
}


def _record(obj: etree._Element) -> BagRecord:
    kind = _TAGS[obj.tag]
    rec = BagRecord(kind, _text(obj, _q(OBJ, "identificatie")) or "", _text(obj, _q(OBJ, "status")) or "",
                    _voorkomen(obj))
    if kind in ("WPL", "OPR"):
        rec.name = _text(obj, _q(OBJ, "naam"))
    if kind == "OPR":
        rec.short_name = _text(obj, f"{_q(OBJ, 'verkorteNaam')}//{_q(OBJ, 'verkorteNaam')}") or \
            _text(obj, _q(OBJ, "verkorteNaam"))
        rec.parent = _text(obj, f"{_q(OBJ, 'ligtIn')}/{_q(REF, 'WoonplaatsRef')}")
    elif kind == "NUM":
        number = _text(obj, _q(OBJ, "huisnummer"))
        rec.huisnummer = int(number) if number and number.isdigit() else None
        rec.huisletter = _text(obj, _q(OBJ, "huisletter"))
        rec.toevoeging = _text(obj, _q(OBJ, "huisnummertoevoeging"))
        rec.postcode = _text(obj, _q(OBJ, "postcode"))
        rec.parent = _text(obj, f"{_q(OBJ, 'ligtAan')}/{_q(REF, 'OpenbareRuimteRef')}")
    elif kind in ("VBO", "LIG", "STA"):
        rec.hoofdadres = _text(obj, f"{_q(OBJ, 'heeftAlsHoofdadres')}/{_q(REF, 'NummeraanduidingRef')}")
        rec.nevenadressen = [r.text.strip() for r in obj.iterfind(
            f"{_q(OBJ, 'heeftAlsNevenadres')}/{_q(REF, 'NummeraanduidingRef')}") if r.text]
        if kind == "VBO":
            rec.panden = [r.text.strip() for r in obj.iterfind(
                f"{_q(OBJ, 'maaktDeelUitVan')}/{_q(REF, 'PandRef')}") if r.text]
            pos = obj.find(f"{_q(OBJ, 'geometrie')}/{_q(OBJ, 'punt')}//{{http://www.opengis.net/gml/3.2}}pos")
            if pos is not None and pos.text:
                xy = pos.text.split()
                try:
                    rec.point = (float(xy[0]), float(xy[1]))
                except (IndexError, ValueError):
                    rec.point = None
    elif kind == "PND":
        year = _text(obj, _q(OBJ, "oorspronkelijkBouwjaar"))
        rec.bouwjaar = int(year) if year and year.isdigit() else None
    return rec


def _check_no_doctype(stream: IO[bytes]) -> None:
    head = stream.read(4096)
    stream.seek(0)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise InputFileError("BAG extract: XML with a DOCTYPE or entities is refused (not a Kadaster file)")


def parse_objects(stream: IO[bytes], source: str) -> Iterator[BagRecord]:
    """BAG objects of one XML part, in file order; each record is dropped from the tree once read."""
    _check_no_doctype(stream)
    try:
        for _, el in etree.iterparse(stream, events=("end",), tag=list(_TAGS), **_parser_kwargs()):
            record = _record(el)
            wrapper = el.getparent()  # sl-bag-extract:bagObject
            stand = wrapper.getparent() if wrapper is not None else None  # sl:stand
            el.clear(keep_tail=False)
            if stand is not None:
                stand.clear(keep_tail=False)
                root = stand.getparent()
                while root is not None and stand.getprevious() is not None:
                    del root[0]
            yield record
    except etree.XMLSyntaxError as exc:
        raise InputFileError(f"BAG extract: {source} is not well-formed XML ({exc.msg}, line {exc.lineno})") from exc


def parse_relations(stream: IO[bytes], source: str) -> Iterator[GemeenteWoonplaats]:
    _check_no_doctype(stream)
    tag = _q(GWR, "GemeenteWoonplaatsRelatie")
    try:
        for _, el in etree.iterparse(stream, events=("end",), tag=tag, **_parser_kwargs()):
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
            el.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        raise InputFileError(f"BAG extract: {source} is not well-formed XML ({exc.msg}, line {exc.lineno})") from exc


def stand_date(stream: IO[bytes]) -> str | None:
    """StandTechnischeDatum from the head of an XML part (the extract's date)."""
    head = stream.read(8192)
    stream.seek(0)
    m = re.search(rb"StandTechnischeDatum>(\d{4}-\d{2}-\d{2})<", head)
    return m.group(1).decode() if m else None


class Extract:
    """The XML parts of an extract zip (nested zips included), opened one at a time."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(f"BAG extract: {self.path.name} is not a readable zip file ({exc})") from exc
        self._tmp = tempfile.TemporaryDirectory(prefix="digitalisering-bag-")

    def close(self) -> None:
        self.zip.close()
        self._tmp.cleanup()

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

    def _members(self, zf: zipfile.ZipFile, prefix: str) -> Iterator[tuple[str, zipfile.ZipFile, zipfile.ZipInfo]]:
        for info in zf.infolist():
            if info.is_dir():
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputFileError(f"BAG extract: {info.filename} claims {info.file_size} bytes: refused")
            yield prefix + info.filename, zf, info

    def parts(self, kinds: tuple[str, ...] = ("GWR", *TYPES)) -> Iterator[tuple[str, str, IO[bytes]]]:
        """(kind, member path, binary stream) of every XML part, kinds in the order given; a nested
        zip is unpacked to a temporary file once and its parts read in order."""
        members = [(self._kind(name), name, zf, info) for name, zf, info in self._members(self.zip, "")]
        for kind in kinds:
            for member_kind, name, zf, info in members:
                if member_kind != kind:
                    continue
                if name.lower().endswith(".xml"):
                    with zf.open(info) as stream:
                        yield kind, name, stream
                elif name.lower().endswith(".zip"):
                    with self._open_nested(zf, info) as inner:
                        for inner_name, _, inner_info in self._members(inner, name + "/"):
                            if self._kind(inner_name) == kind and inner_name.lower().endswith(".xml"):
                                with inner.open(inner_info) as stream:
                                    yield kind, inner_name, stream

    def _open_nested(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> zipfile.ZipFile:
        spool = Path(self._tmp.name) / "inner.zip"
        with zf.open(info) as src, open(spool, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        try:
            return zipfile.ZipFile(spool)
        except zipfile.BadZipFile as exc:
            raise InputFileError(f"BAG extract: {info.filename} inside {self.path.name} is not a zip file") from exc
