"""What a request reads from: the state database and the catalog of published dossiers.

The app is served by several processes (gunicorn workers), each with a few threads. Every thread
gets its own connection to the state database (a SQLite connection or a PostgreSQL session is used
by one request at a time) and its own catalog on it, opened on first use and kept for the next
request of that thread; nothing is shared between processes, so workers are started after the
fork and never inherit a connection.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from digitalisering.store import Store
from digitalisering.workspace import Workspace


@dataclass(frozen=True)
class Sources:
    store_target: str | Path
    """The SQLite file or a ``postgresql://`` URL."""
    workspace: Workspace
    gazetteer: dict[str, str] | None = None
    """Historic street names for address search (``bag.link.load_gazetteer``)."""


def _file_of(index: Any) -> tuple[int, int] | None:
    """The file a SQLite search index (``path``) reads, as (device, inode): another one once the
    file was replaced; None for an index without a file (PostgreSQL) or none at its path."""
    path = getattr(index, "path", None)
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Resources:
    """Per-thread store and catalog of one app."""

    def __init__(self, sources: Sources):
        self.sources = sources
        self._local = threading.local()

    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.sources.store_target)
        return store

    def searcher(self) -> Any:
        """The thread's searcher on the workspace's search index (``digitalisering.index``), None
        when no batch has been indexed yet. It learns the index's streets once and again when the
        indexed batches change (a run or ``digitalisering index`` added one)."""
        from digitalisering.bag.index import INDEX_FILE as BAG_FILE
        from digitalisering.index.build import open_for
        from digitalisering.index.search import Searcher

        engine = getattr(self._local, "searcher", None)
        if engine is not None and _file_of(engine.index) != self._local.file:
            # ``index`` built a damaged search.sqlite again as a new file: the removed one, still
            # open here, would be read on (without what is indexed from now on) until a restart
            self.forget_searcher()
            engine = None
        if engine is None:
            index = open_for(self.store(), self.sources.workspace)
            engine = self._local.searcher = Searcher(index, self.sources.workspace.root / BAG_FILE,
                                                     self.sources.gazetteer, may_view=_may_view_original,
                                                     public_copy=_public_copy)
            self._local.indexed = None
            self._local.file = _file_of(index)
        indexed = engine.index.batches()
        if not indexed:
            return None
        if indexed != self._local.indexed:
            engine.refresh()
            self._local.indexed = indexed
        return engine

    def forget_searcher(self) -> str:
        """The thread's searcher closed and forgotten (its index could not be read): the next
        search opens the index afresh. Gives the index's location, for the log."""
        engine = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if engine is None:
            from digitalisering.index.sqlite import INDEX_FILE

            return str(self.sources.workspace.root / INDEX_FILE)  # it failed to open
        try:
            engine.index.close()
        except Exception:  # noqa: BLE001 - a damaged file's connection: it is let go either way
            pass
        return str(engine.index.location)

    def catalog(self) -> Any:
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            from digitalisering.catalog import Catalog

            catalog = self._local.catalog = Catalog(self.store(), self.sources.workspace)
        return catalog


def _may_view_original(batch: str, dossier: str | None, document: str | None) -> bool:
    """The search index holds the originals' words: it counts, finds and quotes from them only the
    documents whose original the reader (of the request being served) may see; a redacted copy is
    matched against its own words (``_public_copy``), so neither a restricted document nor a
    redacted word is found, counted in a total or a facet, or shown in a snippet (a count of a
    closed dossier's documents told a public visitor it was there and what it held)."""
    if document is None:
        return False
    return current_app.extensions["digitalisering.may_view"](batch, dossier, document)


def _public_copy(batch: str, dossier: str, document: str):
    """The redacted copy the reader sees of a document whose original is refused (the search finds
    and quotes it only by the words the copy keeps), or None."""
    return current_app.extensions["digitalisering.public_copy"](batch, dossier, document)


def resources() -> Resources:
    return current_app.extensions["digitalisering.resources"]


def store() -> Store:
    """The calling thread's connection to the state database."""
    return resources().store()


def searcher():
    """The calling thread's searcher (``digitalisering.index.search.Searcher``), None without an index."""
    return resources().searcher()


def catalog():
    """The calling thread's catalog (``digitalisering.catalog.Catalog``)."""
    return resources().catalog()
