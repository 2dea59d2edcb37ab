"""IIIF Presentation 3.0 manifest of one dossier, built with iiif-prezi3.

One canvas per page of the dossier's published documents (the page as the PDF shows it, painted by
the image service), labelled in Dutch and English with the document type and the sheet number in
its document ("Tekening, blad 2"); each document a range over its canvases, with its PDF/A as
``rendering``; each canvas its ALTO file as ``seeAlso``; the dossier's metadata (addresses, BAG
ids, document types, dates), rights and a required statement from the archive settings; a
thumbnail; and the Content Search 2.0 service of the dossier.

Only the documents the caller lets through are in it (``documents``): the manifest of a dossier
with restricted documents names neither their pages nor their ranges, nor an address or a date
found only in them. Addresses are the dossier's object addresses, never a letterhead or a home
address.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Iterable

import json

from iiif_prezi3 import (Annotation, AnnotationBody, AnnotationPage, Canvas, CanvasRef, KeyValueString,
                         LinkedResource, Manifest, Range, ServiceV3)

from digitalisering.iiif.urls import Urls

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
DEFAULT_RIGHTS = "http://rightsstatements.org/vocab/CNE/1.0/"
"""Copyright Not Evaluated: the archive has not assessed the rights of each drawing and letter in a
dossier; an archive that has sets its own statement (``rights=``)."""
THUMB_WIDTH = 200
ALTO_PROFILE = "http://www.loc.gov/standards/alto/v4/alto.xsd"

TYPE_LABELS = {
    "aanvraag": ("Aanvraag", "Application"),
    "vergunning": ("Vergunning", "Permit"),
    "brief": ("Brief", "Letter"),
    "tekening": ("Tekening", "Drawing"),
    "berekening": ("Berekening", "Calculation"),
    "gereedmelding": ("Gereedmelding", "Completion notice"),
    "overig": ("Overig", "Other"),
}
MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
             "oktober", "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def type_label(doc_type: str | None) -> tuple[str, str]:
    """(Dutch, English) name of a document type."""
    if not doc_type:
        return TYPE_LABELS["overig"]
    return TYPE_LABELS.get(doc_type, (doc_type.capitalize(), doc_type.capitalize()))


def _lang(nl: str, en: str | None = None) -> dict:
    return {"nl": [nl], "en": [en if en is not None else nl]}


def _date(iso: str, months: tuple[str, ...]) -> str:
    """'1962-03-07' as '7 maart 1962' ('7 March 1962'); a year or year-month as far as given."""
    try:
        d = date.fromisoformat(iso)
        return f"{d.day} {months[d.month - 1]} {d.year}"
    except ValueError:
        parts = iso.split("-")
        if len(parts) == 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
            return f"{months[int(parts[1]) - 1]} {parts[0]}"
        return iso


def date_span(dates: Iterable[str]) -> tuple[str, str] | None:
    """The dates as one span in Dutch and English ('3 mei 1958 - 7 maart 1962'), None when none."""
    found = sorted(d for d in dates if d)
    if not found:
        return None
    first, last = found[0], found[-1]
    if first == last:
        return _date(first, MONTHS_NL), _date(first, MONTHS_EN)
    return (f"{_date(first, MONTHS_NL)} - {_date(last, MONTHS_NL)}",
            f"{_date(first, MONTHS_EN)} - {_date(last, MONTHS_EN)}")


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return seen


def _object_addresses(dossier, documents: list) -> list:
    """The dossier's own addresses (role 'object': never a letterhead or someone's home address) that
    the shown documents mention: an address found only in a document that may not be shown is not
    named."""
    def key(a):
        return a.num_ids or (a.label,)

    shown = {key(a) for d in documents for a in d.addresses}
    return [a for a in dossier.object_addresses if key(a) in shown]


def canvas_label(doc_type: str | None, number: int) -> dict:
    nl, en = type_label(doc_type)
    return _lang(f"{nl}, blad {number}", f"{en}, sheet {number}")


def document_label(document) -> dict:
    nl, en = type_label(document.type)
    span = date_span(document.dates or [])
    if span:
        return _lang(f"{document.index}. {nl} ({span[0]})", f"{document.index}. {en} ({span[1]})")
    return _lang(f"{document.index}. {nl}", f"{document.index}. {en}")


def build_manifest(batch: str, dossier, documents: list, urls: Urls, *, archive: dict | None = None,
                   rights: str = DEFAULT_RIGHTS) -> dict:
    """The manifest (a JSON-ready dict) of ``dossier`` showing only ``documents`` (its documents the
    caller may show, in order). ``archive``: the archive settings (``metadata.config``)."""
    archive = archive or {}
    addresses = _object_addresses(dossier, documents)
    address_line = "; ".join(_unique(a.label for a in addresses))
    title_nl = f"Bouwdossier {dossier.id}" + (f", {address_line}" if address_line else "")
    title_en = f"Building dossier {dossier.id}" + (f", {address_line}" if address_line else "")
    shown_pages = [p for d in documents for p in d.pages]
    types = Counter(d.type or "overig" for d in documents)

    manifest = Manifest(
        id=urls.manifest(batch, dossier.id),
        label=_lang(title_nl, title_en),
        summary=_lang(f"{len(documents)} documenten, {len(shown_pages)} bladen",
                      f"{len(documents)} documents, {len(shown_pages)} sheets"),
        rights=rights,
    )
    metadata = [KeyValueString(label=_lang("Dossier"), value=_lang(dossier.id))]
    if address_line:
        metadata.append(KeyValueString(label=_lang("Adres", "Address"),
                                       value=_lang("; ".join(_unique(a.label for a in addresses)))))
    for field, nl, en in (("num_ids", "BAG-nummeraanduiding", "BAG address (nummeraanduiding)"),
                          ("vbo_ids", "BAG-verblijfsobject", "BAG unit (verblijfsobject)"),
                          ("pand_ids", "BAG-pand", "BAG building (pand)")):
        ids = _unique(i for a in addresses for i in getattr(a, field))
        if ids:
            metadata.append(KeyValueString(label=_lang(nl, en), value=_lang(", ".join(ids))))
    if types:
        metadata.append(KeyValueString(
            label=_lang("Documenttypen", "Document types"),
            value=_lang(", ".join(f"{type_label(t)[0].lower()} ({n})" for t, n in types.most_common()),
                        ", ".join(f"{type_label(t)[1].lower()} ({n})" for t, n in types.most_common()))))
    span = date_span(d for doc in documents for d in (doc.dates or []))
    if span:
        metadata.append(KeyValueString(label=_lang("Datering", "Dates"), value=_lang(*span)))
    if archive.get("beperking_gebruik", {}).get("label"):
        metadata.append(KeyValueString(label=_lang("Openbaarheid", "Access"),
                                       value=_lang(archive["beperking_gebruik"]["label"])))
    manifest.metadata = metadata
    source = (archive.get("identificatie", {}).get("bron") or archive.get("archiefvormer", {}).get("naam")
              or "digitalisering")
    manifest.requiredStatement = KeyValueString(label=_lang("Bron", "Source"), value=_lang(source))

    canvases: dict[int, Canvas] = {}
    for doc in documents:
        for page in doc.pages:
            seq = page.seq
            canvas = Canvas(id=urls.canvas(batch, dossier.id, seq), label=canvas_label(doc.type, page.number),
                            width=page.width_px, height=page.height_px)
            body = AnnotationBody(id=urls.image(batch, seq), type="Image", format="image/jpeg",
                                  width=page.width_px, height=page.height_px,
                                  service=[_image_service(urls, batch, seq)])
            canvas.items = [AnnotationPage(
                id=urls.annotation_page(batch, dossier.id, seq),
                items=[Annotation(id=urls.annotation(batch, dossier.id, seq), motivation="painting",
                                  body=body, target=canvas.id)])]
            canvas.thumbnail = [_thumbnail(urls, batch, page)]
            if page.alto is not None:
                canvas.seeAlso = [LinkedResource(id=urls.alto(batch, dossier.id, seq), type="Dataset",
                                               format="application/xml", profile=ALTO_PROFILE,
                                               label=_lang("ALTO-tekst van dit blad", "ALTO text of this sheet"))]
            canvases[seq] = canvas
    manifest.items = list(canvases.values())
    if shown_pages:
        manifest.thumbnail = [_thumbnail(urls, batch, shown_pages[0])]

    ranges = []
    for doc in documents:
        members = [canvases[p.seq] for p in doc.pages if p.seq in canvases]
        if not members:
            continue
        rng = Range(id=urls.range(batch, dossier.id, doc.id), label=document_label(doc),
                    items=[CanvasRef(id=c.id, type="Canvas") for c in members])
        if doc.pdf is not None:
            nl, en = type_label(doc.type)
            rng.rendering = [LinkedResource(id=urls.pdf(batch, dossier.id, doc.id), type="Text",
                                          format="application/pdf",
                                          label=_lang(f"PDF/A van document {doc.index} ({nl.lower()})",
                                                      f"PDF/A of document {doc.index} ({en.lower()})"))]
        ranges.append(rng)
    if ranges:
        manifest.structures = ranges
    manifest.service = [ServiceV3(id=urls.search(batch, dossier.id), type="SearchService2",
                                  profile="http://iiif.io/api/search/2/search")]
    data = json.loads(manifest.jsonld())
    data["@context"] = [SEARCH_CONTEXT, PRESENTATION_CONTEXT]  # the last context is the Presentation API's
    return data


def _image_service(urls: Urls, batch: str, seq: int) -> ServiceV3:
    return ServiceV3(id=urls.image_service(batch, seq), type="ImageService3", profile="level2")


def _thumbnail(urls: Urls, batch: str, page) -> AnnotationBody:
    width = min(THUMB_WIDTH, page.width_px)
    height = max(1, int(page.height_px * width / page.width_px + 0.5))
    return AnnotationBody(id=urls.image(batch, page.seq, size=f"{width},"), type="Image", format="image/jpeg",
                          width=width, height=height, service=[_image_service(urls, batch, page.seq)])
