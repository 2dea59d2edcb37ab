"""The published archive as its readers see it: batches, dossiers, documents and pages, typed.

The search index, the IIIF services and the portal read what runs have published only through
this module, so none of them reads ``results.json``, the store or the page work files by key. A
batch is published once it has been run: its latest run's output folder holds ``results.json``
(read and validated by ``resultsfile.read_results``; re-read when the file changes), its PDFs and
its ALTO files; the page images and the page words come from the workspace through the typed page
record.

Coordinates: a page here is the page as the PDF shows it (upright and straightened): its size is
that of the straightened image OCR read (``OcrFacts.width_px/height_px`` at full resolution), and
the words' boxes (``page_text``) and the ALTO files use the same pixels.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from digitalisering.errors import StateError
from digitalisering.imaging.transform import deskew
from digitalisering.ocr.model import PageText
from digitalisering.pagerecord import PageResult
from digitalisering.resultsfile import RESULTS_FILE, read_results
from digitalisering.store import Store
from digitalisering.store.records import Batch
from digitalisering.workspace import Workspace


class CatalogError(StateError):
    """Something asked of the catalog that it does not hold (an unknown batch, dossier or page)."""


@dataclass(frozen=True)
class AddressLink:
    """An address written in a document and what it was linked to in the BAG."""

    written: str
    status: str
    role: str
    street: str | None = None
    number: int | None = None
    letter: str | None = None
    addition: str | None = None
    postcode: str | None = None
    num_ids: tuple[str, ...] = ()
    vbo_ids: tuple[str, ...] = ()
    pand_ids: tuple[str, ...] = ()

    @property
    def num_id(self) -> str | None:
        return self.num_ids[0] if self.num_ids else None

    @property
    def vbo_id(self) -> str | None:
        return self.vbo_ids[0] if self.vbo_ids else None

    @property
    def pand_id(self) -> str | None:
        return self.pand_ids[0] if self.pand_ids else None

    @property
    def label(self) -> str:
        """The address as people write it: 'Breestraat 12a-2, 2311 CS' (as written when not linked)."""
        if not self.street or self.number is None:
            return self.written
        text = f"{self.street} {self.number}{self.letter or ''}"
        if self.addition:
            text += f"-{self.addition}"
        return f"{text}, {self.postcode}" if self.postcode else text


@dataclass(frozen=True)
class PageEntry:
    seq: int
    page_id: int
    document: str
    number: int
    """Blad: the page's number in its document's PDF, from 1."""
    alto: Path | None
    width_px: int
    height_px: int
    dpi: float


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    dossier: str
    index: int
    type: str
    type_confidence: float | None
    dates: tuple[str, ...]
    pages: tuple[PageEntry, ...]
    pdf: Path | None
    pdf_sha256: str | None
    addresses: tuple[AddressLink, ...]
    needs_review: tuple[str, ...] = ()
    access_proposals: dict | None = field(default=None, compare=False)
    """The run's access proposals as results.json holds them (``access.proposals.DocumentProposals.from_json``)."""


@dataclass(frozen=True)
class DossierEntry:
    batch: str
    id: str
    folder: str
    documents: tuple[DocumentEntry, ...]
    addresses: tuple[AddressLink, ...]
    dates: tuple[str, ...]
    period: tuple[str | None, str | None] = (None, None)

    @property
    def pages(self) -> tuple[PageEntry, ...]:
        return tuple(p for d in self.documents for p in d.pages)

    @property
    def object_addresses(self) -> tuple[AddressLink, ...]:
        """The addresses of the building the dossier is about (not letterheads or home addresses)."""
        return tuple(a for a in self.addresses if a.role == "object")

    def document(self, document_id: str) -> DocumentEntry:
        for doc in self.documents:
            if doc.id == document_id:
                return doc
        raise CatalogError("dossier {id} has no document {document_id}", id=self.id, document_id=document_id)


@dataclass(frozen=True)
class BatchEntry:
    name: str
    out_dir: Path
    delivery: str
    dossiers: tuple[DossierEntry, ...] = field(default=(), repr=False)
    _by_id: dict[str, DossierEntry] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_seq: dict[int, PageEntry] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # lookups by dossier id and page seq in constant time (a portal asks per tile and per word)
        self._by_id.update((d.id, d) for d in self.dossiers)
        self._by_seq.update((p.seq, p) for d in self.dossiers for p in d.pages)


def _address(data: dict[str, Any]) -> AddressLink:
    return AddressLink(
        written=data["text"], status=data["status"], role=data["role"], street=data.get("street"),
        number=data.get("huisnummer"), letter=data.get("huisletter"), addition=data.get("toevoeging"),
        postcode=data.get("postcode"), num_ids=tuple(data.get("nummeraanduiding_ids", ())),
        vbo_ids=tuple(data.get("verblijfsobject_ids", ())), pand_ids=tuple(data.get("pand_ids", ())))


def _dossiers(batch: Batch, out_dir: Path, results: dict[str, Any], page_ids: dict[int, int]) -> tuple[DossierEntry, ...]:
    """The batch's dossiers from its validated results (documents without a PDF are left out: a
    reader cannot open them); ``page_ids``: the store's page id of each seq."""
    pages = {p["seq"]: p for p in results["pages"]}
    documents: dict[str, list[DocumentEntry]] = {}
    for doc in results["documents"]:
        output = doc.get("output")
        if not output:
            continue
        alto = {a["seq"]: (a["page"], out_dir / a["path"]) for a in output.get("alto", [])}
        entries = []
        number = 0
        for seq in doc["pages"]:
            page = pages.get(seq)
            if page is None or not page.get("in_output") or seq not in page_ids:
                continue
            number += 1
            ocr = page.get("ocr") or {}
            image = page.get("image") or {}
            page_no, alto_path = alto.get(seq, (number, None))
            entries.append(PageEntry(
                seq=seq, page_id=page_ids[seq], document=doc["id"], number=page_no, alto=alto_path,
                width_px=int(ocr.get("width_px") or image.get("width_px") or 0),
                height_px=int(ocr.get("height_px") or image.get("height_px") or 0),
                dpi=float(ocr.get("ocr_dpi") or image.get("dpi") or 0.0) / float(ocr.get("scale") or 1.0)))
        documents.setdefault(doc["dossier"], []).append(DocumentEntry(
            id=doc["id"], dossier=doc["dossier"], index=int(doc.get("index", len(documents.get(doc["dossier"], [])) + 1)),
            type=doc["type"], type_confidence=doc.get("type_confidence"), dates=tuple(doc.get("dates", ())),
            pages=tuple(entries), pdf=out_dir / output["path"], pdf_sha256=output["sha256"],
            addresses=tuple(_address(a) for a in doc.get("addresses", ())),
            needs_review=tuple(doc.get("needs_review", ())), access_proposals=doc.get("access_proposals")))
    dossiers = []
    for dossier in results["dossiers"]:
        docs = tuple(sorted(documents.get(dossier["id"], ()), key=lambda d: d.index))
        if not docs:
            continue
        period = dossier.get("period") or {}
        dates = sorted({d for doc in docs for d in doc.dates})
        dossiers.append(DossierEntry(
            batch=batch.name, id=dossier["id"], folder=dossier.get("folder") or dossier["id"], documents=docs,
            addresses=tuple(_address(a) for a in dossier.get("addresses", ())), dates=tuple(dates),
            period=(period.get("from"), period.get("to"))))
    return tuple(dossiers)


class Catalog:
    """What the workspace's runs have published, read through the store and each batch's results.json.

    Safe to share between threads; each batch's results are read again when its results.json
    changes (a new run), so a long-running portal sees new runs without a restart."""

    def __init__(self, store: Store, workspace: Workspace):
        self.store = store
        self.workspace = workspace
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[int, int], BatchEntry]] = {}

    # -- batches and dossiers ------------------------------------------------------------------
    def _out_dir(self, batch: Batch) -> Path | None:
        event = self.store.last_event(batch.id, "run.start")
        return Path(event.detail["out"]) if event is not None and event.detail.get("out") else None

    def _entry(self, batch: Batch) -> BatchEntry | None:
        out_dir = self._out_dir(batch)
        if out_dir is None:
            return None
        try:
            st = (out_dir / RESULTS_FILE).stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._cache.get(batch.name)
        if cached and cached[0] == stamp:
            return cached[1]
        results = read_results(out_dir)
        page_ids = {p.seq: p.id for p in self.store.pages(batch.id)}
        entry = BatchEntry(batch.name, out_dir, batch.delivery, _dossiers(batch, out_dir, results, page_ids))
        with self._lock:
            self._cache[batch.name] = (stamp, entry)
        return entry

    def batches(self) -> list[BatchEntry]:
        """Every batch that has published results, in the order they were registered."""
        return [e for e in (self._entry(b) for b in self.store.batches()) if e is not None]

    def batch(self, name: str) -> BatchEntry:
        batch = self.store.find_batch(name=name)
        entry = self._entry(batch) if batch is not None else None
        if entry is None:
            raise CatalogError("no published batch {name!r}", name=name)
        return entry

    def dossiers(self, batch: str) -> list[DossierEntry]:
        return list(self.batch(batch).dossiers)

    def dossier(self, batch: str, dossier_id: str) -> DossierEntry:
        dossier = self.batch(batch)._by_id.get(dossier_id)
        if dossier is None:
            raise CatalogError("batch {batch} has no dossier {dossier_id!r}", batch=batch, dossier_id=dossier_id)
        return dossier

    def page(self, batch: str, seq: int) -> PageEntry:
        page = self.batch(batch)._by_seq.get(seq)
        if page is None:
            raise CatalogError("batch {batch} has no published page {seq}", batch=batch, seq=seq)
        return page

    # -- a page's words and image --------------------------------------------------------------
    def _record(self, batch: str, seq: int):
        entry = self.page(batch, seq)
        row = self.store.page_by_id(entry.page_id)
        record = PageResult.from_json(row.result)
        return entry, row, record, self.workspace.page_dir(batch, entry.page_id)

    def page_text(self, batch: str, seq: int) -> PageText:
        """The page's words with their boxes in the pixels of the page as the PDF shows it
        (an empty text when the page has no words)."""
        return self.text_of(batch, self.page(batch, seq))

    def text_of(self, batch: str, entry: PageEntry) -> PageText:
        """``page_text`` for a page entry in hand (no look-up by seq: the index reads every page)."""
        seq = entry.seq
        record = PageResult.from_json(self.store.page_by_id(entry.page_id).result)
        page_dir = self.workspace.page_dir(batch, entry.page_id)
        path = record.artifact_path(page_dir, "words")
        if path is None:
            return PageText(lang=record.ocr.lang if record.ocr else "")
        try:
            return PageText.read(path)
        except (OSError, ValueError, KeyError) as exc:
            raise CatalogError("cannot read the words of page {seq} of batch {batch}: {error}", seq=seq, batch=batch, error=exc) from exc

    def page_image(self, batch: str, seq: int) -> Image.Image:
        """The page at full resolution as the PDF shows it: upright, straightened, the corners
        filled with the paper colour (the image the word boxes and ALTO coordinates refer to)."""
        _, row, record, page_dir = self._record(batch, seq)
        kept = record.artifact_path(page_dir, "image")
        if kept is None:
            raise CatalogError("page {seq} of batch {batch} has no kept image", seq=seq, batch=batch)
        try:
            image = Image.open(kept)
            image.load()
        except OSError as exc:
            raise CatalogError("cannot read the image of page {seq} of batch {batch}: {error}", seq=seq, batch=batch, error=exc) from exc
        encode = record.encode
        if encode and encode.deskew_deg:
            paper = tuple(encode.paper_colour or (255,))
            if max(paper) <= 1:  # a bitonal page's paper colour is given as 0/1
                paper = tuple(255 * v for v in paper)
            fill = paper[:1] if image.mode in ("1", "L") else (paper if len(paper) == 3 else paper[:1] * 3)
            image = deskew(image, encode.deskew_deg, fill)
        return image
