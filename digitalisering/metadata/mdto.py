"""MDTO 1.0.1 records (Nationaal Archief): informatieobject (Dossier, Archiefstuk) and bestand.

Elements are written in the order the XSD's sequences demand; every record is validated against
the official XSD (``schemas/mdto/MDTO-XML1.0.1.xsd``) before it is returned: an invalid record is
an error, never an output.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from digitalisering.errors import DigitaliseringError
from digitalisering.resources import schema_path

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
PRONOM = {"1b": ("fmt/354", "Acrobat PDF/A - Portable Document Format 1b"),
          "2b": ("fmt/477", "Acrobat PDF/A - Portable Document Format 2b"),
          "alto": ("fmt/101", "Extensible Markup Language 1.0")}
"""File format -> (PRONOM id, name). PRONOM has no entry for ALTO: its files are XML 1.0 (fmt/101)."""


class MetadataInvalidError(DigitaliseringError):
    """A metadata record does not validate against its schema (a bug: nothing was written)."""


@functools.lru_cache(maxsize=1)
def mdto_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(schema_path("mdto/MDTO-XML1.0.1.xsd")), parser))


def validation_errors(data: bytes) -> list[str]:
    """Why ``data`` is not a valid MDTO 1.0.1 document (empty when it is)."""
    try:
        doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                     huge_tree=False))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if doc.getroottree().docinfo.doctype:  # an unexpanded entity crashes the schema validator
        return ["has a DOCTYPE (MDTO needs none; its entities are not read)"]
    schema = mdto_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = text
    return el


@dataclass(frozen=True)
class Begrip:
    label: str
    lijst: str
    code: str | None = None

    def add(self, parent: etree._Element, name: str) -> None:
        el = _el(parent, name)
        _el(el, "begripLabel", self.label)
        if self.code:
            _el(el, "begripCode", self.code)
        _el(_el(el, "begripBegrippenlijst"), "verwijzingNaam", self.lijst)


@dataclass(frozen=True)
class Verwijzing:
    naam: str
    kenmerk: str | None = None
    bron: str | None = None

    def add(self, parent: etree._Element, name: str) -> None:
        el = _el(parent, name)
        _el(el, "verwijzingNaam", self.naam)
        if self.kenmerk and self.bron:
            ident = _el(el, "verwijzingIdentificatie")
            _el(ident, "identificatieKenmerk", self.kenmerk)
            _el(ident, "identificatieBron", self.bron)


@dataclass(frozen=True)
class Beperking:
    """One beperkingGebruik: its type, a description and the end of its term (ISO date or year)."""

    type: Begrip
    beschrijving: str | None = None
    einddatum: str | None = None

    def add(self, parent: etree._Element) -> None:
        el = _el(parent, "beperkingGebruik")
        self.type.add(el, "beperkingGebruikType")
        if self.beschrijving:
            _el(el, "beperkingGebruikNadereBeschrijving", self.beschrijving)
        if self.einddatum:
            _el(_el(el, "beperkingGebruikTermijn"), "termijnEinddatum", self.einddatum)


@dataclass
class Informatieobject:
    kenmerk: str
    bron: str
    naam: str
    aggregatieniveau: Begrip
    archiefvormer: Verwijzing
    waardering: Begrip
    beperking: Begrip
    classificatie: list[Begrip] = field(default_factory=list)
    omschrijving: str | None = None
    dekking_in_tijd: tuple[str, str | None] | None = None
    """(begindatum, einddatum) as ISO dates or years."""
    dekking_in_tijd_type: Begrip | None = None
    dekking_in_ruimte: list[Verwijzing] = field(default_factory=list)
    taal: str = "nl"
    events: list[tuple[Begrip, datetime, Verwijzing | None, str | None]] = field(default_factory=list)
    bewaartermijn: str | None = None
    """xsd:duration, e.g. P10Y; None for permanent retention."""
    informatiecategorie: Begrip | None = None
    is_onderdeel_van: list[Verwijzing] = field(default_factory=list)
    bevat_onderdeel: list[Verwijzing] = field(default_factory=list)
    heeft_representatie: list[Verwijzing] = field(default_factory=list)
    beperkingen: list[Beperking] = field(default_factory=list)
    """The access decisions' beperkingGebruik; empty: ``beperking`` (the archive's default) alone."""


@dataclass
class Bestand:
    kenmerk: str
    bron: str
    naam: str
    omvang: int
    sha256: str
    checksum_datum: datetime
    formaat: str
    """Key of PRONOM: the PDF/A flavour ('2b', '1b') or 'alto'."""
    is_representatie_van: Verwijzing


def _root() -> etree._Element:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _identificatie(parent: etree._Element, kenmerk: str, bron: str) -> None:
    ident = _el(parent, "identificatie")
    _el(ident, "identificatieKenmerk", kenmerk)
    _el(ident, "identificatieBron", bron)


def _finish(root: etree._Element) -> bytes:
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    errors = validation_errors(data)
    if errors:
        raise MetadataInvalidError("MDTO record does not validate: {errors}", errors="; ".join(errors[:3]))
    return data


def informatieobject_xml(io: Informatieobject) -> bytes:
    root = _root()
    el = _el(root, "informatieobject")
    _identificatie(el, io.kenmerk, io.bron)
    _el(el, "naam", io.naam)
    io.aggregatieniveau.add(el, "aggregatieniveau")
    for c in io.classificatie:
        c.add(el, "classificatie")
    if io.omschrijving:
        _el(el, "omschrijving", io.omschrijving)
    if io.dekking_in_tijd and io.dekking_in_tijd_type:
        d = _el(el, "dekkingInTijd")
        io.dekking_in_tijd_type.add(d, "dekkingInTijdType")
        _el(d, "dekkingInTijdBegindatum", io.dekking_in_tijd[0])
        if io.dekking_in_tijd[1]:
            _el(d, "dekkingInTijdEinddatum", io.dekking_in_tijd[1])
    for v in io.dekking_in_ruimte:
        v.add(el, "dekkingInRuimte")
    if io.taal:
        _el(el, "taal", io.taal)
    for kind, when, actor, result in io.events:
        ev = _el(el, "event")
        kind.add(ev, "eventType")
        _el(ev, "eventTijd", when.replace(microsecond=0, tzinfo=None).isoformat())
        if actor:
            actor.add(ev, "eventVerantwoordelijkeActor")
        if result:
            _el(ev, "eventResultaat", result)
    io.waardering.add(el, "waardering")
    if io.bewaartermijn:
        _el(_el(el, "bewaartermijn"), "termijnLooptijd", io.bewaartermijn)
    if io.informatiecategorie:
        io.informatiecategorie.add(el, "informatiecategorie")
    for v in io.is_onderdeel_van:
        v.add(el, "isOnderdeelVan")
    for v in io.bevat_onderdeel:
        v.add(el, "bevatOnderdeel")
    for v in io.heeft_representatie:
        v.add(el, "heeftRepresentatie")
    io.archiefvormer.add(el, "archiefvormer")
    if io.beperkingen:
        for b in io.beperkingen:
            b.add(el)
    else:
        io.beperking.add(_el(el, "beperkingGebruik"), "beperkingGebruikType")
    return _finish(root)


def bestand_xml(b: Bestand) -> bytes:
    root = _root()
    el = _el(root, "bestand")
    _identificatie(el, b.kenmerk, b.bron)
    _el(el, "naam", b.naam)
    _el(el, "omvang", str(b.omvang))
    code, label = PRONOM[b.formaat]
    Begrip(label, "PRONOM-register", code).add(el, "bestandsformaat")
    checksum = _el(el, "checksum")
    Begrip("SHA256", "Begrippenlijst ChecksumAlgoritme MDTO").add(checksum, "checksumAlgoritme")
    _el(checksum, "checksumWaarde", b.sha256)
    _el(checksum, "checksumDatum", b.checksum_datum.replace(microsecond=0, tzinfo=None).isoformat())
    b.is_representatie_van.add(el, "isRepresentatieVan")
    return _finish(root)
