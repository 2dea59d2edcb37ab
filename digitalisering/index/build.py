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

from digitalisering.catalog import AddressLink, Catalog, CatalogError, DossierEntry
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


def dossier_row(catalog: Catalog, dossier: DossierEntry) -> DossierRow:
    documents = []
    for doc in dossier.documents:
        pages = tuple(PageRow(p.seq, p.number, tuple(w.text for w in catalog.text_of(dossier.batch, p).words))
                      for p in doc.pages)
        documents.append(DocumentRow(doc.id, doc.index, doc.type, tuple(doc.dates), pages,
                                     tuple(r for a in doc.addresses for r in address_rows(a))))
    return DossierRow(dossier.id, dossier.folder, tuple(dossier.dates), tuple(documents),
                      tuple(r for a in dossier.addresses for r in address_rows(a)))


def batch_rows(catalog: Catalog, batch: str, jobs: int = 1, target: Path | str | None = None) -> Iterator[DossierRow]:
    """The batch's dossiers as index rows, in order. With ``jobs`` > 1 and the store's ``target``
    (its SQLite file or PostgreSQL URL), worker processes read the stored OCR (parsing the words
    is most of the cost of building); at most ``WINDOW`` dossiers per worker are read ahead, so
    memory stays flat however large the batch."""
    dossiers = catalog.dossiers(batch)
    if jobs <= 1 or target is None or len(dossiers) < 2:
        for dossier in dossiers:
            yield dossier_row(catalog, dossier)
        return
    try:
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_start_worker,
                                 initargs=(str(target), str(catalog.workspace.root))) as pool:
            pending: deque = deque()
            for dossier in dossiers:
                pending.append(pool.submit(_worker_row, batch, dossier.id))
                if len(pending) >= WINDOW * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    except BrokenProcessPool as exc:
        raise StateError(f"a process reading the stored OCR of batch {batch} stopped ({exc}); "
                         "the index keeps the batch's previous rows: run `digitalisering index` again") from exc


WINDOW = 8
_worker: dict = {}


def _start_worker(target: str, root: str) -> None:
    store = Store(target)
    _worker["catalog"] = Catalog(store, Workspace(Path(root)))


def _worker_row(batch: str, dossier_id: str) -> DossierRow:
    catalog = _worker["catalog"]
    return dossier_row(catalog, catalog.dossier(batch, dossier_id))


def update_batch(index: SearchIndex, catalog: Catalog, batch: str, jobs: int = 1,
                 target: Path | str | None = None) -> IndexStats:
    """Replace ``batch``'s rows with what it has published now."""
    return index.replace_batch(batch, batch_rows(catalog, batch, jobs, target))


def rebuild(index: SearchIndex, catalog: Catalog, batch: str | None = None, jobs: int = 1,
            target: Path | str | None = None) -> list[IndexStats]:
    """Index one published batch, or every one (and forget indexed batches that are no longer
    published). CatalogError when ``batch`` was never published."""
    if batch is not None:
        return [update_batch(index, catalog, catalog.batch(batch).name, jobs, target)]
    published = [b.name for b in catalog.batches()]
    for stale in set(index.batches()) - set(published):
        index.remove_batch(stale)
    return [update_batch(index, catalog, name, jobs, target) for name in published]


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


__all__ = ["CatalogError", "address_rows", "batch_rows", "dossier_row", "index_after_run", "open_for", "rebuild",
           "update_batch"]
