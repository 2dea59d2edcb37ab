"""Fill the search index from what runs published (the catalog): per batch, or all of them.

``update_batch`` is what the end of every ``run`` calls (the runner imports this module; this
module never imports the runner); ``rebuild`` is ``digitalisering index [BATCH]``. A batch's rows
are made dossier by dossier as a stream (the page words are read from the stored OCR, one page at
a time), so memory does not grow with the batch; the backend swaps them in in one transaction.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Iterator

from digitalisering.catalog import AddressLink, Catalog, CatalogError, DossierEntry, PageEntry
from digitalisering.errors import StateError
from digitalisering.index.base import SearchIndex
from digitalisering.index.model import AddressRow, DocumentRow, DossierRow, IndexStats, PageRow
from digitalisering.store import Store
from digitalisering.workspace import Workspace


def address_rows(link: AddressLink) -> list[AddressRow]:
    """One row per nummeraanduiding the link names (an ambiguous link names several), and one for
    each further verblijfsobject and pand, so every BAG id finds the dossier."""
    base = dict(street=link.street, number=link.number, letter=link.letter, addition=link.addition,
                postcode=(link.postcode or "").replace(" ", "").upper() or None, written=link.written,
                status=link.status, role=link.role)
    nums = link.num_ids or (None,)
    rows = [AddressRow(**base, num_id=n, vbo_id=link.vbo_id, pand_id=link.pand_id) for n in nums]
    rows += [AddressRow(**base, vbo_id=v) for v in link.vbo_ids[1:]]
    rows += [AddressRow(**base, pand_id=p) for p in link.pand_ids[1:]]
    return rows


def dossier_row(catalog: Catalog, dossier: DossierEntry, words: list[tuple[str, ...]] | None = None) -> DossierRow:
    """A dossier as index rows; ``words``: its pages' words in page order when already read."""
    texts = iter(words) if words is not None else None
    documents = []
    for doc in dossier.documents:
        pages = tuple(PageRow(p.seq, p.number, next(texts) if texts is not None else _words(catalog, dossier.batch, p))
                      for p in doc.pages)
        documents.append(DocumentRow(doc.id, doc.index, doc.type, tuple(doc.dates), pages,
                                     tuple(r for a in doc.addresses for r in address_rows(a))))
    return DossierRow(dossier.id, dossier.folder, tuple(dossier.dates), tuple(documents),
                      tuple(r for a in dossier.addresses for r in address_rows(a)))


def _words(catalog: Catalog, batch: str, page: PageEntry) -> tuple[str, ...]:
    return tuple(w.text for w in catalog.text_of(batch, page).words)


class Readers:
    """Worker processes that read pages' stored OCR for ``batch_rows`` (parsing the words is most of
    the cost of building an index); started on first use and kept for every batch of a rebuild."""

    MIN_PAGES = 500
    """Smaller batches are read in this process (starting the workers costs more)."""

    def __init__(self, jobs: int, target: Path | str, workspace_root: Path):
        self.jobs, self.target, self.root = jobs, str(target), str(workspace_root)
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=get_context("spawn"), initializer=_start_worker,
                                             initargs=(self.target, self.root))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Readers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batch_rows(catalog: Catalog, batch: str, readers: Readers | None = None) -> Iterator[DossierRow]:
    """The batch's dossiers as index rows, in order; with ``readers``, a large batch's pages are
    read by worker processes (the dossiers come from this process's catalog), at most ``WINDOW``
    dossiers per worker ahead, so memory stays flat however large the batch."""
    dossiers = catalog.dossiers(batch)
    if readers is None or readers.jobs <= 1 or sum(len(d.pages) for d in dossiers) < readers.MIN_PAGES:
        for dossier in dossiers:
            yield dossier_row(catalog, dossier)
        return
    try:
        pool = readers.pool()
        pending: deque = deque()
        for dossier in dossiers:
            pending.append((dossier, pool.submit(_worker_words, batch, dossier.pages)))
            if len(pending) >= WINDOW * readers.jobs:
                done, future = pending.popleft()
                yield dossier_row(catalog, done, future.result())
        while pending:
            done, future = pending.popleft()
            yield dossier_row(catalog, done, future.result())
    except BrokenProcessPool as exc:
        readers.close()
        raise StateError("a process reading the stored OCR of batch {batch} stopped ({error}); the index keeps the batch's previous rows: run `digitalisering index` again", batch=batch, error=exc) from exc


WINDOW = 8
_worker: dict = {}


def _start_worker(target: str, root: str) -> None:
    _worker["catalog"] = Catalog(Store(target), Workspace(Path(root)))


def _worker_words(batch: str, pages: tuple[PageEntry, ...]) -> list[tuple[str, ...]]:
    catalog = _worker["catalog"]
    return [_words(catalog, batch, p) for p in pages]


def update_batch(index: SearchIndex, catalog: Catalog, batch: str, readers: Readers | None = None) -> IndexStats:
    """Replace ``batch``'s rows with what it has published now."""
    return index.replace_batch(batch, batch_rows(catalog, batch, readers))


def rebuild(index: SearchIndex, catalog: Catalog, batch: str | None = None,
            readers: Readers | None = None) -> list[IndexStats]:
    """Index one published batch, or every one (and forget indexed batches that are no longer
    published). CatalogError when ``batch`` was never published."""
    if batch is not None:
        return [update_batch(index, catalog, catalog.batch(batch).name, readers)]
    published = [b.name for b in catalog.batches()]
    for stale in set(index.batches()) - set(published):
        index.remove_batch(stale)
    return [update_batch(index, catalog, name, readers) for name in published]


def open_for(store: Store, workspace: Workspace) -> SearchIndex:
    """The index that belongs with this store: PostgreSQL on the store's own connection when the
    state is there, else ``search.sqlite`` in the workspace."""
    if store.db.name == "postgresql":
        from digitalisering.index.postgres import PostgresIndex

        return PostgresIndex(conn=store.db.conn, location=store.db.location)
    from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex

    return SqliteIndex(Path(workspace.root) / INDEX_FILE)


def index_after_run(store: Store, workspace: Workspace, batch: str) -> IndexStats:
    """The end of a run: the batch's rows in the workspace's index (CatalogError, StateError on failure)."""
    index = open_for(store, workspace)
    try:
        return update_batch(index, Catalog(store, workspace), batch)
    finally:
        index.close()


def index_after_move(target_url: str, workspace: Workspace) -> list[IndexStats]:
    """The end of ``db move``: every published batch indexed into the PostgreSQL database the state
    moved to (its own ``search_*`` tables; the workspace's ``search.sqlite`` stays with the SQLite
    state). Not in the move's transaction: the index is made from the committed state, like
    ``digitalisering --db URL index``, which repeats it (CatalogError, StateError on failure)."""
    with Store(target_url) as store:
        index = open_for(store, workspace)
        try:
            return rebuild(index, Catalog(store, workspace))
        finally:
            index.close()


__all__ = ["CatalogError", "Readers", "address_rows", "batch_rows", "dossier_row", "index_after_move",
           "index_after_run", "open_for", "rebuild", "update_batch"]
