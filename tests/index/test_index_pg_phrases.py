"""PostgreSQL phrases through the ``pairs`` column: the same pages as the phrase check alone."""

from __future__ import annotations

import pytest
from index_rows import page

from digitalisering.index.base import TextClause
from digitalisering.index.model import DocumentRow, DossierRow, Filters, SearchQuery
from digitalisering.index.postgres import PostgresIndex, adjacent_pairs
from digitalisering.index.search import Searcher


def test_adjacent_pairs_of_a_normalised_phrase():
    assert adjacent_pairs("'adres' <-> 'a'") == ["'adres a'"]
    assert adjacent_pairs("'a' <-> 'b' <2> 'c' <-> 'd'") == ["'a b'", "'c d'"]
    assert adjacent_pairs("'werk' <3> 'gemeent'") == []   # a stop word between: no adjacent pair
    assert adjacent_pairs("'werk'") == [] and adjacent_pairs("") == []
    assert adjacent_pairs("'a' & 'b'") == []               # not a plain phrase: nothing left out
    assert adjacent_pairs("'it''s' <-> 'x'") == ["'it''s x'"]


TEXTS = [
    "het werk van de gemeente Leiden aan het adres A. Breestraat",
    "de gemeente werk Leiden adres",                       # the words, not next to each other
    "aan het werk voor de gemeente: adres a Breestraat 12",
    "gemeente Leiden gemeente Leiden nieuwe dakkapel",
    "Leiden gemeente werk van de Leiden",
    "adres adres a a werk werk",
]
PHRASES = [("adres", "a"), ("gemeente", "leiden"), ("het", "werk"), ("werk", "van", "de", "gemeente"),
           ("leiden", "gemeente"), ("nieuwe", "dakkapel"), ("dakkapel", "nieuwe"), ("adres", "a", "breestraat"),
           ("a", "werk"), ("van", "de")]


@pytest.mark.slow
def test_phrases_find_the_pages_the_phrase_check_alone_finds(pg_url):
    index = PostgresIndex(pg_url)
    try:
        pages = tuple(page(i, i + 1, TEXTS[i % len(TEXTS)]) for i in range(60))
        index.replace_batch("b1", [DossierRow("D1", "D1", (), (DocumentRow("D1-01", 1, "brief", (), pages),), ())])
        for phrase in PHRASES:
            query = "(" + " <-> ".join(phrase) + ")"
            alone = {r[0] for r in index.conn.execute(
                "SELECT id FROM search_pages WHERE tsv @@ to_tsquery('dutch', %s)", (query,))}
            for dossier_ids in (None, [index.conn.execute("SELECT id FROM search_dossiers").fetchone()[0]]):
                got = index.match_text([TextClause(phrase=phrase)], (), Filters(), dossier_ids, 1000)
                assert {p.page_id for p in got} == alone, (phrase, dossier_ids)
        assert len({r[0] for r in index.conn.execute(
            "SELECT id FROM search_pages WHERE tsv @@ to_tsquery('dutch', '(adres <-> a)')")}) == 30
        # through the searcher: the phrase hit's pages are the ones holding it, highlighted in order
        result = Searcher(index).search(SearchQuery('"adres A."', mode="text"))
        assert result.hits[0].pages and all(
            [w.lower().strip(".") for w in p.matched] in (["adres", "a"], ["adres", "a", "adres", "a"])
            for p in result.hits[0].pages)
        index.conn.execute("SET enable_seqscan = off")  # a tiny table is scanned otherwise
        plan = "\n".join(r[0] for r in index.conn.execute(
            "EXPLAIN SELECT id FROM search_pages WHERE pairs @@ %s::tsquery", ("'adres a'",)))
        assert "search_pages_pairs" in plan
    finally:
        index.close()


@pytest.mark.slow
def test_a_word_on_most_pages_read_in_table_order_gives_the_same_matches(pg_url, monkeypatch):
    import digitalisering.index.postgres as pg

    index = PostgresIndex(pg_url)
    try:
        pages = tuple(page(i, i + 1, TEXTS[i % len(TEXTS)] + f" blad{i % 7}") for i in range(300))
        index.replace_batch("b1", [DossierRow("D1", "D1", (), (DocumentRow("D1-01", 1, "brief", (), pages),), ())])
        index.conn.execute("ANALYZE search_pages")
        monkeypatch.setattr(pg, "RANK_AT_MOST", 40)
        for words in (("gemeente",), ("leiden", "werk"), ("blad3",), ("dakkapel",)):
            clauses = [TextClause(words=(w,)) for w in words]
            monkeypatch.setattr(pg, "COMMON_PAGES", 10**9)  # the index alone
            by_index = index.match_text(clauses, (), Filters(), None, 1000)
            monkeypatch.setattr(pg, "COMMON_PAGES", 20)
            common = index._common(pg.tsquery(clauses, ()))
            in_order = index.match_text(clauses, (), Filters(), None, 1000)
            assert [(p.page_id, p.score) for p in in_order] == [(p.page_id, p.score) for p in by_index], words
            assert common == (words == ("gemeente",) or words == ("leiden", "werk")), words
            assert len(by_index) == min(40, len(by_index)) and by_index
    finally:
        index.close()
