"""The command line is Dutch by default, English on request, all of it: click's own texts ("Usage:",
"Show this message and exit.", "No such option"), our help texts and placeholders, usage errors
(one line, exit 2), the library's error messages and the account commands."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering import i18n
from digitalisering.cli import main
from digitalisering.errors import StateError


@pytest.fixture
def dutch(monkeypatch):
    """No language chosen: what a new user gets."""
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    i18n.set_language(None)


def test_help_is_dutch_by_default_and_english_on_request(dutch, monkeypatch):
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for text in ("Gebruik:", "[OPTIES] OPDRACHT [ARGUMENTEN]...", "Opties:", "Toon deze hulp en stop.", "Opdrachten:",
                 "Registreer LEVERING en verwerk elke pagina", "Voorbeelden (in de volgorde van het werk):"):
        assert text in top.output, text
    assert "Usage:" not in top.output and "Show this message" not in top.output
    run = runner.invoke(main, ["run", "--help"])
    for text in ("Gebruik: main run [OPTIES] LEVERING", "Uitvoermap (PDF's en results.json).", "[verplicht]",
                 "--out MAP", "[standaard: 85; 10<=x<=100]", "--station NAAM"):
        assert text in run.output, text
    english = runner.invoke(main, ["run", "--help", "--taal", "en"])  # the option after the command, too
    for text in ("Usage: main run [OPTIONS] DELIVERY", "Output folder (PDFs and results.json).", "[required]",
                 "Show this message and exit.", "--out DIRECTORY"):
        assert text in english.output, text
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    assert "Options:" in runner.invoke(main, ["user", "--help"]).output
    assert "Opties:" in runner.invoke(main, ["--taal", "nl", "user", "--help"]).output


def test_usage_errors_are_one_dutch_line_with_exit_2(dutch):
    runner = CliRunner()
    res = runner.invoke(main, ["run"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == ["fout: Ontbrekend argument 'LEVERING'. (hulp: main run -h)"]
    res = runner.invoke(main, ["status", "--bogus"])
    assert res.exit_code == 2 and "fout: Optie '--bogus' bestaat niet." in res.stderr
    res = runner.invoke(main, ["progress", "--period", "jaar"])
    assert res.exit_code == 2 and "'jaar' is niet een van 'week', 'month'." in res.stderr
    res = runner.invoke(main, ["run", "/nonexistent-delivery", "--out", "x"])
    assert res.exit_code == 2 and "Ongeldige waarde voor 'LEVERING': Map '/nonexistent-delivery' bestaat niet." \
        in res.stderr
    res = runner.invoke(main, ["status", "--bogus", "--taal", "en"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == ["error: No such option '--bogus'. (help: main status -h)"]


def test_library_errors_are_shown_in_the_readers_language(dutch, tmp_path: Path):
    err = StateError("cannot write in {parent}: {error}", parent=tmp_path, error="Permission denied")
    assert str(err) == f"kan niet schrijven in {tmp_path}: Permission denied"
    assert i18n.translate(err.msgid, err.values, "en") == f"cannot write in {tmp_path}: Permission denied"
    again = pickle.loads(pickle.dumps(err))  # as a page worker hands it back
    assert type(again) is StateError and str(again) == str(err)
    res = CliRunner().invoke(main, ["status", "nosuch", "--workspace", str(tmp_path / "ws")])
    assert res.exit_code == 2
    assert res.stderr.strip() == "fout: geen batch 'nosuch' in deze werkruimte (batches: geen)"
    res = CliRunner().invoke(main, ["--taal", "en", "status", "nosuch", "--workspace", str(tmp_path / "ws")])
    assert res.stderr.strip() == "error: no batch 'nosuch' in this workspace (batches: none)"


def test_account_commands_speak_dutch(dutch, tmp_path: Path):
    ws = ["--workspace", str(tmp_path / "ws")]
    runner = CliRunner()
    res = runner.invoke(main, ["user", "add", "anna", "--role", "archivaris", "--password-stdin", *ws],
                        input="geheim-wachtwoord-1\n")
    assert res.exit_code == 0, res.output
    assert "gebruiker anna toegevoegd (archivaris)" in res.output
    res = runner.invoke(main, ["user", "list", *ws])
    assert "1 account" in res.output and "sinds " in res.output and "(door " in res.output
    assert "gebruiker anna is nu beheerder" in runner.invoke(main, ["user", "role", "anna", "beheerder", *ws]).output
    assert "user anna removed" in runner.invoke(main, ["--taal", "en", "user", "remove", "anna", *ws]).output
