"""ALTO 4.4 for one page, drawn from the page text model, validated against the XSD when written.

Coordinates are pixels (``MeasurementUnit`` pixel) of the page image as the PDF shows it: the
straightened page, which is also the page the word boxes refer to, so HPOS/VPOS/WIDTH/HEIGHT times
72/dpi are the word's place on the PDF page (from its top left corner). ``WC`` is the word
confidence 0..1 (the model keeps percent). Blocks, lines and strings keep the model's reading
order, with an ``SP`` between the strings of a line: the strings of a file are the words of its
PDF page, in the same order.

The processing steps are ``Processing`` elements (ALTO 4.4 deprecates ``OCRProcessing`` in their
favour): the engine's reading (contentGeneration) and our conversion to ALTO (postOperation).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from digitalisering import __version__
from digitalisering.errors import DigitaliseringError
from digitalisering.ocr.model import Box, PageText
from digitalisering.resources import schema_path

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/alto/v4/alto-4-4.xsd"
SCHEMA = "alto/alto-4-4.xsd"

ISO639_1 = {"nld": "nl", "eng": "en", "deu": "de", "fra": "fr", "fry": "fy", "lat": "la", "ita": "it",
            "spa": "es", "dan": "da", "swe": "sv", "nor": "no", "pol": "pl", "por": "pt"}
"""tesseract's ISO 639-2 language codes -> the two-letter codes of xsd:language where they exist."""

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold (control characters an engine may return): left out of CONTENT."""


class AltoInvalidError(DigitaliseringError):
    """An ALTO file we wrote does not validate (a bug: it was not put in place)."""


@functools.lru_cache(maxsize=1)
def alto_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(schema_path(SCHEMA)), parser))


def validation_errors(data: bytes) -> list[str]:
    """Why ``data`` is not a valid ALTO 4.4 document (empty when it is)."""
    try:
        doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if doc.getroottree().docinfo.doctype:
        return ["has a DOCTYPE (ALTO needs none; its entities are not read)"]
    schema = alto_schema()
    try:
        if schema.validate(doc):
            return []
    except etree.XMLSchemaValidateError as exc:
        return [f"cannot be validated: {exc}"]
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def strings(data: bytes) -> list[str]:
    """The CONTENT of every String of an ALTO file, in document order."""
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return [s.get("CONTENT") for s in doc.iter(f"{{{NS}}}String")]


def language(lang: str) -> str:
    """xsd:language for an OCR language setting: its first language ('nld+eng' -> 'nl')."""
    first = (lang.split("+")[0] or "und").split("_")[0].lower()
    return ISO639_1.get(first, first)


@dataclass(frozen=True)
class AltoSource:
    """Where the page comes from: the file that shows it and the page's number in that file."""

    file_name: str
    page_number: int
    """1-based number of the page in ``file_name`` (Page/@PHYSICAL_IMG_NR)."""
    processed: datetime | None = None
    """When the page was read (processingDateTime); None leaves it out."""
    settings: str = ""
    """How it was read, for processingStepSettings ('' leaves it out)."""
    identifiers: tuple[tuple[str, str], ...] = ()
    """(location, value) pairs written as ``documentIdentifier`` elements with their
    ``documentIdentifierLocation``: which batch and document the file was written for
    (``IDENTIFIER_BATCH``, ``IDENTIFIER_BATCH_IDENTITY``, ``IDENTIFIER_DOCUMENT``), so that a run
    knows an ALTO file it did not record as its own or another batch's, as a PDF's XMP does."""


IDENTIFIER_BATCH = "digitalisering:batch"
IDENTIFIER_BATCH_IDENTITY = "digitalisering:batchIdentity"
"""The batch's identity (``store.records.Batch.identity``: a hash, publishable, as in a PDF's XMP)."""
IDENTIFIER_DOCUMENT = "digitalisering:document"


def identifiers(data_or_tree) -> dict[str, str]:
    """The ``documentIdentifier`` values of an ALTO file by their location (empty for a file of an
    earlier version, which wrote none)."""
    root = data_or_tree.getroot() if hasattr(data_or_tree, "getroot") else data_or_tree
    found: dict[str, str] = {}
    for el in root.iterfind(f"{{{NS}}}Description/{{{NS}}}sourceImageInformation/{{{NS}}}documentIdentifier"):
        found.setdefault(el.get("documentIdentifierLocation") or "", el.text or "")
    return found


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{name}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _pos(box: Box) -> dict:
    return {"HPOS": box.left, "VPOS": box.top, "WIDTH": box.width, "HEIGHT": box.height}


def _step(parent: etree._Element, ident: str, category: str, when: datetime | None, settings: str,
          software: str, version: str) -> None:
    step = _el(parent, "Processing", ID=ident)
    _el(step, "processingCategory", category)
    if when is not None:
        _el(step, "processingDateTime", when.replace(microsecond=0).isoformat())
    if settings:
        _el(step, "processingStepSettings", settings)
    sw = _el(step, "processingSoftware")
    _el(sw, "softwareName", software)
    if version:
        _el(sw, "softwareVersion", version)


def alto_xml(text: PageText, source: AltoSource) -> bytes:
    """The ALTO 4.4 document of one page; raises AltoInvalidError when it does not validate."""
    if not (text.width and text.height):
        raise ValueError("the page text has no image size (read it again, or give width and height)")
    root = etree.Element(f"{{{NS}}}alto", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    desc = _el(root, "Description")
    _el(desc, "MeasurementUnit", "pixel")
    info = _el(desc, "sourceImageInformation")
    _el(info, "fileName", source.file_name)
    for location, value in source.identifiers:
        _el(info, "documentIdentifier", value, documentIdentifierLocation=location)
    _step(desc, "OCR1", "contentGeneration", source.processed, source.settings, text.engine, text.engine_version)
    _step(desc, "ALTO1", "postOperation", None, "", "digitalisering", __version__)
    lang = language(text.lang)
    page = _el(_el(root, "Layout"), "Page", ID=f"P{source.page_number}", PHYSICAL_IMG_NR=source.page_number,
               WIDTH=text.width, HEIGHT=text.height, PROCESSING="OCR1", LANG=lang)
    if text.mean_confidence is not None:
        page.set("PC", f"{text.mean_confidence / 100:.4f}")
    space = _el(page, "PrintSpace", **_pos(Box(0, 0, text.width, text.height)))
    n_block = n_line = n_word = 0
    for block in text.blocks:
        if not block.words:
            continue
        n_block += 1
        tb = _el(space, "TextBlock", ID=f"P{source.page_number}_B{n_block}", **_pos(block.box), LANG=lang)
        for line in block.lines:
            if not line.words:
                continue
            n_line += 1
            tl = _el(tb, "TextLine", ID=f"P{source.page_number}_L{n_line}", **_pos(line.box))
            for i, w in enumerate(line.words):
                if i:
                    prev = line.words[i - 1]
                    gap = {"HPOS": prev.right, "VPOS": min(prev.top, w.top), "WIDTH": max(0, w.left - prev.right)}
                    _el(tl, "SP", **gap)
                n_word += 1
                attrs = {"ID": f"P{source.page_number}_W{n_word}", "CONTENT": _NOT_XML.sub("", w.text),
                         **_pos(Box(w.left, w.top, w.width, w.height))}
                if w.conf >= 0:
                    attrs["WC"] = f"{min(w.conf, 100) / 100:.4f}"
                _el(tl, "String", **attrs)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    errors = validation_errors(data)
    if errors:
        raise AltoInvalidError("ALTO does not validate: {errors}", errors="; ".join(errors[:3]))
    return data
