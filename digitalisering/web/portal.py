"""The portal's pages for everyone: search, a dossier with its documents, the viewer, downloads.

URLs are permanent links: a dossier is ``/dossier/<batch>/<folder>`` (its folder name: the id made
safe for paths, unique within its batch, the same on every run), a document
``/dossier/<batch>/<folder>/<n>`` (its number in the dossier), its PDF/A ``.../<n>/pdf`` and the ALTO
file of its blad ``.../<n>/alto/<blad>``. Everything shown comes from the catalog
(``digitalisering.catalog``) and the search index (``digitalisering.index``); every document shown
or downloaded is first asked about (``may_view``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from digitalisering.catalog import CatalogError, DocumentEntry, DossierEntry
from digitalisering.web.resources import catalog

bp = Blueprint("portal", __name__)

CATALOG_ERRORS = (CatalogError,)

DOCUMENT_TYPES = ("aanvraag", "vergunning", "brief", "tekening", "berekening", "gereedmelding", "overig")


def type_label(kind: str) -> str:
    labels = {"aanvraag": _("application"), "vergunning": _("permit"), "brief": _("letter"),
              "tekening": _("drawing"), "berekening": _("calculation"), "gereedmelding": _("completion notice"),
              "overig": _("other")}
    return labels.get(kind, kind)


def may_view(document: DocumentEntry, batch: str) -> bool:
    """Whether the reader may see the document: its original or its redacted copy."""
    return sees_original(document, batch) or public_copy(document, batch) is not None


def sees_original(document: DocumentEntry, batch: str) -> bool:
    return current_app.extensions["digitalisering.may_view"](batch, document.dossier, document.id)


def public_copy(document: DocumentEntry, batch: str):
    """The redacted copy the reader gets instead of the original (``access.copies``), or None."""
    if sees_original(document, batch):
        return None
    return current_app.extensions["digitalisering.public_copy"](batch, document.dossier, document.id)


def find_dossier(batch: str, folder: str) -> DossierEntry:
    for dossier in catalog().dossiers(batch):
        if dossier.folder == folder:
            return dossier
    abort(404)


def visible_documents(dossier: DossierEntry) -> list[DocumentEntry]:
    return [d for d in dossier.documents if may_view(d, dossier.batch)]


def find_document(dossier: DossierEntry, number: int) -> DocumentEntry:
    for doc in dossier.documents:
        if doc.index == number:
            if not may_view(doc, dossier.batch):
                abort(403)
            return doc
    abort(404)


def dossier_url(dossier: DossierEntry, **kw) -> str:
    return url_for("portal.dossier", batch=dossier.batch, folder=dossier.folder, **kw)


@bp.app_context_processor
def helpers():
    return {"type_label": type_label, "dossier_url": dossier_url, "DOCUMENT_TYPES": DOCUMENT_TYPES}


def dossier_addresses(dossier: DossierEntry, documents: list[DocumentEntry]) -> list:
    """The addresses a dossier is about: its object addresses; else what its documents name as their
    object; else every address they name (the BAG may not be imported, or not link them)."""
    found = list(dossier.object_addresses or dossier.addresses)
    if not found:
        named = [a for d in documents for a in d.addresses]
        found = [a for a in named if a.role == "object"] or named
    return list({a.label: a for a in found}.values())


def _page_links(documents: list[DocumentEntry]) -> dict:
    """Each page's position in the viewer (1-based, over the documents shown) and its thumbnail."""
    from digitalisering.web.iiiflinks import thumbnail_url

    numbers = {p.seq: i for i, p in enumerate((p for d in documents for p in d.pages), start=1)}
    from digitalisering.web.iiiflinks import available

    return {"page_numbers": numbers, "iiif_thumb": thumbnail_url if available() else None}


def _dossier_page(entry: DossierEntry, documents: list[DocumentEntry], selected: DocumentEntry | None):
    from digitalisering.web.access import notices

    shown = {d.id for d in documents}
    closed = notices(entry.batch, [d for d in entry.documents if d.id not in shown])
    copies = {d.id for d in documents if public_copy(d, entry.batch) is not None}
    return render_template("dossier.html", dossier=entry, documents=documents, selected=selected,
                           addresses=dossier_addresses(entry, documents), **_page_links(documents),
                           closed=[(d, closed[d.id]) for d in entry.documents if d.id in closed], copies=copies)


@bp.get("/dossier/<batch>/<folder>")
def dossier(batch: str, folder: str):
    entry = find_dossier(batch, folder)
    return _dossier_page(entry, visible_documents(entry), None)


@bp.get("/dossier/<batch>/<folder>/<int:number>")
def document(batch: str, folder: str, number: int):
    entry = find_dossier(batch, folder)
    doc = find_document(entry, number)
    return _dossier_page(entry, visible_documents(entry), doc)


@bp.get("/dossier/<batch>/<folder>/<int:number>/pdf")
def document_pdf(batch: str, folder: str, number: int):
    doc = find_document(find_dossier(batch, folder), number)
    if doc.pdf is None or not doc.pdf.is_file():
        abort(404)
    copy = public_copy(doc, batch)
    return _private(send_file(copy.pdf() if copy is not None else doc.pdf, mimetype="application/pdf",
                              as_attachment=True, download_name=doc.pdf.name, max_age=0))


def _private(response):
    """A download for this reader only: no shared cache keeps it, and the browser asks again (the
    same URL gives an archivist the original and the public the redacted copy; the ETag makes
    asking again cheap)."""
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers.pop("Expires", None)
    return response


@bp.get("/dossier/<batch>/<folder>/<int:number>/alto/<int:blad>")
def document_alto(batch: str, folder: str, number: int, blad: int):
    doc = find_document(find_dossier(batch, folder), number)
    for page in doc.pages:
        if page.number == blad and page.alto is not None and page.alto.is_file():
            copy = public_copy(doc, batch)
            return _private(send_file(copy.alto(page.seq) if copy is not None else page.alto,
                                      mimetype="application/xml", as_attachment=True,
                                      download_name=page.alto.name, max_age=0))
    abort(404)


@bp.get("/dossier/<batch>/<folder>/viewer")
def viewer(batch: str, folder: str):
    entry = find_dossier(batch, folder)
    documents = visible_documents(entry)
    if not documents:
        abort(403 if entry.documents else 404)
    pages = [p for d in documents for p in d.pages]
    try:
        start = max(0, min(len(pages) - 1, int(request.args.get("pagina", "1")) - 1))
    except ValueError:
        start = 0
    from digitalisering.web.iiiflinks import manifest_url

    return render_template("viewer.html", dossier=entry, documents=documents, pages=pages, start=start,
                           query=request.args.get("q", "")[:200], manifest=manifest_url(entry))


@bp.get("/")
def search():
    from digitalisering.web.search import run_search

    outcome = run_search(request.args)
    return render_template("search.html", outcome=outcome), 503 if outcome.out_of_order else 200


@bp.get("/zoeken")
def search_alias():
    return redirect(url_for("portal.search", **request.args))
