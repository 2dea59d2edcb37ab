"""The shared search index: PostgreSQL full-text search beside the shared state database.

Several portal processes and stations read one index. Pages carry a ``tsvector`` made by the
``dutch`` text search configuration (Snowball Dutch stems, Dutch stop words) from the page's folded
tokens (``index.text``: the same tokens the SQLite backend stems, so both find the same pages), with
a GIN index, ranked by ``ts_rank_cd``. The vocabulary of words seen has a ``pg_trgm`` GIN index:
fuzzy matching asks it for look-alikes (``word % typed``) and keeps those one or two edits away,
as the SQLite backend does. Phrases: PostgreSQL checks word positions only on the table row (GIN
keeps no positions), so a phrase of common words ("het werk", "adres a") rechecked every page
holding both words (about 75,000 at 1,000,000 pages: the text p95 127 ms in ``bench/portal.py``).
Each page therefore also carries ``pairs``, a ``tsvector`` of its adjacent lexeme pairs made by
PostgreSQL itself from ``tsv`` (``search_pairs``: the same stems and positions the phrase check
reads), with a GIN index of its own; a phrase query first takes the pages whose pairs hold every
adjacent pair of the phrase (exact for a two-word phrase) and then checks the phrase on those
only, so the matches, their order and their ranks are the ones the phrase check alone gives. A
batch is replaced in one transaction under an advisory lock on its name (two stations indexing the
same batch take turns). Tables are named ``search_*``; an index of
another schema version is dropped and built again by ``digitalisering index``.
"""

from __future__ import annotations

import re
import time
import zlib
from typing import Iterable, Sequence

from digitalisering.errors import MissingDependencyError, StateError, first_line
from digitalisering.index.addresssql import (
    ADDRESS_COLUMNS, Tables, address_matches, address_sql, any_in, filter_sql, stored_address_rows,
)
from digitalisering.index.base import (
    MAX_ALTERNATIVES, SCHEMA_VERSION, AddressMatch, DocumentInfo, DossierInfo, PageInfo, PageMatch, TextClause,
    close_enough, pack_words, unpack_words, vocabulary, years,
)
from digitalisering.index.model import AddressQuery, DossierRow, Filters, IndexStats
from digitalisering.index.text import _TOKEN, fold

ADDRESS_TABLES = Tables("search_addresses", "search_dossiers", "search_documents")
TABLES = ("search_meta", "search_batches", "search_dossiers", "search_documents", "search_pages", "search_addresses",
          "search_vocabulary")
SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION search_pairs(t tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH x AS (SELECT u.lexeme, p FROM unnest(t) u, unnest(u.positions) p)
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector)
  FROM x a JOIN x b ON b.p = a.p + 1 $$;
CREATE SEQUENCE search_ids;
CREATE TABLE search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE search_batches (name TEXT PRIMARY KEY, indexed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                             dossiers INTEGER, documents INTEGER, pages INTEGER);
CREATE TABLE search_dossiers (id BIGINT PRIMARY KEY, batch TEXT NOT NULL, dossier TEXT NOT NULL, folder TEXT,
                              dates TEXT NOT NULL, UNIQUE (batch, dossier));
CREATE TABLE search_documents (id BIGINT PRIMARY KEY, dossier_id BIGINT NOT NULL, document TEXT NOT NULL,
                               idx INTEGER NOT NULL, type TEXT, year_from INTEGER, year_to INTEGER, dates TEXT NOT NULL);
CREATE INDEX search_documents_dossier ON search_documents (dossier_id);
CREATE TABLE search_pages (id BIGINT PRIMARY KEY, document_id BIGINT NOT NULL, seq INTEGER NOT NULL,
                           number INTEGER NOT NULL, words BYTEA, tsv TSVECTOR NOT NULL, pairs TSVECTOR NOT NULL);
CREATE INDEX search_pages_document ON search_pages (document_id);
CREATE INDEX search_pages_tsv ON search_pages USING GIN (tsv);
CREATE INDEX search_pages_pairs ON search_pages USING GIN (pairs);
CREATE TABLE search_addresses (dossier_id BIGINT NOT NULL, document_id BIGINT, street_key TEXT, street TEXT,
                               number INTEGER, letter TEXT, addition TEXT, postcode TEXT, num_id TEXT, vbo_id TEXT,
                               pand_id TEXT, written TEXT, status TEXT, role TEXT, in_range INTEGER NOT NULL);
CREATE INDEX search_addresses_street ON search_addresses (street_key, number);
CREATE INDEX search_addresses_postcode ON search_addresses (postcode, number);
CREATE INDEX search_addresses_num ON search_addresses (num_id);
CREATE INDEX search_addresses_vbo ON search_addresses (vbo_id);
CREATE INDEX search_addresses_pand ON search_addresses (pand_id);
CREATE INDEX search_addresses_dossier ON search_addresses (dossier_id);
CREATE TABLE search_vocabulary (word TEXT PRIMARY KEY);
CREATE INDEX search_vocabulary_trgm ON search_vocabulary USING GIN (word gin_trgm_ops)
"""
CHUNK_PAGES = 500
PG_SCHEMA_VERSION = f"{SCHEMA_VERSION}+pairs"
"""The shared schema version and this backend's own change (the ``pairs`` column): an index without
it is dropped and built again by ``digitalisering index``."""
SCHEMA_LOCK = zlib.crc32(b"digitalisering:search-schema")
RANK_AT_MOST = 1000
"""Matching pages ranked per query at most (ts_rank_cd reads each page's tsvector): a common word's
first 1,000 matches in table order are ranked, as SQLite ranks a common word's newest 1,000
(``bench/portal.py`` at 1,000,000 pages: ranking 5,000 made the text p95 249 ms)."""
COMMON_SHARE = 0.2
COMMON_PAGES = 20 * RANK_AT_MOST
"""A query the statistics put on at least a fifth of the pages, and 20,000 of them, reads the table
in order: the first 1,000 matches come within about 5,000 rows, while the GIN index lists every
match first (at 200,000 synthetic pages of ``bench/portal.py``, "leiden" on 172,000 of them: the
index listed them in 15 ms, the table read found the first 1,000 in 1,160 rows, 3.4 ms; the index
is the better way below that share, where a table read finds its 1,000 slowly: tsvector matching
costs the planner far less than it takes, so the planner is not asked to choose)."""


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def tokens(words: Sequence[str]) -> str:
    """The page as ``to_tsvector('dutch', ...)`` reads it: folded letter-and-digit tokens."""
    return " ".join(t for w in words for t in _TOKEN.findall(fold(w)) if len(t) <= 40)


_PHRASE = re.compile(r"'((?:[^']|'')*)'(?:\s+<(-|\d+)>\s+|$)")


def adjacent_pairs(normal: str) -> list[str]:
    """The pairs of lexemes next to each other (``<->``) in a normalised phrase query as PostgreSQL
    prints it (``'adres' <-> 'a'``, ``'werk' <3> 'gemeent'``), each as a quoted ``tsquery``
    lexeme; none when the query is not a plain phrase (then no pages are left out by pairs)."""
    parts = list(_PHRASE.finditer(normal))
    if not parts or "".join(m.group(0) for m in parts).strip() != normal.strip():
        return []
    out = []
    for left, right in zip(parts, parts[1:]):
        if left.group(2) == "-":
            lexeme = f"{left.group(1)} {right.group(1)}"
            out.append(f"'{lexeme}'")
    return out


def tsquery(clauses: Sequence[TextClause], excluded: Sequence[str]) -> str:
    parts = []
    for clause in clauses:
        if clause.phrase:
            parts.append("(" + " <-> ".join(clause.phrase) + ")")
        else:
            parts.append("(" + " | ".join(dict.fromkeys(clause.words)) + ")")
    parts += [f"!{w}" for w in excluded]
    return " & ".join(parts)


class PostgresIndex:
    name = "postgresql"

    def __init__(self, url: str | None = None, *, conn=None, location: str | None = None):
        """Connect to ``url``, or use ``conn`` (an autocommit psycopg connection: the store's)."""
        try:
            import psycopg
        except ImportError as exc:
            raise MissingDependencyError(
                "PostgreSQL needs the psycopg package: .venv/bin/pip install 'psycopg[binary]'") from exc
        from digitalisering.store.backend import _hide_password

        self.location = location or _hide_password(url or "")
        self._own = conn is None
        try:
            self.conn = conn if conn is not None else psycopg.connect(url, autocommit=True, connect_timeout=15)
            # the first matches in table order are the ones ranked (match_text): a scan joining
            # another one midway or split over workers would change which (the store's small
            # queries, when it is the store's connection, lose nothing by it)
            self.conn.execute("SET synchronize_seqscans = off")
            self.conn.execute("SET max_parallel_workers_per_gather = 0")
            self._schema()
        except psycopg.Error as exc:
            raise StateError("search index in {location}: {value}", location=self.location, value=first_line(exc)) from exc

    def _schema(self) -> None:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            have = self.conn.execute("SELECT to_regclass('search_meta')").fetchone()[0]
            if have:
                row = self.conn.execute("SELECT value FROM search_meta WHERE key='schema'").fetchone()
                if row and row[0] == PG_SCHEMA_VERSION:
                    return
            for table in TABLES:
                self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            self.conn.execute("DROP SEQUENCE IF EXISTS search_ids")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            self.conn.execute("INSERT INTO search_meta VALUES ('schema', %s)", (PG_SCHEMA_VERSION,))

    def close(self) -> None:
        if self._own:
            self.conn.close()

    # --- writing -----------------------------------------------------------------------------------
    def replace_batch(self, batch: str, dossiers: Iterable[DossierRow]) -> IndexStats:
        started = time.monotonic()
        counts = [0, 0, 0, 0]
        c = self.conn
        with c.transaction():
            c.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(f"digitalisering:search:{batch}".encode()),))
            self._delete(batch)
            # pages go with COPY into a staging table and get their tsvector in one statement at the
            # end (row-by-row INSERTs made the build wait on the network); rows are sent in chunks
            # of about CHUNK_PAGES pages, so memory does not grow with the batch
            c.execute("CREATE TEMP TABLE search_stage (id BIGINT, document_id BIGINT, seq INTEGER, number INTEGER, "
                      "words BYTEA, tokens TEXT) ON COMMIT DROP")
            chunk: list[DossierRow] = []
            pages = 0
            for dossier in dossiers:
                chunk.append(dossier)
                pages += sum(len(d.pages) for d in dossier.documents)
                if pages >= CHUNK_PAGES:
                    self._flush(batch, chunk, counts)
                    chunk, pages = [], 0
            self._flush(batch, chunk, counts)
            c.execute("INSERT INTO search_pages SELECT id, document_id, seq, number, words, tsv, search_pairs(tsv) "
                      "FROM (SELECT *, to_tsvector('dutch', tokens) AS tsv FROM search_stage) staged")
            c.execute("INSERT INTO search_batches (name, dossiers, documents, pages) VALUES (%s,%s,%s,%s)",
                      (batch, *counts[:3]))
        return IndexStats(batch, *counts, seconds=time.monotonic() - started)

    def _flush(self, batch: str, chunk: list[DossierRow], counts: list[int]) -> None:
        if not chunk:
            return
        c = self.conn
        n = sum(1 + len(d.documents) + sum(len(doc.pages) for doc in d.documents) for d in chunk)
        ids = iter(r[0] for r in c.execute("SELECT nextval('search_ids') FROM generate_series(1, %s)", (n,)))
        dossier_rows, docs, pages, seen, addresses = [], [], [], set(), []
        for dossier in chunk:
            dossier_id = next(ids)
            dossier_rows.append((dossier_id, batch, dossier.id, dossier.folder, "\n".join(dossier.dates)))
            for a in dossier.addresses:
                addresses += stored_address_rows(dossier_id, None, a)
            for doc in dossier.documents:
                doc_id = next(ids)
                y0, y1 = years(doc.dates or dossier.dates)
                docs.append((doc_id, dossier_id, doc.id, doc.index, doc.type, y0, y1, "\n".join(doc.dates)))
                for a in doc.addresses:
                    if a.role == "object" and a not in dossier.addresses:
                        addresses += stored_address_rows(dossier_id, doc_id, a)
                for page in doc.pages:
                    pages.append((next(ids), doc_id, page.seq, page.number, pack_words(page.words), tokens(page.words)))
                    seen |= vocabulary(page.words)
        with c.cursor() as cur:
            cur.executemany("INSERT INTO search_dossiers VALUES (%s,%s,%s,%s,%s)", dossier_rows)
            cur.executemany("INSERT INTO search_documents VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", docs)
            cur.executemany(f"INSERT INTO search_addresses VALUES ({','.join(['%s'] * ADDRESS_COLUMNS)})", addresses)
            cur.executemany("INSERT INTO search_vocabulary VALUES (%s) ON CONFLICT DO NOTHING",
                            [(w,) for w in sorted(seen)])
            with cur.copy("COPY search_stage FROM STDIN") as copy:
                for row in pages:
                    copy.write_row(row)
        counts[0] += len(dossier_rows)
        counts[1] += len(docs)
        counts[2] += len(pages)
        counts[3] += len(addresses)

    def _delete(self, batch: str) -> None:
        c = self.conn
        sub = "SELECT id FROM search_dossiers WHERE batch=%s"
        c.execute(f"DELETE FROM search_pages WHERE document_id IN (SELECT id FROM search_documents WHERE dossier_id "
                  f"IN ({sub}))", (batch,))
        c.execute(f"DELETE FROM search_documents WHERE dossier_id IN ({sub})", (batch,))
        c.execute(f"DELETE FROM search_addresses WHERE dossier_id IN ({sub})", (batch,))
        c.execute("DELETE FROM search_dossiers WHERE batch=%s", (batch,))
        c.execute("DELETE FROM search_batches WHERE name=%s", (batch,))

    def remove_batch(self, batch: str) -> bool:
        with self.conn.transaction():
            known = self.conn.execute("SELECT 1 FROM search_batches WHERE name=%s", (batch,)).fetchone() is not None
            self._delete(batch)
        return known

    # --- reading -----------------------------------------------------------------------------------
    def batches(self) -> dict[str, tuple[int, int, int]]:
        return {r[0]: (r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT name, dossiers, documents, pages FROM search_batches ORDER BY name")}

    def streets(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT street FROM search_addresses WHERE street IS NOT NULL")]

    def similar_words(self, word: str, limit: int = MAX_ALTERNATIVES) -> list[str]:
        rows = self.conn.execute("SELECT word FROM search_vocabulary WHERE word %% %s ORDER BY word <-> %s LIMIT 100",
                                 (word, word))
        return [r[0] for r in rows if close_enough(word, r[0])][:limit]

    def match_text(self, clauses: Sequence[TextClause], excluded: Sequence[str], filters: Filters,
                   dossier_ids: Sequence[int] | None, cap: int) -> list[PageMatch]:
        where, args = filter_sql(filters, dossier_ids)
        pairs = self._pairs([c.phrase for c in clauses if c.phrase])
        if pairs is None:
            pages, pargs = "search_pages", []
        elif dossier_ids is None:  # the pages holding the phrases' pairs first (a fence: OFFSET 0)
            pages, pargs = "(SELECT * FROM search_pages WHERE pairs @@ %s::tsquery OFFSET 0)", [pairs]
        else:  # a few dossiers' pages: the planner chooses between their pages and the pairs
            where, args = f"{where} AND p.pairs @@ ?::tsquery", [*args, pairs]
            pages, pargs = "search_pages", []
        text = tsquery(clauses, excluded)
        match = "p.tsv @@ q.q"
        if pairs is None and not where and self._common(text):
            # on most pages: read the table in order until RANK_AT_MOST match (a few thousand rows)
            # instead of the whole GIN posting list (860,000 entries for "leiden" at 1,000,000 pages,
            # 75 ms); coalesce keeps the planner off the index. Either way the first matches in
            # table order are ranked (no parallel or synchronised scans: they change that order)
            match = "coalesce(p.tsv, ''::tsvector) @@ q.q"
        sql = ("WITH q AS (SELECT to_tsquery('dutch', %s) AS q), m AS (SELECT p.id, p.document_id, d.dossier_id, p.tsv, "
               "d.type, d.year_from, d.year_to, s.batch "
               f"FROM {pages} p JOIN search_documents d ON d.id = p.document_id "
               "JOIN search_dossiers s ON s.id = d.dossier_id, q "
               f"WHERE {match}{_pg(where)} LIMIT %s) "
               "SELECT m.id, m.document_id, m.dossier_id, ts_rank_cd(m.tsv, q.q) AS score, m.type, m.year_from, m.year_to, "
               "m.batch FROM m, q "
               "ORDER BY score DESC, m.id LIMIT %s")
        rows = self.conn.execute(sql, [text, *pargs, *args, RANK_AT_MOST, cap])
        return [PageMatch(r[0], r[1], r[2], float(r[3]), *r[4:]) for r in rows]

    def _common(self, text: str) -> bool:
        """Whether the planner's estimate from the column statistics (ANALYZE's most common
        lexemes) puts the query on at least COMMON_SHARE of the pages and COMMON_PAGES pages: a
        table read in order finds RANK_AT_MOST of them sooner than the index lists them all."""
        plan = self.conn.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM search_pages WHERE tsv @@ to_tsquery('dutch', %s)",
                                 (text,)).fetchone()[0]
        plan = plan[0]["Plan"] if isinstance(plan, list) else plan
        total = self.conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'search_pages'::regclass").fetchone()[0]
        estimate = plan.get("Plan Rows", 0)
        return total > 0 and estimate >= COMMON_PAGES and estimate >= COMMON_SHARE * total

    def _pairs(self, phrases: Sequence[tuple[str, ...]]) -> str | None:
        """The adjacent lexeme pairs every page matching the phrases holds, as a ``tsquery`` for
        ``pairs`` (None: no phrase has two adjacent lexemes, e.g. "het werk" is 'werk' alone)."""
        if not phrases:
            return None
        found: dict[str, None] = {}
        for (normal,) in self.conn.execute(
                "SELECT to_tsquery('dutch', p)::text FROM unnest(%s::text[]) p",
                (["(" + " <-> ".join(phrase) + ")" for phrase in phrases],)):
            found.update(dict.fromkeys(adjacent_pairs(normal)))
        return " & ".join(found) or None

    def match_address(self, query: AddressQuery, filters: Filters) -> list[AddressMatch]:
        built = address_sql(query, filters, ADDRESS_TABLES, any_in)
        return address_matches(query, self.conn.execute(_pg(built[0]), built[1])) if built else []

    def dossiers(self, ids: Sequence[int]) -> dict[int, DossierInfo]:
        rows = self.conn.execute("SELECT id, batch, dossier, folder, dates FROM search_dossiers WHERE id = ANY(%s)",
                                 (list(ids),))
        return {r[0]: DossierInfo(r[1], r[2], r[3], tuple(d for d in r[4].split("\n") if d)) for r in rows}

    def documents(self, ids: Sequence[int]) -> dict[int, DocumentInfo]:
        rows = self.conn.execute("SELECT id, dossier_id, document, idx, type, year_from, year_to, dates "
                                 "FROM search_documents WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: DocumentInfo(r[1], r[2], r[3], r[4], r[5], r[6], tuple(d for d in r[7].split("\n") if d))
                for r in rows}

    def documents_of(self, dossier_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for doc_id, dossier_id in self.conn.execute(
                "SELECT id, dossier_id FROM search_documents WHERE dossier_id = ANY(%s) ORDER BY idx",
                (list(dossier_ids),)):
            out.setdefault(dossier_id, []).append(doc_id)
        return out

    def pages(self, ids: Sequence[int]) -> dict[int, PageInfo]:
        rows = self.conn.execute("SELECT id, document_id, seq, number, words FROM search_pages WHERE id = ANY(%s)",
                                 (list(ids),))
        return {r[0]: PageInfo(r[1], r[2], r[3], unpack_words(r[4])) for r in rows}
