"""The event log of a batch as PREMIS 3.0 XML: who registered, ran, re-delivered, checked and judged
what, and when, for the archive that takes over the package.

One ``intellectualEntity`` stands for the batch, one ``file`` object for every delivered file (its
SHA-256, size, format and name as delivered); every logged event becomes a PREMIS ``event`` linked
to the file it is about (else the batch) and to its agents: the person who did it (implementer) and
digitalisering itself (executing program). Event types come from the Library of Congress
preservation vocabulary (id.loc.gov/vocabulary/preservation/eventType) where one fits; other
events keep our own action name, without an authority. The document is built with lxml and
validated against the official PREMIS 3.0 schema (Library of Congress, version of 18 January 2016,
``schemas/premis/premis-v3-0.xsd``) before it is handed out.
"""

from __future__ import annotations

import functools
import json

from lxml import etree

from digitalisering import __version__
from digitalisering.errors import DigitaliseringError, shown_reason
from digitalisering.naming import printable
from digitalisering.resources import schema_path
from digitalisering.store import Batch, Store

NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "premis/premis-v3-0.xsd"
EVENT_TYPE_AUTHORITY = "http://id.loc.gov/vocabulary/preservation/eventType"

EVENT_TYPES = {
    "batch.created": ("accession", "acc"),
    "file.ingested": ("message digest calculation", "mes"),
    "ingest": ("ingestion end", "ine"),
    "run.start": ("ingestion start", "ins"),
    "run.end": ("ingestion end", "ine"),
    "file.changed": ("fixity check", "fix"),
    "file.missing": ("fixity check", "fix"),
    "fixity.mismatch": ("fixity check", "fix"),
    "file.redelivered": ("modification", "mod"),
    "page.failed": ("validation", "val"),
    "qa.approved": ("validation", "val"),
    "qa.rejected": ("validation", "val"),
}
"""Our actions -> (LoC eventType label, its code in the vocabulary)."""

OUTCOMES = {"file.changed": "fail", "file.missing": "fail", "fixity.mismatch": "fail", "page.failed": "fail",
            "qa.approved": "pass", "qa.rejected": "fail", "file.redelivered": "pass"}


class PremisInvalidError(DigitaliseringError):
    """The PREMIS document we built does not validate (a bug: it is not written)."""


@functools.lru_cache(maxsize=1)
def premis_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(schema_path(SCHEMA)), parser))


def validation_errors(data: bytes) -> list[str]:
    """Why ``data`` is not a valid PREMIS 3.0 document (empty when it is)."""
    try:
        doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = premis_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _el(parent, name: str, text: str | None = None, **attrib: str):
    # printable: what an earlier version stored (an operator's name with a control character)
    # cannot stop the whole log from being written
    node = etree.SubElement(parent, f"{{{NS}}}{name}", {k: printable(v) for k, v in attrib.items() if v is not None})
    if text is not None:
        node.text = printable(text)
    return node


def _identifier(parent, kind: str, value: str, prefix: str = "object") -> None:
    ident = _el(parent, f"{prefix}Identifier")
    _el(ident, f"{prefix}IdentifierType", kind)
    _el(ident, f"{prefix}IdentifierValue", value)


def batch_events_xml(store: Store, batch: Batch) -> bytes:
    """The batch's files and event log as a PREMIS 3.0 document (validated)."""
    root = etree.Element(f"{{{NS}}}premis", {"version": "3.0"}, nsmap={"premis": NS, "xsi": XSI})
    entity = _el(root, "object", **{f"{{{XSI}}}type": "premis:intellectualEntity"})
    _identifier(entity, "local", batch.name)
    _el(entity, "originalName", batch.delivery)
    files = store.files(batch.id)
    by_path = {}
    for f in files:
        obj = _el(root, "object", **{f"{{{XSI}}}type": "premis:file"})
        ident = f"{batch.name}/{f.relpath}"
        by_path[f.relpath] = ident
        _identifier(obj, "local", ident)
        chars = _el(obj, "objectCharacteristics")
        _el(chars, "compositionLevel", "0")
        fixity = _el(chars, "fixity")
        _el(fixity, "messageDigestAlgorithm", "SHA-256")
        _el(fixity, "messageDigest", f.sha256)
        _el(fixity, "messageDigestOriginator", "digitalisering")
        _el(chars, "size", str(f.size))
        fmt = _el(chars, "format")
        designation = _el(fmt, "formatDesignation")
        _el(designation, "formatName", f.format or "unknown")
        if f.error:
            _el(fmt, "formatNote", shown_reason(f.error))
        _el(obj, "originalName", f.relpath)
    events = store.events(batch.id)
    people = sorted({e.who for e in events} | {batch.created_by})
    software = f"digitalisering {__version__}"
    for e in events:
        ev = _el(root, "event")
        _identifier(ev, "local", f"{batch.name}/event/{e.id}", "event")
        label_code = EVENT_TYPES.get(e.action)
        if label_code:
            label, code = label_code
            _el(ev, "eventType", label, authority="eventType", authorityURI=EVENT_TYPE_AUTHORITY,
                valueURI=f"{EVENT_TYPE_AUTHORITY}/{code}")
        else:
            _el(ev, "eventType", e.action)
        _el(ev, "eventDateTime", e.at)
        detail = _el(ev, "eventDetailInformation")
        _el(detail, "eventDetail", f"{e.action}: {json.dumps(e.detail, ensure_ascii=False, sort_keys=True)}")
        if e.action in OUTCOMES:
            outcome = _el(ev, "eventOutcomeInformation")
            _el(outcome, "eventOutcome", OUTCOMES[e.action])
        for value, role in ((e.who, "implementer"), (software, "executing program")):
            link = _el(ev, "linkingAgentIdentifier")
            _el(link, "linkingAgentIdentifierType", "local")
            _el(link, "linkingAgentIdentifierValue", value)
            _el(link, "linkingAgentRole", role)
        target = by_path.get(str(e.detail.get("file") or ""))
        link = _el(ev, "linkingObjectIdentifier")
        _el(link, "linkingObjectIdentifierType", "local")
        _el(link, "linkingObjectIdentifierValue", target or batch.name)
        _el(link, "linkingObjectRole", "source" if target else "outcome")
    for who in people:
        agent = _el(root, "agent")
        _identifier(agent, "local", who, "agent")
        _el(agent, "agentName", who)
        _el(agent, "agentType", "person")
    agent = _el(root, "agent")
    _identifier(agent, "local", software, "agent")
    _el(agent, "agentName", "digitalisering")
    _el(agent, "agentType", "software")
    _el(agent, "agentVersion", __version__)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    errors = validation_errors(data)
    if errors:
        raise PremisInvalidError("PREMIS events of batch {name} do not validate: {errors}", name=batch.name, errors=errors[0])
    return data
