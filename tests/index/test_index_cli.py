"""`digitalisering search` and `digitalisering index`: output, --json, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from click.testing import CliRunner
from index_rows import breestraat_batch

from digitalisering import i18n
from digitalisering.cli import main
from digitalisering.index.postgres import PostgresIndex
from digitalisering.index.sqlite import INDEX_FILE, SqliteIndex
from digitalisering.workspace import Workspace


def _workspace(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    ix = SqliteIndex(ws.root / INDEX_FILE)
    ix.replace_batch("b1", breestraat_batch())
    ix.close()
    return ws


def run(ws, *args):
    return CliRunner().invoke(main, ["--workspace", str(ws.root), *args])


def test_search_prints_dutch_by_default_and_english_on_request(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    monkeypatch.delenv(i18n.ENV_VAR)  # the tests' default is English
    r = run(ws, "search", "Breestraat 12")
    assert r.exit_code == 0, r.output
    assert "1 dossier gevonden voor 'Breestraat 12' (adres" in r.output
    assert "BWT-1962-0422" in r.output and "6 februari 1962 - 20 mei 1962" in r.output
    assert "per type: aanvraag 1, vergunning 1" in r.output
    r = run(ws, "--taal", "en", "search", "dakkapel")
    assert r.exit_code == 0 and "2 dossiers found for 'dakkapel' (text" in r.output
    assert "[dakkapel]" in r.output


def test_search_json_is_the_typed_result(tmp_path):
    ws = _workspace(tmp_path)
    r = run(ws, "search", "nieuwe dakkapel", "--json", "--type", "aanvraag", "--from-year", "1960", "--to-year", "1965")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["kind"] == "text" and data["total"] == 1
    assert data["query"]["filters"] == {"types": ["aanvraag"], "year_from": 1960, "year_to": 1965, "batches": []}
    (hit,) = data["hits"]
    assert hit["dossier"] == "BWT-1962-0422" and hit["pages"][0]["seq"] == 1
    assert hit["pages"][0]["matched"] == ["nieuwe", "dakkapel"]
    assert "[nieuwe] [dakkapel]" in hit["pages"][0]["snippet_text"]
    assert {f["value"] for f in data["facets"]["type"]} == {"aanvraag"}


def test_nothing_found_is_not_an_error(tmp_path):
    r = run(_workspace(tmp_path), "search", "Breestraat 99")
    assert r.exit_code == 0 and "nothing found" in r.output


def test_bad_queries_one_line_exit_2(tmp_path):
    ws = _workspace(tmp_path)
    for args in (["search", "  "], ["search", "dakkapel", "--from-year", "1990", "--to-year", "1950"],
                 ["search", "zomaar", "--mode", "address"], ["search", "x", "--limit", "0"]):
        r = run(ws, *args)
        assert r.exit_code == 2, (args, r.output)
        errors = [line for line in r.output.splitlines() if line.lower().startswith("error")]
        assert "Traceback" not in r.output and len(errors) == 1, r.output


def test_index_of_an_unknown_batch_is_one_line_exit_6(tmp_path):
    r = run(_workspace(tmp_path), "index", "nosuchbatch")
    assert r.exit_code == 6 and "nosuchbatch" in r.output and "Traceback" not in r.output
    other = Workspace.open(tmp_path / "other")
    r = run(other, "search", "dakkapel")
    assert r.exit_code == 0 and "the search index is empty" in r.output
    r = run(other, "index")
    assert r.exit_code == 0 and "no published batches to index" in r.output


def test_unreadable_index_is_one_line_exit_6(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    (ws.root / INDEX_FILE).write_bytes(b"this is not a database" * 100)
    r = run(ws, "search", "dakkapel")
    assert r.exit_code == 6 and "search index" in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_search_on_the_shared_postgresql_index(tmp_path, pg_url):
    ix = PostgresIndex(pg_url)
    ix.replace_batch("b1", breestraat_batch())
    ix.close()
    ws = Workspace.open(tmp_path / "ws")
    r = CliRunner().invoke(main, ["--workspace", str(ws.root), "--db", pg_url, "search", "Hooigracht 17", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [h["dossier"] for h in data["hits"]] == ["BWT-1923-0085"]
    assert not (ws.root / INDEX_FILE).exists()  # nothing in the workspace: the index is the shared one
