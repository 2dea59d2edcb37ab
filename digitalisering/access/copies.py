"""The redacted copy of one document as the portal serves it to a reader who may see only that copy
(``policy.may_see`` gives ``Content.REDACTED``): its page images with the decision's regions burned
into the pixels, its words without the covered ones (for the viewer's content search), its public
PDF/A and ALTO files (``publish.public_copy``: the same copy ``access publish`` writes, leak-checked).

Nothing of the original leaves through a ``RedactedDocument``: every image it returns is burned,
every text redacted, and the PDF and ALTO it points to are the public copy. The PDF and ALTO are
made on first request and kept under ``<workspace>/openbaar/<batch>/`` in a file named after the
decision (a new decision makes a new copy; an old one is never served for it). The file name holds
the document id as it is when that is a safe file name, else a safe form of it with a hash
(``copy_key``): an id read from a separator sheet may hold '/' and '..' (``DOSSIER:../../x``), and
the copy was written outside the workspace.

A superseded decision's copy is removed (``remove_superseded``) once the current decision needs no
copy (open, restricted: right after it is stored) or its own copy is complete (right after it is
made): never the current decision's copy, never before its replacement exists. Packages and
``access publish`` make copies of their own (``publish.public_copy`` in their own folder), so no
written package refers to a file here. A removal first renames the copy's PDF away under the
copy's lock, in one step: from then on the copy is incomplete, never served, never taken for
ready; the rest is deleted after, and what a killed removal leaves is deleted by the next one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitalisering.access.policy import AccessDecision
from digitalisering.access.redact import burn, page_boxes, redacted_text
from digitalisering.errors import StateError
from digitalisering.fileio import temporary_target
from digitalisering.locks import FileLock
from digitalisering.naming import id_hash, safe_stem
from digitalisering.ocr.model import PageText

log = logging.getLogger(__name__)

COPIES_DIR = "openbaar"
"""The folder of the workspace the served public copies are kept in."""

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


@dataclass(frozen=True)
class RedactedDocument:
    """One document's redacted copy, read from the catalog (``digitalisering.catalog``)."""

    catalog: object
    batch: str
    document: object
    """The catalog's DocumentEntry."""
    decision: AccessDecision

    @property
    def version(self) -> str:
        """What the copy depends on besides the page: the decision's regions (a new decision with other
        regions is another copy: its tiles are cached apart)."""
        return copy_version(self.decision)

    def _seqs(self) -> list[int]:
        return [p.seq for p in self.document.pages]

    def _check(self, seq: int) -> None:
        if seq not in self._seqs():
            raise StateError("page {seq} is not in document {id}", seq=seq, id=self.document.id)

    def page_image(self, seq: int) -> Image.Image:
        """The page as the PDF shows it with the decision's regions burned black."""
        self._check(seq)
        image = self.catalog.page_image(self.batch, seq)
        if image.mode not in ("1", "L", "RGB"):
            image = image.convert("RGB")
        return burn(image, page_boxes(self.decision.regions, seq, image.width, image.height))

    def page_text(self, seq: int) -> PageText:
        """The page's words without every word a region covers."""
        self._check(seq)
        page = self.catalog.page(self.batch, seq)
        text = self.catalog.page_text(self.batch, seq)
        return redacted_text(text, page_boxes(self.decision.regions, seq, page.width_px, page.height_px))[0]

    def _folder(self) -> Path:
        return Path(self.catalog.workspace.root) / COPIES_DIR / self.batch

    def pdf(self) -> Path:
        """The public PDF/A (made and leak-checked on first request; StateError when it leaks)."""
        folder = self._folder()
        target = folder / f"{copy_key(self.document.id)}-{self.version}.pdf"
        if target.is_file() and all(p.is_file() for p in self._alto_paths(target)):
            return target
        with _thread_lock(str(target)):
            folder.mkdir(parents=True, exist_ok=True)
            lock = FileLock(target.with_suffix(".lock"))
            if not lock.acquire(wait_s=600):
                raise StateError("another process has been making {target} for 600 s", target=target)
            try:
                made = not (target.is_file() and all(p.is_file() for p in self._alto_paths(target)))
                if made:
                    self._make(target)
            finally:
                lock.release()
            if made:  # the decisions this copy replaces need theirs no more
                remove_superseded(self.catalog.store, self.catalog.workspace.root, self.batch, self.document.id,
                                  pages=len(self._seqs()))
        return target

    def _alto_paths(self, pdf: Path) -> list[Path]:
        return [pdf.with_name(f"{pdf.stem}-{n:03d}.alto.xml") for n in range(1, len(self._seqs()) + 1)]

    def alto(self, seq: int) -> Path:
        """The redacted ALTO file of page ``seq``."""
        self._check(seq)
        pdf = self.pdf()
        return self._alto_paths(pdf)[self._seqs().index(seq)]

    def _make(self, target: Path) -> None:
        from digitalisering.access.publish import public_copy
        from digitalisering.resultsfile import read_results

        store = self.catalog.store
        batch = store.find_batch(name=self.batch)
        entry = self.catalog.batch(self.batch)
        docs = [d for d in read_results(entry.out_dir)["documents"] if d["id"] == self.document.id]
        if batch is None or not docs or not docs[0].get("output"):
            raise StateError("document {id} of batch {batch} has no published output", id=self.document.id, batch=self.batch)
        work = target.parent / f".work-{target.stem}"
        try:
            public_copy(store, self.catalog.workspace, batch, docs[0], self.decision, target, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def copy_key(document: str) -> str:
    """A document id as the start of its copies' file names: the id itself when it is a safe file
    name, else its safe form with a hash of the id (never a path: no '/', no '..')."""
    stem = safe_stem(document)
    return document if stem == document else f"{stem}-{id_hash(document)}"


def copy_version(decision: AccessDecision) -> str:
    """The version in a copy's file names: when the decision was stored and its regions."""
    regions = json.dumps([r.to_json() for r in decision.regions], sort_keys=True)
    return hashlib.sha256(f"{decision.at}|{regions}".encode("utf-8")).hexdigest()[:16]


REMOVING = ".removing-"
"""The prefix a copy's PDF is renamed to when the copy is being removed."""
_PART = re.compile(r"^(?P<version>[0-9a-f]{16})(?P<kind>\.pdf|-\d{3}\.alto\.xml|\.lock)$")


def copy_files(folder: Path, document: str) -> dict[str, list[Path]]:
    """The copies of ``document`` in ``folder`` (``<workspace>/openbaar/<batch>``): version -> its
    files (PDF, ALTO files, lock file, a PDF being removed, the work folder and the unfinished
    atomic writes of a make that was killed)."""
    out: dict[str, list[Path]] = {}
    document = copy_key(document)
    if not Path(folder).is_dir():
        return out
    for path in Path(folder).iterdir():
        if path.is_symlink():
            continue
        version = _version_of(temporary_target(path.name) or path.name, document, path.is_dir())
        if version:
            out.setdefault(version, []).append(path)
    return out


def _version_of(name: str, document: str, is_dir: bool) -> str | None:
    head = f"{document}-"
    if name.startswith(".work-" + head):
        rest = name[len(".work-" + head):]
        return rest if is_dir and re.fullmatch(r"[0-9a-f]{16}", rest) else None
    removing = name.startswith(REMOVING + head)
    if removing:
        name = name[len(REMOVING):]
    if not name.startswith(head):
        return None
    m = _PART.match(name[len(head):])
    if m is None or is_dir or (removing and m.group("kind") != ".pdf"):
        return None
    return m.group("version")


def _complete(folder: Path, document: str, version: str, pages: int) -> bool:
    stem = f"{copy_key(document)}-{version}"
    return (folder / f"{stem}.pdf").is_file() and all(
        (folder / f"{stem}-{n:03d}.alto.xml").is_file() for n in range(1, pages + 1))


def remove_superseded(store, workspace_root: Path, batch_name: str, document: str,
                      pages: int | None = None) -> list[str]:
    """Remove the copies of ``document`` whose decision is superseded; return their versions.

    The current decision (the latest stored, read here) keeps its copy. When it is a redaction,
    the others go only when its copy is complete (``pages``: its page count; None: not known, so
    nothing goes yet). A copy another process holds (making it) is left for a later call."""
    from digitalisering.access.policy import current

    batch = store.find_batch(name=batch_name)
    if batch is None:
        return []
    folder = Path(workspace_root) / COPIES_DIR / batch_name
    copies = copy_files(folder, document)
    if not copies:
        return []
    decision = current(store, batch, document)
    keep = copy_version(decision) if decision.state == "redacted" else None
    if keep is not None and (pages is None or not _complete(folder, document, keep, pages)):
        return []
    removed = []
    for version, files in sorted(copies.items()):
        if version == keep:
            continue
        try:
            if _remove_copy(folder, f"{copy_key(document)}-{version}", files):
                removed.append(version)
        except OSError as exc:  # the decision stands; a later removal tries again
            log.warning("could not remove the superseded copy %s-%s: %s", document, version, exc)
    return removed


def _remove_copy(folder: Path, stem: str, files: list[Path]) -> bool:
    """Remove one copy: its PDF renamed away first (one atomic step after which the copy is not
    there for anyone), then the rest; False when another process holds the copy's lock."""
    lock_path = folder / f"{stem}.lock"
    lock = FileLock(lock_path)
    if not lock.acquire():
        return False
    try:
        pdf = folder / f"{stem}.pdf"
        gone = folder / f"{REMOVING}{stem}.pdf"
        if pdf.is_file():
            pdf.replace(gone)
        for path in files:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path not in (pdf, lock_path):
                path.unlink(missing_ok=True)
        gone.unlink(missing_ok=True)
        # lock files stay elsewhere (locks.py); this one goes with its copy, unlinked while held (a
        # reader of the old decision waiting on it would make that copy again, for a later removal)
        lock_path.unlink(missing_ok=True)
    finally:
        lock.release()
    return True
