"""The two backends stem alike: PyStemmer's dutch_porter is the algorithm of PostgreSQL's `dutch`."""

from __future__ import annotations

import pytest

from digitalisering.index.text import parse_text, stem, word_stems

WORDS = ["bouwvergunning", "bouwvergunningen", "aanvragen", "aanvraag", "tekeningen", "tekening", "gemeente",
         "gemeentelijke", "huizen", "verbouwing", "verbouwen", "dakkapellen", "kozijnen", "Burgemeester",
         "wethouders", "gereedmelding", "berekeningen", "fundering", "Hooigracht", "Breestraat", "perceel",
         "café", "bovenwoning", "winkelpui"]  # (stop words such as "één" are not indexed by PostgreSQL)


@pytest.mark.slow
def test_python_stems_are_postgresqls_dutch_lexemes(pg_url):
    import psycopg

    with psycopg.connect(pg_url) as conn:
        for word in WORDS:
            lexemes = conn.execute("SELECT tsvector_to_array(to_tsvector('dutch', %s))",
                                   (" ".join(parse_text(word).terms),)).fetchone()[0]
            assert lexemes == [stem(word)], word


def test_a_word_is_indexed_under_its_tokens_stems():
    assert word_stems("Aanvragen,") == ("aanvrag",)
    assert word_stems("15-17") == ("15", "17")
    assert word_stems("...") == ()
    assert stem("Tekeningen") == stem("tekening")
