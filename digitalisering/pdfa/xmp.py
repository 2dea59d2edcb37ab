"""Our own XMP properties (dossier, document, type, addresses, the batch and its identity) and the
PDF/A extension schema that declares them.

PDF/A allows XMP properties outside the predefined schemas only when the packet itself describes
them in a ``pdfaExtension:schemas`` block (ISO 19005-1 6.7.8, 19005-2 6.6.2.3). pikepdf writes the
predefined properties and keeps DocInfo in sync; this module adds ours to the packet it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
EXTENSION_NAMESPACES = frozenset({PDFA_EXTENSION, PDFA_SCHEMA, PDFA_PROPERTY})

NAMESPACE = "https://w3id.org/digitalisering/ns/bouwdossier/1.0/"
PREFIX = "bd"
SCHEMA_NAME = "digitalisering: bouwdossier"


@dataclass(frozen=True)
class Property:
    name: str
    value_type: str
    """XMP value type as PDF/A names it: 'Text' or 'seq Text'."""
    description: str


PROPERTIES = (
    Property("dossier", "Text", "Identifier of the bouwdossier (building dossier) this file belongs to"),
    Property("document", "Text", "Identifier of the document within the dossier"),
    Property("documentType", "Text", "Document type (aanvraag, vergunning, brief, tekening, ...)"),
    Property("addresses", "seq Text", "Addresses found in the document, as written, normalised"),
    Property("bagIds", "seq Text", "BAG identifiers (nummeraanduiding, verblijfsobject, pand) linked"),
    Property("batch", "Text", "Scanner delivery (batch) the pages came from"),
    Property("batchIdentity", "Text", "With the batch name, the identity of the batch: a hash of its delivery "
             "folder and registration time (the folder itself stays internal)"),
)
BY_NAME = {p.name: p for p in PROPERTIES}

_XMLNS = {"rdf": RDF, "pdfaExtension": PDFA_EXTENSION, "pdfaSchema": PDFA_SCHEMA,
          "pdfaProperty": PDFA_PROPERTY, PREFIX: NAMESPACE}


def _q(prefix: str, name: str) -> str:
    return f"{{{_XMLNS[prefix]}}}{name}"


def _sub(parent: etree._Element, prefix: str, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, _q(prefix, name), attrib)
    if text is not None:
        el.text = text
    return el


def _extension_description(rdf_root: etree._Element) -> None:
    desc = etree.SubElement(rdf_root, _q("rdf", "Description"), {_q("rdf", "about"): ""},
                            nsmap={"pdfaExtension": PDFA_EXTENSION, "pdfaSchema": PDFA_SCHEMA,
                                   "pdfaProperty": PDFA_PROPERTY})
    bag = _sub(_sub(desc, "pdfaExtension", "schemas"), "rdf", "Bag")
    schema = _sub(bag, "rdf", "li", **{_q("rdf", "parseType"): "Resource"})
    _sub(schema, "pdfaSchema", "schema", SCHEMA_NAME)
    _sub(schema, "pdfaSchema", "namespaceURI", NAMESPACE)
    _sub(schema, "pdfaSchema", "prefix", PREFIX)
    seq = _sub(_sub(schema, "pdfaSchema", "property"), "rdf", "Seq")
    for prop in PROPERTIES:
        li = _sub(seq, "rdf", "li", **{_q("rdf", "parseType"): "Resource"})
        _sub(li, "pdfaProperty", "name", prop.name)
        _sub(li, "pdfaProperty", "valueType", prop.value_type)
        _sub(li, "pdfaProperty", "category", "external")
        _sub(li, "pdfaProperty", "description", prop.description)


def _values_description(rdf_root: etree._Element, values: dict[str, str | list[str]]) -> None:
    desc = etree.SubElement(rdf_root, _q("rdf", "Description"), {_q("rdf", "about"): ""},
                            nsmap={PREFIX: NAMESPACE})
    for name, value in values.items():
        prop = BY_NAME[name]  # KeyError: a property that the schema does not declare
        el = _sub(desc, PREFIX, name)
        if prop.value_type.startswith("seq"):
            seq = _sub(el, "rdf", "Seq")
            for item in value:
                _sub(seq, "rdf", "li", str(item))
        else:
            el.text = str(value)


def add_properties(packet: bytes, values: dict[str, str | list[str]], *, extra: dict[str, str] | None = None) -> bytes:
    """``packet`` (an XMP packet as pikepdf wrote it) with our properties and their schema added.

    Empty values are left out. ``extra`` sets predefined simple properties given as
    ``{"{namespace}name": text}`` (used to restore pdf:Producer after pikepdf's own stamp).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.fromstring(packet, parser)
    rdf_root = root if root.tag == _q("rdf", "RDF") else root.find(_q("rdf", "RDF"))
    if rdf_root is None:
        raise ValueError("XMP packet without rdf:RDF")
    for key, text in (extra or {}).items():
        found = rdf_root.findall(f"{_q('rdf', 'Description')}/{key}")
        if not found:
            raise ValueError(f"XMP packet has no {key} to set")
        for el in found:
            el.text = text
    kept = {k: v for k, v in values.items() if v not in (None, "", [], ())}
    if kept:
        _extension_description(rdf_root)
        _values_description(rdf_root, kept)
    body = etree.tostring(root, encoding="utf-8", pretty_print=True)
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
            + b"\n" + (b" " * 100 + b"\n") * 20 + b'<?xpacket end="w"?>')


def read_properties(packet: bytes) -> dict[str, str | list[str]]:
    """Our properties as found in an XMP packet (for checks and tests)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(packet, parser)
    found: dict[str, str | list[str]] = {}
    for el in root.iter(f"{{{NAMESPACE}}}*"):
        name = etree.QName(el).localname
        items = el.findall(f"{_q('rdf', 'Seq')}/{_q('rdf', 'li')}")
        found[name] = [li.text or "" for li in items] if items else (el.text or "")
    return found


def declared_namespaces(packet: bytes) -> set[str]:
    """Namespace URIs that the packet's PDF/A extension schemas declare."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(packet, parser)
    return {el.text.strip() for el in root.iter(f"{{{PDFA_SCHEMA}}}namespaceURI") if el.text}
