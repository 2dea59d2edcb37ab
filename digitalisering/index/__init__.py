"""The search index: dossiers, documents, pages and BAG links, searched by address and full text.

``open_index(workspace, db)`` gives the backend the workspace uses (SQLite FTS5 in the workspace, or
PostgreSQL when the state lives there); ``index.build`` fills it per batch from the catalog;
``index.search.Searcher`` answers ``SearchQuery`` with ``SearchResult`` (``index.model``).

For the portal::

    from digitalisering.index import Filters, SearchQuery, open_searcher
    from digitalisering.index.search import QueryError   # a query that cannot be searched: str(err)

    searcher = open_searcher(store, workspace, may_view=original_viewer(store, role_of))  # one per thread
    result = searcher.search(SearchQuery("Breestraat 12", Filters(types=("vergunning",)), limit=20))
    result.total, result.facets["type"], result.address  # how the address was read
    for hit in result.hits:                              # DossierHit: batch, dossier, documents, addresses
        for page in hit.pages:                           # PageHit: seq, number, document, snippet
            boxes = [catalog.page_text(hit.batch, page.seq).words[i] for i in page.words]
"""

from __future__ import annotations

from pathlib import Path

from digitalisering.index.base import SearchIndex
from digitalisering.index.model import (
    AddressHit, AddressQuery, AddressRow, DocumentHit, DocumentRow, DossierHit, DossierRow, FacetValue, Filters,
    IndexStats, PageHit, PageRow, SearchQuery, SearchResult, SnippetPart, TextQuery,
)


def open_index(workspace_root: Path, db: str | None = None) -> SearchIndex:
    """The workspace's search index: PostgreSQL when ``db`` is a ``postgresql://`` URL (the shared
    state database holds it too), else ``search.sqlite`` in the workspace."""
    if db and str(db).startswith(("postgresql://", "postgres://")):
        from digitalisering.index.postgres import PostgresIndex

        return PostgresIndex(str(db))
    from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex

    return SqliteIndex(Path(workspace_root) / INDEX_FILE)


def open_searcher(store, workspace, gazetteer: Path | None = None, may_view=None):
    """A ``Searcher`` over the workspace's index (the one that goes with ``store``), using the
    workspace's BAG index for the address history and ``gazetteer`` (the CSV of historic street
    names) when given; ``may_view(batch, dossier, document)`` leaves out what the reader may not see
    (pass ``access.policy.original_viewer(store, role_of)`` for a public portal). Not to be shared
    between threads: a portal opens one per worker thread."""
    from digitalisering.bag.index import INDEX_FILE as BAG_FILE
    from digitalisering.bag.link import load_gazetteer
    from digitalisering.index.build import open_for
    from digitalisering.index.search import Searcher

    variants = load_gazetteer(gazetteer) if gazetteer else None
    return Searcher(open_for(store, workspace), Path(workspace.root) / BAG_FILE, variants, may_view)


__all__ = [
    "AddressHit", "AddressQuery", "AddressRow", "DocumentHit", "DocumentRow", "DossierHit", "DossierRow", "FacetValue",
    "Filters", "IndexStats", "PageHit", "PageRow", "SearchIndex", "SearchQuery", "SearchResult", "SnippetPart",
    "TextQuery", "open_index", "open_searcher",
]
