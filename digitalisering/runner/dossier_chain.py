"""The dossier chain: once the pages are done, split them into dossiers and typed documents and
write one PDF/A per document (and, on request, one per dossier with a bookmark per document), with
one ALTO file per page of each document PDF beside it.

Runs in the main process (cheap: no OCR). Each output carries a fingerprint of its inputs; an
output whose fingerprint and checksum still match is not rewritten, so a resumed run leaves the
finished outputs byte-identical. Outputs of an earlier split that no longer exist (after an
operator's correction) are removed, and the removal is logged.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pikepdf
from lxml import etree

from digitalisering import __version__
from digitalisering.access.proposals import DocumentProposals, bag_gebruiksdoelen, propose
from digitalisering.access.vulnerable import check_exclusions_file
from digitalisering.bag.index import INDEX_FILE
from digitalisering.bag.link import BagAddresses, BagIndex, LinkedAddress, apply_corrections, link_plan
from digitalisering.corrections import address_corrections
from digitalisering.documents.model import BatchPlan, DocumentPlan, DossierPlan
from digitalisering.documents.overrides import Overrides
from digitalisering.documents.pages import page_view
from digitalisering.documents.split import plan_batch
from digitalisering.documents.vocabulary import default_vocabulary, type_label
from digitalisering.errors import StateError
from digitalisering.fileio import ensure_inside, ensure_outside, remove_temporaries, write_bytes_atomic
from digitalisering.imaging.transform import straight_size
from digitalisering.learning import versions
from digitalisering.metadata.dates import find_dates
from digitalisering.metadata.fixity import sha256_bytes, sha256_file
from digitalisering.naming import allocate, safe_stem
from digitalisering.pagerecord import PageResult
from digitalisering.qa.failures import FAILURES_FILE
from digitalisering.resultsfile import RESULTS_FILE
from digitalisering.pdfa.xmp import NAMESPACE as XMP_NAMESPACE
from digitalisering.ocr.model import PageText
from digitalisering.pdfa.writer import Bookmark, PdfInfo, PdfPage, build_pdf
from digitalisering.runner.options import RunOptions
from digitalisering.store import Batch, Store
from digitalisering.store.records import PageRecord, PageStatus
from digitalisering.text.alto import NS as ALTO_NS
from digitalisering.text.alto import IDENTIFIER_BATCH, IDENTIFIER_BATCH_IDENTITY, IDENTIFIER_DOCUMENT, AltoSource, alto_xml
from digitalisering.text.alto import identifiers as alto_identifiers_of
from digitalisering.workspace import Workspace
from digitalisering.i18n import ngettext

DOCUMENT_PDF = "document-pdf"
DOSSIER_PDF = "dossier-pdf"
DOCUMENT_ALTO = "document-alto"
"""One ALTO file per page of a document PDF (key: '<document id>/<page number>')."""


@dataclass
class AltoFile:
    page: int
    """1-based number of the page in its PDF."""
    seq: int
    relpath: str
    sha256: str
    bytes: int

MODEL_DIR = versions.MODEL_DIR
"""Where ``digitalisering learn`` saves the models in the workspace (versioned)."""


@dataclass
class Output:
    kind: str
    """'document-pdf' or 'dossier-pdf'."""
    key: str
    """Document id or dossier id."""
    dossier_id: str
    relpath: str
    """Output file relative to the output folder."""
    sha256: str
    bytes: int
    page_seqs: list[int]
    missing_seqs: list[int]
    """Pages of the document that are not in the output because they failed."""
    rebuilt: bool
    pdfa: str = "2b"
    checks: tuple[str, ...] = ()
    """Names of the PDF/A checks the file passed when it was written."""
    alto: list[AltoFile] = field(default_factory=list)
    """The ALTO file of each page (document PDFs only)."""


@dataclass
class ChainResult:
    plan: BatchPlan
    outputs: list[Output] = field(default_factory=list)
    addresses: BagAddresses | None = None
    """None when the workspace has no BAG index (``digitalisering bag import``)."""
    dates: dict[str, list[date]] = field(default_factory=dict)
    """Document id -> the dates written in it."""
    folders: dict[str, str] = field(default_factory=dict)
    """Dossier id -> its folder in the output (and in the package): ``dossier_names``."""
    models: dict = field(default_factory=dict)
    """Which model version decided ("document": version or None, "address": version or "package")."""
    _writer: "_Writer | None" = field(default=None, repr=False, compare=False)
    access: dict[str, DocumentProposals] = field(default_factory=dict)
    """Document id -> its access proposals (personal data, vulnerable objects)."""

    def output(self, kind: str, key: str) -> Output | None:
        return next((o for o in self.outputs if o.kind == kind and o.key == key), None)


RESERVED_NAMES = (RESULTS_FILE, FAILURES_FILE, "qa-rapport", "qa-report")
"""What the output folder holds besides the dossier folders (results.json, failures.csv, the QA
report's default folders): no dossier folder gets one of these names."""


def dossier_names(plan: BatchPlan) -> dict[str, str]:
    """Folder name per dossier id: one-to-one, also case-insensitively, and none of the
    ``RESERVED_NAMES`` (``naming.allocate``)."""
    return allocate((d.id for d in plan.dossiers), "dossier", RESERVED_NAMES)


def document_relpath(doc: DocumentPlan, folder: str) -> str:
    """``<folder>/<folder>-<nn>-<type>.pdf``; ``folder`` is the dossier's name from ``dossier_names``."""
    return f"{folder}/{folder}-{doc.index:02d}-{safe_stem(doc.type, 'overig')}.pdf"


def alto_relpath(pdf_relpath: str, page_number: int) -> str:
    """The ALTO file of page ``page_number`` (1-based) of the PDF at ``pdf_relpath``: beside the PDF,
    named from it (``d/x-brief.pdf`` -> ``d/x-brief-001.alto.xml``)."""
    stem = pdf_relpath[:-4] if pdf_relpath.lower().endswith(".pdf") else pdf_relpath
    return f"{stem}-{page_number:03d}.alto.xml"


def dossier_relpath(folder: str) -> str:
    return f"{folder}/{folder}.pdf"


def batch_views(store: Store, workspace: Workspace, batch: Batch) -> list:
    """Every page of ``batch`` as the split sees it, each with its delivered file (for messages)."""
    files = {f.id: f.relpath for f in store.files(batch.id)}
    return [page_view(p, workspace.page_dir(batch.name, p.id), file=files.get(p.file_id, ""))
            for p in store.pages(batch.id)]


_CURRENT = object()
"""``version`` not given: the workspace's current one, read now."""


def plan_documents(store: Store, workspace: Workspace, batch: Batch, overrides: Overrides | None = None,
                   views: list | None = None, version=_CURRENT) -> BatchPlan:
    if views is None:
        views = batch_views(store, workspace, batch)
    return plan_batch(batch.layout, views, default_vocabulary(), overrides, document_model(workspace, version))


def document_model(workspace: Workspace, version=_CURRENT):
    """The learned document model of ``version`` (default: the workspace's current version,
    ``learning.versions``), or, while nothing was learned, the base model trained on the generated
    corpus (``learning.base``, built at first use and cached in ``<workspace>/model``)."""
    if version is _CURRENT:
        version = versions.current(workspace.root)
    if version is not None and version.has_document_model:
        from digitalisering.learning.learn import load_version
        model = load_version(version)[0]
        if model is not None:
            return model
    from digitalisering.learning.base import base_model
    return base_model(default_vocabulary(), versions.model_root(workspace.root))


def address_model(workspace: Workspace, version=_CURRENT):
    """The address model ``digitalisering learn`` saved in ``version`` (default: the current one),
    or None (the package's)."""
    if version is _CURRENT:
        version = versions.current(workspace.root)
    if version is None or version.address_model_path is None:
        return None
    from digitalisering.bag.roles import AddressModel
    return AddressModel.load(version.address_model_path)


def models_used(workspace: Workspace, version=_CURRENT) -> dict:
    """Which models decide this run (for results.json): ``version`` (default: the current one),
    else the base model."""
    if version is _CURRENT:
        version = versions.current(workspace.root)
    if version is not None and version.has_document_model:
        document = version.name
    else:
        from digitalisering.learning.base import base_name
        document = base_name(default_vocabulary())
    address = (version.name if version is not None and version.address_model_path is not None
               else "package")
    return {"document": document, "address": address}


def link_addresses(workspace: Workspace, plan: BatchPlan, views: list, options: RunOptions,
                   corrections: dict[str, dict[str, bool]] | None = None, version=_CURRENT) -> BagAddresses | None:
    """The documents' addresses linked to the BAG index of the workspace (None without an index);
    ``corrections``: archivists' address corrections per dossier (``corrections.address_corrections``)."""
    db = workspace.root / INDEX_FILE
    if not db.exists():
        return None
    index = BagIndex(db, Path(options.gazetteer) if options.gazetteer else None)
    try:
        found = link_plan(index, plan, {v.seq: v for v in views}, address_model(workspace, version))
        if corrections:
            apply_corrections(index, found, corrections)
        return found
    finally:
        index.close()


def _fingerprint(pages: list[PageRecord], records: dict[int, PageResult], options: RunOptions, info: PdfInfo,
                 bookmarks: list[Bookmark]) -> str:
    parts = [(p.id, records[p.seq].artifacts.image_sha256, records[p.seq].artifacts.words_sha256) for p in pages]
    blob = json.dumps({"v": __version__, "pages": parts, "options": options.output_affecting(),
                       "info": repr(info), "bookmarks": [repr(b) for b in bookmarks]}, sort_keys=True, default=str)
    return sha256_bytes(blob.encode())


class _Writer:
    def __init__(self, store: Store, workspace: Workspace, batch: Batch, out_dir: Path, options: RunOptions,
                 operator: str):
        self.store, self.workspace, self.batch = store, workspace, batch
        self.out_dir, self.options, self.operator = out_dir, options, operator
        self.by_seq = {p.seq: p for p in store.pages(batch.id)}
        # each page's record and words are read once per chain, not once per use (document PDF,
        # its ALTO files, the dossier PDF)
        self.records = {seq: PageResult.from_json(p.result) for seq, p in self.by_seq.items()}
        self._texts: dict[int, PageText | None] = {}
        # an output folder that holds the delivery or the workspace (``--out /data`` with the
        # delivery in /data/levering) must not put a dossier folder named like it inside them
        self.protected = {"delivery": Path(batch.delivery), "workspace": workspace.root}
        self.claimed: dict[str, tuple[str, str]] = {}
        """Path -> the (kind, key) this run writes there."""

    def target(self, rel: str) -> Path:
        """The absolute path of the output ``rel``: inside the output folder, outside the delivery
        and the workspace."""
        return ensure_outside(ensure_inside(self.out_dir, self.out_dir / rel), self.protected)

    def output_pages(self, seqs: list[int]) -> tuple[list[PageRecord], list[int]]:
        pages = [self.by_seq[s] for s in seqs]
        done = [p for p in pages if p.status == PageStatus.DONE
                and self.records[p.seq].in_output(self.options.keep_blank)]
        missing = [p.seq for p in pages if p.status != PageStatus.DONE]
        return done, missing

    def write(self, kind: str, key: str, dossier_id: str, rel: str, seqs: list[int], info: PdfInfo,
              marks: list[tuple[str, int]] | None = None) -> Output | None:
        """Write (or keep) one PDF of the pages ``seqs``; ``marks``: bookmarks as (title, first seq)."""
        done, missing = self.output_pages(seqs)
        if not done:
            return None
        index = {p.seq: i for i, p in enumerate(done)}
        bookmarks = [Bookmark(title, index[seq]) for title, seq in marks or [] if seq in index]
        target = self.target(rel)
        fingerprint = _fingerprint(done, self.records, self.options, info, bookmarks)
        previous = self.store.output(self.batch.id, kind, key)
        if (previous and previous.fingerprint == fingerprint and previous.path == str(target)
                and target.exists() and sha256_file(target) == previous.sha256):
            return Output(kind, key, dossier_id, rel, previous.sha256, previous.size, [p.seq for p in done], missing,
                          rebuilt=False, pdfa=self.options.pdfa, checks=tuple(previous.checks),
                          alto=self.write_alto(key, rel, done, fingerprint) if kind == DOCUMENT_PDF else [])
        self._check_owner(target, kind, key, previous)
        if kind == DOCUMENT_PDF:  # before the PDF: a refused ALTO file must not leave our PDF beside the others'
            for n in range(1, len(done) + 1):
                self._check_alto_owner(key, rel, n)
        pdf_pages = [self._pdf_page(p) for p in done]
        validation = build_pdf(pdf_pages, target, info, flavour=self.options.pdfa, bookmarks=bookmarks)
        checks = tuple(c.name for c in validation.checks)
        digest, size = sha256_file(target), target.stat().st_size
        self.store.record_output(self.batch.id, kind, key, str(target), digest, size, fingerprint,
                                 checks=list(checks))
        self.release(target, kind, key)
        if previous and previous.path != str(target):  # only now: a failed write leaves the old one
            self._discard(kind, key, Path(previous.path), "renamed")
        self.store.log(self.batch.id, self.operator, "output.written", kind=kind, key=key, dossier=dossier_id,
                       path=str(target), sha256=digest, pages=len(done), missing_pages=missing,
                       pdfa=self.options.pdfa, checks_passed=list(checks))
        return Output(kind, key, dossier_id, rel, digest, size, [p.seq for p in done], missing,
                      rebuilt=True, pdfa=self.options.pdfa, checks=checks,
                      alto=self.write_alto(key, rel, done, fingerprint) if kind == DOCUMENT_PDF else [])

    def _pdf_page(self, page: PageRecord) -> PdfPage:
        record = self.records[page.seq]
        page_dir = self.workspace.page_dir(self.batch.name, page.id)
        encode = record.encode
        assert encode is not None and record.artifacts.image is not None  # in_output() said so
        crop = tuple(encode.sheet_box) if self.options.crop and encode.sheet_box else None
        return PdfPage(image_path=page_dir / record.artifacts.image, text=self.page_text(page), dpi=encode.dpi,
                       deskew_deg=encode.deskew_deg, fill=tuple(encode.paper_colour), crop_px=crop)

    def _check_owner(self, target: Path, kind: str, key: str, previous,
                     written_for: Callable[[Path], bool] | None = None) -> None:
        """Never write over a file that belongs to something else: another output of this or another
        batch recorded at that path, or a file in the output folder that this run did not write
        (``written_for``: whether an unrecorded file is ours; default: a PDF's XMP says so)."""
        claimed = self.claimed.setdefault(str(target), (kind, key))
        if claimed != (kind, key):  # never: names are one-to-one (naming.allocate); checked all the same
            raise StateError("{target} would be written for both {claimed} and {key}", target=target, claimed=claimed[1], key=key)
        moving = False
        for owner in self.store.outputs_at(str(target)):
            if owner.batch_id == self.batch.id and (owner.kind, owner.key) != (kind, key):
                # this batch's own output, whose dossier's folder name changed (a dossier found
                # later took the plain name): this run's names are one-to-one, so it moves away
                # (its record is dropped once the path is written: ``release``)
                moving = True
                continue
            if (owner.batch_id, owner.kind, owner.key) != (self.batch.id, kind, key):
                other = self.store.batch_by_id(owner.batch_id).name
                raise StateError("{target} is already the output of {key} (batch {other}); {key2} would overwrite it: choose another --out", target=target, key=owner.key, other=other, key2=key)
        ours = written_for or (lambda path: _written_for(path, self.batch, key))
        if target.exists() and not moving and not (previous and previous.path == str(target)) and not ours(target):
            raise StateError("{target} exists and was not written for {key} of batch {name}; move it away or choose another --out", target=target, key=key, name=self.batch.name)

    def release(self, target: Path, kind: str, key: str) -> None:
        """After ``target`` was written for (kind, key): forget the other outputs of this batch
        recorded at that path (moved away; they are written at their new place)."""
        for owner in self.store.outputs_at(str(target)):
            if owner.batch_id == self.batch.id and (owner.kind, owner.key) != (kind, key):
                self.store.delete_output(self.batch.id, owner.kind, owner.key)
                self.store.log(self.batch.id, self.operator, "output.moved", kind=owner.kind, key=owner.key,
                               path=str(target), taken_by=key)

    def page_text(self, page: PageRecord) -> PageText | None:
        """The page's words (None when it has none: blank, OCR timed out)."""
        if page.seq not in self._texts:
            words = self.records[page.seq].artifact_path(self.workspace.page_dir(self.batch.name, page.id), "words")
            self._texts[page.seq] = PageText.read(words) if words else None
        return self._texts[page.seq]

    def write_alto(self, doc_id: str, pdf_rel: str, pages: list[PageRecord], pdf_fingerprint: str) -> list[AltoFile]:
        """Write (or keep) the ALTO file of every page of the document PDF at ``pdf_rel``."""
        files: list[AltoFile] = []
        written = 0
        for n, page in enumerate(pages, 1):
            rel = alto_relpath(pdf_rel, n)
            target = self.target(rel)
            key = f"{doc_id}/{n}"
            fingerprint = sha256_bytes(f"{pdf_fingerprint}/{n}".encode())
            previous = self.store.output(self.batch.id, DOCUMENT_ALTO, key)
            if (previous and previous.fingerprint == fingerprint and previous.path == str(target)
                    and target.exists() and sha256_file(target) == previous.sha256):
                files.append(AltoFile(n, page.seq, rel, previous.sha256, previous.size))
                continue
            self._check_alto_owner(doc_id, pdf_rel, n, previous)
            data = page_alto(page, self.records[page.seq], self.page_text(page), Path(pdf_rel).name, n,
                             alto_identifiers(self.batch, doc_id))
            write_bytes_atomic(target, data)
            digest = sha256_bytes(data)
            self.store.record_output(self.batch.id, DOCUMENT_ALTO, key, str(target), digest, len(data), fingerprint,
                                     checks=["alto-4.4-xsd"])
            self.release(target, DOCUMENT_ALTO, key)
            if previous and previous.path != str(target):
                self._discard(DOCUMENT_ALTO, key, Path(previous.path), "renamed")
            files.append(AltoFile(n, page.seq, rel, digest, len(data)))
            written += 1
        if written:
            self.store.log(self.batch.id, self.operator, "output.written", kind=DOCUMENT_ALTO, key=doc_id,
                           path=str(self.out_dir / alto_relpath(pdf_rel, 1)), files=written, pages=len(pages))
        return files

    def _check_alto_owner(self, doc_id: str, pdf_rel: str, n: int, previous=_CURRENT) -> None:
        """Refuse (StateError) when the ALTO file of page ``n`` of the PDF at ``pdf_rel`` would
        replace a file that is not this batch's output for it (``_check_owner``)."""
        key = f"{doc_id}/{n}"
        if previous is _CURRENT:
            previous = self.store.output(self.batch.id, DOCUMENT_ALTO, key)
        self._check_owner(self.target(alto_relpath(pdf_rel, n)), DOCUMENT_ALTO, key, previous,
                          lambda path: _alto_written_for(path, self.batch, doc_id, self.target(pdf_rel), n))

    def written_here(self, path: Path) -> bool:
        """Whether the recorded output ``path`` belongs to this output folder: it is
        ``<out>/<folder>/<file>``, where every output of a run lies. An output recorded by a run
        with another ``--out`` is not (also when that folder is inside this one: ``--out /p/o``
        then ``--out /p`` removed the PDFs and ALTO files of the results in /p/o)."""
        try:
            rel = Path(path).relative_to(self.out_dir)
        except ValueError:
            return False
        return len(rel.parts) == 2 and ".." not in rel.parts

    def _discard(self, kind: str, key: str, path: Path, why: str) -> None:
        """Remove the file of an output that was replaced or is no longer made, when it lies in this
        output folder; one written for another output folder is that folder's result and stays."""
        here = self.written_here(path)
        if here:
            path.unlink(missing_ok=True)
        self.store.log(self.batch.id, self.operator, "output.removed" if here else "output.left",
                       kind=kind, key=key, path=str(path), why=why if here else f"{why}; in another output folder")

    def _remove(self, kind: str, key: str, path: Path, why: str) -> None:
        self._discard(kind, key, path, why)
        self.store.delete_output(self.batch.id, kind, key)

    def remove_leftovers(self, folders: dict[str, str]) -> None:
        """Temporary files a killed run left in the dossier folders: only those of this batch's
        outputs (``<folder>.pdf``, ``<folder>-...``), never searching further down."""
        removed: list[Path] = []
        for folder in folders.values():
            if (self.out_dir / folder).is_symlink():  # never ours: outputs are not written through links
                continue
            removed += remove_temporaries(
                self.out_dir / folder, recursive=False,
                targets=lambda name, f=folder: name == f"{f}.pdf" or name.startswith(f"{f}-"))
        if removed:
            self.store.log(self.batch.id, self.operator, "run.leftovers_removed", files=[str(p) for p in removed])

    def remove_stale(self, keep: set[tuple[str, str]]) -> None:
        for rec in self.store.outputs(self.batch.id):
            if rec.kind in (DOCUMENT_PDF, DOSSIER_PDF, DOCUMENT_ALTO) and (rec.kind, rec.key) not in keep:
                self._remove(rec.kind, rec.key, Path(rec.path), "no longer in the split")


def _written_for(path: Path, batch: Batch, key: str) -> bool:
    """Whether ``path`` is a PDF this product wrote for ``key`` of ``batch`` (its XMP says so): an
    output whose writing was interrupted after the rename but before it was recorded. The batch is
    known by its name and identity (a hash of its delivery and registration time, as
    ``check_out_dir`` knows results.json by them): a same-named batch of another workspace whose
    first run died before its results.json is not this one. A PDF of an earlier version that wrote
    the delivery and time themselves is known by those; one that wrote the name only, by its name."""
    try:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            found = {name: meta.get(f"{{{XMP_NAMESPACE}}}{name}")
                     for name in ("batch", "document", "batchIdentity", "batchDelivery", "batchRegistered")}
    except Exception:  # noqa: BLE001 - anything unreadable is not ours
        return False
    if (found["batch"], found["document"]) != (batch.name, key):
        return False
    if found["batchIdentity"] is not None:
        return found["batchIdentity"] == batch.identity
    if found["batchDelivery"] is None and found["batchRegistered"] is None:
        return True
    return (found["batchDelivery"], found["batchRegistered"]) == (batch.delivery, batch.created_at)


def alto_identifiers(batch: Batch, doc_id: str) -> tuple[tuple[str, str], ...]:
    """What an ALTO file of document ``doc_id`` of ``batch`` says about whom it was written for."""
    return ((IDENTIFIER_BATCH, batch.name), (IDENTIFIER_BATCH_IDENTITY, batch.identity), (IDENTIFIER_DOCUMENT, doc_id))


def _alto_written_for(path: Path, batch: Batch, doc_id: str, pdf: Path, page_number: int) -> bool:
    """Whether ``path`` is the ALTO file we wrote for page ``page_number`` of document ``doc_id`` of
    ``batch``, whose PDF is ``pdf`` (its writing interrupted before it was recorded). Known, as a
    PDF is by its XMP, by the batch's name and identity and the document written into it: before,
    only the PDF's file name and the page number were compared, so a same-named batch of another
    workspace took the ALTO files of a document whose PDF had been moved away for its own and
    replaced them. A file of an earlier version (no identifiers) is ours only when the PDF beside
    it is (it was written just before its ALTO files)."""
    try:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError):
        return False
    ns = {"a": ALTO_NS}
    if not (doc.findtext("a:Description/a:sourceImageInformation/a:fileName", namespaces=ns) == pdf.name
            and doc.find(f"a:Layout/a:Page[@PHYSICAL_IMG_NR='{page_number}']", namespaces=ns) is not None):
        return False
    found = alto_identifiers_of(doc)
    if not found:
        return pdf.exists() and _written_for(pdf, batch, doc_id)
    return found == dict(alto_identifiers(batch, doc_id))


def page_alto(page: PageRecord, record: PageResult, text: PageText | None, pdf_name: str, page_number: int,
              identifiers: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The ALTO file of one page as the PDF ``pdf_name`` shows it (page ``page_number``); a page
    without words (blank, OCR timed out) gets one with an empty print space. ``identifiers``: whom
    it is written for (``alto_identifiers``)."""
    encode, ocr = record.encode, record.ocr
    assert encode is not None  # the page is in a PDF
    if text is None:
        text = PageText(ocr.lang if ocr else "und", engine=(ocr.engine or "none").split(" ")[0] if ocr else "none")
    if not (text.width and text.height):  # no words, or words.json of an earlier version
        size = ((ocr.width_px, ocr.height_px) if ocr and ocr.width_px
                else straight_size(encode.width_px, encode.height_px, encode.deskew_deg) if encode.deskew_deg
                else (encode.width_px, encode.height_px))
        text = dataclasses.replace(text, width=size[0], height=size[1], dpi=encode.dpi)
    settings = (f"language {ocr.lang}; read at {ocr.ocr_dpi:g} ppi (scale {ocr.scale:g}) "
                f"on the straightened page of {encode.dpi:g} ppi" if ocr and ocr.ocr_dpi else "")
    when = datetime.fromisoformat(page.finished_at) if page.finished_at else None
    return alto_xml(text, AltoSource(pdf_name, page_number, processed=when, settings=settings,
                                     identifiers=identifiers))


def _metadata_addresses(found: list[LinkedAddress]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(addresses, BAG ids) for a PDF's metadata: the linked ones that are not someone else's."""
    texts: list[str] = []
    ids: list[str] = []
    for a in found:
        if a.role == "other" or not (a.nummeraanduiding_ids or a.status == "corner"):
            continue
        if a.label not in texts:
            texts.append(a.label)
        for i in a.nummeraanduiding_ids + a.verblijfsobject_ids + a.pand_ids:
            if i not in ids:
                ids.append(i)
    return tuple(texts), tuple(ids)


def _document_info(batch: Batch, doc: DocumentPlan, created: datetime, found: list[LinkedAddress]) -> PdfInfo:
    kind = type_label(doc.type)
    addresses, bag_ids = _metadata_addresses(found)
    return PdfInfo(title=f"Bouwdossier {doc.dossier_id}, document {doc.index}: {kind}", created=created,
                   subject=f"Bouwdossier {doc.dossier_id}, batch {batch.name}", dossier_id=doc.dossier_id,
                   document_id=doc.id, document_type=doc.type, batch=batch.name, addresses=addresses,
                   bag_ids=bag_ids, batch_identity=batch.identity)


def _created(writer: _Writer, seqs: list[int]) -> datetime | None:
    stamps = [writer.by_seq[s].finished_at for s in seqs if writer.by_seq[s].finished_at]
    return max(datetime.fromisoformat(s) for s in stamps) if stamps else None


def run_dossier_chain(store: Store, workspace: Workspace, batch: Batch, out_dir: Path, options: RunOptions,
                      operator: str, overrides: Overrides | None = None, *, remove_stale: bool = True) -> ChainResult:
    """Split, link and write the outputs; ``remove_stale=False`` leaves the outputs of an earlier
    split for ``remove_stale_outputs`` (after results.json is written)."""
    views = batch_views(store, workspace, batch)
    # one model version for the whole chain: a `learn` meanwhile changes `current`, and the documents,
    # the addresses and results.json's `models` must name the version that decided them
    version = versions.current(workspace.root)
    plan = plan_documents(store, workspace, batch, overrides, views, version)
    writer = _Writer(store, workspace, batch, out_dir, options, operator)
    result = ChainResult(plan, addresses=link_addresses(workspace, plan, views, options,
                                                        address_corrections(store.corrections(batch.id)), version),
                         folders=dossier_names(plan), models=models_used(workspace, version))
    writer.remove_leftovers(result.folders)
    texts = {v.seq: v.text for v in views}
    result.dates = {doc.id: find_dates(" ".join(texts.get(s, "") for s in doc.pages))
                    for dossier in plan.dossiers for doc in dossier.documents}
    found = result.addresses.documents if result.addresses else {}
    result.access = access_proposals(writer, plan, result.addresses, options)
    for dossier in plan.dossiers:
        for doc in dossier.documents:
            created = _created(writer, doc.pages)
            if created is None:
                continue
            out = writer.write(DOCUMENT_PDF, doc.id, dossier.id, document_relpath(doc, result.folders[dossier.id]),
                               doc.pages,
                               _document_info(batch, doc, created, found.get(doc.id, [])))
            if out:
                result.outputs.append(out)
        if options.dossier_pdf:
            _write_dossier_pdf(writer, batch, dossier, result)
    result._writer = writer
    if remove_stale:
        remove_stale_outputs(result)
    return result


def remove_stale_outputs(result: ChainResult) -> None:
    """Remove the outputs of an earlier split that this one no longer makes. The runner calls it
    after results.json names the new outputs: until then the old results.json names the old ones,
    and they must still be there (a run that stopped in between left a results.json that named
    removed files)."""
    writer = result._writer
    if writer is None:
        return
    writer.remove_stale({(o.kind, o.key) for o in result.outputs}
                        | {(DOCUMENT_ALTO, f"{o.key}/{a.page}") for o in result.outputs for a in o.alto})


def access_proposals(writer: _Writer, plan: BatchPlan, addresses: BagAddresses | None,
                     options: RunOptions) -> dict[str, DocumentProposals]:
    """Personal data and vulnerable objects per document (``access.proposals``), from the words the
    chain reads anyway and the BAG links just made."""
    texts: dict[int, PageText | None] = {}
    unread: list[int] = []
    for seq, page in writer.by_seq.items():
        if page.status != PageStatus.DONE:
            continue
        try:
            texts[seq] = writer.page_text(page)
        except (OSError, ValueError, KeyError):
            # the page was read at another station (its work files are in that workspace): say so;
            # its document has no proposals from it, and a document nobody decided on is not public
            texts[seq] = None
            unread.append(seq)
    if unread:
        plan.problems.append(ngettext("{n} page has no words in this workspace (read at another station?): "
                                      "its personal data could not be looked for (page {pages})",
                                      "{n} pages have no words in this workspace (read at another station?): "
                                      "their personal data could not be looked for (pages {pages})", len(unread),
                                      pages=", ".join(map(str, unread[:10])) + (", ..." if len(unread) > 10 else "")))
    return propose(plan, texts, addresses, bag_gebruiksdoelen(writer.workspace.root / INDEX_FILE, addresses),
                   check_exclusions_file(Path(options.exclusions)) if options.exclusions else None)


def _write_dossier_pdf(writer: _Writer, batch: Batch, dossier: DossierPlan, result: ChainResult) -> None:
    seqs = [s for doc in dossier.documents for s in doc.pages]
    created = _created(writer, seqs)
    if created is None:
        return
    marks = []
    for doc in dossier.documents:
        done, _ = writer.output_pages(doc.pages)
        if done:
            marks.append((f"{doc.index}. {type_label(doc.type)}", done[0].seq))
    addresses, bag_ids = _metadata_addresses(result.addresses.dossiers.get(dossier.id, [])
                                             if result.addresses else [])
    info = PdfInfo(title=f"Bouwdossier {dossier.id}", created=created,
                   subject=f"Bouwdossier {dossier.id}, batch {batch.name}", dossier_id=dossier.id,
                   document_id=dossier.id, batch=batch.name, addresses=addresses, bag_ids=bag_ids,
                   batch_identity=batch.identity)
    out = writer.write(DOSSIER_PDF, dossier.id, dossier.id, dossier_relpath(result.folders[dossier.id]), seqs,
                       info, marks)
    if out:
        result.outputs.append(out)
