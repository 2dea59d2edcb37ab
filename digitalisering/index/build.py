"""Fill the search index from what runs published (the catalog): per batch, or all of them.

``update_batch`` is what the end of every ``run`` calls (the runner imports this module; this
module never imports the runner); ``rebuild`` is ``digitalisering index [BATCH]``. A batch's rows
are made dossier by dossier as a stream (the page words are read from the stored OCR, one page at
a time), so memory does not grow with the batch; the backend swaps them in in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from digitalisering.catalog import AddressLink, Catalog, CatalogError, DossierEntry
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


def batch_rows(catalog: Catalog, batch: str) -> Iterator[DossierRow]:
    for dossier in catalog.dossiers(batch):
        yield dossier_row(catalog, dossier)


def update_batch(index: SearchIndex, catalog: Catalog, batch: str) -> IndexStats:
    """Replace ``batch``'s rows with what it has published now."""
    return index.replace_batch(batch, batch_rows(catalog, batch))


def rebuild(index: SearchIndex, catalog: Catalog, batch: str | None = None) -> list[IndexStats]:
    """Index one published batch, or every one (and forget indexed batches that are no longer
    published). CatalogError when ``batch`` was never published."""
    if batch is not None:
        return [update_batch(index, catalog, catalog.batch(batch).name)]
    published = [b.name for b in catalog.batches()]
    for stale in set(index.batches()) - set(published):
        index.remove_batch(stale)
    return [update_batch(index, catalog, name) for name in published]


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
