"""Search on both backends: address forms, full text, filters, facets, highlights, per-batch replace."""

from __future__ import annotations

import sqlite3

import pytest
from index_rows import breestraat_batch, page, second_batch

from digitalisering.bag.index import SCHEMA as BAG_SCHEMA
from digitalisering.index.model import AddressRow, DocumentRow, DossierRow, Filters, SearchQuery
from digitalisering.index.search import QueryError, Searcher


def found(index, text, **kw) -> list[str]:
    filters = Filters(**{k: kw.pop(k) for k in list(kw) if k in ("types", "year_from", "year_to", "batches")})
    return [h.dossier for h in Searcher(index, **kw.pop("searcher", {})).search(SearchQuery(text, filters, **kw)).hits]


@pytest.fixture
def filled(index):
    index.replace_batch("b1", breestraat_batch())
    return index


@pytest.mark.parametrize("text, expected", [
    ("Breestraat 12", ["BWT-1962-0422"]),
    ("breestraat 12", ["BWT-1962-0422"]),
    ("Bree-straat 12", ["BWT-1962-0422"]),       # spaces, hyphens and case do not matter
    ("Breestrat 12", ["BWT-1962-0422"]),         # a typo: the street is found fuzzily
    ("Breestraat 14", []),
    ("Hooigracht 15", ["BWT-1923-0085"]),
    ("Hooigracht 17", ["BWT-1923-0085"]),        # the second number of "15-17"
    ("Hooigracht 16", []),                       # not inside an even/odd range
    ("Rapenburg 4", ["BWT-1974-0401"]),          # 4 finds 4a
    ("Rapenburg 4a", ["BWT-1974-0401"]),
    ("Rapenburg 4 A", ["BWT-1974-0401"]),
    ("Rapenburg 4b", []),                        # 4b is another address
    ("2311 CS", ["BWT-1962-0422"]),
    ("2311CS 12", ["BWT-1962-0422"]),
    ("0546200000000017", ["BWT-1923-0085"]),     # nummeraanduiding
    ("0546010000000004", ["BWT-1974-0401"]),     # verblijfsobject
    ("0546100000000015", ["BWT-1923-0085"]),     # pand
    ("Hooigracht", ["BWT-1923-0085"]),           # a street alone
    ("Hooigracht 15-17", ["BWT-1923-0085"]),     # a range typed
])
def test_address_forms(filled, text, expected):
    assert found(filled, text) == expected


def test_address_hits_show_the_pages_where_the_address_is_written(filled):
    result = Searcher(filled).search(SearchQuery("Breestraat 12"))
    (hit,) = result.hits
    assert [(p.seq, p.snippet_text) for p in hit.pages if p.seq == 0] == [
        (0, "Aanvraag om bouwvergunning voor het verbouwen van het pand [Breestraat] [12] te Leiden")]
    assert {p.seq for p in hit.pages} == {0, 2} and result.text is None


def test_range_written_t_m_covers_every_number_of_its_side(index):
    row = AddressRow("Nieuwstraat", 15, None, None, None, None, None, None, "Nieuwstraat 15 t/m 21", "not_in_bag",
                     "object")
    index.replace_batch("b", [DossierRow("D1", None, ("1930-01-01",), (
        DocumentRow("D1-01", 1, "aanvraag", ("1930-01-01",), (page(0, 1, "Nieuwstraat 15 t/m 21"),)),), (row,))])
    s = Searcher(index)
    for n in (15, 17, 19, 21):
        result = s.search(SearchQuery(f"Nieuwstraat {n}"))
        assert [h.dossier for h in result.hits] == ["D1"]
        assert result.hits[0].addresses[0].match == ("adres" if n == 15 else "bereik")
    assert found(index, "Nieuwstraat 23") == [] and found(index, "Nieuwstraat 16") == []


def test_adjacent_numbers_of_a_corner_building(index):
    row = AddressRow("Herenstraat", 65, None, None, None, "0546200000349263", None, None, "Herenstraat 65-66", "exact",
                     "object")
    index.replace_batch("b", [DossierRow("D2", None, ("1940-01-01",), (
        DocumentRow("D2-01", 1, "aanvraag", ("1940-01-01",), (page(0, 1, "perceel Herenstraat 65-66"),)),), (row,))])
    assert found(index, "Herenstraat 66") == ["D2"] and found(index, "Herenstraat 67") == []


def test_an_address_the_link_missed_is_found_where_it_is_written(index):
    """The linker chose Rijndijk 26 for "Hoge Rijndijk 26": the page still says where the object is."""
    wrong = AddressRow("Rijndijk", 26, None, None, None, "0546200000400132", None, None, "rijndijk 26", "exact",
                       "object")
    other = AddressRow("Hoge Rijndijk", 10, None, None, None, None, None, None, "Hoge Rijndijk 10", "exact", "object")
    index.replace_batch("b", [
        DossierRow("D3", None, ("1924-06-01",), (DocumentRow("D3-01", 1, "tekening", ("1924-06-01",), (
            page(0, 1, "WERK het bouwen van een woonhuis PERCEEL Hoge Rijndijk 26 OPDRACHTGEVER"),)),), (wrong,)),
        DossierRow("D4", None, ("1950-01-01",), (DocumentRow("D4-01", 1, "brief", ("1950-01-01",), (
            page(1, 1, "Hoge Rijndijk 10"),)),), (other,)),
    ])
    result = Searcher(index).search(SearchQuery("Hoge Rijndijk 26"))
    assert [h.dossier for h in result.hits] == ["D3"]
    assert [a.match for a in result.hits[0].addresses] == ["tekst"]
    assert result.hits[0].pages[0].matched == ("Hoge", "Rijndijk", "26")
    assert found(index, "Hoge Rijndijk 27") == []
    # a linked dossier ranks above one that only writes the address
    both = Searcher(index).search(SearchQuery("Rijndijk 26"))
    assert [h.dossier for h in both.hits] == ["D3"] and both.hits[0].addresses[0].match == "adres"


def test_historic_street_name_via_gazetteer(filled):
    gazetteer = {"Breedestraat": "Breedestraat\x00Breestraat", "Breestraat": "Breedestraat\x00Breestraat"}
    assert found(filled, "Breedestraat 12", searcher={"gazetteer": gazetteer}) == ["BWT-1962-0422"]
    result = Searcher(filled, gazetteer=gazetteer).search(SearchQuery("Breedestraat 12"))
    assert result.address.via == "gazetteer" and result.address.street == "Breestraat"


def _bag(path):
    """A BAG index where verblijfsobject V had Kortestraat 3 (withdrawn) and now has Langestraat 5."""
    conn = sqlite3.connect(path)
    conn.executescript(BAG_SCHEMA)
    conn.executemany("INSERT INTO openbare_ruimte VALUES (?,1,?,NULL,'2088','Naamgeving uitgegeven','1900',NULL)",
                     [("0546300000000001", "Kortestraat"), ("0546300000000002", "Langestraat")])
    conn.executemany("INSERT INTO nummeraanduiding VALUES (?,1,?,?,NULL,NULL,?,?,'1900',NULL)", [
        ("0546200000000301", "0546300000000001", 3, "2311AA", "Naamgeving ingetrokken"),
        ("0546200000000502", "0546300000000002", 5, "2311AB", "Naamgeving uitgegeven")])
    conn.executemany("INSERT INTO adresseerbaar VALUES ('VBO','0546010000000777',?,?,'hoofd','x','1900',NULL,0,0)",
                     [(1, "0546200000000301"), (2, "0546200000000502")])
    conn.execute("INSERT INTO vbo_pand VALUES ('0546010000000777', 2, '0546100000000777')")
    conn.commit()
    conn.close()


def test_todays_address_finds_the_dossier_filed_under_the_old_numbering(index, tmp_path):
    old = AddressRow("Kortestraat", 3, None, None, None, "0546200000000301", None, None, "Kortestraat 3", "withdrawn",
                     "object")
    index.replace_batch("b", [DossierRow("OUD-1931", None, ("1931-01-01",), (
        DocumentRow("OUD-1931-01", 1, "vergunning", ("1931-01-01",), (page(0, 1, "Kortestraat 3"),)),), (old,))])
    bag = tmp_path / "bag.sqlite"
    _bag(bag)
    assert found(index, "Langestraat 5") == []  # without the BAG history: nothing
    result = Searcher(index, bag_db=bag).search(SearchQuery("Langestraat 5"))
    assert [h.dossier for h in result.hits] == ["OUD-1931"]
    assert result.hits[0].addresses[0].match == "geschiedenis"
    assert "0546200000000301" in result.address.related_num_ids
    assert [h.dossier for h in Searcher(index, bag_db=bag).search(SearchQuery("2311 AB 5")).hits] == ["OUD-1931"]


def test_full_text_stems_phrases_exclusions(filled):
    assert found(filled, "aanvragen") == found(filled, "aanvraag")  # one Dutch stem
    assert set(found(filled, "aanvraag")) == {"BWT-1962-0422", "BWT-1923-0085"}
    assert found(filled, '"nieuwe dakkapel"') == ["BWT-1962-0422"]
    assert found(filled, '"dakkapel nieuwe"') == []                    # a phrase keeps its order
    assert found(filled, "dakkapel -rapenburg") == ["BWT-1962-0422"]
    assert set(found(filled, "dakkapel")) == {"BWT-1962-0422", "BWT-1974-0401"}
    assert found(filled, "winkelpui teekening") == ["BWT-1923-0085"]  # every word must match
    assert found(filled, "winkelpui dakkapel") == []


def test_fuzzy_matches_ocr_slips_and_exact_turns_it_off(filled):
    s = Searcher(filled)
    result = s.search(SearchQuery("bouwvergunning", mode="text"))
    assert "bouwvergunnlng" in result.expanded["bouwvergunning"]
    pages = {p.seq: p for h in result.hits for p in h.pages}
    assert pages[2].matched == ("bouwvergunnlng",)  # found through the slip, and highlighted
    assert pages[0].score if hasattr(pages[0], "score") else True
    exact = s.search(SearchQuery("bouwvergunning", mode="text", fuzzy=False))
    assert {p.seq for h in exact.hits for p in h.pages} == {0}


def test_snippets_and_highlights_point_at_the_matched_words(filled):
    result = Searcher(filled).search(SearchQuery('"nieuwe dakkapel" metselwerk'))
    (hit,) = result.hits
    (pg,) = hit.pages
    words = "Bouwbeschrijving: metselwerk en een nieuwe dakkapel aan de achterzijde".split()
    assert [words[i] for i in pg.words] == ["metselwerk", "nieuwe", "dakkapel"]
    assert pg.matched == ("metselwerk", "nieuwe", "dakkapel")
    assert pg.snippet_text == "Bouwbeschrijving: [metselwerk] en een [nieuwe] [dakkapel] aan de achterzijde"
    assert (pg.seq, pg.number, pg.document) == (1, 2, "BWT-1962-0422-01")


def test_filters_and_facets(filled):
    filled.replace_batch("b2", second_batch())
    s = Searcher(filled)
    result = s.search(SearchQuery("Breestraat 12"))
    assert [h.dossier for h in result.hits] == ["BWT-1962-0422", "BWT-1988-0700"] or \
        {h.dossier for h in result.hits} == {"BWT-1962-0422", "BWT-1988-0700"}
    facets = {k: {v.value: v.count for v in vs} for k, vs in result.facets.items()}
    assert facets["batch"] == {"b1": 1, "b2": 1}
    assert facets["type"] == {"aanvraag": 2, "vergunning": 1}
    assert facets["decade"] == {"1960": 1, "1980": 1}
    assert found(filled, "Breestraat 12", batches=("b2",)) == ["BWT-1988-0700"]
    assert found(filled, "Breestraat 12", types=("vergunning",)) == ["BWT-1962-0422"]
    assert found(filled, "Breestraat 12", year_from=1980) == ["BWT-1988-0700"]
    assert found(filled, "Breestraat 12", year_to=1970) == ["BWT-1962-0422"]
    assert found(filled, "aanvraag", year_from=1920, year_to=1929) == ["BWT-1923-0085"]
    assert found(filled, "aanvraag", types=("brief",)) == ["BWT-1923-0085"]
    typed = s.search(SearchQuery("Breestraat 12", Filters(types=("vergunning",))))
    assert [d.type for d in typed.hits[0].documents] == ["vergunning"]


def test_limit_offset_total(filled):
    s = Searcher(filled)
    everything = s.search(SearchQuery("aanvraag"))
    first = s.search(SearchQuery("aanvraag", limit=1))
    second = s.search(SearchQuery("aanvraag", limit=1, offset=1))
    assert everything.total == first.total == second.total == 2
    assert [h.dossier for h in first.hits + second.hits] == [h.dossier for h in everything.hits]


def test_replacing_a_batch_swaps_its_rows_and_leaves_the_others(filled):
    filled.replace_batch("b2", second_batch("schuur"))
    assert found(filled, "schuur") == ["BWT-1988-0700"]
    filled.replace_batch("b2", second_batch("garage"))
    assert found(filled, "schuur") == [] and found(filled, "garage") == ["BWT-1988-0700"]
    assert found(filled, "winkelpui") == ["BWT-1923-0085"]  # b1 untouched
    assert set(filled.batches()) == {"b1", "b2"}
    assert filled.batches()["b1"] == (3, 5, 6)

    def broken():
        yield from second_batch("carport")
        raise OSError("disk gone")

    with pytest.raises(OSError):
        filled.replace_batch("b2", broken())
    assert found(filled, "garage") == ["BWT-1988-0700"] and found(filled, "carport") == []
    assert filled.remove_batch("b2") and found(filled, "garage") == []
    assert found(filled, "Breestraat 12") == ["BWT-1962-0422"]


@pytest.mark.parametrize("query, message", [
    (SearchQuery("   "), "empty search"),
    (SearchQuery("dakkapel", Filters(year_from=1990, year_to=1950)), "backwards"),
    (SearchQuery("-dakkapel"), "nothing to search"),
    (SearchQuery("zomaar wat", mode="address"), "not an address"),
    (SearchQuery("x" * 600), "too long"),
])
def test_bad_queries_are_one_clear_error(filled, query, message):
    with pytest.raises(QueryError, match=message) as err:
        Searcher(filled).search(query)
    assert "\n" not in str(err.value) and err.value.exit_code == 2


def test_odd_text_is_searched_not_crashed(filled):
    for text in ['"unclosed phrase', "NOT AND OR", "a*b (c) {d}", "né", "\"\"", "12-"]:
        Searcher(filled).search(SearchQuery(text, mode="text")) if text.strip('"') else None


def test_an_index_of_another_schema_version_starts_again_empty(tmp_path):
    from digitalisering.index.sqlite import SqliteIndex

    ix = SqliteIndex(tmp_path / "search.sqlite")
    ix.replace_batch("b1", breestraat_batch())
    ix.conn.execute("UPDATE meta SET value='0' WHERE key='schema'")
    ix.close()
    again = SqliteIndex(tmp_path / "search.sqlite")
    assert again.batches() == {} and found(again, "dakkapel") == []
    again.replace_batch("b1", breestraat_batch())
    assert found(again, "winkelpui") == ["BWT-1923-0085"]
    again.close()


def test_an_unlinked_dossier_is_found_by_the_historic_spelling_on_its_page(filled):
    filled.replace_batch("b3", [DossierRow("OUD-1905", None, ("1905-01-01",), (DocumentRow(
        "OUD-1905-01", 1, "aanvraag", ("1905-01-01",), (page(0, 1, "Teekening voor het perceel Breedestraat 7"),)),))])
    gazetteer = {"Breedestraat": "Breedestraat\x00Breestraat", "Breestraat": "Breedestraat\x00Breestraat"}
    assert found(filled, "Breestraat 7") == []
    result = Searcher(filled, gazetteer=gazetteer).search(SearchQuery("Breestraat 7"))
    assert [h.dossier for h in result.hits] == ["OUD-1905"]
    assert result.hits[0].pages[0].matched == ("Breedestraat", "7")


def test_what_the_reader_may_not_see_is_left_out_everywhere(filled):
    """A restricted document (the access decisions' may_view) is in no count, facet, hit or snippet."""
    def may_view(batch, dossier, document):
        return document != "BWT-1962-0422-01"  # the aanvraag with "nieuwe dakkapel" is restricted

    s = Searcher(filled, may_view=may_view)
    assert found(filled, '"nieuwe dakkapel"') == ["BWT-1962-0422"]
    hidden = s.search(SearchQuery('"nieuwe dakkapel"'))
    assert hidden.total == 0 and hidden.hits == () and hidden.facets["type"] == ()
    result = s.search(SearchQuery("Breestraat 12"))
    (hit,) = result.hits
    assert [d.id for d in hit.documents] == ["BWT-1962-0422-02"]
    assert {p.document for p in hit.pages} == {"BWT-1962-0422-02"}
    assert {v.value for v in result.facets["type"]} == {"vergunning"}
    assert Searcher(filled, may_view=lambda *a: False).search(SearchQuery("dakkapel")).total == 0
