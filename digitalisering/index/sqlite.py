"""The embedded search index: SQLite FTS5 in a file of its own beside the state database.

Pages are a contentless FTS5 table over their terms (``index.text``: folded, Dutch-stemmed), ranked
by bm25; the words themselves are kept compressed beside it for snippets and highlights. A
batch is replaced in one ``BEGIN IMMEDIATE`` transaction (WAL: searches go on meanwhile and see the
old rows until it commits). Fuzzy matching looks for words sharing the first or the last three
letters in the vocabulary and keeps those at most one or two edits away (``base.close_enough``).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Iterable, Sequence

from digitalisering.errors import StateError
from digitalisering.index.addresssql import (
    ADDRESS_COLUMNS, Tables, address_matches, address_sql, filter_sql, marks_in, stored_address_rows,
)
from digitalisering.index.base import (
    MAX_ALTERNATIVES, SCHEMA_VERSION, AddressMatch, DocumentInfo, DossierInfo, PageInfo, PageMatch, TextClause,
    close_enough, pack_words, unpack_words, vocabulary, years,
)
from digitalisering.index.model import AddressQuery, DossierRow, Filters, IndexStats
from digitalisering.index.text import page_terms, stem

INDEX_FILE = "search.sqlite"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE batches (name TEXT PRIMARY KEY, indexed_at TEXT NOT NULL, dossiers INTEGER, documents INTEGER,
                      pages INTEGER);
CREATE TABLE dossiers (id INTEGER PRIMARY KEY, batch TEXT NOT NULL, dossier TEXT NOT NULL, folder TEXT,
                       dates TEXT NOT NULL, UNIQUE (batch, dossier));
CREATE TABLE documents (id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL, document TEXT NOT NULL,
                        idx INTEGER NOT NULL, type TEXT, year_from INTEGER, year_to INTEGER, dates TEXT NOT NULL);
CREATE INDEX documents_dossier ON documents (dossier_id);
CREATE TABLE pages (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL, seq INTEGER NOT NULL,
                    number INTEGER NOT NULL, words BLOB);
CREATE INDEX pages_document ON pages (document_id);
CREATE VIRTUAL TABLE page_terms USING fts5 (terms, content='', tokenize='unicode61 remove_diacritics 0');
CREATE TABLE addresses (dossier_id INTEGER NOT NULL, document_id INTEGER, street_key TEXT, street TEXT,
                        number INTEGER, letter TEXT, addition TEXT, postcode TEXT, num_id TEXT, vbo_id TEXT,
                        pand_id TEXT, written TEXT, status TEXT, role TEXT, in_range INTEGER NOT NULL);
CREATE INDEX addresses_street ON addresses (street_key, number);
CREATE INDEX addresses_postcode ON addresses (postcode, number);
CREATE INDEX addresses_num ON addresses (num_id);
CREATE INDEX addresses_vbo ON addresses (vbo_id);
CREATE INDEX addresses_pand ON addresses (pand_id);
CREATE INDEX addresses_dossier ON addresses (dossier_id);
CREATE TABLE vocabulary (word TEXT PRIMARY KEY, backwards TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX vocabulary_backwards ON vocabulary (backwards);
"""
RANK_ALL = 5000
"""A query whose terms are on more pages than this is not ranked over all of them (bm25 reads every
match): the newest matches are taken in index order, up to the cap, and ranked among themselves
(``bench/portal.py``: a word on 40,000 of 50,000 pages took 220 ms ranked in full)."""
CANDIDATES = 2000
"""Vocabulary words compared per probe (first three letters, last three)."""
TABLES = Tables("addresses", "dossiers", "documents")


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying that the file is damaged (a power cut, a half-made copy)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.DatabaseError) and code is not None and \
        code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def remove_files(path: Path) -> None:
    """The index file at ``path`` and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteIndex:
    name = "sqlite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._schema()
        except sqlite3.Error as exc:
            raise StateError("cannot open the search index {path}: {error}", path=self.path, error=exc) from exc

    def _schema(self) -> None:
        have = self.conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if have:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row and row[0] == SCHEMA_VERSION:
                return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            # an index of another version is derived data: dropped and built again by `index`
            for name, kind in self.conn.execute(
                    "SELECT name, type FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                    "AND name NOT LIKE 'page_terms_%' ORDER BY name = 'page_terms'").fetchall():
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def start_afresh(self) -> None:
        """The file removed and made again, empty: the index is derived data, and a damaged one
        (``damaged``) is built again by ``index`` rather than mended."""
        self.conn.close()
        remove_files(self.path)
        self.__init__(self.path)

    # --- writing -----------------------------------------------------------------------------------
    def replace_batch(self, batch: str, dossiers: Iterable[DossierRow]) -> IndexStats:
        started = time.monotonic()
        counts = [0, 0, 0, 0]
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            self._delete(batch)
            ids = [c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0] for t in
                   ("dossiers", "documents", "pages")]
            for dossier in dossiers:
                ids[0] += 1
                counts[0] += 1
                dossier_id = ids[0]
                c.execute("INSERT INTO dossiers VALUES (?,?,?,?,?)",
                          (dossier_id, batch, dossier.id, dossier.folder, "\n".join(dossier.dates)))
                docs, pages, terms, words_seen, addresses = [], [], [], set(), []
                for a in dossier.addresses:
                    addresses += stored_address_rows(dossier_id, None, a)
                for doc in dossier.documents:
                    ids[1] += 1
                    y0, y1 = years(doc.dates or dossier.dates)
                    docs.append((ids[1], dossier_id, doc.id, doc.index, doc.type, y0, y1, "\n".join(doc.dates)))
                    for a in doc.addresses:
                        if a.role == "object" and a not in dossier.addresses:
                            addresses += stored_address_rows(dossier_id, ids[1], a)
                    for page in doc.pages:
                        ids[2] += 1
                        pages.append((ids[2], ids[1], page.seq, page.number, pack_words(page.words)))
                        terms.append((ids[2], page_terms(page.words)))
                        words_seen |= vocabulary(page.words)
                c.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?)", docs)
                c.executemany("INSERT INTO pages VALUES (?,?,?,?,?)", pages)
                c.executemany("INSERT INTO page_terms (rowid, terms) VALUES (?,?)", terms)
                c.executemany(f"INSERT INTO addresses VALUES ({_marks(ADDRESS_COLUMNS)})", addresses)
                c.executemany("INSERT OR IGNORE INTO vocabulary VALUES (?,?)", [(w, w[::-1]) for w in words_seen])
                counts[1] += len(docs)
                counts[2] += len(pages)
                counts[3] += len(addresses)
            c.execute("INSERT INTO batches VALUES (?, datetime('now'), ?, ?, ?)", (batch, *counts[:3]))
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        return IndexStats(batch, *counts, seconds=time.monotonic() - started)

    def _delete(self, batch: str) -> None:
        c = self.conn
        dossier_ids = [r[0] for r in c.execute("SELECT id FROM dossiers WHERE batch=?", (batch,))]
        for i in range(0, len(dossier_ids), 500):
            chunk = dossier_ids[i:i + 500]
            marks = _marks(len(chunk))
            rows = c.execute(f"SELECT p.id, p.words FROM pages p JOIN documents d ON d.id = p.document_id "
                             f"WHERE d.dossier_id IN ({marks})", chunk).fetchall()
            # a contentless FTS5 table forgets a row when given the terms it was indexed with
            c.executemany("INSERT INTO page_terms (page_terms, rowid, terms) VALUES ('delete', ?, ?)",
                          [(pid, page_terms(unpack_words(words))) for pid, words in rows])
            c.execute(f"DELETE FROM pages WHERE document_id IN (SELECT id FROM documents WHERE dossier_id "
                      f"IN ({marks}))", chunk)
            c.execute(f"DELETE FROM documents WHERE dossier_id IN ({marks})", chunk)
            c.execute(f"DELETE FROM addresses WHERE dossier_id IN ({marks})", chunk)
        c.execute("DELETE FROM dossiers WHERE batch=?", (batch,))
        c.execute("DELETE FROM batches WHERE name=?", (batch,))

    def remove_batch(self, batch: str) -> bool:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            known = c.execute("SELECT 1 FROM batches WHERE name=?", (batch,)).fetchone() is not None
            self._delete(batch)
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        return known

    # --- reading -----------------------------------------------------------------------------------
    def batches(self) -> dict[str, tuple[int, int, int]]:
        return {r[0]: (r[1], r[2], r[3]) for r in
                self.conn.execute("SELECT name, dossiers, documents, pages FROM batches ORDER BY name")}

    def streets(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT street FROM addresses WHERE street IS NOT NULL")]

    def similar_words(self, word: str, limit: int = MAX_ALTERNATIVES) -> list[str]:
        if len(word) < 3:
            return []
        found: set[str] = set()
        for column, key in (("word", word[:3]), ("backwards", word[::-1][:3])):
            rows = self.conn.execute(f"SELECT word FROM vocabulary WHERE {column} >= ? AND {column} < ? LIMIT ?",
                                     (key, key + "\uffff", CANDIDATES))
            found.update(r[0] for r in rows if close_enough(word, r[0]))
        return sorted(found, key=lambda w: (_distance(word, w), w))[:limit]

    @staticmethod
    def _fts(clauses: Sequence[TextClause], excluded: Sequence[str]) -> str:
        parts = []
        for clause in clauses:
            if clause.phrase:
                parts.append('"' + " ".join(stem(w) for w in clause.phrase) + '"')
            else:
                stems = sorted({stem(w) for w in clause.words if w})
                parts.append("(" + " OR ".join(f'"{s}"' for s in stems) + ")")
        query = " AND ".join(parts)
        for word in excluded:
            query += f' NOT "{stem(word)}"'
        return query

    def _many(self, fts: str) -> bool:
        """Whether the query matches more than RANK_ALL pages (counted up to that many only: a
        word's page count in fts5vocab reads its whole page list, 20 ms for a number at 1,000,000)."""
        sql = "SELECT count(*) FROM (SELECT rowid FROM page_terms WHERE page_terms MATCH ? LIMIT ?)"
        return self.conn.execute(sql, (fts, RANK_ALL + 1)).fetchone()[0] > RANK_ALL

    def match_text(self, clauses: Sequence[TextClause], excluded: Sequence[str], filters: Filters,
                   dossier_ids: Sequence[int] | None, cap: int) -> list[PageMatch]:
        where, args = filter_sql(filters, dossier_ids)
        columns = ("p.id, p.document_id, d.dossier_id, {score}, d.type, d.year_from, d.year_to, s.batch")
        joins = ("JOIN pages p ON p.id = {rowid} JOIN documents d ON d.id = p.document_id "
                 "JOIN dossiers s ON s.id = d.dossier_id")
        fts = self._fts(clauses, excluded)
        if self._many(fts):  # the newest matches, ranked among themselves
            sql = (f"SELECT {columns.format(score='bm25(page_terms)')} FROM page_terms "
                   f"{joins.format(rowid='page_terms.rowid')} WHERE page_terms MATCH ?{where} "
                   "ORDER BY page_terms.rowid DESC LIMIT ?")
            rows = sorted(self.conn.execute(sql, [fts, *args, cap]), key=lambda r: r[3])
        elif not where:  # rank in the full-text table alone, then join the best
            sql = (f"SELECT {columns.format(score='m.score')} FROM (SELECT rowid, bm25(page_terms) AS score "
                   f"FROM page_terms WHERE page_terms MATCH ? ORDER BY score LIMIT ?) m {joins.format(rowid='m.rowid')} "
                   "ORDER BY m.score")
            rows = self.conn.execute(sql, [fts, cap])
        else:
            sql = (f"SELECT {columns.format(score='bm25(page_terms) AS score')} FROM page_terms "
                   f"{joins.format(rowid='page_terms.rowid')} WHERE page_terms MATCH ?{where} ORDER BY score LIMIT ?")
            rows = self.conn.execute(sql, [fts, *args, cap])
        return [PageMatch(r[0], r[1], r[2], -r[3], *r[4:]) for r in rows]

    def match_address(self, query: AddressQuery, filters: Filters) -> list[AddressMatch]:
        built = address_sql(query, filters, TABLES, marks_in)
        return address_matches(query, self.conn.execute(*built)) if built else []

    def dossiers(self, ids: Sequence[int]) -> dict[int, DossierInfo]:
        return {r[0]: DossierInfo(r[1], r[2], r[3], tuple(d for d in r[4].split("\n") if d))
                for r in self._in("SELECT id, batch, dossier, folder, dates FROM dossiers WHERE id IN ({})", ids)}

    def documents(self, ids: Sequence[int]) -> dict[int, DocumentInfo]:
        return {r[0]: DocumentInfo(r[1], r[2], r[3], r[4], r[5], r[6], tuple(d for d in r[7].split("\n") if d))
                for r in self._in("SELECT id, dossier_id, document, idx, type, year_from, year_to, dates FROM documents "
                                  "WHERE id IN ({})", ids)}

    def documents_of(self, dossier_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for doc_id, dossier_id in self._in("SELECT id, dossier_id FROM documents WHERE dossier_id IN ({}) ORDER BY idx",
                                           dossier_ids):
            out.setdefault(dossier_id, []).append(doc_id)
        return out

    def pages(self, ids: Sequence[int]) -> dict[int, PageInfo]:
        return {r[0]: PageInfo(r[1], r[2], r[3], unpack_words(r[4]))
                for r in self._in("SELECT id, document_id, seq, number, words FROM pages WHERE id IN ({})", ids)}

    def _in(self, sql: str, ids: Sequence):
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            yield from self.conn.execute(sql.format(_marks(len(chunk))), chunk)


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)
