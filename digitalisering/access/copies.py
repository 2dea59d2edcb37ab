"""The redacted copy of one document as the portal serves it to a reader who may see only that copy
(``policy.may_see`` gives ``Content.REDACTED``): its page images with the decision's regions burned
into the pixels, its words without the covered ones (for the viewer's content search), its public
PDF/A and ALTO files (``publish.public_copy``: the same copy ``access publish`` writes, leak-checked).

Nothing of the original leaves through a ``RedactedDocument``: every image it returns is burned,
every text redacted, and the PDF and ALTO it points to are the public copy. The PDF and ALTO are
made on first request and kept under ``<workspace>/openbaar/<batch>/`` in a file named after the
decision (a new decision makes a new copy; an old one is never served for it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitalisering.access.policy import AccessDecision
from digitalisering.access.redact import burn, page_boxes, redacted_text
from digitalisering.errors import StateError
from digitalisering.locks import FileLock
from digitalisering.ocr.model import PageText

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
        regions = json.dumps([r.to_json() for r in self.decision.regions], sort_keys=True)
        return hashlib.sha256(f"{self.decision.at}|{regions}".encode("utf-8")).hexdigest()[:16]

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
        target = folder / f"{self.document.id}-{self.version}.pdf"
        if target.is_file() and all(p.is_file() for p in self._alto_paths(target)):
            return target
        with _thread_lock(str(target)):
            folder.mkdir(parents=True, exist_ok=True)
            lock = FileLock(target.with_suffix(".lock"))
            if not lock.acquire(wait_s=600):
                raise StateError("another process has been making {target} for 600 s", target=target)
            try:
                if not (target.is_file() and all(p.is_file() for p in self._alto_paths(target))):
                    self._make(target)
            finally:
                lock.release()
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
