"""The IIIF services as a Flask Blueprint for the portal: Image API 3, Presentation 3, Content Search 2.

``iiif_blueprint(catalog_factory, may_view)`` gives a blueprint the portal registers (by default
under ``/iiif``). ``catalog_factory()`` returns the ``digitalisering.catalog.Catalog`` to read (called
once per request; the catalog is thread-safe, so one shared catalog is the usual answer);
``may_view(batch, dossier_id, document_id) -> bool`` is the access decision, called inside the
request (it may read the signed-in user from the session), on every route for every document a
response would show:

- an image (``info.json``, any region or size) of a page of a document it refuses: 403;
- a manifest leaves out the pages and the range of every refused document (403 when it refuses all);
- a search finds nothing on their pages; their PDF and ALTO files: 403.

``public_copy(batch, dossier_id, document_id)`` (optional) is asked about a document ``may_view``
refuses: the redacted copy the reader may see instead (``access.copies.RedactedDocument``: burned
page images, redacted words, public PDF and ALTO), or None. Such a document's pages, images,
search and files are then served from that copy only, never from the original.

Every response carries ``Access-Control-Allow-Origin: *`` (viewers on other sites may show public
pages) and ``Cache-Control: private, no-cache`` (what one user may see, a shared cache must not hand
to the next; and the same URL gives the original to an archivist and the redacted copy to the
public, so a browser asks again each time: tiles carry an ETag per variant, so asking again costs a
304 while the reader stays the same; browsers do not honour ``Vary: Cookie`` reliably). Refusals
and errors are ``no-store``, so signing in is not undone by a cached 403. Errors are
one line of text with the status the Image API asks for (400, 403, 404, 501); nothing else
reaches the client.

Register it with ``app.register_blueprint(iiif_blueprint(...), url_prefix="/iiif")``; a dossier's
manifest is then ``url_for("iiif.manifest", batch=..., dossier_id=..., _external=True)`` and a
page's image service ``url_for("iiif.image_base", batch=..., seq=..., _external=True)``.

Routes (relative to the blueprint):

    /image/<batch>/<seq>                         303 to info.json (baseUriRedirect)
    /image/<batch>/<seq>/info.json
    /image/<batch>/<seq>/<region>/<size>/<rotation>/<quality>.<format>
    /presentation/<batch>/<dossier>/manifest
    /presentation/<batch>/<dossier>/search?q=...
    /presentation/<batch>/<dossier>/document/<document>.pdf
    /presentation/<batch>/<dossier>/canvas/<seq>/alto.xml
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Blueprint, Response, abort, g, redirect, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from digitalisering.catalog import CatalogError
from digitalisering.errors import MissingDependencyError, StateError
from digitalisering.iiif.imageapi import (FORMATS, IMAGE_CONTEXT, ImageApiError, Limits, image_info,
                                          parse_request)
from digitalisering.iiif.manifest import DEFAULT_RIGHTS, PRESENTATION_CONTEXT, build_manifest
from digitalisering.iiif.pyramid import PyramidStore, TileCache, default_cache_dir, page_version
from digitalisering.iiif.search import SearchRequestError, search_dossier
from digitalisering.iiif.urls import Urls

MayView = Callable[[str, str, str], bool]
PublicCopy = Callable[[str, str, str], object | None]


def no_copy(batch: str, dossier_id: str, document_id: str) -> None:
    """The default: no redacted copies are served."""
    return None


def allow_all(batch: str, dossier_id: str, document_id: str) -> bool:
    """The default access decision: everything may be shown."""
    return True


@dataclass(frozen=True)
class PagePlace:
    """Where a published page belongs."""

    dossier: str
    document: str
    page: object
    """The catalog's PageEntry."""
    copy: object | None = None
    """The redacted copy the page is served from (None: the original)."""


class PlaceIndex:
    """seq -> (dossier, document, page) per batch, read from the catalog once per version of the
    batch's results (an image request must not list every dossier of the batch)."""

    def __init__(self):
        self._by_batch: dict[str, tuple[object, dict[int, PagePlace]]] = {}
        self._lock = threading.Lock()

    def place(self, catalog, batch: str, seq: int) -> PagePlace | None:
        entry = catalog.batch(batch)  # CatalogError (404) for a batch that is not published
        results = Path(entry.out_dir) / "results.json"
        try:
            st = results.stat()
            version = (str(results), st.st_mtime_ns, st.st_size)
        except OSError:
            version = (str(results), None, None)
        with self._lock:
            known = self._by_batch.get(batch)
        if known is None or known[0] != version:
            places = {page.seq: PagePlace(dossier.id, doc.id, page)
                      for dossier in entry.dossiers for doc in dossier.documents for page in doc.pages}
            known = (version, places)
            with self._lock:
                self._by_batch[batch] = known
        return known[1].get(seq)


def _json(data: dict, context: str, status: int = 200) -> Response:
    accept = request.headers.get("Accept", "")
    mimetype = (f'application/ld+json;profile="{context}"' if "application/ld+json" in accept
                else "application/json")
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type=mimetype)


def iiif_blueprint(catalog_factory: Callable[[], object], may_view: MayView = allow_all, *,
                   cache_dir: Path | None = None, limits: Limits = Limits(), rights: str = DEFAULT_RIGHTS,
                   archive: dict | None = None, tile_cache_bytes: int = 64 * 1024 * 1024,
                   name: str = "iiif", public_copy: PublicCopy = no_copy) -> Blueprint:
    """The IIIF services over the catalog, each route asking ``may_view`` (see the module text).

    ``cache_dir``: where the page pyramids are kept (default ``<workspace>/iiif``);
    ``archive``: the archive settings (``metadata.config.load_archive_config()``) for the manifests'
    required statement; ``rights``: the manifests' rights statement URL."""
    bp = Blueprint(name, __name__)
    places = PlaceIndex()
    tiles = TileCache(tile_cache_bytes)
    stores: dict[Path, PyramidStore] = {}
    copy_stores: dict[Path, PyramidStore] = {}
    if archive is None:
        from digitalisering.metadata.config import load_archive_config
        archive = load_archive_config()
    bp.tile_cache = tiles  # for the bench and the tests: hit counts, clear()

    def catalog():
        if "_iiif_catalog" not in g:
            g._iiif_catalog = catalog_factory()
        return g._iiif_catalog

    def pyramids(copy: bool = False) -> PyramidStore:
        """The pyramids of the originals, or (``copy``) of the redacted copies, kept apart."""
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir(catalog().workspace)
        if copy:
            root = root.parent / f"{root.name}-openbaar"
        kept = copy_stores if copy else stores
        if root not in kept:
            kept[root] = PyramidStore(root)
        return kept[root]

    def _base_url() -> str:
        """The blueprint's absolute root, wherever the portal mounted it."""
        probe = url_for(f"{bp.name}.image_base", batch="_", seq=0, _external=True)
        return probe[: -len("/image/_/0")]

    def located(batch: str, seq: int) -> PagePlace:
        place = places.place(catalog(), batch, seq)
        if place is None:
            abort(404, f"no published page {seq} in batch {batch}")
        if may_view(batch, place.dossier, place.document):
            return place
        copy = public_copy(batch, place.dossier, place.document)
        if copy is None:
            abort(403, "this page belongs to a document that may not be shown")
        return PagePlace(place.dossier, place.document, place.page, copy)

    def visible_documents(batch: str, dossier) -> list:
        return [d for d in dossier.documents
                if may_view(batch, dossier.id, d.id) or public_copy(batch, dossier.id, d.id) is not None]

    def dossier_or_404(batch: str, dossier_id: str):
        return catalog().dossier(batch, dossier_id)

    @bp.errorhandler(ImageApiError)
    def _image_api_error(err: ImageApiError):
        return Response(str(err) + "\n", status=err.status, content_type="text/plain; charset=utf-8")

    @bp.errorhandler(SearchRequestError)
    def _search_error(err: SearchRequestError):
        return Response(str(err) + "\n", status=400, content_type="text/plain; charset=utf-8")

    @bp.errorhandler(CatalogError)
    def _not_found(err: CatalogError):
        return Response(f"{err}\n", status=404, content_type="text/plain; charset=utf-8")

    @bp.errorhandler(HTTPException)
    def _http(err: HTTPException):
        return Response(f"{err.description}\n", status=err.code, content_type="text/plain; charset=utf-8")

    @bp.errorhandler(StateError)
    @bp.errorhandler(MissingDependencyError)
    def _state(err):
        return Response(f"{err}\n", status=503, content_type="text/plain; charset=utf-8")

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        # a refusal must not outlive a sign-in, nor a page outlive the session in a shared cache
        response.headers["Cache-Control"] = "private, no-cache" if response.status_code in (200, 304) else "no-store"
        response.headers.pop("Expires", None)
        return response

    @bp.get("/image/<batch>/<int:seq>")
    def image_base(batch: str, seq: int):
        located(batch, seq)
        return redirect(Urls(_base_url()).image_service(batch, seq) + "/info.json", code=303)

    @bp.get("/image/<batch>/<int:seq>/info.json")
    def image_info_json(batch: str, seq: int):
        place = located(batch, seq)
        page = place.page
        info = image_info(Urls(_base_url()).image_service(batch, seq), page.width_px, page.height_px, limits)
        return _json(info, IMAGE_CONTEXT)

    @bp.get("/image/<batch>/<int:seq>/<region>/<size>/<rotation>/<quality_format>")
    def image(batch: str, seq: int, region: str, size: str, rotation: str, quality_format: str):
        place = located(batch, seq)
        page = place.page
        req = parse_request(region, size, rotation, quality_format, page.width_px, page.height_px, None, limits)
        copy = place.copy
        version = page_version(page) + (f":openbaar:{copy.version}" if copy is not None else "")
        key = f"{batch}/{seq}/{version}/{req.key}"
        data = tiles.get(key)
        if data is None:
            store = pyramids(copy is not None)
            source = (lambda: copy.page_image(seq)) if copy is not None else (lambda: catalog().page_image(batch, seq))
            path = store.ensure(batch, seq, version, source)
            if req.quality == "color" and not store.is_colour(path):
                raise ImageApiError(400, "quality 'color' does not apply to a page scanned in grey or "
                                         "black and white")
            data = store.render(path, req)
            tiles.put(key, data)
        response = Response(data, content_type=FORMATS[req.format])
        response.set_etag(hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])
        return response.make_conditional(request)

    @bp.get("/presentation/<batch>/<path:dossier_id>/manifest")
    def manifest(batch: str, dossier_id: str):
        dossier = dossier_or_404(batch, dossier_id)
        documents = visible_documents(batch, dossier)
        if not documents:
            abort(403, "no document of this dossier may be shown")
        data = build_manifest(batch, dossier, documents, Urls(_base_url()), archive=archive, rights=rights)
        return _json(data, PRESENTATION_CONTEXT)

    @bp.get("/presentation/<batch>/<path:dossier_id>/search")
    def search(batch: str, dossier_id: str):
        dossier = dossier_or_404(batch, dossier_id)
        documents = visible_documents(batch, dossier)
        if not documents:
            abort(403, "no document of this dossier may be shown")
        seqs = [p.seq for d in documents for p in d.pages]
        copies = {}
        for d in documents:
            if not may_view(batch, dossier.id, d.id):
                copy = public_copy(batch, dossier.id, d.id)
                copies.update({p.seq: copy for p in d.pages})

        def text(s: int):
            return copies[s].page_text(s) if s in copies else catalog().page_text(batch, s)

        args = {k: request.args.get(k, "") for k in request.args}
        result = search_dossier(batch, dossier.id, seqs, text, Urls(_base_url()), args, request.url)
        return _json(result, PRESENTATION_CONTEXT)

    def document_of(batch: str, dossier, document_id: str):
        """The document and its redacted copy (None: the original is shown)."""
        for doc in dossier.documents:
            if doc.id == document_id:
                if may_view(batch, dossier.id, doc.id):
                    return doc, None
                copy = public_copy(batch, dossier.id, doc.id)
                if copy is None:
                    abort(403, "this document may not be shown")
                return doc, copy
        abort(404, f"no document {document_id} in dossier {dossier.id}")

    @bp.get("/presentation/<batch>/<path:dossier_id>/document/<document_id>.pdf")
    def document_pdf(batch: str, dossier_id: str, document_id: str):
        dossier = dossier_or_404(batch, dossier_id)
        doc, copy = document_of(batch, dossier, document_id)
        if doc.pdf is None or not Path(doc.pdf).is_file():
            abort(404, f"document {document_id} has no PDF")
        pdf = copy.pdf() if copy is not None else Path(doc.pdf)
        return send_file(pdf, mimetype="application/pdf", download_name=Path(doc.pdf).name, conditional=True)

    @bp.get("/presentation/<batch>/<path:dossier_id>/canvas/<int:seq>/alto.xml")
    def page_alto(batch: str, dossier_id: str, seq: int):
        place = located(batch, seq)
        if place.dossier != dossier_id:
            abort(404, f"page {seq} is not in dossier {dossier_id}")
        alto = place.page.alto
        if alto is None or not Path(alto).is_file():
            abort(404, f"page {seq} has no ALTO file")
        served = place.copy.alto(seq) if place.copy is not None else Path(alto)
        return send_file(served, mimetype="application/xml", download_name=Path(alto).name, conditional=True)

    return bp
